"""Scorecards both ways: suppliers (how they answer released jobs and how far their candidates get) and
hiring managers (how fast they decide on submissions and give interview feedback).

Reads only, in the request's tenancy scope, with the viewer's limits already in the filters
(`permissions.restrict`). Every supplier (or manager) on one page costs the same fixed number of
queries: the figures are grouped in SQL, the durations behind the medians fetched in one query each.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from portal.accounts.models import OrgKind, Organisation, User
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview
from portal.job_orders.models import JobOrder, JobOrderRelease
from portal.reports import metrics as m
from portal.reports.permissions import Viewer
from portal.submissions.models import REJECT_LABELS, RejectReason, Submission

#: The submission figures of a scorecard, in the order the page shows them.
SUBMISSION_FIGURES = ("submitted", "screened", "forwarded", "reached_review", "shortlisted", "interviewed",
                      "offered", "placed", "withdrawn", "rejected")
_orgs = Organisation.__table__


def reason_label(code: str | None) -> str:
    try:
        return REJECT_LABELS[RejectReason(code)]
    except ValueError:
        return "No reason given"


@dataclass
class SupplierScore:
    supplier_id: int
    name: str
    releases: int = 0
    responded: int = 0
    first_submission: m.Compliance = field(default_factory=m.Compliance)
    duplicates: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SUBMISSION_FIGURES, 0))
    #: [(reason code or "", label, count)], most frequent first.
    reasons: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        return m.ratio(self.responded, self.releases)

    @property
    def median_first_hours(self) -> float | None:
        return self.first_submission.median_hours

    @property
    def forward_share(self) -> float | None:
        return m.ratio(self.counts["forwarded"], self.counts["screened"])

    def share(self, key: str) -> float | None:
        """A stage's count over the submissions of the period."""
        return m.ratio(self.counts[key], self.counts["submitted"])


def _sum(condition):
    return func.sum(case((condition, 1), else_=0))


def submission_counts(f: m.Filters, group_by) -> dict[int, dict[str, int]]:
    """{group: {figure: count}} of the submission figures, grouped by a Submission column."""
    cols = [_sum(cond) if cond is not None else func.count() for cond in
            (m.SUBMISSION_CONDITIONS[key]() for key in SUBMISSION_FIGURES)]
    rows = db.session.execute(select(group_by, *cols).where(*m.base_where("submission", f)).group_by(group_by))
    return {row[0]: {key: int(row[i + 1] or 0) for i, key in enumerate(SUBMISSION_FIGURES)} for row in rows}


def release_rows(f: m.Filters):
    """Per release in the period: supplier, client, job, released_at and the supplier's first
    submission since (first_at)."""
    return db.session.execute(
        select(JobOrderRelease.supplier_org_id, JobOrderRelease.client_org_id, JobOrderRelease.job_order_id,
               JobOrderRelease.released_at, m.first_submission_at().label("first_at"))
        .where(*m.base_where("release", f))).all()


@dataclass
class Clocks:
    """The rows behind the three measured clocks, each client's targets and each job's time on hold
    (a fixed number of queries: the rows asked for, the targets, the holds)."""

    releases: list
    reviews: list
    feedbacks: list
    targets: dict
    holds: dict
    source: str

    @classmethod
    def read(cls, f: m.Filters, *, releases: bool = True, reviews: bool = True, feedbacks: bool = True) -> "Clocks":
        rel = release_rows(f) if releases else []
        rev = review_rows(f) if reviews else []
        fb = feedback_rows(f) if feedbacks else []
        rows = [*rel, *rev, *fb]
        targets, source = m.targets_for(r.client_org_id for r in rows)
        return cls(rel, rev, fb, targets, m.holds_for(r.job_order_id for r in rows), source)

    def first_submission(self, r) -> m.Clock:
        return m.Clock(r.released_at, r.first_at, self.targets[r.client_org_id]["first_submission"],
                       holds=self.holds.get(r.job_order_id, []))

    def review(self, r) -> m.Clock:
        return m.Clock(r.client_visible_at, r.decided_at, self.targets[r.client_org_id]["client_review"],
                       r.abandoned_at, holds=self.holds.get(r.job_order_id, []))

    def feedback(self, r) -> m.Clock:
        return m.Clock(r.ends_at, r.feedback_at, self.targets[r.client_org_id]["feedback"],
                       holds=self.holds.get(r.job_order_id, []))


def duplicate_counts(viewer: Viewer, f: m.Filters) -> dict[int, int]:
    """Refused duplicates per supplier. The events are internal (their summaries name the supplier
    that owns the person), so a supplier's own count is read in a system scope held to its org id."""
    stmt = (select(Event.supplier_org_id, func.count()).where(*m.base_where("duplicate", f))
            .group_by(Event.supplier_org_id))
    if viewer.is_staff:
        return dict(db.session.execute(stmt).all())
    if viewer.portal != "supplier":
        return {}
    with system_scope("a supplier's own refused duplicates"):
        return dict(db.session.execute(stmt.where(Event.supplier_org_id == viewer.org_id)).all())


