"""State changes of interviews: the client's request (one to three proposed times), the supplier's
answer (confirm one or propose others, which goes back to the client), the client's answer to
those, and the feedback after the interview.

Who may call: views after their permission check, the demo seeder and tests. Every function takes
the acting user first, takes the write lock (`writes`), flushes, never commits, and writes its
event (subject: the submission, so that its history shows it) in the same transaction.

Invariants: a submission has at most one interview being arranged or held (a new round only once
the last one has feedback or was cancelled); the submission's stage moves through
`review.lifecycle.move` (the TRANSITIONS table, a guarded UPDATE); the interview's own status moves
with a guarded `UPDATE … WHERE status = :seen AND proposal = :seen`, so of two answers given at
once (or a double click) one wins and the other is a 409 that changes nothing; a slot can be
confirmed only from the proposal being answered, by the other side, and while it is in the future.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.interviews.models import (
    OPEN,
    Interview,
    InterviewKind,
    InterviewSlot,
    InterviewStatus,
    KIND_LABELS,
)
from portal.job_orders.services import writes
from portal.review.lifecycle import check_active, check_supplier, client_job, event, move, names, when_text, who
from portal.submissions.models import Submission
from portal.submissions.services import SubmissionError

MIN_SLOTS, MAX_SLOTS = 1, 3
#: Interview lengths offered, in minutes.
DURATIONS = (15, 30, 45, 60, 90, 120, 180, 240)
HORIZON_DAYS = 180
MAX_LOCATION, MAX_NOTE, MAX_FEEDBACK = 500, 1000, 2000
MAX_INTERVIEWERS, MAX_NAME = 10, 120
S = InterviewStatus


@dataclass
class Slot:
    """A proposed time: its start (UTC) and length in minutes."""

    starts_at: datetime | None
    minutes: int | None


@dataclass
class InterviewRequest:
    """What a hiring manager may set on an interview; nothing else reaches the rows."""

    kind: str | None
    location: str | None
    interviewers: str | None
    slots: list[Slot] = field(default_factory=list)
    note: str | None = None
    create_key: str | None = None


# --- checking input ------------------------------------------------------------------------------

def clean_slots(slots: list[Slot], errors: list[tuple[str, str]]) -> list[tuple[datetime, datetime]]:
    """(start, end) of each proposed time, checked: one to three, distinct, in the future, within six
    months, of an offered length. Problems are appended to `errors`, named "slots-<n>" after the
    time they concern (its place in `slots`, empty ones included)."""
    filled = [(n, s) for n, s in enumerate(slots) if s.starts_at is not None]
    if len(filled) < MIN_SLOTS:
        errors.append(("slots-0", "Propose at least one time for the interview."))
        return []
    if len(filled) > MAX_SLOTS:
        errors.append((f"slots-{filled[MAX_SLOTS][0]}", f"Propose at most {MAX_SLOTS} times."))
        return []
    now = clock.now()
    out, starts = [], set()
    for n, slot in filled:
        start = slot.starts_at
        start = start.replace(tzinfo=timezone.utc) if start.tzinfo is None else start.astimezone(timezone.utc)
        start = start.replace(second=0, microsecond=0)
        if slot.minutes not in DURATIONS:
            errors.append((f"slots-{n}", "Choose how long the interview takes."))
        elif start <= now:
            errors.append((f"slots-{n}", f"{when_text(start)} has passed: propose a time in the future."))
        elif start > now + timedelta(days=HORIZON_DAYS):
            errors.append((f"slots-{n}", "Propose a time within the next six months."))
        elif start in starts:
            errors.append((f"slots-{n}", "This time is proposed twice: propose different times."))
        else:
            starts.add(start)
            out.append((start, start + timedelta(minutes=slot.minutes)))
    return out


_ANGLE = re.compile(r"^(?P<name>[^<>]*)<(?P<email>[^<>]+)>$")


def parse_interviewers(raw: str | None, errors: list[tuple[str, str]]) -> list[dict]:
    """One interviewer a line: "Name <e-mail>", "Name, e-mail", an e-mail or a name."""
    people = []
    for line in (raw or "").splitlines():
        line = line.strip()
        if not line:
            continue
        match = _ANGLE.match(line)
        if match:
            name, email = match["name"].strip().strip(","), match["email"].strip()
        elif "," in line:
            name, email = (part.strip() for part in line.rsplit(",", 1))
        elif "@" in line:
            name, email = "", line
        else:
            name, email = line, ""
        if email:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError:
                errors.append(("interviewers", f"“{line[:60]}” has an e-mail address that is not valid."))
                continue
        if len(name) > MAX_NAME:
            errors.append(("interviewers", f"Use {MAX_NAME} characters or fewer for each name."))
            continue
        people.append({"name": name, "email": email})
    if not people and not any(f == "interviewers" for f, _ in errors):
        errors.append(("interviewers", "Name at least one interviewer."))
    if len(people) > MAX_INTERVIEWERS:
        errors.append(("interviewers", f"Name at most {MAX_INTERVIEWERS} interviewers."))
    return people


def _text(value: str | None, limit: int, field_name: str, errors, *, required: str | None = None) -> str | None:
    value = (value or "").strip() or None
    if value is None and required:
        errors.append((field_name, required))
    elif value is not None and len(value) > limit:
        errors.append((field_name, f"Use {limit} characters or fewer."))
    return value


def _raise(errors: list[tuple[str, str]]) -> None:
    if errors:
        raise SubmissionError(errors[0][1], errors[0][0], errors=errors)


def clean_request(data: InterviewRequest) -> dict:
    """The checked request, every problem at once (422)."""
    errors: list[tuple[str, str]] = []
    if data.kind not in KIND_LABELS:
        errors.append(("kind", "Choose the type of interview."))
    location = _text(data.location, MAX_LOCATION, "location", errors,
                     required="Enter where the interview takes place: the address, the number to call or the link.")
    if location and data.kind == InterviewKind.VIDEO and not re.match(r"^https://\S+$", location):
        errors.append(("location", "Enter the video meeting link, starting with https://"))
    people = parse_interviewers(data.interviewers, errors)
    note = _text(data.note, MAX_NOTE, "note", errors)
    times = clean_slots(data.slots, errors)
    _raise(errors)
    return {"kind": data.kind, "location": location, "interviewers": people, "note": note, "times": times}


# --- reading helpers ------------------------------------------------------------------------------

def open_interview(sub: Submission) -> Interview | None:
    """The submission's interview being arranged or held, if any."""
    return db.session.scalar(select(Interview).where(Interview.submission_id == sub.id, Interview.status.in_(OPEN))
                             .order_by(Interview.round.desc()).limit(1))


