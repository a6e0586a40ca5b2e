"""The metric definitions of scorecards and reports, written once (see docs/metrics.md).

A metric is a *base* (which rows it counts: submissions made in the period, releases made in the
period, …, each with the report's client / supplier / hiring-manager filter) and a *condition* on
those rows (an SQL expression over the row, the event log and the interview / offer / placement
rows). Counts on pages are `count(*) FILTER (condition)` over the base; the drill-down of a figure
is the same base and condition listing the rows. So a figure and its rows cannot disagree.

Every read runs in the request's tenancy scope: a client's base only holds submissions visible to
it, a supplier's only its own, and the event / interview / offer rows in the conditions are
filtered the same way. Callers add the viewer's own org id to the filters on top (belt and braces).
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Callable, Iterable

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.sql import ColumnElement

from portal import clock
from portal.accounts.models import ClientAccountManager
from portal.events.models import Event
from portal.interviews.models import Interview
from portal.job_orders.models import JobOrder, JobOrderRelease
from portal.offers.models import Offer, Placement
from portal.submissions.models import Submission

UTC = timezone.utc

#: The SLA targets of PRODUCT.md, used where a client has no policy of its own (hours).
DEFAULT_TARGETS = {"first_submission": 24, "client_review": 48, "feedback": 24}

#: The client's decisions on a submission (the end of its review clock): the first of these events
#: written by a person of the client company.
DECISION_VERBS = ("submission.shortlisted", "submission.rejected", "interview.requested", "offer.extended")
DUPLICATE_VERB = "submission.duplicate_refused"


# --- the filters every figure is computed under --------------------------------------------------

@dataclass(frozen=True)
class Filters:
    """A period [start, end) in UTC and the optional client, supplier and hiring-manager filters."""

    start: datetime
    end: datetime
    client_id: int | None = None
    supplier_id: int | None = None
    manager_id: int | None = None
    #: For the rejection drill-down: one reason code (or "" for rows without one).
    reason: str | None = None
    #: For the rejection drill-down: "screening" (never visible to the client) or "client" (after).
    at: str | None = None
    #: For the placement drill-down: one account manager's clients (UNASSIGNED: clients without one).
    account_manager_id: int | None = None
    label: str = ""

    @property
    def first_day(self) -> date:
        return self.start.date()

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(seconds=1)).date()

    def narrowed(self, **changes) -> "Filters":
        return replace(self, **changes)


#: The account-manager narrowing of placements whose client has no account manager.
UNASSIGNED = 0
#: The rejection drill-down's split: where the submission was rejected.
REJECTED_AT = ("screening", "client")


def day_start(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=UTC)


def in_period(column, f: Filters) -> ColumnElement:
    return and_(column >= f.start, column < f.end)


# --- the conditions: what makes a submission count as having reached a stage -----------------------

def shortlisted_event(sub=Submission) -> ColumnElement:
    return exists().where(Event.subject_type == "submission", Event.subject_id == sub.id,
                          Event.verb == "submission.shortlisted")


def has_interview(sub=Submission) -> ColumnElement:
    return exists().where(Interview.submission_id == sub.id)


def has_offer(sub=Submission) -> ColumnElement:
    return exists().where(Offer.submission_id == sub.id)


def has_placement(sub=Submission) -> ColumnElement:
    return exists().where(Placement.submission_id == sub.id)


SUBMISSION_CONDITIONS: dict[str, Callable[[], ColumnElement | None]] = {
    "submitted": lambda: None,
    # Decided at the agency's screening: forwarded by staff, or rejected before the client saw it.
    "screened": lambda: or_(Submission.forwarded_by_id.is_not(None),
                            and_(Submission.rejected_at.is_not(None), Submission.client_visible_at.is_(None))),
    "forwarded": lambda: Submission.forwarded_by_id.is_not(None),
    "reached_review": lambda: Submission.client_visible_at.is_not(None),
    # Reached the shortlist or any later step (an interview or an offer may come straight from review).
    "shortlisted": lambda: or_(shortlisted_event(), has_interview(), has_offer(), has_placement()),
    "interviewed": lambda: has_interview(),
    "offered": lambda: has_offer(),
    "placed": lambda: has_placement(),
    "withdrawn": lambda: Submission.withdrawn_at.is_not(None),
    "rejected": lambda: Submission.rejected_at.is_not(None),
}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    #: "submission" | "release" | "duplicate" | "review" | "feedback" | "placement" | "rejection" | "filled"
    base: str
    condition: Callable[[], ColumnElement | None] = lambda: None
    doc: str = ""


def _own_submission_since_release() -> list[ColumnElement]:
    """A submission of the release's own supplier to the released job, made at or after its release."""
    return [Submission.job_order_id == JobOrderRelease.job_order_id,
            Submission.supplier_org_id == JobOrderRelease.supplier_org_id,
            Submission.submitted_at >= JobOrderRelease.released_at]


