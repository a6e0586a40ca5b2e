"""Reads behind the SLA clocks: batches of job orders or submissions in a fixed number of queries.

The rows are read through Core tables (past the ORM's tenancy hook): a clock needs facts the
viewer's party may not read itself (another supplier's first submission, the client's policy,
hold events stamped for other parties). Callers pass ids they loaded in the viewer's scope, and
every public function here filters what it returns with `clocks.visible_to(viewer)` and the
viewer's organisation, so a party only ever receives the clocks of its own rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import Integer, String, and_, bindparam, cast, false, func, literal, null, or_, select, true, union_all

from portal import clock as portal_clock
from portal.accounts.models import Organisation
from portal.db.statements import unprepared
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview, InterviewStatus
from portal.job_orders.models import ClientJobSettings, JobOrder, JobOrderRelease, JobStatus
from portal.job_orders.releases import DEFAULT_FIRST_SUBMISSION_HOURS
from portal.sla.clocks import AT_RISK_SHARE, Clock, Interval, Kind, Policy, counted, visible_to
from portal.sla.models import (
    DEFAULT_COVERAGE_COUNT,
    DEFAULT_COVERAGE_HOURS,
    DEFAULT_FEEDBACK_HOURS,
    DEFAULT_REVIEW_HOURS,
    SlaPolicy,
)
from portal.submissions.models import LIVE_VALUES, Stage, Submission

#: Job orders whose clocks run (on hold: paused, still shown).
ACTIVE = (JobStatus.OPEN.value, JobStatus.ON_HOLD.value)
HOLD_VERB, REOPEN_VERB = "job_order.put_on_hold", "job_order.reopened"
#: The client's decisions that stop the review clock (a rejection after the submission became
#: visible to the client is the client's: staff only screen-reject before that).
DECISION_VERBS = ("submission.shortlisted", "submission.rejected", "interview.requested", "offer.extended")

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
    return _spans(rows, out)


def _spans(rows, out: dict[int, list[Interval]] | None = None) -> dict[int, list[Interval]]:
    """Hold intervals from (job id, verb, occurred at) rows ordered by job, time and id."""
    out = defaultdict(list) if out is None else out
    for job_id, verb, at in rows:
        spans = out[job_id]
        if verb == HOLD_VERB:
            if not spans or spans[-1][1] is not None:
                spans.append((at, None))
        elif spans and spans[-1][1] is None:
            spans[-1] = (spans[-1][0], at)
    return out


def _hold_rows(job_ids):
    """The select of the hold events of `job_ids` in the common fact shape (see `_facts`)."""
    ev = Event.__table__
    return select(cast(literal("h"), String(2)).label("src"), ev.c.subject_id.label("a"),
                  cast(null(), Integer).label("b"), ev.c.occurred_at.label("t1"),
                  ev.c.occurred_at.label("t2"), cast(ev.c.verb, String(64)).label("tag"), ev.c.id.label("n")) \
        .where(ev.c.subject_type == "job_order", ev.c.subject_id.in_(job_ids),
               ev.c.verb.in_((HOLD_VERB, REOPEN_VERB)), ev.c.client_org_id.is_not(None))


def _facts(*selects) -> tuple[dict[str, list], dict[int, list[Interval]]]:
    """Run several fact selects as one UNION ALL query: rows per `src`, and the hold spans (src "h")."""
    parts = [st for st in selects if st is not None]
    stmt = parts[0] if len(parts) == 1 else union_all(*parts)
    by: dict[str, list] = defaultdict(list)
    for r in db.session.execute(stmt):
        by[r.src].append(r)
    hold_rows = sorted(by.pop("h", []), key=lambda r: (r.a, r.t1, r.n))
    return by, _spans((r.a, r.tag, r.t1) for r in hold_rows)


def _with_policy(stmt, client_col):
    """`stmt` with the client's stored targets joined (NULL: the default), as the last five columns."""
    pol, st = SlaPolicy.__table__, ClientJobSettings.__table__
    return (stmt.add_columns(st.c.first_submission_hours, pol.c.coverage_count, pol.c.coverage_hours,
                             pol.c.review_hours, pol.c.feedback_hours)
            .outerjoin(pol, pol.c.client_org_id == client_col).outerjoin(st, st.c.client_org_id == client_col))


