"""Reads behind the SLA clocks: batches of job orders or submissions in a fixed number of queries.

The rows are read through Core tables (past the ORM's tenancy hook): a clock needs facts the
viewer's party may not read itself (another supplier's first submission, the client's policy,
hold events stamped for other parties). Callers pass ids they loaded in the viewer's scope, and
every public function here filters what it returns with `clocks.visible_to(viewer)` and the
viewer's organisation, so a party only ever receives the clocks of its own rows.
"""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Iterable

from sqlalchemy import func, or_, select

from portal import clock as portal_clock
from portal.accounts.models import Organisation
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview, InterviewStatus
from portal.job_orders.models import ClientJobSettings, JobOrder, JobOrderRelease, JobStatus
from portal.job_orders.releases import DEFAULT_FIRST_SUBMISSION_HOURS
from portal.sla.clocks import Clock, Interval, Kind, Policy, counted, visible_to
from portal.sla.models import (
    DEFAULT_COVERAGE_COUNT,
    DEFAULT_COVERAGE_HOURS,
    DEFAULT_FEEDBACK_HOURS,
    DEFAULT_REVIEW_HOURS,
    SlaPolicy,
)
from portal.submissions.models import LIVE, Stage, Submission

#: Job orders whose clocks run (on hold: paused, still shown).
ACTIVE = (JobStatus.OPEN.value, JobStatus.ON_HOLD.value)
HOLD_VERB, REOPEN_VERB = "job_order.put_on_hold", "job_order.reopened"
#: The client's decisions that stop the review clock (a rejection after the submission became
#: visible to the client is the client's: staff only screen-reject before that).
DECISION_VERBS = ("submission.shortlisted", "submission.rejected", "interview.requested", "offer.extended")
LIVE_STAGES = tuple(s.value for s in LIVE)

DEFAULT_POLICY = Policy(DEFAULT_FIRST_SUBMISSION_HOURS, DEFAULT_COVERAGE_COUNT, DEFAULT_COVERAGE_HOURS,
                        DEFAULT_REVIEW_HOURS, DEFAULT_FEEDBACK_HOURS)


def _or(value, default):
    return default if value is None else value


def policies(client_ids: Iterable[int]) -> dict[int, Policy]:
    """Each client's targets, defaults filled in (one query)."""
    ids = sorted(set(client_ids))
    if not ids:
        return {}
    org, pol, st = Organisation.__table__, SlaPolicy.__table__, ClientJobSettings.__table__
    rows = db.session.execute(
        select(org.c.id, st.c.first_submission_hours, pol.c.coverage_count, pol.c.coverage_hours,
               pol.c.review_hours, pol.c.feedback_hours)
        .select_from(org.outerjoin(pol, pol.c.client_org_id == org.c.id).outerjoin(st, st.c.client_org_id == org.c.id))
        .where(org.c.id.in_(ids))).all()
    d = DEFAULT_POLICY
    return {r[0]: Policy(_or(r[1], d.first_submission_hours), _or(r[2], d.coverage_count),
                         _or(r[3], d.coverage_hours), _or(r[4], d.review_hours), _or(r[5], d.feedback_hours))
            for r in rows}


def policy_for(client_org_id: int) -> Policy:
    return policies([client_org_id]).get(client_org_id, DEFAULT_POLICY)


def holds(job_ids: Iterable[int]) -> dict[int, list[Interval]]:
    """Each job's time on hold, from its `put_on_hold` / `reopened` events (one query).

    The job's own events carry the client's stamp; the copies told to each released supplier
    do not, so filtering on it reads each move once.
    """
    ids = sorted(set(job_ids))
    out: dict[int, list[Interval]] = defaultdict(list)
    if not ids:
        return out
    ev = Event.__table__
    rows = db.session.execute(
        select(ev.c.subject_id, ev.c.verb, ev.c.occurred_at)
        .where(ev.c.subject_type == "job_order", ev.c.subject_id.in_(ids), ev.c.verb.in_((HOLD_VERB, REOPEN_VERB)),
               ev.c.client_org_id.is_not(None))
        .order_by(ev.c.subject_id, ev.c.occurred_at, ev.c.id)).all()
    for job_id, verb, at in rows:
        spans = out[job_id]
        if verb == HOLD_VERB:
            if not spans or spans[-1][1] is not None:
                spans.append((at, None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], at)
    return out


