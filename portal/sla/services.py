"""State changes of the SLAs: a client's targets (staff), and the tick rule that announces each
clock crossing into "at risk" and "breached" once.

Who may call: the policy view after its permission check, `tick`, tests. `set_policy` flushes and
never commits. `announce_crossings` claims each crossing with a guarded insert into `sla_crossing`
(UNIQUE clock, subject, party, level) and commits each claim with its event and notifications, so
a rerun, or a second runner at the same time, finds the row taken and announces nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, union
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock as portal_clock
from portal.accounts.models import OrgKind, Organisation, User
from portal.candidates.models import Candidate
from portal.db.locks import begin_write as _begin_write, writes
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.notifications.fanout import link as _link
from portal.extensions import db
from portal.job_orders import releases
from portal.job_orders.errors import JobOrderError
from portal.interviews.models import Interview
from portal.job_orders.models import ClientJobSettings, JobOrder
from portal.sla import queries
from portal.sla.clocks import AT_RISK_SHARE, Clock, Kind, Status
from portal.sla.models import MAX_COVERAGE_COUNT, MAX_HOURS, SlaCrossing, SlaPolicy
from portal.submissions.models import Submission
from portal.tick import rule


class SlaError(ValueError):
    """A refused change: `status` 422 bad input, 404 not a client; `errors` lists (field, message)."""

    def __init__(self, errors: list[tuple[str | None, str]], status: int = 422):
        super().__init__(errors[0][1])
        self.message = errors[0][1]
        self.errors = errors
        self.status = status


# --- the policy ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Targets:
    """The five numbers of the policy page; None means the default."""

    first_submission_hours: int | None
    coverage_count: int | None
    coverage_hours: int | None
    review_hours: int | None
    feedback_hours: int | None


HOUR_FIELDS = ("first_submission_hours", "coverage_hours", "review_hours", "feedback_hours")


def stored_targets(client_org_id: int) -> Targets:
    """What is stored for the client (None where it uses the default)."""
    row = db.session.scalar(select(SlaPolicy).where(SlaPolicy.client_org_id == client_org_id))
    settings = db.session.scalar(select(ClientJobSettings).where(ClientJobSettings.client_org_id == client_org_id))
    return Targets(settings.first_submission_hours if settings else None,
                   row.coverage_count if row else None, row.coverage_hours if row else None,
                   row.review_hours if row else None, row.feedback_hours if row else None)


def _validate(t: Targets) -> list[tuple[str | None, str]]:
    errors: list[tuple[str | None, str]] = []
    for name in HOUR_FIELDS:
        value = getattr(t, name)
        if value is not None and not 1 <= value <= MAX_HOURS:
            errors.append((name, f"Enter a number of hours from 1 to {MAX_HOURS}."))
    if t.coverage_count is not None and not 1 <= t.coverage_count <= MAX_COVERAGE_COUNT:
        errors.append(("coverage_count", f"Enter a number of submissions from 1 to {MAX_COVERAGE_COUNT}."))
    return errors


@writes
def set_policy(actor: User, client: Organisation, targets: Targets) -> bool:
    """Store a client's SLA targets (staff only); returns False when nothing changed.

    Time to first submission is the client's release setting (it also releases tier 2 early), so
    it is written through the job orders' own service, which records its event; the rest is
    recorded as `sla.policy_changed` (internal: staff only).
    """
    if actor is None or actor.portal != "staff":
        raise SlaError([(None, "Only the agency's staff set SLA targets.")], status=403)
    if client.kind != OrgKind.CLIENT.value:
        raise SlaError([(None, "SLA targets belong to client companies.")], status=404)
    errors = _validate(targets)
    if errors:
        raise SlaError(errors)
    before = stored_targets(client.id)
    if before == targets:
        return False
    if before.first_submission_hours != targets.first_submission_hours:
        delay = _tier2_delay(client.id)
        try:
            releases.set_client_settings(actor, client, tier2_delay_hours=delay,
                                         first_submission_hours=targets.first_submission_hours)
        except JobOrderError as exc:
            raise SlaError([(exc.field or "first_submission_hours", exc.message)], status=exc.status) from None
    row = db.session.scalar(select(SlaPolicy).where(SlaPolicy.client_org_id == client.id))
    if row is None:
        row = SlaPolicy(client_org_id=client.id)
        db.session.add(row)
    row.coverage_count, row.coverage_hours = targets.coverage_count, targets.coverage_hours
    row.review_hours, row.feedback_hours = targets.review_hours, targets.feedback_hours
    row.updated_at, row.updated_by_id = portal_clock.now(), actor.id
    db.session.flush()
    p = queries.policy_for(client.id)
    record(actor, "sla.policy_changed", client,
           f"{actor.name} set {client.name}'s SLA targets: first submission {p.first_submission_hours} h, "
           f"coverage {p.coverage_count} within {p.coverage_hours} h, client review {p.review_hours} h, "
           f"interview feedback {p.feedback_hours} h",
           client_org_id=client.id, internal=True,
           data={"before": before.__dict__, "after": targets.__dict__})
    return True


def _tier2_delay(client_org_id: int) -> int | None:
    return db.session.scalar(select(ClientJobSettings.tier2_delay_hours)
                             .where(ClientJobSettings.client_org_id == client_org_id))


# --- announcing crossings (tick) -------------------------------------------------------------------

LEVELS = (Status.AT_RISK, Status.BREACHED)


#: Candidates read per batch by the tick rule (job orders, then submissions).
TICK_BATCH = 500


def _unclaimed(kind: Kind, subject, party=0):
    """No "breached" crossing claimed yet for this clock (nothing left to announce once it is)."""
    cr = SlaCrossing.__table__.c
    return ~select(cr.id).where(cr.clock == kind.value, cr.subject_id == subject, cr.party_org_id == party,
                                cr.level == Status.BREACHED.value).exists()


def _candidate_selects(now: datetime):
    """Selects of (id column, select) for the job orders and the submissions with a running clock past
    75 % of its target (time on hold aside, so a superset) whose breach is not claimed yet."""
    from portal.job_orders.models import JobOrderRelease

    scope = queries.all_clients_scope()
    share, active = AT_RISK_SHARE, queries.ACTIVE
    jo, sub, rel, iv = JobOrder.__table__, Submission.__table__, JobOrderRelease.__table__, Interview.__table__
    jobs = [(jo.c.id, queries.first_submission_select(scope, now, share, active)
             .where(_unclaimed(Kind.FIRST_SUBMISSION, jo.c.id))),
            (jo.c.id, queries.coverage_select(scope, now, share, active).where(_unclaimed(Kind.COVERAGE, jo.c.id))),
            (rel.c.job_order_id, select(rel.c.job_order_id).join(jo, jo.c.id == rel.c.job_order_id).where(
                rel.c.released_at.is_not(None), rel.c.withdrawn_at.is_(None), jo.c.status.in_(active),
                ~select(sub.c.id).where(sub.c.job_order_id == rel.c.job_order_id,
                                        sub.c.supplier_org_id == rel.c.supplier_org_id).exists(),
                scope.where(jo.c.client_org_id, lambda p: p.first_submission_hours,
                            lambda p: rel.c.released_at <= now - timedelta(hours=p.first_submission_hours * share)),
                _unclaimed(Kind.FIRST_SUBMISSION, rel.c.job_order_id, rel.c.supplier_org_id)))]
    subs = [(sub.c.id, queries.review_select(scope, now, share, active)
             .where(_unclaimed(Kind.CLIENT_REVIEW, sub.c.id))),
            (sub.c.id, queries.feedback_select(scope, now, share, active).where(_unclaimed(Kind.FEEDBACK, iv.c.id)))]
    return jobs, subs


def _batches(branches):
    """The candidate ids, TICK_BATCH at a time in id order (keyset): each branch reads its next
    TICK_BATCH ids after the last one in id order, so no batch reads all candidates."""
    last = 0
    while True:
        parts = [select(sq.c.id) for sq in (
            stmt.with_only_columns(col.label("id")).where(col > last).order_by(None).order_by(col)
            .limit(TICK_BATCH).subquery()
            for col, stmt in branches)]
        u = union(*parts).subquery()
        batch = list(db.session.scalars(select(u.c.id).order_by(u.c.id).limit(TICK_BATCH)))
        if not batch:
            return
        yield batch
        last = batch[-1]


def running_clocks(now: datetime | None = None):
    """The running clocks that may have crossed into at risk or breached, batch by batch (call under
    a system scope). Only clocks past 75 % of their target in SQL, whose breach is not yet claimed,
    are read: never every running clock of the portal."""
    now = now or portal_clock.now()
    job_branches, sub_branches = _candidate_selects(now)
    for batch in _batches(job_branches):
        yield [c for cs in queries.job_clocks(batch, now=now).values() for c in cs if c.running]
    for batch in _batches(sub_branches):
        yield [c for cs in queries.submission_clocks(batch, now=now).values() for c in cs if c.running]


def _claimed(clocks: list[Clock]) -> set[tuple[str, int, int, str]]:
    """The crossings already claimed among those of `clocks`."""
    c = SlaCrossing.__table__.c
    out: set = set()
    by_kind: dict[str, set[int]] = {}
    for clock in clocks:
        by_kind.setdefault(clock.kind.value, set()).add(clock.subject_id)
    for kind, ids in by_kind.items():
        out |= {tuple(r) for r in db.session.execute(
            select(c.clock, c.subject_id, c.party_org_id, c.level)
            .where(c.clock == kind, c.subject_id.in_(sorted(ids))))}
    return out


def _claim(c: Clock, level: str, now: datetime) -> int | None:
    """Insert the crossing row unless it exists; its id when this call inserted it."""
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = SlaCrossing.__table__
    # RETURNING, not the row count: psycopg reports -1 for an INSERT … ON CONFLICT with RETURNING.
    return db.session.execute(
        insert(table).values(clock=c.kind.value, subject_id=c.subject_id, party_org_id=c.party_key,
                             level=level, client_org_id=c.client_org_id, crossed_at=now)
        .on_conflict_do_nothing(index_elements=["clock", "subject_id", "party_org_id", "level"])
        .returning(table.c.id)).scalar()


def announce_crossings(now: datetime | None = None) -> int:
    """Announce every clock that has crossed into at risk or breached and was not announced yet.

    A clock first seen breached claims "at risk" silently (announcing it after the fact would only
    add noise). Each claim commits on its own with its event and notifications. Returns how many
    crossings were announced.
    """
    now = now or portal_clock.now()
    done = 0
    with system_scope("tick: SLA crossings"):
        for batch in running_clocks(now):
            clocks = [c for c in batch if c.status in LEVELS]
            if not clocks:
                continue
            claimed = _claimed(clocks)
            db.session.rollback()  # end the read transaction: each claim below is its own
            for c in sorted(clocks, key=lambda c: (c.kind.value, c.subject_id, c.party_key)):
                done += _announce_one(c, claimed, now)
    return done


def _announce_one(c: Clock, claimed: set, now: datetime) -> int:
    """Claim and announce one crossing (its own transaction); 1 when this call announced it."""
    status = c.status
    key = (c.kind.value, c.subject_id, c.party_key, status.value)
    if key in claimed:
        return 0
    _begin_write()
    if status == Status.BREACHED:
        _claim(c, Status.AT_RISK.value, now)
    crossing_id = _claim(c, status.value, now)
    if crossing_id is None:
        db.session.rollback()  # someone else announced it
        return 0
    event_id = _announce(c, status)
    db.session.execute(SlaCrossing.__table__.update().where(SlaCrossing.__table__.c.id == crossing_id)
                       .values(event_id=event_id))
    db.session.commit()
    return 1


def _announce(c: Clock, status: Status) -> int:
    """Record the crossing's event, stamped with the parties concerned, and notify who must act and
    the client's account managers (the SLA kind, so each person's e-mail preference applies)."""
    from portal.notifications import kinds
    from portal.notifications.recipients import account_managers, hiring_manager, org_users
    from portal.notifications.services import notify

    job = db.session.scalar(select(JobOrder).where(JobOrder.id == c.job_id))
    level = status.label.lower()
    verb = "sla.at_risk" if status == Status.AT_RISK else "sla.breached"
    data = {"clock": c.kind.value, "level": status.value, "job_order_id": job.id, "target_hours": c.target_hours,
            "started_at": c.started_at.isoformat()}
    key = f"sla:{c.kind.value}:{c.subject_id}:{c.party_key}:{status.value}"
    staff_link = _link("job_orders.staff_detail", job_id=job.id)
    if c.kind == Kind.FIRST_SUBMISSION and c.per_supplier:
        summary = (f"{job.reference} {job.title}: your time to first submission is {level} ({c.text}; target "
                   f"{c.target_hours} h from your release)")
        ev = record(None, verb, job, summary, supplier_org_id=c.supplier_org_id,
                    data=dict(data, supplier_org_id=c.supplier_org_id))
        notify(org_users(c.supplier_org_id), kinds.SLA, f"{job.reference}: first submission {level}",
               _link("job_orders.supplier_detail", job_id=job.id), event=ev, key=key)
        return ev.id
    if c.kind in (Kind.FIRST_SUBMISSION, Kind.COVERAGE):
        what = "time to first submission" if c.kind == Kind.FIRST_SUBMISSION else f"coverage ({c.progress})"
        summary = f"{job.reference} {job.title}: {what} is {level} ({c.text})"
        ev = record(None, verb, job, summary, client_org_id=job.client_org_id, internal=True, data=data)
        notify(account_managers(job.client_org_id), kinds.SLA, f"{job.reference}: {c.kind.label.lower()} {level}",
               staff_link, event=ev, key=key)
        return ev.id
    sub = db.session.scalar(select(Submission).where(Submission.id == c.submission_id))
    name = db.session.scalar(select(Candidate.first_name + " " + Candidate.last_name)
                             .where(Candidate.id == sub.candidate_id))
    what = "review" if c.kind == Kind.CLIENT_REVIEW else "interview feedback"
    summary = f"{job.reference} {job.title}: your {what} of {name} is {level} ({c.text})"
    if c.kind == Kind.FEEDBACK:
        data["interview_id"] = c.subject_id
    ev = record(None, verb, sub, summary, client_org_id=job.client_org_id, data=dict(data, submission_id=sub.id))
    title = f"{job.reference}: {what} of {name} {level}"
    notify(hiring_manager(job), kinds.SLA, title, _link("review.submission", submission_id=sub.id), event=ev, key=key)
    notify(account_managers(job.client_org_id), kinds.SLA, title,
           _link("submissions.staff_detail", submission_id=sub.id), event=ev, key=key)
    return ev.id


@rule
def sla_crossings_announced() -> int:
    """tick: announce SLA clocks crossing into at risk and breached, once each."""
    return announce_crossings()
