"""Releasing job orders to suppliers in tiers: approval, more suppliers, pulling one, the tier-2
rule run by `tick`, and each client's release settings.

Tier 1 sees a job at once; tier 2 after the client's delay (24 h by default) or as soon as the
job's time to first submission runs out with no submission. Who may call: staff views, the
CLI and `tick`; each function flushes and never commits, except the tick rule, which claims and
commits each release on its own so that reruns and concurrent runners never release twice.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal import clock
from portal.accounts.models import OrgKind, Organisation, User
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.job_orders import services
from portal.job_orders.errors import JobOrderError
from portal.job_orders.models import ClientJobSettings, JobOrder, JobOrderRelease, JobStatus
from portal.job_orders.services import S, VERBS, _begin_write, _event, _staff_only, _transition, writes
from portal.tick import rule

DEFAULT_TIER2_DELAY_HOURS = 24
DEFAULT_FIRST_SUBMISSION_HOURS = 24
MAX_HOURS = 24 * 30


def settings_for(client_org_id: int) -> tuple[int, int]:
    """(tier-2 delay hours, time-to-first-submission hours) of a client, defaults filled in."""
    row = db.session.scalar(select(ClientJobSettings).where(ClientJobSettings.client_org_id == client_org_id))
    delay = row.tier2_delay_hours if row and row.tier2_delay_hours is not None else DEFAULT_TIER2_DELAY_HOURS
    first = (row.first_submission_hours if row and row.first_submission_hours is not None
             else DEFAULT_FIRST_SUBMISSION_HOURS)
    return delay, first


def _suppliers(ids) -> dict[int, Organisation]:
    ids = set(ids)
    found = {o.id: o for o in db.session.scalars(select(Organisation).where(
        Organisation.id.in_(ids), Organisation.kind == OrgKind.SUPPLIER.value, Organisation.is_active.is_(True)))}
    if set(found) != ids:
        raise JobOrderError("Choose active suppliers.", "suppliers")
    return found


@writes
def approve_and_release(actor: User, job: JobOrder, tiers: dict[int, int]) -> None:
    """Approve a job order under review and release it: tier 1 at once, tier 2 later.

    `tiers` maps supplier org id -> 1 or 2; at least one supplier is needed.
    """
    _staff_only(actor, "Only the agency's staff approve and release job orders.")
    if not tiers:
        raise JobOrderError("Choose at least one supplier to release the job order to.", "suppliers")
    suppliers = _suppliers(tiers)
    now = clock.now()
    _transition(actor, job, "approve", approved_at=now, changed_at=now, return_comment=None)
    _event(actor, VERBS["approve"], job, f"{actor.name} approved {job.reference} {job.title}",
           data={"tiers": {str(k): v for k, v in tiers.items()}})
    _release(actor, job, tiers, suppliers)


@writes
def add_suppliers(actor: User, job: JobOrder, tiers: dict[int, int]) -> None:
    """Release an open or on-hold job order to more suppliers (or again to a pulled one)."""
    _staff_only(actor, "Only the agency's staff release job orders.")
    if job.status not in (S.OPEN.value, S.ON_HOLD.value):
        raise JobOrderError(f"{job.reference} is {JobStatus(job.status).label.lower()}: it can't be released.",
                            status=409)
    if not tiers:
        raise JobOrderError("Choose at least one supplier.", "suppliers")
    _release(actor, job, tiers, _suppliers(tiers))


def _release(actor: User, job: JobOrder, tiers: dict[int, int], suppliers: dict[int, Organisation]) -> None:
    delay, _ = settings_for(job.client_org_id)
    now = clock.now()
    base = job.released_at or now
    existing = {r.supplier_org_id: r for r in db.session.scalars(
        select(JobOrderRelease).where(JobOrderRelease.job_order_id == job.id))}
    for supplier_id, tier in sorted(tiers.items()):
        if tier not in (1, 2):
            raise JobOrderError("Choose tier 1 or tier 2.", "suppliers")
        scheduled = now if tier == 1 else max(now, base + timedelta(hours=delay))
        release = existing.get(supplier_id)
        if release is not None and release.withdrawn_at is None:
            continue  # already released or scheduled: nothing to do
        if release is not None and release.released_at is not None:
            scheduled = now  # a pulled supplier put back sees the job again at once
        if release is None:
            release = JobOrderRelease(job_order_id=job.id, client_org_id=job.client_org_id,
                                      supplier_org_id=supplier_id, created_at=now)
            db.session.add(release)
        release.tier, release.scheduled_at, release.withdrawn_at, release.withdrawn_by_id = tier, scheduled, None, None
        release.released_at = None
        name = suppliers[supplier_id].name
        if scheduled <= now:
            release.released_at, release.released_by_id = now, actor.id if actor else None
            db.session.flush()
            _mark_first_release(job, now)
            _event(actor, "job_order.released", job, f"{job.reference} {job.title} released to {name}",
                   supplier_org_id=supplier_id, data={"supplier_org_id": supplier_id, "tier": tier})
        else:
            db.session.flush()
            _event(actor, "job_order.release_scheduled", job,
                   f"{job.reference} will be released to {name} (tier 2) on {scheduled:%d %b %Y, %H:%M} UTC",
                   data={"supplier_org_id": supplier_id, "tier": tier, "scheduled_at": scheduled.isoformat()})


def _mark_first_release(job: JobOrder, now: datetime) -> None:
    db.session.execute(update(JobOrder).where(JobOrder.id == job.id, JobOrder.released_at.is_(None))
                       .values(released_at=now).execution_options(synchronize_session=False))
    db.session.expire(job, ["released_at"])


@writes
def pull_supplier(actor: User, job: JobOrder, release: JobOrderRelease) -> None:
    """Take a supplier off a job: it keeps its submissions and sees the job as closed to it."""
    _staff_only(actor, "Only the agency's staff can pull a supplier.")
    now = clock.now()
    result = db.session.execute(
        update(JobOrderRelease)
        .where(JobOrderRelease.id == release.id, JobOrderRelease.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_id=actor.id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise JobOrderError("That supplier was already pulled from the job.", status=409)
    db.session.expire(release)
    name = db.session.scalar(select(Organisation.name).where(Organisation.id == release.supplier_org_id))
    seen = release.released_at is not None
    _event(actor, "job_order.supplier_pulled", job, f"{actor.name} pulled {name} from {job.reference}",
           supplier_org_id=release.supplier_org_id if seen else None,
           data={"supplier_org_id": release.supplier_org_id})


def release_due_tier_two(now: datetime | None = None) -> int:
    """Release every tier-2 supplier whose time has come; returns how many. Idempotent.

    Due when its delay has passed, or when the job's time to first submission has run out
    with no submission. Jobs on hold wait; closed and filled jobs never release. Each release
    is claimed with a guarded UPDATE and committed on its own, so concurrent runners and
    reruns never release twice.
    """
    now = now or clock.now()
    done = 0
    with system_scope("tick: tier-2 release"):
        pending = db.session.execute(
            select(JobOrderRelease.id, JobOrderRelease.scheduled_at, JobOrder.id, JobOrder.client_org_id,
                   JobOrder.released_at)
            .join(JobOrder, JobOrder.id == JobOrderRelease.job_order_id)
            .where(JobOrderRelease.released_at.is_(None), JobOrderRelease.withdrawn_at.is_(None),
                   JobOrder.status == S.OPEN.value)
            .order_by(JobOrderRelease.scheduled_at, JobOrderRelease.id)).all()
        settings: dict[int, tuple[int, int]] = {}
        for release_id, scheduled_at, job_id, client_id, first_release in pending:
            due = scheduled_at <= now
            if not due and first_release is not None:
                job = db.session.scalar(select(JobOrder).where(JobOrder.id == job_id))
                hours = settings.setdefault(client_id, settings_for(client_id))[1]
                due = first_release + timedelta(hours=hours) <= now and not services.has_submissions(job)
            if due and _claim_release(release_id, now):
                done += 1
    return done


def _claim_release(release_id: int, now: datetime) -> bool:
    _begin_write()
    claimed = db.session.execute(
        update(JobOrderRelease)
        .where(JobOrderRelease.id == release_id, JobOrderRelease.released_at.is_(None),
               JobOrderRelease.withdrawn_at.is_(None))
        .values(released_at=now)
        .execution_options(synchronize_session=False)).rowcount == 1
    if not claimed:
        db.session.rollback()
        return False
    release = db.session.scalar(select(JobOrderRelease).where(JobOrderRelease.id == release_id))
    job = db.session.scalar(select(JobOrder).where(JobOrder.id == release.job_order_id))
    _mark_first_release(job, now)
    name = db.session.scalar(select(Organisation.name).where(Organisation.id == release.supplier_org_id))
    _event(None, "job_order.released", job, f"{job.reference} {job.title} released to {name} (tier 2)",
           supplier_org_id=release.supplier_org_id, data={"supplier_org_id": release.supplier_org_id, "tier": 2})
    db.session.commit()
    return True


@rule
def job_orders_tier_two_released() -> int:
    """tick: release tier-2 suppliers that are due."""
    return release_due_tier_two()


@writes
def set_client_settings(actor: User, client: Organisation, *, tier2_delay_hours: int | None,
                        first_submission_hours: int | None) -> None:
    """Set a client's tier-2 delay and time to first submission (None: the default, 24 h)."""
    if client.kind != OrgKind.CLIENT.value:
        raise JobOrderError("Release settings belong to client companies.", status=404)
    if tier2_delay_hours is not None and not 0 <= tier2_delay_hours <= MAX_HOURS:
        raise JobOrderError(f"The delay must be from 0 to {MAX_HOURS} hours.", "tier2_delay_hours")
    if first_submission_hours is not None and not 1 <= first_submission_hours <= MAX_HOURS:
        raise JobOrderError(f"The time must be from 1 to {MAX_HOURS} hours.", "first_submission_hours")
    row = db.session.scalar(select(ClientJobSettings).where(ClientJobSettings.client_org_id == client.id))
    before = (row.tier2_delay_hours, row.first_submission_hours) if row else (None, None)
    after = (tier2_delay_hours, first_submission_hours)
    if before == after:
        return
    if row is None:
        row = ClientJobSettings(client_org_id=client.id)
        db.session.add(row)
    row.tier2_delay_hours, row.first_submission_hours, row.updated_at = *after, clock.now()
    db.session.flush()
    record(actor, "job_order.settings_changed", client,
           f"{actor.name} set {client.name}'s tier-2 delay to {_hours(tier2_delay_hours, DEFAULT_TIER2_DELAY_HOURS)} "
           f"and time to first submission to {_hours(first_submission_hours, DEFAULT_FIRST_SUBMISSION_HOURS)}",
           client_org_id=client.id, internal=True,
           data={"before": list(before), "after": list(after)})


def _hours(value: int | None, default: int) -> str:
    return f"{default} h (default)" if value is None else f"{value} h"
