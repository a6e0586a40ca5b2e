"""State changes of leads, opportunities, activities and follow-ups (conversion: `conversion.py`).

Who may call: the views (after their permission check), the demo seed, tests. Every function
takes the acting user first (None = the system, e.g. the public form), flushes and never
commits, and writes an *internal* event (only staff ever see CRM events). Invariants:

- a new lead is routed under the routing lock (see `routing.py`), in the same transaction;
- only the named keyword arguments are ever assigned (the forms never hand over a dict of
  their fields), so a forged `assigned_to_id` or `status` changes nothing;
- the same `create_key` returns what it already made: a double submit creates one row;
- state moves are guarded updates (`… WHERE stage = :expected`, `… WHERE done_at IS NULL`)
  whose row count is checked: two people acting at once cannot both succeed (409).
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask import url_for
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import OrgKind, Organisation, User, UserStatus
from portal.errors import Refusal
from portal.events.services import record
from portal.extensions import db
from portal.leads import routing
from portal.leads.models import (
    CURRENCIES,
    LABELS,
    OPEN_STAGES,
    Activity,
    ActivityKind,
    DisqualifyReason,
    FollowUp,
    Lead,
    LeadSource,
    LeadStatus,
    LostReason,
    Opportunity,
    RoutedBy,
    Stage,
    StaffLeadSettings,
    label,
)
from portal.mail.services import enqueue

MAX_VALUE = Decimal("9999999999.99")


class LeadError(Refusal):
    """A refusal about a lead, an opportunity, an activity or a follow-up."""


def _name(actor: User | None) -> str:
    return actor.name if actor is not None else "The portal"


def _by_key(model, key: str | None):
    if not key:
        return None
    return db.session.scalar(select(model).where(model.create_key == key))


def _add_once(obj, key: str | None):
    """Insert `obj`; if a concurrent request with the same form key got there first, return
    that row instead (the unique key decides, in a savepoint: nothing half-written)."""
    try:
        with db.session.begin_nested():
            db.session.add(obj)
            db.session.flush()
    except IntegrityError:
        existing = _by_key(type(obj), key)
        if existing is None:
            raise
        return existing
    return None


def _staff_user(user_id: int | None, field: str) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id)) if user_id else None
    if user is None or user.portal != "staff" or user.status != UserStatus.ACTIVE.value:
        raise LeadError("Choose an active colleague of the agency.", field)
    return user


def load_client(org_id: int | None, field: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.id == org_id)) if org_id else None
    if org is None or org.kind != OrgKind.CLIENT.value:
        raise LeadError("Choose a client company from the list.", field)
    return org


def _money(value, field: str = "expected_value") -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(value)
    except (ArithmeticError, ValueError, TypeError):
        raise LeadError("Enter the expected value as an amount, such as 25000.", field) from None
    if not amount.is_finite() or amount < 0:
        raise LeadError("The expected value can't be negative.", field)
    if amount > MAX_VALUE:
        raise LeadError("The expected value is too large.", field)
    return amount.quantize(Decimal("0.01"))


def _currency(value: str | None) -> str:
    value = (value or "USD").upper()
    if value not in CURRENCIES:
        raise LeadError("Choose a currency from the list.", "currency")
    return value


def _touch_lead(lead: Lead) -> None:
    """The first action on a lead stops its response clock."""
    if lead.first_touched_at is None:
        now = clock.now()
        db.session.execute(
            update(Lead).where(Lead.id == lead.id, Lead.first_touched_at.is_(None))
            .values(first_touched_at=now, updated_at=now,
                    status=LeadStatus.WORKING.value if lead.status == LeadStatus.NEW.value else lead.status)
            .execution_options(synchronize_session=False))
        db.session.expire(lead)


#: Mail providers whose domain says nothing about the company (never a client's domain).
FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "icloud.com", "me.com", "aol.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "mail.com",
    "yandex.com", "zoho.com", "web.de",
})


def is_free_mail(domain: str | None) -> bool:
    return (domain or "").lower() in FREE_MAIL


def suggest_code(company: str | None) -> str | None:
    """A free client code from a company name: "Initech Ltd" → INITECH (INITEC2… when taken)."""
    words = re.findall(r"[A-Za-z0-9]+", company or "")
    letters = (words[0] if words and len(words[0]) >= 3 else "".join(words)).upper()[:8]
    if len(letters) < 2:
        return None
    taken = set(db.session.scalars(select(Organisation.code).where(Organisation.code.like(letters[:6] + "%"))))
    if letters not in taken:
        return letters
    for n in range(2, 100):
        code = f"{letters[:6]}{n}"
        if code not in taken:
            return code
    return None


# --- leads -----------------------------------------------------------------------------------

def create_lead(actor: User | None, *, source: str, company_name: str, contact_name: str, email: str | None,
                phone: str | None, roles: str, headcount: int | None, location: str | None,
                start_date: date | None, details: str | None, assign_to: int | None = None,
                create_key: str | None = None, notify: bool = True) -> tuple[Lead, bool]:
    """Record a lead and route it; returns (lead, created).

    `actor` None is the public form (run it under a system scope). `assign_to` (staff only)
    gives it to that colleague instead of routing it. Unless `notify` is false (demo data),
    queues the acknowledgement to the requester (public form) and a note to the account
    manager who gets it.
    """
    if source not in LABELS[LeadSource]:
        raise LeadError("Choose where the lead came from.", "source")
    if actor is None and source != LeadSource.WEB_FORM.value:
        raise LeadError("The public form only makes request-form leads.", "source")
    if not (email or phone):
        raise LeadError("Enter an e-mail address or a phone number.", "email")
    routing.lock()
    existing = _by_key(Lead, create_key)
    if existing is not None:
        return existing, False
    now = clock.now()
    if assign_to is not None:
        assignee = _staff_user(assign_to, "assign_to")
        client = routing.client_for_email(email)
        route = routing.Route(assignee.id, RoutedBy.MANUAL, client.id if client else None)
    else:
        route = routing.choose(email)
    lead = Lead(create_key=create_key, source=source, status=LeadStatus.NEW.value,
                company_name=company_name, contact_name=contact_name, email=(email or "").lower() or None,
                phone=phone or None, roles=roles, headcount=headcount, location=location or None,
                start_date=start_date, details=details or None, client_org_id=route.client_org_id,
                assigned_to_id=route.user_id, assigned_at=now if route.user_id else None,
                routed_by=route.routed_by.value, created_by_id=actor.id if actor else None,
                created_at=now, updated_at=now, respond_by=routing.respond_by(now))
    db.session.add(lead)
    db.session.flush()
    assignee = db.session.scalar(select(User).where(User.id == route.user_id)) if route.user_id else None
    verb = "lead.received" if actor is None else "lead.created"
    if assignee is not None:
        how = f"routed to {assignee.name} ({label(RoutedBy, route.routed_by)})"
    else:
        how = "not routed: nobody is taking new leads"
    record(actor, verb, lead, f"{_name(actor)} recorded lead {lead.reference} from {lead.company_name}; {how}",
           internal=True, data={"source": source, "assigned_to_id": route.user_id,
                                "routed_by": route.routed_by.value, "client_org_id": route.client_org_id})
    if notify and actor is None and lead.email:
        enqueue(lead.email, "lead_acknowledgement", "We have received your request for talent",
                name=lead.contact_name, company=lead.company_name, reference=lead.reference, roles=lead.roles,
                headcount=lead.headcount, location=lead.location, start_date=lead.start_date)
    if notify and assignee is not None and (actor is None or assignee.id != actor.id):
        _tell_assignee(assignee, lead)
    return lead, True


def _tell_assignee(user: User, lead: Lead) -> None:
    enqueue(user.email, "lead_assigned", f"New lead for you: {lead.reference}", name=user.name,
            company=lead.company_name, reference=lead.reference, roles=lead.roles, headcount=lead.headcount,
            respond_by=lead.respond_by, link=url_for("leads.lead", lead_id=lead.id))


def reassign(actor: User, lead: Lead, user_id: int) -> None:
    """Give a lead to another colleague (and, when it was qualified, its opportunity stays put)."""
    user = _staff_user(user_id, "assigned_to_id")
    if lead.assigned_to_id == user.id:
        raise LeadError(f"{lead.reference} is already with {user.name}.", "assigned_to_id", 409)
    before = lead.assigned_to_id
    now = clock.now()
    lead.assigned_to_id, lead.assigned_at, lead.routed_by, lead.updated_at = user.id, now, RoutedBy.MANUAL.value, now
    db.session.flush()
    record(actor, "lead.reassigned", lead, f"{actor.name} gave lead {lead.reference} to {user.name}",
           internal=True, data={"from": before, "to": user.id})
    if user.id != actor.id:
        _tell_assignee(user, lead)


def disqualify(actor: User, lead: Lead, reason: str, note: str | None) -> None:
    """Close a lead that will not become business (spam, duplicate, not a fit…)."""
    if reason not in LABELS[DisqualifyReason]:
        raise LeadError("Choose why the lead is disqualified.", "reason")
    now = clock.now()
    done = db.session.execute(
        update(Lead).where(Lead.id == lead.id, Lead.status.in_([LeadStatus.NEW.value, LeadStatus.WORKING.value]))
        .values(status=LeadStatus.DISQUALIFIED.value, disqualify_reason=reason, disqualify_note=note or None,
                closed_at=now, updated_at=now, first_touched_at=lead.first_touched_at or now)
        .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise LeadError(f"{lead.reference} is no longer open; nothing was changed.", status=409)
    db.session.expire(lead)
    record(actor, "lead.disqualified", lead,
           f"{actor.name} disqualified lead {lead.reference} ({label(DisqualifyReason, reason)})",
           internal=True, data={"reason": reason})


def qualify(actor: User, lead: Lead, *, name: str, owner_id: int, expected_value=None, currency: str | None = None,
            close_date: date | None = None, create_key: str | None = None) -> Opportunity:
    """Turn an open lead into an opportunity; its activities and follow-ups come along."""
    owner = _staff_user(owner_id, "owner_id")
    value, currency = _money(expected_value), _currency(currency)
    now = clock.now()
    claimed = db.session.execute(
        update(Lead).where(Lead.id == lead.id, Lead.status.in_([LeadStatus.NEW.value, LeadStatus.WORKING.value]))
        .values(status=LeadStatus.QUALIFIED.value, closed_at=now, updated_at=now,
                first_touched_at=lead.first_touched_at or now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        existing = db.session.scalar(select(Opportunity).where(Opportunity.lead_id == lead.id))
        if existing is not None and create_key and existing.create_key == create_key:
            return existing
        raise LeadError(f"{lead.reference} is no longer open; nothing was changed.", status=409)
    db.session.expire(lead)
    opp = Opportunity(create_key=create_key, lead_id=lead.id, name=name, client_org_id=lead.client_org_id,
                      prospect_name=None if lead.client_org_id else lead.company_name,
                      contact_name=lead.contact_name, contact_email=lead.email, contact_phone=lead.phone,
                      owner_id=owner.id, stage=Stage.NEW.value, expected_value=value, currency=currency,
                      close_date=close_date, roles=lead.roles, headcount=lead.headcount, location=lead.location,
                      start_date=lead.start_date, details=lead.details, created_by_id=actor.id,
                      created_at=now, updated_at=now)
    db.session.add(opp)
    db.session.flush()
    for model in (Activity, FollowUp):
        db.session.execute(update(model).where(model.lead_id == lead.id).values(opportunity_id=opp.id)
                           .execution_options(synchronize_session=False))
    record(actor, "lead.qualified", lead, f"{actor.name} qualified lead {lead.reference} as {opp.reference}",
           internal=True, data={"opportunity_id": opp.id})
    record(actor, "opportunity.created", opp, f"{actor.name} opened {opp.reference} {opp.name} for {owner.name}",
           internal=True, data={"lead_id": lead.id, "owner_id": owner.id})
    return opp


# --- opportunities ---------------------------------------------------------------------------

def create_opportunity(actor: User, *, name: str, owner_id: int, client_org_id: int | None, prospect_name: str | None,
                       contact_name: str | None, contact_email: str | None, contact_phone: str | None,
                       roles: str | None, headcount: int | None, location: str | None, start_date: date | None,
                       details: str | None, expected_value=None, currency: str | None = None,
                       close_date: date | None = None, create_key: str | None = None) -> tuple[Opportunity, bool]:
    """An opportunity without a lead: usually more business with an existing client (an upsell)."""
    existing = _by_key(Opportunity, create_key)
    if existing is not None:
        return existing, False
    owner = _staff_user(owner_id, "owner_id")
    client = load_client(client_org_id, "client_org_id") if client_org_id else None
    if client is None and not prospect_name:
        raise LeadError("Choose an existing client or enter the prospect company's name.", "prospect_name")
    now = clock.now()
    opp = Opportunity(create_key=create_key, name=name, client_org_id=client.id if client else None,
                      prospect_name=None if client else prospect_name, contact_name=contact_name or None,
                      contact_email=(contact_email or "").lower() or None, contact_phone=contact_phone or None,
                      owner_id=owner.id, stage=Stage.NEW.value, expected_value=_money(expected_value),
                      currency=_currency(currency), close_date=close_date, roles=roles or None, headcount=headcount,
                      location=location or None, start_date=start_date, details=details or None,
                      created_by_id=actor.id, created_at=now, updated_at=now)
    duplicate = _add_once(opp, create_key)
    if duplicate is not None:
        return duplicate, False
    record(actor, "opportunity.created", opp,
           f"{actor.name} opened {opp.reference} {opp.name} ({opp.company}) for {owner.name}",
           internal=True, data={"client_org_id": opp.client_org_id, "owner_id": owner.id})
    return opp, True


#: The fields `update_opportunity` may change (and nothing else).
EDITABLE = ("name", "owner_id", "expected_value", "currency", "close_date", "contact_name", "contact_email",
            "contact_phone", "roles", "headcount", "location", "start_date", "details")


def update_opportunity(actor: User, opp: Opportunity, **values) -> dict:
    """Change the editable fields named; returns {field: [before, after]} of what changed."""
    if opp.converted_at is not None:
        raise LeadError(f"{opp.reference} has been converted; it can no longer be edited.", status=409)
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise LeadError(f"These can't be edited: {', '.join(sorted(unknown))}.")
    if "owner_id" in values:
        values["owner_id"] = _staff_user(values["owner_id"], "owner_id").id
    if "expected_value" in values:
        values["expected_value"] = _money(values["expected_value"])
    if "currency" in values:
        values["currency"] = _currency(values["currency"])
    if values.get("contact_email"):
        values["contact_email"] = values["contact_email"].lower()
    changes = {}
    for field, value in values.items():
        if isinstance(value, str):
            value = value or None
        if field == "name" and not value:
            raise LeadError("Enter a name for the opportunity.", "name")
        before = getattr(opp, field)
        if before != value:
            changes[field] = [_plain(before), _plain(value)]
            setattr(opp, field, value)
    if changes:
        opp.updated_at = clock.now()
        db.session.flush()
        record(actor, "opportunity.updated", opp,
               f"{actor.name} updated {opp.reference}: {', '.join(f.replace('_', ' ') for f in changes)}",
               internal=True, data={"changes": changes})
    return changes


def _plain(value):
    if isinstance(value, (date, Decimal)):
        return str(value)
    return value


def allowed_stages(opp: Opportunity) -> list[Stage]:
    """Where an opportunity may go from here: any open stage, won or lost while open; a lost
    one may be reopened; a won one back to proposal until it is converted; converted is final."""
    current = Stage(opp.stage)
    if opp.converted_at is not None:
        return []
    if current in OPEN_STAGES:
        return [s for s in Stage if s != current]
    if current == Stage.LOST:
        return list(OPEN_STAGES)
    return [Stage.PROPOSAL]


def next_stage(opp: Opportunity) -> str | None:
    """The move an account manager most likely makes next (the stage form's default)."""
    order = [*OPEN_STAGES, Stage.WON]
    current = Stage(opp.stage)
    if current in order[:-1]:
        return order[order.index(current) + 1].value
    return (Stage.CONTACTED if current == Stage.LOST else Stage.PROPOSAL).value


def move_stage(actor: User, opp: Opportunity, stage: str, *, lost_reason: str | None = None,
               lost_note: str | None = None) -> None:
    """Move an opportunity to `stage` with a guarded update (lost needs a reason)."""
    if stage not in LABELS[Stage]:
        raise LeadError("Choose a stage from the list.", "stage")
    target, current = Stage(stage), Stage(opp.stage)
    if target not in allowed_stages(opp):
        why = "it has been converted" if opp.converted_at else f"it is {label(Stage, current.value).lower()}"
        raise LeadError(f"{opp.reference} can't move to {label(Stage, stage).lower()}: {why}. Nothing was changed.",
                        "stage", 409)
    values: dict = {"stage": target.value, "updated_at": clock.now(), "lost_reason": None, "lost_note": None}
    if target == Stage.LOST:
        if lost_reason not in LABELS[LostReason]:
            raise LeadError("Choose why the opportunity was lost.", "lost_reason")
        values.update(lost_reason=lost_reason, lost_note=lost_note or None, closed_at=clock.now())
    elif target == Stage.WON:
        values.update(won_at=clock.now(), closed_at=clock.now())
    else:
        values.update(won_at=None, closed_at=None)
    moved = db.session.execute(
        update(Opportunity).where(Opportunity.id == opp.id, Opportunity.stage == current.value,
                                  Opportunity.converted_at.is_(None))
        .values(**values).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise LeadError(f"{opp.reference} was changed by someone else in the meantime. Nothing was changed; "
                        "reload the page to see its current stage.", "stage", 409)
    db.session.expire(opp)
    detail = f" ({label(LostReason, lost_reason)})" if target == Stage.LOST else ""
    verb = {Stage.WON: "opportunity.won", Stage.LOST: "opportunity.lost"}.get(target, "opportunity.stage_changed")
    record(actor, verb, opp, f"{actor.name} moved {opp.reference} from {label(Stage, current.value)} to "
           f"{label(Stage, target.value)}{detail}", internal=True,
           data={"from": current.value, "to": target.value, "lost_reason": values.get("lost_reason")})


# --- activities and follow-ups ---------------------------------------------------------------

def _subject(lead: Lead | None, opp: Opportunity | None):
    if (lead is None) == (opp is None):
        raise ValueError("pass a lead or an opportunity")
    return lead or opp


def log_activity(actor: User, *, lead: Lead | None = None, opportunity: Opportunity | None = None, kind: str,
                 occurred_on: date, summary: str, create_key: str | None = None) -> tuple[Activity, bool]:
    """Log a call, e-mail, meeting or note (it counts as touching the lead)."""
    subject = _subject(lead, opportunity)
    existing = _by_key(Activity, create_key)
    if existing is not None:
        return existing, False
    if kind not in LABELS[ActivityKind]:
        raise LeadError("Choose the kind of activity.", "kind")
    if occurred_on > clock.now().date():
        raise LeadError("An activity can't be in the future; add a follow-up instead.", "occurred_on")
    activity = Activity(create_key=create_key, lead_id=lead.id if lead else opportunity.lead_id,
                        opportunity_id=opportunity.id if opportunity else None, kind=kind,
                        occurred_on=occurred_on, summary=summary, created_by_id=actor.id)
    if lead is not None:
        if lead.opportunity is not None:
            activity.opportunity_id = lead.opportunity.id
        _touch_lead(lead)
    duplicate = _add_once(activity, create_key)
    if duplicate is not None:
        return duplicate, False
    record(actor, f"{subject.__tablename__}.activity_logged", subject,
           f"{actor.name} logged a {label(ActivityKind, kind).lower()} on {subject.reference}",
           internal=True, data={"activity_id": activity.id, "kind": kind})
    return activity, True


def add_follow_up(actor: User, *, lead: Lead | None = None, opportunity: Opportunity | None = None, due_on: date,
                  note: str, create_key: str | None = None) -> tuple[FollowUp, bool]:
    """Plan something to do by `due_on`; it belongs to the lead's or opportunity's owner."""
    subject = _subject(lead, opportunity)
    existing = _by_key(FollowUp, create_key)
    if existing is not None:
        return existing, False
    if due_on < clock.now().date():
        raise LeadError("The due date can't be in the past.", "due_on")
    owner_id = (lead.assigned_to_id if lead else opportunity.owner_id) or actor.id
    follow_up = FollowUp(create_key=create_key, lead_id=lead.id if lead else opportunity.lead_id,
                         opportunity_id=opportunity.id if opportunity else None, due_on=due_on, note=note,
                         owner_id=owner_id, created_by_id=actor.id)
    if lead is not None and lead.opportunity is not None:
        follow_up.opportunity_id = lead.opportunity.id
    duplicate = _add_once(follow_up, create_key)
    if duplicate is not None:
        return duplicate, False
    record(actor, f"{subject.__tablename__}.follow_up_added", subject,
           f"{actor.name} added a follow-up on {subject.reference} due {due_on:%d %b %Y}",
           internal=True, data={"follow_up_id": follow_up.id, "due_on": due_on.isoformat()})
    return follow_up, True


def complete_follow_up(actor: User, follow_up: FollowUp) -> None:
    """Mark a follow-up done, once (a second click is a 409 and writes nothing)."""
    done = db.session.execute(
        update(FollowUp).where(FollowUp.id == follow_up.id, FollowUp.done_at.is_(None))
        .values(done_at=clock.now(), done_by_id=actor.id).execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise LeadError("That follow-up is already done.", status=409)
    db.session.expire(follow_up)
    subject = follow_up.opportunity or follow_up.lead
    record(actor, "follow_up.done", follow_up, f"{actor.name} completed a follow-up on {subject.reference}",
           internal=True, data={"lead_id": follow_up.lead_id, "opportunity_id": follow_up.opportunity_id})


# --- who takes new leads ---------------------------------------------------------------------

def settings_for(user_id: int) -> StaffLeadSettings | None:
    return db.session.scalar(select(StaffLeadSettings).where(StaffLeadSettings.user_id == user_id))


def set_takes_new_leads(actor: User, user: User, takes: bool) -> None:
    """Say whether `user` (active staff) takes new leads in the round robin."""
    if user.portal != "staff":
        raise LeadError("Only the agency's people take leads.")
    if takes and user.status != UserStatus.ACTIVE.value:
        raise LeadError(f"{user.name} is not active.", status=409)
    row = settings_for(user.id)
    if row is None:
        # A newcomer starts as "least recently served": they get the next lead.
        row = StaffLeadSettings(user_id=user.id, takes_new_leads=False, last_assigned_seq=0)
        db.session.add(row)
    if row.takes_new_leads == takes:
        return
    row.takes_new_leads, row.updated_at = takes, clock.now()
    db.session.flush()
    what = "now takes new leads" if takes else "no longer takes new leads"
    record(actor, "lead.routing_changed", user, f"{_name(actor)}: {user.name} {what}",
           internal=True, data={"user_id": user.id, "takes_new_leads": takes})