def _policy_of(r) -> Policy:
    return _policy_rows([(None, *tuple(r)[-5:])])[None]


# --- job order clocks -----------------------------------------------------------------------------

def job_clocks(job_ids: Iterable[int], *, now: datetime | None = None, per_supplier: bool = True,
               supplier_org_id: int | None = None) -> dict[int, list[Clock]]:
    """The clocks of open and on-hold job orders: the job's first submission and coverage, and
    each released supplier's first submission (only `supplier_org_id`'s when given). Two queries:
    the jobs with their client's targets; their submissions, releases and hold events (UNION ALL)."""
    now = now or portal_clock.now()
    ids = sorted(set(job_ids))
    out: dict[int, list[Clock]] = {i: [] for i in ids}
    if not ids:
        return out
    jo = JobOrder.__table__
    jobs = db.session.execute(_with_policy(
        select(jo.c.id, jo.c.client_org_id, jo.c.status, jo.c.released_at).select_from(jo), jo.c.client_org_id)
        .where(jo.c.id.in_(ids), jo.c.status.in_(ACTIVE), jo.c.released_at.is_not(None))).all()
    if not jobs:
        return out
    live_ids = [j[0] for j in jobs]
    # One query for the submissions, the releases and the hold events of these jobs.
    sub, rel = Submission.__table__, JobOrderRelease.__table__
    rels = None
    if per_supplier:
        rels = (select(cast(literal("r"), String(2)).label("src"), rel.c.job_order_id, rel.c.supplier_org_id,
                       rel.c.released_at, rel.c.released_at, cast(literal(""), String(64)), rel.c.id)
                .where(rel.c.job_order_id.in_(live_ids), rel.c.released_at.is_not(None), rel.c.withdrawn_at.is_(None)))
        if supplier_org_id is not None:
            rels = rels.where(rel.c.supplier_org_id == supplier_org_id)
    subs = (select(cast(literal("s"), String(2)).label("src"), sub.c.job_order_id, sub.c.supplier_org_id,
                   sub.c.submitted_at, sub.c.submitted_at, cast(sub.c.stage, String(64)), sub.c.id)
            .where(sub.c.job_order_id.in_(live_ids)))
    if supplier_org_id is not None:
        # One supplier's clocks need only its own first submissions (not every supplier's rows).
        subs = subs.where(sub.c.supplier_org_id == supplier_org_id)
    facts, held = _facts(_hold_rows(live_ids), subs, rels)
    first_any: dict[int, datetime] = {}
    first_by: dict[tuple[int, int], datetime] = {}
    live: dict[int, list[datetime]] = defaultdict(list)
    for r in facts.get("s", []):
        job_id, supplier_id, at, stage = r.a, r.b, r.t1, r.tag
        first_any[job_id] = min(at, first_any.get(job_id, at))
        first_by[(job_id, supplier_id)] = min(at, first_by.get((job_id, supplier_id), at))
        if stage in LIVE_VALUES:
            live[job_id].append(at)
    releases: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    for r in sorted(facts.get("r", []), key=lambda r: (r.t1, r.b)):
        releases[r.a].append((r.b, r.t1))
    pols = {j[0]: _policy_of(j) for j in jobs}

    for job_id, client_id, status, released_at, *_ in jobs:
        policy = pols[job_id]
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
    Two queries, whatever the number of submissions: the submissions with their job and client's
    targets; the first decisions, the interviews and the hold events (UNION ALL)."""
    now = now or portal_clock.now()
    ids = sorted(set(sub_ids))
    out: dict[int, list[Clock]] = {i: [] for i in ids}
    if not ids:
        return out
    sub, jo = Submission.__table__, JobOrder.__table__
    rows = db.session.execute(_with_policy(
        select(sub.c.id, sub.c.job_order_id, sub.c.client_org_id, sub.c.supplier_org_id, sub.c.stage,
               sub.c.client_visible_at, jo.c.status)
        .select_from(sub.join(jo, jo.c.id == sub.c.job_order_id)), sub.c.client_org_id)
        .where(sub.c.id.in_(ids), sub.c.client_visible_at.is_not(None))).all()
    if not rows:
        return out
    found = [r[0] for r in rows]
    # One query for the first decisions, the interviews held and the jobs' hold events.
    ev, iv = Event.__table__, Interview.__table__
    first = func.min(ev.c.occurred_at)
    facts, held = _facts(
        _hold_rows(sorted({r[1] for r in rows})),
        select(cast(literal("d"), String(2)).label("src"), ev.c.subject_id, cast(null(), Integer), first, first,
               cast(literal(""), String(64)), cast(null(), Integer))
        .where(ev.c.subject_type == "submission", ev.c.subject_id.in_(found), ev.c.verb.in_(DECISION_VERBS))
        .group_by(ev.c.subject_id),
        select(cast(literal("i"), String(2)).label("src"), iv.c.submission_id, iv.c.id, iv.c.ends_at,
               iv.c.feedback_at, cast(iv.c.status, String(64)), iv.c.round)
        .where(iv.c.submission_id.in_(found), iv.c.ends_at.is_not(None),
               iv.c.status.in_((InterviewStatus.CONFIRMED.value, InterviewStatus.COMPLETED.value))))
    decided = {r.a: r.t1 for r in facts.get("d", [])}
    interviews: dict[int, list] = defaultdict(list)
    for r in sorted(facts.get("i", []), key=lambda r: (r.a, r.n)):
        interviews[r.a].append((r.b, r.a, r.tag, r.t1, r.t2))

    for sid, job_id, client_id, supplier_id, stage, visible_at, job_status, *targets in rows:
        policy = _policy_of(targets)
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


# --- selections made in SQL: the board, the dashboards and the tick rule ----------------------------
#
# These never gather every running clock: the rows past a threshold are selected in SQL (the
# deadline arithmetic in the WHERE, per client policy), ordered by how long they have waited, and
# limited. The threshold ignores time on hold (counted time is never more than the raw time, so the
# SQL selects a superset); each fetched row is then refined with its job's hold intervals in Python.


@dataclass
class PolicyScope:
    """The clients a selection covers (None: every client) and their targets. `pols` holds every
    listed client, or (all clients) only those with targets of their own: the others use the defaults."""

    client_ids: list[int] | None
    pols: dict[int, Policy]
    #: (id, name, code) of the listed clients, by name (`manager_scope` only).
    clients: list[tuple[int, str, str]] = field(default_factory=list)

    def policy(self, client_id: int) -> Policy:
        return self.pols.get(client_id, DEFAULT_POLICY)

    def where(self, client_col, key, cond):
        """OR over the distinct targets: `client in (ids with that target) AND cond(policy)` (few
        groups: most clients keep the defaults). `key(policy)` names the numbers `cond` uses."""
        groups: dict = defaultdict(list)
        for cid, p in self.pols.items():
            groups[key(p)].append(cid)
        conds = []
        if self.client_ids is None:
            dkey = key(DEFAULT_POLICY)
            others = sorted(cid for k, ids in groups.items() if k != dkey for cid in ids)
            conds.append(and_(client_col.not_in(_ids(others)) if others else true(), cond(DEFAULT_POLICY)))
            groups.pop(dkey, None)
        for ids in groups.values():
            conds.append(and_(client_col.in_(_ids(ids)), cond(self.pols[ids[0]])))
        return or_(*conds) if conds else false()


def _ids(ids) -> object:
    """Client ids for `IN`, written into the SQL as numbers rather than one parameter each.

    An account manager's worklists carry their ~100 client ids in each of six selections: as
    parameters, psycopg parsed ~1,200 placeholders out of a 20 KB statement on every execution
    (~2-3 ms of a coverage view's CPU). As literals (integers, rendered by SQLAlchemy, never text
    from a request) the statement stays one compiled form in SQLAlchemy's cache."""
    return bindparam(None, sorted(ids), expanding=True, literal_execute=True)