def _responded():
    """The supplier made at least one submission to the released job since its release."""
    return exists().where(*_own_submission_since_release())


def first_submission_at():
    """SQL (per release row): when the supplier first submitted to the job since its own release."""
    return (select(func.min(Submission.submitted_at)).where(*_own_submission_since_release())
            .correlate(JobOrderRelease).scalar_subquery())


METRICS: dict[str, Metric] = {m.key: m for m in (
    Metric("submitted", "Submissions", "submission", doc="submissions made in the period"),
    Metric("screened", "Screened (decided)", "submission", SUBMISSION_CONDITIONS["screened"]),
    Metric("forwarded", "Forwarded by screening", "submission", SUBMISSION_CONDITIONS["forwarded"]),
    Metric("reached_review", "Reached client review", "submission", SUBMISSION_CONDITIONS["reached_review"]),
    Metric("shortlisted", "Shortlisted", "submission", SUBMISSION_CONDITIONS["shortlisted"]),
    Metric("interviewed", "Interviewed", "submission", SUBMISSION_CONDITIONS["interviewed"]),
    Metric("offered", "Offered", "submission", SUBMISSION_CONDITIONS["offered"]),
    Metric("placed", "Placed", "submission", SUBMISSION_CONDITIONS["placed"]),
    Metric("withdrawn", "Withdrawn", "submission", SUBMISSION_CONDITIONS["withdrawn"]),
    Metric("rejected", "Rejected", "submission", SUBMISSION_CONDITIONS["rejected"]),
    Metric("releases", "Jobs received", "release"),
    Metric("responded", "Jobs with a submission", "release", _responded),
    Metric("duplicates", "Duplicates refused", "duplicate"),
    Metric("review", "Submissions made visible to the client", "review"),
    Metric("feedback", "Interviews held", "feedback"),
    Metric("placements", "Placements", "placement"),
    Metric("rejections", "Rejections", "rejection"),
    Metric("filled", "Job orders filled", "filled"),
)}


# --- the bases: which rows a metric counts, filtered ---------------------------------------------

def base_where(base: str, f: Filters) -> list[ColumnElement]:
    """The WHERE terms of a base under the filters (the entity of the base must be in the FROM)."""
    if base == "submission":
        terms = [in_period(Submission.submitted_at, f)]
        entity = Submission
        if f.reason is not None:
            terms.append(Submission.reject_reason == f.reason if f.reason else Submission.reject_reason.is_(None))
    elif base == "rejection":
        terms = [in_period(Submission.rejected_at, f)]
        entity = Submission
        if f.reason is not None:
            terms.append(Submission.reject_reason == f.reason if f.reason else Submission.reject_reason.is_(None))
        if f.at == "screening":
            terms.append(Submission.client_visible_at.is_(None))
        elif f.at == "client":
            terms.append(Submission.client_visible_at.is_not(None))
    elif base == "review":
        terms = [in_period(Submission.client_visible_at, f)]
        entity = Submission
        if f.manager_id is not None:
            terms.append(JobOrder.hiring_manager_id == f.manager_id)
    elif base == "release":
        terms = [in_period(JobOrderRelease.released_at, f)]
        entity = JobOrderRelease
    elif base == "duplicate":
        terms = [Event.verb == DUPLICATE_VERB, in_period(Event.occurred_at, f)]
        entity = Event
    elif base == "feedback":
        terms = [in_period(Interview.ends_at, f), Interview.ends_at <= clock.now(),
                 Interview.status != "cancelled"]
        entity = Interview
        if f.manager_id is not None:
            terms.append(JobOrder.hiring_manager_id == f.manager_id)
    elif base == "placement":
        terms = [in_period(Placement.placed_at, f)]
        entity = Placement
        if f.account_manager_id is not None:
            managed = exists().where(ClientAccountManager.client_org_id == Placement.client_org_id)
            if f.account_manager_id == UNASSIGNED:
                terms.append(~managed)
            else:
                terms.append(managed.where(ClientAccountManager.user_id == f.account_manager_id))
    elif base == "filled":
        terms = [JobOrder.status == "filled", in_period(JobOrder.closed_at, f)]
        if f.supplier_id is not None:
            terms.append(exists().where(Placement.job_order_id == JobOrder.id,
                                        Placement.supplier_org_id == f.supplier_id))
        if f.client_id is not None:
            terms.append(JobOrder.client_org_id == f.client_id)
        return terms
    else:  # pragma: no cover - a typo in a metric table
        raise KeyError(base)
    if f.client_id is not None:
        terms.append(entity.client_org_id == f.client_id)
    if f.supplier_id is not None:
        terms.append(entity.supplier_org_id == f.supplier_id)
    return terms