# --- job order clocks -----------------------------------------------------------------------------

def job_clocks(job_ids: Iterable[int], *, now: datetime | None = None, per_supplier: bool = True,
               supplier_org_id: int | None = None) -> dict[int, list[Clock]]:
    """The clocks of open and on-hold job orders: the job's first submission and coverage, and
    each released supplier's first submission (only `supplier_org_id`'s when given). Five queries."""
    now = now or portal_clock.now()
    ids = sorted(set(job_ids))
    out: dict[int, list[Clock]] = {i: [] for i in ids}
    if not ids:
        return out
    jo = JobOrder.__table__
    jobs = db.session.execute(select(jo.c.id, jo.c.client_org_id, jo.c.status, jo.c.released_at)
                              .where(jo.c.id.in_(ids), jo.c.status.in_(ACTIVE), jo.c.released_at.is_not(None))).all()
    if not jobs:
        return out
    live_ids = [j[0] for j in jobs]
    pols = policies(j[1] for j in jobs)
    held = holds(live_ids)
    sub = Submission.__table__
    subs = db.session.execute(select(sub.c.job_order_id, sub.c.supplier_org_id, sub.c.submitted_at, sub.c.stage)
                              .where(sub.c.job_order_id.in_(live_ids))).all()
    first_any: dict[int, datetime] = {}
    first_by: dict[tuple[int, int], datetime] = {}
    live: dict[int, list[datetime]] = defaultdict(list)
    for job_id, supplier_id, at, stage in subs:
        first_any[job_id] = min(at, first_any.get(job_id, at))
        first_by[(job_id, supplier_id)] = min(at, first_by.get((job_id, supplier_id), at))
        if stage in LIVE_STAGES:
            live[job_id].append(at)
    releases: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    if per_supplier:
        rel = JobOrderRelease.__table__
        stmt = (select(rel.c.job_order_id, rel.c.supplier_org_id, rel.c.released_at)
                .where(rel.c.job_order_id.in_(live_ids), rel.c.released_at.is_not(None), rel.c.withdrawn_at.is_(None))
                .order_by(rel.c.released_at, rel.c.supplier_org_id))
        if supplier_org_id is not None:
            stmt = stmt.where(rel.c.supplier_org_id == supplier_org_id)
        for job_id, supplier_id, at in db.session.execute(stmt):
            releases[job_id].append((supplier_id, at))

    for job_id, client_id, status, released_at in jobs:
        policy = pols.get(client_id, DEFAULT_POLICY)
        spans = held.get(job_id, [])
        paused = status == JobStatus.ON_HOLD.value

        def make(kind, start, stop, hours, supplier=None, progress=""):
            return Clock(kind, job_id, job_id, client_id, supplier, start, hours,
                         counted(start, stop or now, spans), stopped_at=stop, paused=paused and stop is None,
                         progress=progress, now=now)

        if supplier_org_id is None:
            out[job_id].append(make(Kind.FIRST_SUBMISSION, released_at, first_any.get(job_id),
                                    policy.first_submission_hours))
            times = sorted(live.get(job_id, []))
            n = policy.coverage_count
            stop = times[n - 1] if len(times) >= n else None
            out[job_id].append(make(Kind.COVERAGE, released_at, stop, policy.coverage_hours,
                                    progress=f"{min(len(times), n)} of {n} submission{'s' if n != 1 else ''}"))
        for supplier_id, at in releases.get(job_id, []):
            out[job_id].append(make(Kind.FIRST_SUBMISSION, at, first_by.get((job_id, supplier_id)),
                                    policy.first_submission_hours, supplier=supplier_id))
    return out


# --- submission clocks ----------------------------------------------------------------------------

