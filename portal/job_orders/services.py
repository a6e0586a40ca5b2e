"""State changes of job orders: create, edit and the life cycle (releases, Q&A and notes live in
`releases.py` and `conversation.py`).

Who may call: views (after their permission check), the CLI, `tick` and tests. Every
function takes the acting user first (None = the system), flushes and never commits, and
writes its events in the same transaction. Invariants held here and in the database:

- the life cycle is the one `TRANSITIONS` table; each move is a guarded
  `UPDATE … WHERE status = :expected` whose row count is checked, so two people acting at
  once cannot both succeed (the loser gets a 409 and nothing changes);
- display ids come from a per-client counter row incremented under a lock, with
  UNIQUE (client_org_id, number): never reused, distinct under concurrency;
- only `display.EDITABLE` fields are ever assigned from user input (`validation.clean`);
- a supplier sees a job from its release on; events that suppliers must see are written
  once per released supplier (stamped with its org id only), so no supplier learns of another.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock
from portal.accounts.models import OrgKind, Role, User
from portal.db.locks import begin_write, writes
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.job_orders import display
from portal.job_orders.errors import JobOrderError
from portal.job_orders.models import LABELS, CloseReason, JobOrder, JobOrderCounter, JobOrderRelease, JobStatus
from portal.job_orders.validation import clean, missing_for_review

__all__ = ["JobOrderError", "TRANSITIONS", "accepts_submissions", "has_submissions"]


# --- the life cycle -------------------------------------------------------------------------

CLIENT = frozenset({Role.HIRING_MANAGER.value, Role.CLIENT_ADMIN.value})
STAFF = frozenset({Role.ACCOUNT_MANAGER.value, Role.STAFF_ADMIN.value})
SYSTEM = frozenset({"system"})
S = JobStatus


@dataclass(frozen=True)
class Transition:
    source: JobStatus
    action: str
    target: JobStatus
    roles: frozenset[str]


#: draft → pending review → open ⇄ on hold → filled | closed. The only moves there are.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(S.DRAFT, "submit", S.PENDING_REVIEW, CLIENT),
    Transition(S.PENDING_REVIEW, "return", S.DRAFT, STAFF),
    Transition(S.PENDING_REVIEW, "approve", S.OPEN, STAFF),
    Transition(S.OPEN, "hold", S.ON_HOLD, CLIENT | STAFF),
    Transition(S.ON_HOLD, "reopen", S.OPEN, CLIENT | STAFF),
    Transition(S.DRAFT, "close", S.CLOSED, CLIENT | STAFF),
    Transition(S.PENDING_REVIEW, "close", S.CLOSED, CLIENT | STAFF),
    Transition(S.OPEN, "close", S.CLOSED, CLIENT | STAFF),
    Transition(S.ON_HOLD, "close", S.CLOSED, CLIENT | STAFF),
    Transition(S.OPEN, "fill", S.FILLED, SYSTEM),
    Transition(S.ON_HOLD, "fill", S.FILLED, SYSTEM),
)
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}
ACTION_WORDS = {
    "submit": "submitted for review", "return": "returned", "approve": "approved", "hold": "put on hold",
    "reopen": "reopened", "close": "closed", "fill": "marked filled",
}
#: The event verb each move writes.
VERBS = {
    "submit": "job_order.submitted", "return": "job_order.returned", "approve": "job_order.approved",
    "hold": "job_order.put_on_hold", "reopen": "job_order.reopened", "close": "job_order.closed",
    "fill": "job_order.filled",
}
#: Who may edit the fields of a job order, in which states.
EDITABLE_IN = {"client": frozenset({S.DRAFT}), "staff": frozenset({S.PENDING_REVIEW, S.OPEN, S.ON_HOLD})}
#: Supplier-facing states: a released supplier is told about these moves.
SUPPLIER_VISIBLE_ACTIONS = {"hold", "reopen", "close", "fill"}


def _role(actor: User | None) -> str:
    return "system" if actor is None else actor.role


def allowed_actions(actor: User, job: JobOrder) -> set[str]:
    """The actions `actor` may take on `job` now (templates use it to show buttons)."""
    role = _role(actor)
    if actor is not None and actor.portal == "client" and not owns(actor, job):
        return set()
    return {t.action for t in TRANSITIONS if t.source == job.status and role in t.roles}


def can_edit(actor: User, job: JobOrder) -> bool:
    if actor.portal == "client" and not owns(actor, job):
        return False
    return JobStatus(job.status) in EDITABLE_IN.get(actor.portal, ())


def owns(actor: User, job: JobOrder) -> bool:
    """A client admin owns the company's job orders; a hiring manager the ones they manage or wrote."""
    if actor.org_id != job.client_org_id:
        return False
    return actor.role == Role.CLIENT_ADMIN.value or actor.id in (job.hiring_manager_id, job.created_by_id)


