"""State changes of offers and placements: the client extends an offer, the supplier answers it on the
candidate's behalf, the client records the placement — and the last placement fills the job order.

Who may call: views after their permission check, the demo seeder and tests. Every function takes
the acting user first, takes the write lock (`writes`), flushes, never commits, and writes its
events (subject: the submission) in the same transaction. Invariants:

- one offer per submission (UNIQUE submission_id), one placement per submission and per offer
  (UNIQUE), so a double click or two people at once never make two;
- the submission moves through `review.lifecycle.move` (the TRANSITIONS table, a guarded UPDATE);
  the offer's status moves with a guarded `UPDATE … WHERE status = :seen`;
- placements never exceed the job's openings, even when two are recorded at the same moment: the
  job order row is locked first (PostgreSQL `SELECT … FOR UPDATE`; SQLite's single write lock,
  taken first by `writes`), then the placements are counted, then the new one is written;
- the placement that takes the last opening marks the job filled (the job orders' own service,
  which tells every released supplier, one event each), closes the job's other live submissions as
  "position filled" (one event each, to their supplier), withdraws their offers and cancels their
  interviews; a filled job takes no more submissions.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.interviews.services import cancel_open
from portal.job_orders.display import money
from portal.job_orders.models import LABELS, JobOrder, JobStatus, PositionType
from portal.job_orders.services import mark_filled, writes
from portal.offers.models import Offer, OfferStatus, Placement
from portal.review.lifecycle import (
    check_active,
    check_supplier,
    client_job,
    current_stage,
    event,
    move,
    moved_message,
    names,
    who,
)
from portal.submissions import services as submissions, tally
from portal.submissions.models import Stage, Submission
from portal.submissions.services import RATE_CEILING, SubmissionError

MAX_NOTE, MAX_DECLINE = 1000, 500
START_HORIZON_DAYS = 365
MAX_CONTRACT_YEARS = 5


@dataclass
class OfferTerms:
    """What a hiring manager may set on an offer; nothing else reaches the row."""

    rate: Decimal | None
    start_date: date | None
    end_date: date | None = None
    note: str | None = None


def amount(value: Decimal, currency: str, unit: str) -> str:
    """ "75 USD/hour", "92,000 USD/year"."""
    return f"{money(value)} {currency}/{unit}"


def _end_rule(job: JobOrder) -> str:
    """Whether an offer's end date is "required" (contracts), "optional" (contract-to-hire) or "none"."""
    if job.position_type == PositionType.CONTRACT.value:
        return "required"
    if job.position_type == PositionType.DIRECT_HIRE.value:
        return "none"
    return "optional"