def submission_clocks(sub_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, list[Clock]]:
    """The client review clock of each submission and the feedback clock of each interview held.
    Five queries, whatever the number of submissions."""
    now = now or portal_clock.now()
    ids = sorted(set(sub_ids))
    out: dict[int, list[Clock]] = {i: [] for i in ids}
    if not ids:
        return out
    sub, jo = Submission.__table__, JobOrder.__table__
    rows = db.session.execute(
        select(sub.c.id, sub.c.job_order_id, sub.c.client_org_id, sub.c.supplier_org_id, sub.c.stage,
               sub.c.client_visible_at, jo.c.status)
        .join(jo, jo.c.id == sub.c.job_order_id)
        .where(sub.c.id.in_(ids), sub.c.client_visible_at.is_not(None))).all()
    if not rows:
        return out
    pols = policies(r[2] for r in rows)
    held = holds(r[1] for r in rows)
    ev = Event.__table__
    decided = dict(db.session.execute(
        select(ev.c.subject_id, func.min(ev.c.occurred_at))
        .where(ev.c.subject_type == "submission", ev.c.subject_id.in_([r[0] for r in rows]),
               ev.c.verb.in_(DECISION_VERBS))
        .group_by(ev.c.subject_id)).all())
    iv = Interview.__table__
    interviews: dict[int, list] = defaultdict(list)
    for r in db.session.execute(
            select(iv.c.id, iv.c.submission_id, iv.c.status, iv.c.ends_at, iv.c.feedback_at)
            .where(iv.c.submission_id.in_([r[0] for r in rows]), iv.c.ends_at.is_not(None),
                   iv.c.status.in_((InterviewStatus.CONFIRMED.value, InterviewStatus.COMPLETED.value)))
            .order_by(iv.c.submission_id, iv.c.round)):
        interviews[r[1]].append(r)

    for sid, job_id, client_id, supplier_id, stage, visible_at, job_status in rows:
        policy = pols.get(client_id, DEFAULT_POLICY)
        spans = held.get(job_id, [])
        active = job_status in ACTIVE
        paused = job_status == JobStatus.ON_HOLD.value
        decision = decided.get(sid)
        if decision is not None and decision < visible_at:
            decision = None  # only decisions made once the client could see it count
        if decision is not None or (stage == Stage.CLIENT_REVIEW.value and active):
            out[sid].append(Clock(Kind.CLIENT_REVIEW, sid, job_id, client_id, supplier_id, visible_at,
                                  policy.review_hours, counted(visible_at, decision or now, spans),
                                  stopped_at=decision, paused=paused and decision is None, submission_id=sid,
                                  now=now))
        for iid, _sid, status, ends_at, feedback_at in interviews.get(sid, []):
            if status == InterviewStatus.COMPLETED.value:
                stop = feedback_at
            elif ends_at <= now and active and stage == Stage.INTERVIEW.value:
                stop = None
            else:
                continue  # not held yet, or the job/submission ended before feedback was due
            out[sid].append(Clock(Kind.FEEDBACK, iid, job_id, client_id, supplier_id, ends_at,
                                  policy.feedback_hours, counted(ends_at, stop or now, spans), stopped_at=stop,
                                  paused=paused and stop is None, submission_id=sid, now=now))
    return out


# --- for pages: the viewer's clocks only ----------------------------------------------------------

def for_jobs(job_ids: Iterable[int], viewer) -> dict[int, list[Clock]]:
    """The job clocks `viewer` may see, per job id (staff: the job's and each supplier's; a supplier:
    its own first-submission clock, for jobs released to it; a client: none — none wait on it)."""
    portal = getattr(viewer, "portal", None)
    ids = list(job_ids)
    if portal == "client" or not ids:
        return {i: [] for i in ids}
    if portal == "supplier":
        found = job_clocks(ids, supplier_org_id=viewer.org_id)
    else:
        found = job_clocks(ids)
    return {i: [c for c in cs if visible_to(c, viewer)] for i, cs in found.items()}