def _staff_only(actor: User | None, message: str) -> None:
    if _role(actor) not in STAFF:
        raise JobOrderError(message, status=403)


def _check_owner(actor: User | None, job: JobOrder) -> None:
    if actor is not None and actor.portal == "client" and not owns(actor, job):
        raise JobOrderError("Only the job order's hiring manager or a client administrator can change it.",
                            status=403)


def _transition(actor: User | None, job: JobOrder, action: str, **values) -> Transition:
    """Move `job` by `action` with a guarded UPDATE; 403 for the role, 409 for the state."""
    role = _role(actor)
    if not any(t.action == action and role in t.roles for t in TRANSITIONS):
        raise JobOrderError(f"Your role can't mark job orders {ACTION_WORDS[action]}.", status=403)
    _check_owner(actor, job)
    current = JobStatus(job.status)
    t = _BY_KEY.get((current, action))
    if t is None or role not in t.roles:
        raise JobOrderError(
            f"{job.reference} is {current.label.lower()}: it can't be {ACTION_WORDS[action]}. Nothing was changed.",
            status=409)
    now = clock.now()
    result = db.session.execute(
        update(JobOrder)
        .where(JobOrder.id == job.id, JobOrder.status == t.source.value)
        .values(status=t.target.value, version=JobOrder.version + 1, updated_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise JobOrderError(f"{job.reference} was changed by someone else in the meantime. Nothing was changed; "
                            "reload the page to see its current state.", status=409)
    db.session.expire(job)
    return t


# --- reading helpers -------------------------------------------------------------------------

def has_submissions(job: JobOrder) -> bool:
    """Whether any supplier has submitted a candidate to `job` (any stage; the tier-2 rule reads it)."""
    from portal.submissions.services import has_any_submission  # submissions build on job orders

    return has_any_submission(job.id)


def accepts_submissions(job: JobOrder, supplier_org_id: int) -> bool:
    """Whether `supplier_org_id` may submit to `job` now: open, released to it and not pulled.

    A job that is on hold, filled or closed stops taking submissions at once.
    """
    return job.status == JobStatus.OPEN.value and is_released_to(job, supplier_org_id)


def is_released_to(job: JobOrder, supplier_org_id: int) -> bool:
    """Released to the supplier and not pulled (whatever the job's status)."""
    with system_scope("release check"):
        return db.session.scalar(select(JobOrderRelease.id).where(
            JobOrderRelease.job_order_id == job.id, JobOrderRelease.supplier_org_id == supplier_org_id,
            JobOrderRelease.released_at.is_not(None), JobOrderRelease.withdrawn_at.is_(None))) is not None


def active_release_supplier_ids(job: JobOrder) -> list[int]:
    """Suppliers that see `job` now and have not been pulled (they get the job's news)."""
    with system_scope("fan-out to released suppliers"):
        return list(db.session.scalars(
            select(JobOrderRelease.supplier_org_id).where(
                JobOrderRelease.job_order_id == job.id, JobOrderRelease.released_at.is_not(None),
                JobOrderRelease.withdrawn_at.is_(None))
            .order_by(JobOrderRelease.supplier_org_id)))


def _tell_suppliers(actor: User | None, verb: str, job: JobOrder, summary: str, data: dict | None = None) -> int:
    """One event per released supplier, stamped with that supplier only (no client column, so
    the client's feed is not repeated; internal False so the supplier sees it)."""
    ids = active_release_supplier_ids(job)
    for supplier_id in ids:
        record(actor, verb, job, summary, supplier_org_id=supplier_id, data=dict(data or {}, audience="supplier"))
    return len(ids)


def _event(actor: User | None, verb: str, job: JobOrder, summary: str, *, internal: bool = False,
           data: dict | None = None, supplier_org_id: int | None = None):
    return record(actor, verb, job, summary, client_org_id=job.client_org_id, internal=internal,
                  supplier_org_id=supplier_org_id, data=data)


def _who(actor: User | None) -> str:
    return actor.name if actor is not None else "The portal"


# --- numbering -------------------------------------------------------------------------------

#: The write lock helpers live in portal.db.locks; these names stay for the job order modules.
_begin_write = begin_write


def _insert_ignore(table, **values) -> None:
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    db.session.execute(insert(table).values(**values).on_conflict_do_nothing())


def _lock_counter(client_org_id: int) -> None:
    """Serialise creators of one client's job orders (the row lock lasts until commit)."""
    _begin_write()
    _insert_ignore(JobOrderCounter.__table__, client_org_id=client_org_id, last_number=0)
    if db.session.connection().dialect.name == "postgresql":
        db.session.execute(select(JobOrderCounter.last_number)
                           .where(JobOrderCounter.client_org_id == client_org_id).with_for_update())


def _next_number(client_org_id: int) -> int:
    return db.session.execute(
        update(JobOrderCounter)
        .where(JobOrderCounter.client_org_id == client_org_id)
        .values(last_number=JobOrderCounter.last_number + 1)
        .returning(JobOrderCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


# --- create, edit, submit --------------------------------------------------------------------

@writes
def create_job_order(actor: User, data: dict, *, create_key: str | None = None,
                     for_client: User | None = None) -> tuple[JobOrder, bool]:
    """Write a draft for the actor's company; returns (job, created).

    The same `create_key` (the form's idempotency key) returns the job it already made, so a
    double submit or a refresh creates one job order. Staff may write a draft for a client's
    person (`for_client`, e.g. when a won opportunity is converted): the draft belongs to that
    person's company and the event names the staff member who wrote it.
    """
    if for_client is not None:
        if actor.portal != "staff" or for_client.portal != "client":
            raise JobOrderError("Only staff write a draft on a client's behalf.", status=403)
        client = for_client.org
    elif actor.portal != "client":
        raise JobOrderError("Job orders are written by the client's people.", status=403)
    else:
        client = actor.org
    if client.kind != OrgKind.CLIENT.value or not client.code:
        raise JobOrderError("Your company has no client code yet; ask your account manager.", status=409)
    data = dict(data)
    data.setdefault("hiring_manager_id", (for_client or actor).id)
    values = clean(for_client or actor, client.id, data)
    _lock_counter(client.id)
    if create_key:
        existing = db.session.scalar(select(JobOrder).where(JobOrder.client_org_id == client.id,
                                                            JobOrder.create_key == create_key))
        if existing is not None:
            return existing, False
    number = _next_number(client.id)
    now = clock.now()
    job = JobOrder(client_org_id=client.id, number=number, reference=f"{client.code}-{number:04d}",
                   create_key=create_key, status=S.DRAFT.value, created_by_id=actor.id, version=1,
                   created_at=now, updated_at=now, changed_at=now, **values)
    db.session.add(job)
    db.session.flush()
    _event(actor, "job_order.created", job, f"{actor.name} created {job.reference} {job.title}",
           data={"reference": job.reference})
    return job, True


def _user_names(ids) -> dict[int, str]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    with system_scope("names of hiring managers in a diff"):
        return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


@writes
def update_job_order(actor: User, job: JobOrder, data: dict, *, expected_version: int | None = None) -> list[dict]:
    """Change the editable fields; returns the field-by-field changes (empty when none).

    Refused with 409 when the job is not editable by the actor's side in its state or when it
    changed since `expected_version` (a form opened earlier). A released job's suppliers each
    get the supplier-visible part of the change.
    """
    _check_owner(actor, job)
    if not can_edit(actor, job):
        raise JobOrderError(f"{job.reference} is {JobStatus(job.status).label.lower()}: you can't edit it now.",
                            status=409)
    values = clean(actor, job.client_org_id, data, current=job)
    changes = display.diff(job, values, _user_names([job.hiring_manager_id, values.get("hiring_manager_id")]))
    if expected_version is not None and expected_version != job.version:
        raise _stale(job)
    if not changes:
        return []
    now = clock.now()
    changed = {c["field"]: values[c["field"]] for c in changes}
    supplier_changes = [c for c in changes if c["supplier"]]
    extra = {"changed_at": now} if supplier_changes else {}
    result = db.session.execute(
        update(JobOrder)
        .where(JobOrder.id == job.id, JobOrder.version == job.version, JobOrder.status == job.status)
        .values(version=JobOrder.version + 1, updated_at=now, **extra, **changed)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise _stale(job)
    db.session.expire(job)
    text = display.changes_text(changes)
    _event(actor, "job_order.edited", job, f"{actor.name} edited {job.reference}: {text}",
           data={"changes": changes})
    if supplier_changes:
        _tell_suppliers(actor, "job_order.edited", job,
                        f"{job.reference} changed: {display.changes_text(supplier_changes)}",
                        {"changes": [{k: c[k] for k in ("field", "label", "old", "new")} for c in supplier_changes]})
    return changes


def _stale(job: JobOrder) -> JobOrderError:
    return JobOrderError(f"Someone else changed {job.reference} while you were editing. Your changes were not "
                         "saved: check the current version, then make them again.", status=409)


@writes
def submit(actor: User, job: JobOrder) -> None:
    """Send a complete draft to the agency for review (the hiring manager's side)."""
    problems = missing_for_review(job) if job.status == S.DRAFT.value else []
    if problems:
        _check_owner(actor, job)
        raise JobOrderError(problems[0][1], problems[0][0], errors=problems)
    now = clock.now()
    _transition(actor, job, "submit", submitted_at=now, return_comment=None)
    _event(actor, VERBS["submit"], job, f"{actor.name} submitted {job.reference} {job.title} for review")


@writes
def return_to_client(actor: User, job: JobOrder, comment: str) -> None:
    """Send a job order under review back to its hiring manager, with what to change."""
    comment = (comment or "").strip()
    if not comment:
        raise JobOrderError("Write a comment telling the hiring manager what to change.", "comment")
    if len(comment) > 2000:
        raise JobOrderError("Use 2000 characters or fewer.", "comment")
    _transition(actor, job, "return", return_comment=comment)
    _event(actor, VERBS["return"], job, f"{actor.name} returned {job.reference} to the hiring manager: {comment}",
           data={"comment": comment})


# --- hold, reopen, close, fill ---------------------------------------------------------------

@writes
def hold(actor: User, job: JobOrder) -> None:
    """Pause an open job order: suppliers see it on hold and stop submitting."""
    _status_move(actor, job, "hold")


@writes
def reopen(actor: User, job: JobOrder) -> None:
    """Take a job order off hold."""
    _status_move(actor, job, "reopen")


@writes
def close(actor: User, job: JobOrder, reason: str, note: str | None = None) -> None:
    """Close a job order for good, with a reason (cancelled, filled elsewhere, budget, other)."""
    if reason not in LABELS[CloseReason]:
        raise JobOrderError("Choose why the job order is closing.", "reason")
    note = (note or "").strip() or None
    if note and len(note) > 500:
        raise JobOrderError("Use 500 characters or fewer.", "note")
    if reason == CloseReason.OTHER.value and not note:
        raise JobOrderError("Say why the job order is closing.", "note")
    _status_move(actor, job, "close", close_reason=reason, close_note=note, closed_at=clock.now(),
                 detail=f" ({LABELS[CloseReason][reason].lower()}{': ' + note if note else ''})")


@writes
def mark_filled(job: JobOrder) -> None:
    """Mark a job filled when its last opening is placed (called by the placements domain)."""
    _status_move(None, job, "fill", closed_at=clock.now())


def _status_move(actor: User | None, job: JobOrder, action: str, detail: str = "", **values) -> None:
    now = clock.now()
    released = job.released_at is not None
    t = _transition(actor, job, action, changed_at=now, **values)
    words = ACTION_WORDS[action]
    data = {"from": t.source.value, "to": t.target.value}
    if "close_reason" in values:
        data["reason"] = values["close_reason"]
    _event(actor, VERBS[action], job, f"{_who(actor)} {words} {job.reference} {job.title}{detail}", data=data)
    if released and action in SUPPLIER_VISIBLE_ACTIONS:
        _tell_suppliers(actor, VERBS[action], job, f"{job.reference} {job.title} was {words}",
                        {"from": t.source.value, "to": t.target.value})