def reason_counts(f: m.Filters) -> dict[int, list[tuple[str, str, int]]]:
    rows = db.session.execute(
        select(Submission.supplier_org_id, Submission.reject_reason, func.count())
        .where(*m.base_where("submission", f), m.SUBMISSION_CONDITIONS["rejected"]())
        .group_by(Submission.supplier_org_id, Submission.reject_reason))
    out: dict[int, list] = defaultdict(list)
    for supplier_id, code, n in rows:
        out[supplier_id].append((code or "", reason_label(code), int(n)))
    for items in out.values():
        items.sort(key=lambda r: (-r[2], r[1]))
    return out


def supplier_names(viewer: Viewer, f: m.Filters) -> list[tuple[int, str]]:
    """The suppliers a scorecard page lists: every active supplier for staff, one's own for a supplier."""
    stmt = select(_orgs.c.id, _orgs.c.name).where(_orgs.c.kind == OrgKind.SUPPLIER.value)
    if viewer.portal == "supplier":
        stmt = stmt.where(_orgs.c.id == viewer.org_id)
    elif not viewer.is_staff:
        return []
    else:
        stmt = stmt.where(_orgs.c.is_active.is_(True))
    if f.supplier_id is not None:
        stmt = stmt.where(_orgs.c.id == f.supplier_id)
    return list(db.session.execute(stmt.order_by(_orgs.c.name)).all())


def supplier_scorecards(viewer: Viewer, f: m.Filters) -> list[SupplierScore]:
    """One scorecard per supplier the viewer may see (staff: all, side by side), in six queries."""
    names = supplier_names(viewer, f)
    cards = {sid: SupplierScore(sid, name) for sid, name in names}
    if not cards:
        return []
    for sid, counts in submission_counts(f, Submission.supplier_org_id).items():
        if sid in cards:
            cards[sid].counts = counts
    clocks = Clocks.read(f, reviews=False, feedbacks=False)
    for r in clocks.releases:
        card = cards.get(r.supplier_org_id)
        if card is None:
            continue
        card.releases += 1
        card.responded += r.first_at is not None
        card.first_submission.clocks.append(clocks.first_submission(r))
    for sid, n in duplicate_counts(viewer, f).items():
        if sid in cards:
            cards[sid].duplicates = int(n)
    for sid, items in reason_counts(f).items():
        if sid in cards:
            cards[sid].reasons = items
    return list(cards.values())


# --- hiring managers -----------------------------------------------------------------------------

@dataclass
class ManagerScore:
    manager_id: int | None
    name: str
    client_name: str
    review: m.Compliance = field(default_factory=m.Compliance)
    feedback: m.Compliance = field(default_factory=m.Compliance)

    @property
    def visible(self) -> int:
        return len(self.review.clocks)

    @property
    def interviews(self) -> int:
        return len(self.feedback.clocks)


def review_rows(f: m.Filters):
    """Per submission made visible in the period: its manager, client, job, visible time, first client
    decision (decided_at) and when its clock was abandoned (withdrawn, or closed when the job filled)."""
    decision = (select(func.min(Event.occurred_at))
                .where(Event.subject_type == "submission", Event.subject_id == Submission.id,
                       Event.verb.in_(m.DECISION_VERBS), Event.actor_org_id == Submission.client_org_id)
                .correlate(Submission).scalar_subquery())
    abandoned = case((Submission.stage == "closed", Submission.stage_changed_at), else_=Submission.withdrawn_at)
    return db.session.execute(
        select(JobOrder.hiring_manager_id, Submission.client_org_id, Submission.job_order_id,
               Submission.client_visible_at, decision.label("decided_at"), abandoned.label("abandoned_at"),
               Submission.id)
        .join(JobOrder, JobOrder.id == Submission.job_order_id)
        .where(*m.base_where("review", f))).all()


def feedback_rows(f: m.Filters):
    """Per interview that ended in the period (not cancelled): manager, client, job, end and feedback."""
    return db.session.execute(
        select(JobOrder.hiring_manager_id, Interview.client_org_id, Interview.job_order_id, Interview.ends_at,
               Interview.feedback_at)
        .join(JobOrder, JobOrder.id == Interview.job_order_id)
        .where(*m.base_where("feedback", f))).all()


def manager_scorecards(viewer: Viewer, f: m.Filters) -> tuple[list[ManagerScore], str]:
    """Hiring managers' responsiveness (staff: all; client admin: the company's; a hiring manager:
    their own), and where the targets came from; six queries."""
    clocks = Clocks.read(f, releases=False)
    cards: dict[int | None, ManagerScore] = {}
    client_of: dict[int | None, int] = {}

    def card(manager_id, client_id) -> ManagerScore:
        client_of.setdefault(manager_id, client_id)
        return cards.setdefault(manager_id, ManagerScore(manager_id, "", ""))

    for r in clocks.reviews:
        card(r.hiring_manager_id, r.client_org_id).review.clocks.append(clocks.review(r))
    for r in clocks.feedbacks:
        card(r.hiring_manager_id, r.client_org_id).feedback.clocks.append(clocks.feedback(r))
    ids = [mid for mid in cards if mid is not None]
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    clients = dict(db.session.execute(select(_orgs.c.id, _orgs.c.name).where(
        _orgs.c.id.in_(set(client_of.values())))).all()) if client_of else {}
    for mid, c in cards.items():
        c.name = names.get(mid, "No hiring manager named") if mid is not None else "No hiring manager named"
        c.client_name = clients.get(client_of[mid], "")
    return sorted(cards.values(), key=lambda c: (c.client_name, c.name)), clocks.source