def _policy_select():
    org, pol, st = Organisation.__table__, SlaPolicy.__table__, ClientJobSettings.__table__
    return (select(org.c.id, st.c.first_submission_hours, pol.c.coverage_count, pol.c.coverage_hours,
                   pol.c.review_hours, pol.c.feedback_hours)
            .select_from(org.outerjoin(pol, pol.c.client_org_id == org.c.id)
                         .outerjoin(st, st.c.client_org_id == org.c.id)), org, pol, st)


def _policy_rows(rows) -> dict[int, Policy]:
    d = DEFAULT_POLICY
    return {r[0]: Policy(_or(r[1], d.first_submission_hours), _or(r[2], d.coverage_count),
                         _or(r[3], d.coverage_hours), _or(r[4], d.review_hours), _or(r[5], d.feedback_hours))
            for r in rows}


def _no_jit(stmt):
    """On PostgreSQL, `stmt` also turns JIT compilation off for the rest of the transaction: the
    selections below are estimated costly (correlated subqueries) but read few rows, and JIT spent
    ~70 ms compiling them at scale 100 to save nothing. No extra round trip."""
    if db.session.get_bind().dialect.name != "postgresql":
        return stmt
    return stmt.add_columns(func.set_config("jit", "off", True))


def manager_scope(user_id: int) -> PolicyScope:
    """The clients an account manager looks after, with their targets (one query)."""
    from portal.accounts.models import ClientAccountManager

    stmt, org, _, _ = _policy_select()
    cam = ClientAccountManager.__table__
    rows = db.session.execute(_no_jit(stmt.add_columns(org.c.name, org.c.code)
                                      .join(cam, cam.c.client_org_id == org.c.id)
                                      .where(cam.c.user_id == user_id, org.c.kind == "client")
                                      .order_by(org.c.name))).all()
    pols = _policy_rows(rows)
    return PolicyScope(sorted(pols), pols, [(r[0], r.name, r.code) for r in rows])