def current_slots(interview: Interview) -> list[InterviewSlot]:
    """The times of the proposal being answered."""
    return list(db.session.scalars(select(InterviewSlot).where(
        InterviewSlot.interview_id == interview.id, InterviewSlot.proposal == interview.proposal)
        .order_by(InterviewSlot.starts_at)))


def _submission(interview: Interview) -> Submission:
    sub = db.session.scalar(select(Submission).where(Submission.id == interview.submission_id))
    if sub is None:
        raise SubmissionError("This interview is not your company's.", status=404)
    return sub


def _add_slots(interview: Interview, times, proposed_by: str, proposal: int) -> None:
    now = clock.now()
    for start, end in times:
        db.session.add(InterviewSlot(interview_id=interview.id, client_org_id=interview.client_org_id,
                                     supplier_org_id=interview.supplier_org_id, proposal=proposal,
                                     proposed_by=proposed_by, starts_at=start, ends_at=end, created_at=now))
    db.session.flush()


def _set_status(interview: Interview, expected: tuple[str, ...], **values) -> None:
    """Guarded UPDATE of the interview: 409 when it moved on since it was read (nothing changes)."""
    seen_proposal = interview.proposal
    result = db.session.execute(
        update(Interview).where(Interview.id == interview.id, Interview.status.in_(expected),
                                Interview.proposal == seen_proposal)
        .values(status_changed_at=clock.now(), **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.expire(interview)
        raise SubmissionError(f"This interview changed in the meantime: {interview.status_label.lower()}. "
                              "Nothing was changed; the page shows where it is now.", status=409)
    db.session.expire(interview)


def _fresh(interview: Interview) -> Interview:
    """The interview as committed now (the caller holds the write lock)."""
    db.session.expire(interview)
    interview.status  # noqa: B018 - load it now, under the lock
    return interview


def _times(n: int) -> str:
    return f"{n} time{'s' if n != 1 else ''}"


# --- the client's side ------------------------------------------------------------------------------

@writes
def request_interview(actor: User, sub: Submission, data: InterviewRequest) -> tuple[Interview, bool]:
    """Ask for an interview with one to three proposed times; returns (interview, created).

    The same form sent again (its `create_key`) returns the interview it made.
    """
    check_active(client_job(actor, sub), "it takes no more interviews")
    values = clean_request(data)
    if data.create_key:
        earlier = db.session.scalar(select(Interview).where(Interview.submission_id == sub.id,
                                                            Interview.create_key == data.create_key))
        if earlier is not None:
            return earlier, False
    if open_interview(sub) is not None:
        raise SubmissionError("An interview with this candidate is already being arranged or waits for its "
                              "feedback: finish that one first. Nothing was changed.", status=409)
    move(actor, sub, "request_interview")
    last = db.session.scalar(select(func.max(Interview.round)).where(Interview.submission_id == sub.id)) or 0
    now = clock.now()
    interview = Interview(
        submission_id=sub.id, job_order_id=sub.job_order_id, client_org_id=sub.client_org_id,
        supplier_org_id=sub.supplier_org_id, round=last + 1, status=S.REQUESTED.value, kind=values["kind"],
        location=values["location"], interviewers=values["interviewers"], note=values["note"], proposal=1,
        create_key=data.create_key, requested_by_id=actor.id, requested_at=now, status_changed_at=now)
    db.session.add(interview)
    db.session.flush()
    _add_slots(interview, values["times"], "client", 1)
    name, ref = names(sub)
    kind = KIND_LABELS[InterviewKind(values["kind"])].lower()
    event(actor, "interview.requested", sub,
          f"{who(actor)} asked for a {kind} interview with {name} for {ref}, proposing {_times(len(values['times']))}",
          data={"interview_id": interview.id, "round": interview.round})
    return interview, True


@writes
def client_confirm(actor: User, interview: Interview, slot_id: int) -> InterviewSlot:
    """Confirm one of the times the supplier proposed."""
    sub = _submission(interview)
    client_job(actor, sub)
    return _confirm(actor, sub, _fresh(interview), slot_id, waiting=S.TIMES_PROPOSED, other="supplier")


@writes
def client_propose(actor: User, interview: Interview, slots: list[Slot], note: str | None = None) -> None:
    """Propose new times (answering the supplier's, or changing the request): back with the supplier."""
    sub = _submission(interview)
    client_job(actor, sub)
    _propose(actor, sub, _fresh(interview), slots, note, side="client",
             waiting=(S.REQUESTED.value, S.TIMES_PROPOSED.value), to=S.REQUESTED)


@writes
def record_feedback(actor: User, interview: Interview, rating, notes: str | None) -> None:
    """Record the rating (1–5) and notes once the interview has taken place.

    Staff and the client read them; the supplier is told that feedback was recorded, not what it says.
    """
    sub = _submission(interview)
    client_job(actor, sub)
    errors: list[tuple[str, str]] = []
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = None
    if rating is None or not 1 <= rating <= 5:
        errors.append(("rating", "Choose a rating from 1 to 5."))
    notes = _text(notes, MAX_FEEDBACK, "notes", errors, required="Write what you thought of the interview.")
    _raise(errors)
    interview = _fresh(interview)
    if interview.status != S.CONFIRMED.value:
        raise SubmissionError(f"This interview is {interview.status_label.lower()}: there is no feedback to record "
                              "now. Nothing was changed.", status=409)
    if interview.ends_at > clock.now():
        raise SubmissionError(f"The interview ends {when_text(interview.ends_at)}: record the feedback after it. "
                              "Nothing was changed.", status=409)
    move(actor, sub, "record_feedback")
    now = clock.now()
    _set_status(interview, (S.CONFIRMED.value,), status=S.COMPLETED.value, rating=rating, feedback=notes,
                feedback_by_id=actor.id, feedback_at=now)
    name, ref = names(sub)
    event(actor, "interview.feedback_recorded", sub, f"{who(actor)} recorded feedback on the interview of {name} "
          f"for {ref}", data={"interview_id": interview.id})


# --- the supplier's side ------------------------------------------------------------------------------

@writes
def supplier_confirm(actor: User, interview: Interview, slot_id: int) -> InterviewSlot:
    """Confirm one of the times the client proposed, on the candidate's behalf."""
    sub = _submission(interview)
    check_supplier(actor, sub)
    return _confirm(actor, sub, _fresh(interview), slot_id, waiting=S.REQUESTED, other="client")


@writes
def supplier_propose(actor: User, interview: Interview, slots: list[Slot], message: str | None = None) -> None:
    """Propose other times instead of the client's: the request goes back to the hiring manager."""
    sub = _submission(interview)
    check_supplier(actor, sub)
    _propose(actor, sub, _fresh(interview), slots, message, side="supplier", waiting=(S.REQUESTED.value,),
             to=S.TIMES_PROPOSED)


# --- shared steps -------------------------------------------------------------------------------------

def _confirm(actor: User, sub: Submission, interview: Interview, slot_id, *, waiting: InterviewStatus,
             other: str) -> InterviewSlot:
    if interview.status != waiting.value:
        raise SubmissionError(f"This interview is {interview.status_label.lower()}: there is no time of "
                              f"{'the supplier' if other == 'supplier' else 'the client'} to confirm now. "
                              "Nothing was changed.", status=409)
    try:
        slot_id = int(slot_id)
    except (TypeError, ValueError):
        slot_id = 0
    slot = next((s for s in current_slots(interview) if s.id == slot_id and s.proposed_by == other), None)
    if slot is None:
        raise SubmissionError("Choose one of the times proposed in this interview.")
    if slot.starts_at <= clock.now():
        raise SubmissionError(f"{when_text(slot.starts_at)} has passed: propose other times instead. "
                              "Nothing was changed.", status=409)
    move(actor, sub, "confirm_slot")
    _set_status(interview, (waiting.value,), status=S.CONFIRMED.value, starts_at=slot.starts_at,
                ends_at=slot.ends_at, confirmed_by_id=actor.id, confirmed_at=clock.now())
    name, ref = names(sub)
    event(actor, "interview.confirmed", sub, f"{who(actor)} confirmed the interview of {name} for {ref}: "
          f"{when_text(slot.starts_at)}, {slot.minutes} minutes", data={"interview_id": interview.id})
    return slot


def _propose(actor: User, sub: Submission, interview: Interview, slots: list[Slot], message: str | None, *,
             side: str, waiting: tuple[str, ...], to: InterviewStatus) -> None:
    errors: list[tuple[str, str]] = []
    message = _text(message, MAX_NOTE, "message", errors)
    times = clean_slots(slots, errors)
    _raise(errors)
    if interview.status not in waiting:
        raise SubmissionError(f"This interview is {interview.status_label.lower()}: other times can't be proposed "
                              "now. Nothing was changed.", status=409)
    move(actor, sub, "propose_times")
    proposal = interview.proposal + 1
    extra = {"supplier_message": message} if side == "supplier" else ({"note": message} if message else {})
    _set_status(interview, waiting, status=to.value, proposal=proposal, **extra)
    _add_slots(interview, times, side, proposal)
    name, ref = names(sub)
    back_to = "the hiring manager" if side == "supplier" else "the supplier"
    event(actor, "interview.times_proposed", sub, f"{who(actor)} proposed {_times(len(times))} for the interview of "
          f"{name} for {ref}: back with {back_to}", data={"interview_id": interview.id, "proposal": proposal})


def cancel_open(sub: Submission, reason: str) -> int:
    """Cancel the submission's interviews still being arranged or held (its stage just ended, or an
    offer was made); the caller has moved the submission and writes the event. Returns how many."""
    result = db.session.execute(
        update(Interview).where(Interview.submission_id == sub.id, Interview.status.in_(OPEN))
        .values(status=S.CANCELLED.value, cancelled_at=clock.now(), cancel_reason=reason[:200],
                status_changed_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount

