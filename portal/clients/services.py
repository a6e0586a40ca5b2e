"""State changes of a client account: log entries, follow-ups, marking a follow-up done.

Who may call: the account views (after their permission check), the demo seed, tests. Every
function takes the acting user first, flushes and never commits, and writes an *internal*
event stamped with the client's id (staff see it in the client's history; the client never
does). Invariants:

- only the named keyword arguments are ever assigned (the forms never hand over a dict), so
  a forged `client_org_id`, `author_id` or `done_at` changes nothing;
- the same form key on the same account returns what it already made: a double submit adds
  one row, decided by a UNIQUE (client_org_id, create_key) in a savepoint;
- writers take SQLite's write lock first (BEGIN IMMEDIATE), so concurrent ones queue instead
  of failing to upgrade a read lock;
- a follow-up is marked done by a guarded update (`… WHERE done_at IS NULL`) whose row count
  is checked: a second click, or two people at once, cannot both succeed (409).
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import OrgKind, Organisation, User, UserStatus
from portal.clients.models import ENTRY_KINDS, AccountEntry, AccountFollowUp
from portal.db.locks import begin_write
from portal.errors import Refusal
from portal.events.services import record
from portal.extensions import db

#: How far ahead a follow-up may be planned (a typo like 2962 gets a clear message).
MAX_AHEAD = timedelta(days=5 * 366)


class AccountError(Refusal):
    """A refusal about a client account's log or follow-ups."""


def _client(client: Organisation) -> None:
    if client.kind != OrgKind.CLIENT.value:
        raise ValueError("an account log belongs to a client company")


def _by_key(model, client: Organisation, key: str | None):
    if not key:
        return None
    return db.session.scalar(select(model).where(model.client_org_id == client.id, model.create_key == key))


def _add_once(obj, client: Organisation, key: str | None):
    """Insert `obj`; if a concurrent request with the same form key got there first, return
    that row instead (the unique key decides, in a savepoint: nothing half-written)."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        existing = _by_key(type(obj), client, key)
        if existing is None:
            raise
        return existing
    return None


def _text(value: str | None, field: str, limit: int, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise AccountError(missing, field)
    if len(value) > limit:
        raise AccountError(f"Use at most {limit:,} characters.", field)
    return value


def assignee_for(user_id: int | None, default: User) -> User:
    """The follow-up's assignee: an active person of the agency (the author when none is chosen)."""
    if not user_id:
        return default
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None or user.portal != "staff" or user.status != UserStatus.ACTIVE.value:
        raise AccountError("Choose an active account manager of the agency.", "assignee_id")
    return user


def add_entry(actor: User, client: Organisation, *, kind: str, occurred_on: date, summary: str,
              create_key: str | None = None) -> tuple[AccountEntry, bool]:
    """Log a note, call, e-mail or meeting on a client's account; (entry, created)."""
    _client(client)
    begin_write()
    existing = _by_key(AccountEntry, client, create_key)
    if existing is not None:
        return existing, False
    if kind not in ENTRY_KINDS:
        raise AccountError("Choose note, call, e-mail or meeting.", "kind")
    if occurred_on is None:
        raise AccountError("Enter the date.", "occurred_on")
    if occurred_on > clock.now().date():
        raise AccountError("The date can't be in the future; plan a follow-up instead.", "occurred_on")
    summary = _text(summary, "summary", 2000, "Write a short summary.")
    entry = AccountEntry(client_org_id=client.id, create_key=create_key, kind=kind, occurred_on=occurred_on,
                         summary=summary, author_id=actor.id)
    duplicate = _add_once(entry, client, create_key)
    if duplicate is not None:
        return duplicate, False
    record(actor, "account.entry_added", client,
           f"{actor.name} logged a {ENTRY_KINDS[kind].lower()} on the {client.name} account",
           client_org_id=client.id, internal=True, data={"entry_id": entry.id, "kind": kind})
    return entry, True


def add_follow_up(actor: User, client: Organisation, *, due_on: date, note: str, assignee_id: int | None = None,
                  create_key: str | None = None) -> tuple[AccountFollowUp, bool]:
    """Plan something to do for a client by `due_on`, for an account manager (the author by default)."""
    _client(client)
    begin_write()
    existing = _by_key(AccountFollowUp, client, create_key)
    if existing is not None:
        return existing, False
    today = clock.now().date()
    if due_on is None:
        raise AccountError("Enter the due date.", "due_on")
    if due_on < today:
        raise AccountError("The due date can't be in the past.", "due_on")
    if due_on > today + MAX_AHEAD:
        raise AccountError("Choose a due date within the next five years.", "due_on")
    note = _text(note, "note", 500, "Say what needs doing.")
    assignee = assignee_for(assignee_id, actor)
    follow_up = AccountFollowUp(client_org_id=client.id, create_key=create_key, due_on=due_on, note=note,
                                assignee_id=assignee.id, created_by_id=actor.id)
    duplicate = _add_once(follow_up, client, create_key)
    if duplicate is not None:
        return duplicate, False
    record(actor, "account.follow_up_added", client,
           f"{actor.name} planned a follow-up on the {client.name} account for {assignee.name}, "
           f"due {due_on:%d %b %Y}",
           client_org_id=client.id, internal=True,
           data={"follow_up_id": follow_up.id, "due_on": due_on.isoformat(), "assignee_id": assignee.id})
    return follow_up, True


def complete_follow_up(actor: User, follow_up: AccountFollowUp) -> None:
    """Mark a follow-up done, once (a second click is a 409 and writes nothing)."""
    begin_write()
    done = db.session.execute(
        update(AccountFollowUp).where(AccountFollowUp.id == follow_up.id, AccountFollowUp.done_at.is_(None))
        .values(done_at=clock.now(), done_by_id=actor.id).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise AccountError("That follow-up is already done.", status=409)
    db.session.expire(follow_up)
    client = follow_up.client
    record(actor, "account.follow_up_done", client,
           f"{actor.name} completed a follow-up on the {client.name} account: {follow_up.note}",
           client_org_id=client.id, internal=True, data={"follow_up_id": follow_up.id})