def all_clients_scope() -> PolicyScope:
    """Every client: the targets of those with their own (one query), the defaults for the rest."""
    stmt, org, pol, st = _policy_select()
    rows = db.session.execute(_no_jit(stmt.where(or_(pol.c.client_org_id.is_not(None),
                                                     st.c.first_submission_hours.is_not(None))))).all()
    if not rows and db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.set_config("jit", "off", True)))
    return PolicyScope(None, _policy_rows(rows))


def client_scope(client_org_id: int) -> PolicyScope:
    stmt, org, _, _ = _policy_select()
    rows = db.session.execute(_no_jit(stmt.where(org.c.id == client_org_id))).all()
    return PolicyScope([client_org_id], _policy_rows(rows))


#: The columns every selection below returns (UNION ALL needs one shape); names are joined by
#: `first_rows` after the LIMIT, onto the few rows kept.
ROW_COLUMNS = ("key", "job_id", "subject_id", "submission_id", "at", "client_id", "supplier_id", "job_status",
               "live_count")


def _shape(key: str, jo, subject, submission, at, supplier, live_count=None):
    """A select of the common columns (add its FROM and WHERE)."""
    def int_or_null(col):
        return col if col is not None else cast(null(), Integer)

    return select(cast(literal(key), String(24)).label("key"), jo.c.id.label("job_id"), subject.label("subject_id"),
                  int_or_null(submission).label("submission_id"), at.label("at"),
                  jo.c.client_org_id.label("client_id"), int_or_null(supplier).label("supplier_id"),
                  jo.c.status.label("job_status"), int_or_null(live_count).label("live_count"))


def _client_in(col, scope: PolicyScope):
    return col.in_(_ids(scope.client_ids)) if scope.client_ids is not None else true()


def first_submission_select(scope: PolicyScope, now: datetime, share: float, statuses=(JobStatus.OPEN.value,),
                            key: str = "no_submission"):
    """Released job orders with no submission at all, released longer ago than share × the target
    (from the job's tally, `submissions.tally`: an index range scan, not a probe per open job)."""
    jo = JobOrder.__table__
    return (_shape(key, jo, jo.c.id, None, jo.c.released_at, None).select_from(jo)
            .where(jo.c.status.in_(statuses), jo.c.first_submitted_at.is_(None), jo.c.released_at.is_not(None),
                   scope.where(jo.c.client_org_id, lambda p: p.first_submission_hours,
                               lambda p: jo.c.released_at <= now - timedelta(hours=p.first_submission_hours * share)))
            .order_by(jo.c.released_at, jo.c.id))