def for_submissions(sub_ids: Iterable[int], viewer) -> dict[int, list[Clock]]:
    """The review and feedback clocks `viewer` may see, per submission id."""
    found = submission_clocks(sub_ids)
    return {i: [c for c in cs if visible_to(c, viewer)] for i, cs in found.items()}


def waiting_submission_ids(client_ids: Iterable[int] | None = None, *, owner_id: int | None = None) -> list[int]:
    """Submissions whose review or feedback clock may be running: in client review and visible,
    or in interview (a held interview may wait for feedback), on open or on-hold jobs (with
    `owner_id`: only on job orders that person manages or wrote)."""
    sub, jo = Submission.__table__, JobOrder.__table__
    stmt = (select(sub.c.id).join(jo, jo.c.id == sub.c.job_order_id)
            .where(jo.c.status.in_(ACTIVE), sub.c.client_visible_at.is_not(None),
                   sub.c.stage.in_((Stage.CLIENT_REVIEW.value, Stage.INTERVIEW.value))))
    if client_ids is not None:
        stmt = stmt.where(sub.c.client_org_id.in_(list(client_ids)))
    if owner_id is not None:
        stmt = stmt.where(or_(jo.c.hiring_manager_id == owner_id, jo.c.created_by_id == owner_id))
    return list(db.session.scalars(stmt.order_by(sub.c.id)))


def active_job_ids(client_ids: Iterable[int] | None = None) -> list[int]:
    """Released job orders that are open or on hold (their clocks may run)."""
    jo = JobOrder.__table__
    stmt = select(jo.c.id).where(jo.c.status.in_(ACTIVE), jo.c.released_at.is_not(None))
    if client_ids is not None:
        stmt = stmt.where(jo.c.client_org_id.in_(list(client_ids)))
    return list(db.session.scalars(stmt.order_by(jo.c.id)))


def supplier_submission_clocks(job_id: int, viewer) -> list[Clock]:
    """The review and feedback clocks of the viewer's own submissions to one job order (a supplier's
    job page), each with the candidate's name in `info["name"]`. Read in the viewer's scope."""
    from portal.candidates.models import Candidate

    rows = db.session.execute(
        select(Submission.id, Candidate.first_name, Candidate.last_name)
        .join(Candidate, Candidate.id == Submission.candidate_id)
        .where(Submission.job_order_id == job_id, Submission.supplier_org_id == viewer.org_id)
        .order_by(Submission.id)).all()
    names = {sid: f"{first} {last}" for sid, first, last in rows}
    out = []
    for sid, clocks in for_submissions(names, viewer).items():
        for c in clocks:
            c.info["name"] = names[sid]
            out.append(c)
    return out


def client_waiting(viewer, limit: int = 10) -> list[Clock]:
    """The running review and feedback clocks waiting on the viewer that are at risk or breached, the
    most overdue first (the client dashboard): a hiring manager's own job orders, a client admin's
    whole company. Each with `info` name and reference."""
    from portal.candidates.models import Candidate
    from portal.sla.clocks import Status

    if getattr(viewer, "portal", None) != "client":
        return []
    owner = None if viewer.role == "client_admin" else viewer.id
    found = [c for cs in for_submissions(waiting_submission_ids([viewer.org_id], owner_id=owner), viewer).values()
             for c in cs if c.running and c.status in (Status.AT_RISK, Status.BREACHED)]
    found = sorted(found, key=Clock.sort_key)[:limit]
    if not found:
        return []
    sub, cand, jo = Submission.__table__.c, Candidate.__table__.c, JobOrder.__table__.c
    names = {sid: (f"{first} {last}", ref) for sid, first, last, ref in db.session.execute(
        select(sub.id, cand.first_name, cand.last_name, jo.reference)
        .join(Candidate.__table__, cand.id == sub.candidate_id).join(JobOrder.__table__, jo.id == sub.job_order_id)
        .where(sub.id.in_([c.submission_id for c in found]), sub.client_org_id == viewer.org_id))}
    for c in found:
        c.info["name"], c.info["reference"] = names.get(c.submission_id, ("", ""))
    return found
