"""The drill-down behind every figure: the rows a metric counts, listed with the same base, condition
and filters as the figure (`metrics.metric_where`), 50 a page, in a fixed number of queries.

Reads only, in the request's tenancy scope with the viewer's limits in the filters. Refused
duplicates are internal events: a supplier reads its own past the scope, held to its own id, and
only columns that do not name the supplier owning the person.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from portal.candidates.models import Candidate
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview
from portal.job_orders.models import JobOrder, JobOrderRelease
from portal.offers.models import Placement
from portal.reports import metrics as m
from portal.reports import scorecards as sc
from portal.reports.permissions import Viewer
from portal.reports.queries import _names, days_text, hours_text
from portal.submissions.models import STAGE_LABELS, Stage, Submission

DRILL_HEADERS = {
    "submission": ["Submitted", "Candidate", "Job order", "Client", "Supplier", "Stage", "Rejection reason"],
    "rejection": ["Rejected", "Candidate", "Job order", "Client", "Supplier", "Stage", "Rejection reason"],
    "review": ["Visible to client", "Candidate", "Job order", "Client", "Supplier", "First decision", "Review time",
               "Target"],
    "release": ["Released", "Job order", "Client", "Supplier", "First submission", "Time to first submission",
                "Target"],
    "duplicate": ["Refused", "Job order", "Client", "Supplier", "Matched on"],
    "feedback": ["Interview ended", "Candidate", "Job order", "Client", "Supplier", "Feedback", "Feedback time",
                 "Target"],
    "placement": ["Placed", "Candidate", "Job order", "Client", "Supplier", "Start date"],
    "filled": ["Filled", "Job order", "Title", "Client", "Approved", "Time to fill"],
}
DRILL_SIZE = 50


@dataclass
class Drill:
    metric: m.Metric
    headers: list[str]
    #: (links: column index -> ("submission"|"job", id), cells): the candidate opens the submission, the
    #: job order reference its job order
    rows: list[tuple[dict[int, tuple[str, int]], list[Any]]]
    total: int


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "—"


def drill(viewer: Viewer, key: str, f: m.Filters, page: int, clock: str | None = None) -> Drill:
    """The rows a figure counts: the metric's base and condition under the same filters, paginated
    (the count and the page, plus one query for organisation names). The clock bases (release,
    review, feedback) show each row's SLA outcome; `clock` ("due" / "met") keeps only those rows,
    as the SLA figures count them."""
    metric = m.METRICS[key]
    where = m.metric_where(key, f)
    base = metric.base
    offset = (page - 1) * DRILL_SIZE
    rows: list[tuple[dict[int, tuple[str, int]], list[Any]]] = []
    if base in CLOCK_BASES:
        return _clock_drill(metric, where, offset, clock)
    if base in ("submission", "rejection"):
        stmt = (select(Submission.id, Submission.job_order_id, Submission.submitted_at, Submission.rejected_at,
                       Candidate.first_name,
                       Candidate.last_name, JobOrder.reference, Submission.client_org_id, Submission.supplier_org_id,
                       Submission.stage, Submission.reject_reason)
                .join(Candidate, Candidate.id == Submission.candidate_id)
                .join(JobOrder, JobOrder.id == Submission.job_order_id).where(*where))
        total = db.session.scalar(select(func.count()).select_from(Submission).where(*where))
        order = Submission.submitted_at if base == "submission" else Submission.rejected_at
        found = db.session.execute(stmt.order_by(order, Submission.id).offset(offset).limit(DRILL_SIZE)).all()
        names = _names({r.client_org_id for r in found} | {r.supplier_org_id for r in found})
        for r in found:
            when = r.submitted_at if base == "submission" else r.rejected_at
            rows.append(({1: ("submission", r.id), 2: ("job", r.job_order_id)}, [
                _when(when), f"{r.first_name} {r.last_name}", r.reference, names.get(r.client_org_id, ""),
                names.get(r.supplier_org_id, ""), _stage_label(r.stage),
                sc.reason_label(r.reject_reason) if r.reject_reason else ""]))
    elif base == "duplicate":
        stmt = (select(Event.occurred_at, Event.subject_id, Event.client_org_id, Event.supplier_org_id, Event.data)
                .where(*where, Event.subject_type == "job_order"))
        count = select(func.count()).select_from(Event).where(*where)
        if viewer.is_staff:
            total = db.session.scalar(count)
            found = db.session.execute(stmt.order_by(Event.occurred_at, Event.id).offset(offset).limit(DRILL_SIZE)).all()
        elif viewer.portal == "supplier":
            # internal events: read past the scope, held to the supplier's own, and only the columns
            # that do not name the supplier that owns the person
            with system_scope("a supplier's own refused duplicates"):
                total = db.session.scalar(count.where(Event.supplier_org_id == viewer.org_id))
                found = db.session.execute(stmt.where(Event.supplier_org_id == viewer.org_id)
                                           .order_by(Event.occurred_at, Event.id).offset(offset).limit(DRILL_SIZE)).all()
        else:
            total, found = 0, []
        refs = dict(db.session.execute(select(JobOrder.id, JobOrder.reference).where(
            JobOrder.id.in_({r.subject_id for r in found}))).all()) if found else {}
        names = _names({r.client_org_id for r in found} | {r.supplier_org_id for r in found})
        for r in found:
            rows.append(({1: ("job", r.subject_id)} if r.subject_id in refs else {},
                         [_when(r.occurred_at), refs.get(r.subject_id, "—"), names.get(r.client_org_id, ""),
                          names.get(r.supplier_org_id, ""), (r.data or {}).get("match", "")]))
    elif base == "placement":
        total = db.session.scalar(select(func.count()).select_from(Placement).where(*where))
        found = db.session.execute(
            select(Placement.submission_id, Placement.job_order_id, Placement.placed_at, Placement.start_date, Candidate.first_name,
                   Candidate.last_name, JobOrder.reference, Placement.client_org_id, Placement.supplier_org_id)
            .join(JobOrder, JobOrder.id == Placement.job_order_id)
            .join(Submission, Submission.id == Placement.submission_id)
            .join(Candidate, Candidate.id == Submission.candidate_id).where(*where)
            .order_by(Placement.placed_at, Placement.id).offset(offset).limit(DRILL_SIZE)).all()
        names = _names({r.client_org_id for r in found} | {r.supplier_org_id for r in found})
        for r in found:
            rows.append(({1: ("submission", r.submission_id), 2: ("job", r.job_order_id)},
                         [_when(r.placed_at), f"{r.first_name} {r.last_name}", r.reference,
                          names.get(r.client_org_id, ""), names.get(r.supplier_org_id, ""), r.start_date.isoformat()]))
    else:  # filled
        total = db.session.scalar(select(func.count()).select_from(JobOrder).where(*where))
        found = db.session.execute(
            select(JobOrder.id, JobOrder.closed_at, JobOrder.reference, JobOrder.title, JobOrder.client_org_id,
                   JobOrder.approved_at).where(*where).order_by(JobOrder.closed_at, JobOrder.id)
            .offset(offset).limit(DRILL_SIZE)).all()
        names = _names({r.client_org_id for r in found})
        for r in found:
            h = m.hours(r.approved_at, r.closed_at)
            rows.append(({1: ("job", r.id)}, [_when(r.closed_at), r.reference, r.title, names.get(r.client_org_id, ""),
                                         _when(r.approved_at), days_text(None if h is None else h / 24)]))
    return Drill(metric, DRILL_HEADERS[base], rows, int(total or 0))


CLOCK_BASES = ("release", "review", "feedback")
CLOCK_FILTERS = ("due", "met")


def _clock_text(c: m.Clock) -> str:
    if c.met:
        return "Within target"
    return "Missed" if c.due else "Not yet due"


def _clock_drill(metric: m.Metric, where, offset: int, only: str | None) -> Drill:
    """Rows of a clock base with their SLA outcome (targets and holds as on the SLA pages). Without a
    clock filter the page is cut in SQL; with one, every row of the period is read (one query), its
    clock worked out, filtered, then paginated."""
    base = metric.base
    entity = {"release": JobOrderRelease, "review": Submission, "feedback": Interview}[base]
    total = None
    if only is None:
        total = db.session.scalar(select(func.count()).select_from(
            select(entity.id).join(JobOrder, JobOrder.id == entity.job_order_id).where(*where).subquery()))

    def cut(stmt):
        return stmt if only is not None else stmt.offset(offset).limit(DRILL_SIZE)

    if base == "release":
        found = db.session.execute(cut(
            select(JobOrderRelease.job_order_id, JobOrderRelease.released_at, JobOrder.reference,
                   JobOrderRelease.client_org_id, JobOrderRelease.supplier_org_id,
                   m.first_submission_at().label("first_at"))
            .join(JobOrder, JobOrder.id == JobOrderRelease.job_order_id).where(*where)
            .order_by(JobOrderRelease.released_at, JobOrderRelease.id))).all()
    elif base == "review":
        decision = (select(func.min(Event.occurred_at))
                    .where(Event.subject_type == "submission", Event.subject_id == Submission.id,
                           Event.verb.in_(m.DECISION_VERBS), Event.actor_org_id == Submission.client_org_id)
                    .correlate(Submission).scalar_subquery())
        abandoned = case((Submission.stage == "closed", Submission.stage_changed_at), else_=Submission.withdrawn_at)
        found = db.session.execute(cut(
            select(Submission.id, Submission.job_order_id, Submission.client_visible_at, Candidate.first_name,
                   Candidate.last_name, JobOrder.reference, Submission.client_org_id, Submission.supplier_org_id,
                   decision.label("decided_at"), abandoned.label("abandoned_at"))
            .join(Candidate, Candidate.id == Submission.candidate_id)
            .join(JobOrder, JobOrder.id == Submission.job_order_id).where(*where)
            .order_by(Submission.client_visible_at, Submission.id))).all()
    else:
        found = db.session.execute(cut(
            select(Interview.submission_id, Interview.job_order_id, Interview.ends_at, Interview.feedback_at,
                   Candidate.first_name, Candidate.last_name, JobOrder.reference, Interview.client_org_id,
                   Interview.supplier_org_id)
            .join(JobOrder, JobOrder.id == Interview.job_order_id)
            .join(Submission, Submission.id == Interview.submission_id)
            .join(Candidate, Candidate.id == Submission.candidate_id).where(*where)
            .order_by(Interview.ends_at, Interview.id))).all()
    targets, _ = m.targets_for(r.client_org_id for r in found)
    held = m.holds_for(r.job_order_id for r in found)
    clocks = sc.Clocks([], [], [], targets, held, "")
    timed = []
    for r in found:
        c = {"release": clocks.first_submission, "review": clocks.review, "feedback": clocks.feedback}[base](r)
        if only == "due" and not c.due or only == "met" and not c.met:
            continue
        timed.append((r, c))
    page = timed if only is None else timed[offset:offset + DRILL_SIZE]
    names = _names({r.client_org_id for r, _ in page} | {r.supplier_org_id for r, _ in page})
    rows: list[tuple[dict[int, tuple[str, int]], list[Any]]] = []
    for r, c in page:
        client, supplier = names.get(r.client_org_id, ""), names.get(r.supplier_org_id, "")
        if base == "release":
            rows.append(({1: ("job", r.job_order_id)}, [_when(r.released_at), r.reference, client, supplier,
                                                         _when(r.first_at), hours_text(c.elapsed), _clock_text(c)]))
        elif base == "review":
            links = {1: ("submission", r.id), 2: ("job", r.job_order_id)}
            rows.append((links, [_when(r.client_visible_at), f"{r.first_name} {r.last_name}", r.reference, client,
                                 supplier, _when(r.decided_at), hours_text(c.elapsed), _clock_text(c)]))
        else:
            links = {1: ("submission", r.submission_id), 2: ("job", r.job_order_id)}
            rows.append((links, [_when(r.ends_at), f"{r.first_name} {r.last_name}", r.reference, client, supplier,
                                 _when(r.feedback_at), hours_text(c.elapsed), _clock_text(c)]))
    return Drill(metric, DRILL_HEADERS[base], rows, len(timed) if total is None else int(total))


def _stage_label(stage: str) -> str:
    try:
        return STAGE_LABELS[Stage(stage)]
    except ValueError:
        return stage