def coverage_select(scope: PolicyScope, now: datetime, share: float = AT_RISK_SHARE,
                    statuses=(JobStatus.OPEN.value,), key: str = "below_coverage"):
    """Released job orders short of their coverage count, released longer ago than share × the target
    (fewer live submissions than the count, from the job's tally: `submissions.tally`)."""
    jo = JobOrder.__table__
    live = jo.c.live_submissions
    return (_shape(key, jo, jo.c.id, None, jo.c.released_at, None, live_count=live).select_from(jo)
            .where(jo.c.status.in_(statuses), jo.c.released_at.is_not(None),
                   scope.where(jo.c.client_org_id, lambda p: (p.coverage_count, p.coverage_hours),
                               lambda p: and_(jo.c.released_at <= now - timedelta(hours=p.coverage_hours * share),
                                              live < p.coverage_count)))
            .order_by(jo.c.released_at, jo.c.id))


def _undecided(sub):
    """No client decision since the submission became visible (as `submission_clocks` reads it)."""
    ev = Event.__table__.alias("decision")
    first = (select(func.min(ev.c.occurred_at))
             .where(ev.c.subject_type == "submission", ev.c.subject_id == sub.c.id, ev.c.verb.in_(DECISION_VERBS))
             .scalar_subquery())
    return or_(first.is_(None), first < sub.c.client_visible_at)


def review_select(scope: PolicyScope, now: datetime, share: float, statuses=(JobStatus.OPEN.value,),
                  owner_id: int | None = None, key: str = "review"):
    """Submissions in client review, undecided, visible longer ago than share × the review target."""
    sub, jo = Submission.__table__, JobOrder.__table__
    stmt = (_shape(key, jo, sub.c.id, sub.c.id, sub.c.client_visible_at, sub.c.supplier_org_id)
            .select_from(sub.join(jo, jo.c.id == sub.c.job_order_id))
            .where(sub.c.stage == Stage.CLIENT_REVIEW.value, sub.c.client_visible_at.is_not(None),
                   jo.c.status.in_(statuses),
                   scope.where(sub.c.client_org_id, lambda p: p.review_hours,
                               lambda p: sub.c.client_visible_at <= now - timedelta(hours=p.review_hours * share)),
                   _undecided(sub))
            .order_by(sub.c.client_visible_at, sub.c.id))
    if owner_id is not None:
        stmt = stmt.where(or_(jo.c.hiring_manager_id == owner_id, jo.c.created_by_id == owner_id))
    return stmt


def feedback_select(scope: PolicyScope, now: datetime, share: float, statuses=(JobStatus.OPEN.value,),
                    owner_id: int | None = None, key: str = "feedback"):
    """Confirmed interviews that ended longer ago than share × the feedback target (0: every running
    feedback clock), the submission still in the interview stage."""
    iv, sub, jo = Interview.__table__, Submission.__table__, JobOrder.__table__
    stmt = (_shape(key, jo, iv.c.id, sub.c.id, iv.c.ends_at, sub.c.supplier_org_id)
            .select_from(iv.join(sub, sub.c.id == iv.c.submission_id).join(jo, jo.c.id == sub.c.job_order_id))
            .where(iv.c.status == InterviewStatus.CONFIRMED.value, iv.c.ends_at.is_not(None), iv.c.ends_at <= now,
                   sub.c.stage == Stage.INTERVIEW.value, sub.c.client_visible_at.is_not(None),
                   jo.c.status.in_(statuses),
                   scope.where(sub.c.client_org_id, lambda p: p.feedback_hours,
                               lambda p: iv.c.ends_at <= now - timedelta(hours=p.feedback_hours * share)))
            .order_by(iv.c.ends_at, iv.c.id))
    if owner_id is not None:
        stmt = stmt.where(or_(jo.c.hiring_manager_id == owner_id, jo.c.created_by_id == owner_id))
    return stmt


def capped_counts(stmts: dict, cap: int) -> dict[str, int]:
    """Rows of each select, counted no further than cap + 1, all in one query."""
    if not stmts:
        return {}
    keys = list(stmts)
    subs = [select(func.count()).select_from(stmts[k].order_by(None).limit(cap + 1).subquery()).scalar_subquery()
            for k in keys]
    return dict(zip(keys, db.session.execute(unprepared(select(*subs))).one()))