def clean_terms(terms: OfferTerms, sub: Submission, job: JobOrder) -> dict:
    """The checked terms, every problem at once (422)."""
    errors: list[tuple[str, str]] = []
    rate = terms.rate
    try:
        rate = Decimal(rate) if rate is not None else None
        if rate is not None and (not rate.is_finite() or rate <= 0):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        rate = None
        errors.append(("rate", "Enter a rate above zero, like 75 or 75.50."))
    else:
        if rate is None:
            errors.append(("rate", "Enter the rate you offer, like 75 or 75.50."))
        elif rate.as_tuple().exponent < -2:
            errors.append(("rate", "Use at most 2 decimals for the rate."))
        elif rate > RATE_CEILING.get(sub.rate_unit, RATE_CEILING["year"]):
            errors.append(("rate", f"Check the rate: {amount(rate, sub.currency, sub.rate_unit)} is more than the "
                                   "portal accepts."))
    today = clock.now().date()
    start, end = terms.start_date, terms.end_date
    if start is None:
        errors.append(("start_date", "Enter the start date."))
    elif start < today:
        errors.append(("start_date", "The start date can't be in the past."))
    elif start > today + timedelta(days=START_HORIZON_DAYS):
        errors.append(("start_date", "Enter a start date within the next 12 months."))
    rule = _end_rule(job)
    kind = LABELS[PositionType].get(job.position_type or "", "this").lower()
    if rule == "required" and end is None:
        errors.append(("end_date", "Enter the end date of the contract."))
    elif rule == "none" and end is not None:
        errors.append(("end_date", f"A {kind} offer has no end date: leave it empty."))
    elif end is not None and start is not None and end <= start:
        errors.append(("end_date", "The end date must be after the start date."))
    elif end is not None and start is not None and end > start + timedelta(days=366 * MAX_CONTRACT_YEARS):
        errors.append(("end_date", f"Enter an end date within {MAX_CONTRACT_YEARS} years of the start."))
    note = (terms.note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        errors.append(("note", f"Use {MAX_NOTE} characters or fewer."))
    if errors:
        raise SubmissionError(errors[0][1], errors[0][0], errors=errors)
    return {"rate": rate.quantize(Decimal("0.01")), "start_date": start, "end_date": end, "note": note}


def offer_of(sub: Submission) -> Offer | None:
    return db.session.scalar(select(Offer).where(Offer.submission_id == sub.id))


def _fresh_offer(offer: Offer) -> Offer:
    db.session.expire(offer)
    offer.status  # noqa: B018 - load it now, under the lock
    return offer


def _set_offer(offer: Offer, expected: tuple[str, ...], **values) -> None:
    """Guarded UPDATE of the offer: 409 when it was answered or withdrawn meanwhile."""
    result = db.session.execute(update(Offer).where(Offer.id == offer.id, Offer.status.in_(expected))
                                .values(**values).execution_options(synchronize_session=False))
    db.session.expire(offer)
    if result.rowcount != 1:
        raise SubmissionError(f"This offer changed in the meantime: {offer.status_label.lower()}. Nothing was "
                              "changed; the page shows where it is now.", status=409)


def _withdraw_offer(sub: Submission) -> None:
    db.session.execute(update(Offer).where(Offer.submission_id == sub.id,
                                           Offer.status.in_([OfferStatus.EXTENDED.value, OfferStatus.ACCEPTED.value]))
                       .values(status=OfferStatus.WITHDRAWN.value, withdrawn_at=clock.now())
                       .execution_options(synchronize_session=False))


# --- the client extends an offer ------------------------------------------------------------------

@writes
def extend_offer(actor: User, sub: Submission, terms: OfferTerms) -> Offer:
    """Offer the job to a shortlisted or interviewed candidate (rate, start, end date for contracts).

    Interviews still being arranged or not yet held are cancelled: the decision is made.
    """
    job = client_job(actor, sub)
    values = clean_terms(terms, sub, job)
    check_active(job, "it takes no more offers")
    move(actor, sub, "make_offer")
    cancel_open(sub, "An offer was made")
    now = clock.now()
    offer = Offer(submission_id=sub.id, job_order_id=sub.job_order_id, client_org_id=sub.client_org_id,
                  supplier_org_id=sub.supplier_org_id, status=OfferStatus.EXTENDED.value, rate_type=sub.rate_type,
                  currency=sub.currency, rate_unit=sub.rate_unit, extended_by_id=actor.id, extended_at=now, **values)
    try:
        with db.session.begin_nested():
            db.session.add(offer)
            db.session.flush()
    except IntegrityError:
        # An earlier offer of this submission exists (it was declined or withdrawn): one offer each.
        raise SubmissionError("This candidate already had an offer. Nothing was changed.", status=409) from None
    name, ref = names(sub)
    end = f" until {offer.end_date:%d %b %Y}" if offer.end_date else ""
    event(actor, "offer.extended", sub, f"{who(actor)} made an offer to {name} for {ref}: "
          f"{amount(offer.rate, offer.currency, offer.rate_unit)}, starting {offer.start_date:%d %b %Y}{end}",
          data={"offer_id": offer.id})
    return offer


# --- the supplier answers -------------------------------------------------------------------------

def _supplier_offer(actor: User, offer: Offer) -> Submission:
    sub = db.session.scalar(select(Submission).where(Submission.id == offer.submission_id))
    if sub is None:
        raise SubmissionError("This offer is not your company's.", status=404)
    check_supplier(actor, sub)
    return sub


@writes
def accept_offer(actor: User, offer: Offer) -> None:
    """The candidate accepts (the supplier answers on their behalf): the client can place them."""
    sub = _supplier_offer(actor, offer)
    offer = _fresh_offer(offer)
    if offer.status != OfferStatus.EXTENDED.value:
        raise SubmissionError(f"This offer is {offer.status_label.lower()}: it can't be accepted now. "
                              "Nothing was changed.", status=409)
    move(actor, sub, "accept_offer")
    _set_offer(offer, (OfferStatus.EXTENDED.value,), status=OfferStatus.ACCEPTED.value, answered_by_id=actor.id,
               answered_at=clock.now())
    name, ref = names(sub)
    event(actor, "offer.accepted", sub, f"{who(actor)}: {name} accepted the offer for {ref}",
          data={"offer_id": offer.id})


@writes
def decline_offer(actor: User, offer: Offer, reason: str | None) -> None:
    """The candidate declines (also after accepting, when they change their mind), with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("Say why the candidate declines the offer.", "reason")
    if len(reason) > MAX_DECLINE:
        raise SubmissionError(f"Use {MAX_DECLINE} characters or fewer.", "reason")
    sub = _supplier_offer(actor, offer)
    offer = _fresh_offer(offer)
    answerable = (OfferStatus.EXTENDED.value, OfferStatus.ACCEPTED.value)
    if offer.status not in answerable:
        raise SubmissionError(f"This offer is {offer.status_label.lower()}: it can't be declined now. "
                              "Nothing was changed.", status=409)
    move(actor, sub, "decline_offer")
    _set_offer(offer, answerable, status=OfferStatus.DECLINED.value, answered_by_id=actor.id,
               answered_at=clock.now(), decline_reason=reason)
    name, ref = names(sub)
    event(actor, "offer.declined", sub, f"{who(actor)}: {name} declined the offer for {ref}: {reason}",
          data={"offer_id": offer.id})


# --- the placement, and filling the job -------------------------------------------------------------

def _lock_job(job_id: int):
    """Lock the job order row until commit and read it afresh (the caller holds SQLite's write lock)."""
    jo = JobOrder.__table__.c
    stmt = select(jo.id, jo.status, jo.openings, jo.reference, jo.title).where(jo.id == job_id)
    if db.session.connection().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).one()


def placed_count(job_id: int) -> int:
    """Placements on a job order, every supplier's (a fact about the job, past the caller's scope)."""
    c = Placement.__table__.c
    return db.session.scalar(select(func.count()).where(c.job_order_id == job_id))


@writes
def place(actor: User, sub: Submission, *, create_key: str | None = None) -> tuple[Placement, bool]:
    """Record the placement of a candidate whose offer was accepted; returns (placement, created).

    The same form sent again returns the placement it made (a double click places once); the last
    opening placed fills the job order (see the module's invariants).
    """
    job = client_job(actor, sub)
    locked = _lock_job(job.id)
    existing = db.session.scalar(select(Placement).where(Placement.submission_id == sub.id))
    if existing is not None:
        if create_key and existing.create_key == create_key:
            return existing, False
        raise SubmissionError(f"{names(sub)[0]} is already placed. Nothing was changed.", status=409)
    if locked.status not in (JobStatus.OPEN.value, JobStatus.ON_HOLD.value):
        state = LABELS[JobStatus].get(locked.status, locked.status).lower()
        raise SubmissionError(f"{locked.reference} is {state}: no one more can be placed. Nothing was changed.",
                              status=409)
    placed = placed_count(job.id)
    if placed >= locked.openings:
        raise SubmissionError(f"Every opening of {locked.reference} is placed ({placed} of {locked.openings}). "
                              "Nothing was changed.", status=409)
    stage = current_stage(sub.id)
    if stage != Stage.OFFER.value:
        raise SubmissionError(moved_message(stage, "place"), status=409)
    offer = offer_of(sub)
    if offer is not None:
        offer = _fresh_offer(offer)
    if offer is None or offer.status != OfferStatus.ACCEPTED.value:
        raise SubmissionError("The candidate has not accepted the offer yet: record the placement once they have. "
                              "Nothing was changed.", status=409)
    move(actor, sub, "place")
    now = clock.now()
    placement = Placement(
        submission_id=sub.id, offer_id=offer.id, job_order_id=job.id, client_org_id=sub.client_org_id,
        supplier_org_id=sub.supplier_org_id, create_key=create_key, placed_by_id=actor.id, placed_at=now,
        **offer.terms())
    db.session.add(placement)
    db.session.flush()
    name, ref = names(sub)
    left = locked.openings - placed - 1
    event(actor, "placement.recorded", sub, f"{who(actor)} placed {name} on {ref}, starting "
          f"{placement.start_date:%d %b %Y} ({placed + 1} of {locked.openings} opening"
          f"{'s' if locked.openings != 1 else ''} placed)", data={"placement_id": placement.id, "left": left})
    if left == 0:
        fill(job)
    return placement, True


def fill(job: JobOrder) -> int:
    """The last opening is placed: mark the job filled (its suppliers are told) and close the job's
    other live submissions as "position filled". Returns how many submissions closed."""
    db.session.expire(job)
    mark_filled(job)
    sources = [t.source.value for t in submissions.TRANSITIONS if t.action == "close_on_fill"]
    with system_scope("close the live submissions of a filled job order"):
        live = list(db.session.scalars(select(Submission).where(Submission.job_order_id == job.id,
                                                                Submission.stage.in_(sources))))
        closed = 0
        for sub in live:
            seen = sub.stage
            result = db.session.execute(
                update(Submission).where(Submission.id == sub.id, Submission.stage == seen)
                .values(stage=Stage.CLOSED.value, stage_changed_at=clock.now())
                .execution_options(synchronize_session=False))
            if result.rowcount != 1:
                continue  # withdrawn by its supplier at this very moment: ended anyway
            tally.moved(sub.job_order_id, seen, Stage.CLOSED.value)
            db.session.expire(sub)
            cancel_open(sub, "The position was filled")
            _withdraw_offer(sub)
            name, ref = names(sub)
            event(None, submissions.VERBS["close_on_fill"], sub,
                  f"{ref} was filled: {name}'s submission closed (position filled)",
                  data={"from": seen, "to": Stage.CLOSED.value})
            closed += 1
    return closed


def on_rejected(sub: Submission) -> None:
    """A client rejected the candidate: withdraw its offer and cancel its interviews."""
    _withdraw_offer(sub)
    cancel_open(sub, "The candidate was rejected")
