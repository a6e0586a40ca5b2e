"""Won → client: one step that creates (or links) the client, invites its first hiring manager
and writes a first draft job order from what the request said.

Who may call: the convert view (permission `leads.convert`), tests. All in the caller's one
transaction: any refusal raises `LeadError` and the view rolls everything back, so there is
never a client without its hiring manager, nor an invitation for a rolled-back client. The
opportunity is claimed first with a guarded update (`stage = 'won' AND converted_at IS NULL`),
so a double click converts once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from portal import clock
from portal.accounts import services as accounts
from portal.accounts.models import ClientAccountManager, Organisation, Role, User
from portal.events.services import record
from portal.extensions import db
from portal.leads.models import Lead, Opportunity, Stage
from portal.leads.services import LeadError, load_client

#: Form field of each account-service field, so a refusal lands next to the right input.
_ACCOUNT_FIELDS = {"code": "code", "name": "org_name", "email": "hm_email", "role": "hm_email", "kind": "org_name"}
_JOB_FIELDS = {"title": "job_title", "openings": "job_openings", "location": "job_location",
               "start_date": "job_start_date", "summary": "job_title"}


@dataclass
class Conversion:
    client: Organisation
    created_client: bool
    hiring_manager: User | None
    invited: bool
    job: object | None


@dataclass
class DraftJob:
    """What the request said, as the first draft job order."""

    title: str
    openings: int
    location: str | None
    start_date: date | None
    summary: str | None


def convert(actor: User, opp: Opportunity, *, client_org_id: int | None = None, org_name: str | None = None,
            code: str | None = None, email_domain: str | None = None, hm_name: str | None = None,
            hm_email: str | None = None, hm_title: str | None = None, job: DraftJob | None = None) -> Conversion:
    """Convert a won opportunity. With `client_org_id` (or when the opportunity is already an
    existing client's), link that client; otherwise create one from name, code and domain."""
    now = clock.now()
    claimed = db.session.execute(
        update(Opportunity).where(Opportunity.id == opp.id, Opportunity.stage == Stage.WON.value,
                                  Opportunity.converted_at.is_(None))
        .values(converted_at=now, converted_by_id=actor.id, updated_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        db.session.expire(opp)
        if opp.converted_at is not None:
            raise LeadError(f"{opp.reference} has already been converted; nothing was changed.", status=409)
        raise LeadError(f"Only a won opportunity can be converted: move {opp.reference} to won first.", status=409)
    db.session.expire(opp)

    client, created = _client_of(actor, opp, client_org_id, org_name, code, email_domain)
    _assign_owner(actor, client, opp.owner_id)
    hiring_manager, invited = _hiring_manager(actor, client, hm_name, hm_email, hm_title,
                                              needed=created or job is not None)
    job_order = _create_draft_job_order(actor, hiring_manager, job) if job is not None else None

    opp.client_org_id = client.id
    opp.job_order_id = getattr(job_order, "id", None)
    if opp.lead_id:
        db.session.execute(update(Lead).where(Lead.id == opp.lead_id).values(client_org_id=client.id)
                           .execution_options(synchronize_session=False))
    db.session.flush()
    parts = [f"{'created' if created else 'linked'} client {client.name}"]
    if hiring_manager is not None:
        parts.append(f"{'invited' if invited else 'chose'} {hiring_manager.name} as hiring manager")
    if job_order is not None:
        parts.append(f"drafted {getattr(job_order, 'reference', 'a job order')}")
    record(actor, "opportunity.converted", opp, f"{actor.name} converted {opp.reference}: " + ", ".join(parts),
           internal=True, data={"client_org_id": client.id, "created_client": created,
                                "hiring_manager_id": hiring_manager.id if hiring_manager else None,
                                "invited": invited, "job_order_id": opp.job_order_id})
    return Conversion(client, created, hiring_manager, invited, job_order)


def _client_of(actor, opp, client_org_id, org_name, code, email_domain) -> tuple[Organisation, bool]:
    if opp.client_org_id or client_org_id:
        client = load_client(opp.client_org_id or client_org_id, "client_org_id")
        if not client.is_active:
            raise LeadError(f"{client.name} is deactivated; reactivate it before converting.", "client_org_id", 409)
        return client, False
    if not org_name:
        raise LeadError("Enter the client's name.", "org_name")
    try:
        return accounts.create_organisation(actor, kind="client", name=org_name, code=code,
                                            email_domain=email_domain), True
    except accounts.AccountError as exc:
        raise LeadError(exc.message, _ACCOUNT_FIELDS.get(exc.field or "", "org_name"), exc.status) from None


def _assign_owner(actor: User, client: Organisation, owner_id: int) -> None:
    """The opportunity's owner becomes one of the client's account managers (others stay)."""
    current = list(db.session.scalars(select(ClientAccountManager.user_id)
                                      .where(ClientAccountManager.client_org_id == client.id)))
    if owner_id not in current:
        accounts.set_account_managers(actor, client, current + [owner_id])


def _hiring_manager(actor, client, name, email, title, *, needed: bool) -> tuple[User | None, bool]:
    """The client's person with this e-mail when there is one, else a newly invited hiring manager."""
    email = accounts.normalise_email(email or "")
    if not email:
        if needed:
            raise LeadError("Enter the hiring manager's e-mail address: a new client needs its first person, "
                            "and the draft job order will be theirs.", "hm_email")
        return None, False
    existing = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if existing is not None and existing.org_id == client.id and existing.status == "active":
        if existing.role not in (Role.HIRING_MANAGER.value, Role.CLIENT_ADMIN.value):
            raise LeadError(f"{existing.name} can't own job orders.", "hm_email")
        return existing, False
    if not name:
        raise LeadError("Enter the hiring manager's name.", "hm_name")
    try:
        return accounts.invite_user(actor, client, email=email, name=name, role=Role.HIRING_MANAGER.value,
                                    title=title or None), True
    except accounts.AccountError as exc:
        raise LeadError(exc.message, _ACCOUNT_FIELDS.get(exc.field or "", "hm_email"), exc.status) from None


def _create_draft_job_order(actor: User, hiring_manager: User, job: DraftJob):
    """Write the first draft job order as the new client's hiring manager (the job-order domain's service)."""
    from portal.job_orders import services as job_orders

    data = {"title": job.title, "openings": job.openings, "location": job.location,
            "start_date": job.start_date, "summary": job.summary,
            # An invited hiring manager is not yet "active", which the job-order service's
            # hiring-manager check requires; they are set just below instead.
            "hiring_manager_id": None}
    try:
        draft, _ = job_orders.create_job_order(actor, data, for_client=hiring_manager)
    except job_orders.JobOrderError as exc:
        raise LeadError(f"The draft job order: {exc.message}", _JOB_FIELDS.get(exc.field or "", "job_title"),
                        exc.status if exc.status != 403 else 409) from None
    draft.hiring_manager_id = hiring_manager.id
    db.session.flush()
    return draft