def first_rows(stmts: dict, limit: int | dict[str, int]) -> dict[str, list]:
    """The first `limit` rows of each select (already ordered; `limit` per key when a dict), all in
    one UNION ALL query, with the job's reference and title, the client's name, and the candidate's
    and supplier's names joined onto the rows kept (after the LIMIT: never onto every candidate row)."""
    from portal.candidates.models import Candidate

    out: dict[str, list] = {k: [] for k in stmts}
    if not stmts:
        return out
    limits = limit if isinstance(limit, dict) else dict.fromkeys(stmts, limit)
    parts = [select(*stmts[k].limit(limits[k]).subquery().c) for k in stmts]
    u = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
    jo, sub, cand = JobOrder.__table__, Submission.__table__, Candidate.__table__
    client, supplier = Organisation.__table__.alias("client"), Organisation.__table__.alias("supplier")
    stmt = (select(u, jo.c.reference, jo.c.title, client.c.name.label("client_name"),
                   cand.c.first_name, cand.c.last_name, supplier.c.name.label("supplier"))
            .select_from(u.join(jo, jo.c.id == u.c.job_id).join(client, client.c.id == u.c.client_id)
                         .outerjoin(sub, sub.c.id == u.c.submission_id).outerjoin(cand, cand.c.id == sub.c.candidate_id)
                         .outerjoin(supplier, supplier.c.id == u.c.supplier_id)))
    for r in db.session.execute(unprepared(stmt)).mappings():
        row = dict(r)
        row["candidate"] = f"{r['first_name']} {r['last_name']}" if r["first_name"] is not None else ""
        row["supplier"] = r["supplier"] or ""
        out[r["key"]].append(row)
    for rows in out.values():
        rows.sort(key=lambda r: (r["at"], r["subject_id"]))
    return out


ROW_KINDS = {"no_submission": Kind.FIRST_SUBMISSION, "below_coverage": Kind.COVERAGE,
             "review": Kind.CLIENT_REVIEW, "feedback": Kind.FEEDBACK}


def clock_of_row(r, policy: Policy, spans: list[Interval], now: datetime) -> Clock:
    """The running clock a selected row stands for, time on hold excluded."""
    kind = ROW_KINDS[r["key"]]
    hours = {Kind.FIRST_SUBMISSION: policy.first_submission_hours, Kind.COVERAGE: policy.coverage_hours,
             Kind.CLIENT_REVIEW: policy.review_hours, Kind.FEEDBACK: policy.feedback_hours}[kind]
    progress = ""
    if kind == Kind.COVERAGE:
        n = policy.coverage_count
        progress = f"{min(r['live_count'] or 0, n)} of {n} submission{'s' if n != 1 else ''}"
    job_clock = kind in (Kind.FIRST_SUBMISSION, Kind.COVERAGE)
    c = Clock(kind, r["subject_id"], r["job_id"], r["client_id"], None if job_clock else r["supplier_id"], r["at"],
              hours, counted(r["at"], now, spans), paused=r["job_status"] == JobStatus.ON_HOLD.value,
              progress=progress, submission_id=r["submission_id"], now=now)
    c.info.update(reference=r["reference"], title=r["title"], client=r["client_name"], name=r["candidate"],
                  supplier=r["supplier"])
    return c


def client_waiting(viewer, limit: int = 10) -> list[Clock]:
    """The running review and feedback clocks waiting on the viewer that are at risk or breached, the
    most overdue first (the client dashboard): a hiring manager's own job orders, a client admin's
    whole company. Each with `info` name and reference. Three queries, whatever the data: the rows
    past 75 % of the target (time on hold aside) are selected in SQL, the oldest first, and refined
    with their jobs' holds."""
    from portal.sla.clocks import Status

    if getattr(viewer, "portal", None) != "client":
        return []
    now = portal_clock.now()
    owner = None if viewer.role == "client_admin" else viewer.id
    scope = client_scope(viewer.org_id)
    stmts = {"review": review_select(scope, now, AT_RISK_SHARE, ACTIVE, owner),
             "feedback": feedback_select(scope, now, AT_RISK_SHARE, ACTIVE, owner)}
    rows = [r for rs in first_rows(stmts, limit * 3).values() for r in rs]
    held = holds({r["job_id"] for r in rows})
    found = [clock_of_row(r, scope.policy(r["client_id"]), held.get(r["job_id"], []), now) for r in rows]
    found = [c for c in found if c.status in (Status.AT_RISK, Status.BREACHED) and visible_to(c, viewer)]
    return sorted(found, key=Clock.sort_key)[:limit]