def needs_job(base: str) -> bool:
    """Whether the base joins the job order (the hiring-manager filter and grouping)."""
    return base in ("review", "feedback")


def metric_where(key: str, f: Filters) -> list[ColumnElement]:
    metric = METRICS[key]
    terms = base_where(metric.base, f)
    condition = metric.condition()
    if condition is not None:
        terms.append(condition)
    return terms


# --- figures computed from fetched durations -------------------------------------------------------

def hours(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return (b - a).total_seconds() / 3600


def median(values: Iterable[float | None]) -> float | None:
    clean = [v for v in values if v is not None]
    return statistics.median(clean) if clean else None


def ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Clock:
    """How one clock of a target ended: met, missed, or still running within the target ("not due").

    Time the job order spent on hold does not count (the same rule as the live SLA clocks).
    """

    started: datetime
    stopped: datetime | None
    target_hours: float
    #: The clock stopped without the awaited act (withdrawn, job filled) — only counts if already late.
    abandoned_at: datetime | None = None
    holds: list = field(default_factory=list)

    def _counted(self, end: datetime) -> float:
        return max(counted_hours(self.started, end, self.holds), 0.0)

    @property
    def elapsed(self) -> float | None:
        return None if self.stopped is None else self._counted(self.stopped)

    @property
    def due(self) -> bool:
        """Counts in the compliance denominator: answered, or the target has passed."""
        if self.stopped is not None:
            return True
        return self._counted(self.abandoned_at or clock.now()) >= self.target_hours

    @property
    def met(self) -> bool:
        return self.stopped is not None and self.elapsed <= self.target_hours


def counted_hours(start: datetime, end: datetime, holds: list) -> float:
    """Hours from start to end, less the time on hold in between (SLA's rule when it is installed)."""
    if holds:
        try:
            from portal.sla.clocks import counted
        except ImportError:  # pragma: no cover - the SLA package is part of the portal
            pass
        else:
            return counted(start, end, holds).total_seconds() / 3600
    return (end - start).total_seconds() / 3600


@dataclass
class Compliance:
    """Clocks of one measure: median time, how many are due, how many met the target."""

    clocks: list[Clock] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        return median(c.elapsed for c in self.clocks)

    @property
    def answered(self) -> int:
        return sum(1 for c in self.clocks if c.stopped is not None)

    @property
    def due(self) -> int:
        return sum(1 for c in self.clocks if c.due)

    @property
    def met(self) -> int:
        return sum(1 for c in self.clocks if c.met)

    @property
    def share(self) -> float | None:
        return ratio(self.met, self.due)


def targets_for(client_ids: Iterable[int]) -> tuple[dict[int, dict[str, int]], str]:
    """Per client, the SLA targets in hours, and where they came from (for the page to say so).

    The per-client policy of `portal.sla` (one query) when that package is installed; otherwise
    PRODUCT.md's defaults for everyone.
    """
    ids = sorted(set(client_ids))
    try:
        from portal.sla.queries import policies
    except ImportError:  # pragma: no cover - the SLA package is part of the portal
        return {cid: dict(DEFAULT_TARGETS) for cid in ids}, "defaults"
    found = policies(ids) if ids else {}
    out = {}
    for cid in ids:
        p = found.get(cid)
        out[cid] = dict(DEFAULT_TARGETS) if p is None else {
            "first_submission": p.first_submission_hours, "client_review": p.review_hours,
            "feedback": p.feedback_hours}
    return out, "client policy"


def holds_for(job_ids: Iterable[int]) -> dict[int, list]:
    """Each job order's spans on hold (from its hold / reopen events), one query; none without SLA."""
    ids = sorted(set(job_ids))
    if not ids:
        return {}
    try:
        from portal.sla.queries import holds
    except ImportError:  # pragma: no cover - the SLA package is part of the portal
        return {}
    return holds(ids)
