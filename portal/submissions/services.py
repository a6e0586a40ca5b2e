"""State changes of submissions: submit (with a new candidate or résumé in the same transaction),
forward, screen-reject, withdraw; the per-client screening setting.

Who may call: views after their permission check, the demo seeder and tests. Every function takes
the acting user first, flushes, never commits, and writes its events in the same transaction.
Invariants, each held where a race cannot break it:

- one person per job order, whoever submits: UNIQUE (job_order_id, email_key), (job_order_id,
  phone_key) and (job_order_id, candidate_id). Any submission row owns its person for that job for
  good, withdrawn or rejected too. The insert runs in a SAVEPOINT; losing the race to another
  supplier is the same 409 as the check before it, and the refused supplier never learns by whom;
- a supplier's live submissions on a job never exceed its submission limit: the (job, supplier)
  release row is locked first (PostgreSQL `SELECT … FOR UPDATE`; SQLite `BEGIN IMMEDIATE`, the
  database's single write lock, through `writes`), then the live ones are counted, then the new one
  is inserted;
- the job is open and released to the supplier (not pulled) when the submission is written: read
  again under that lock, with the job row share-locked on PostgreSQL so a hold or close waits;
- one submission per submit form: UNIQUE (supplier_org_id, create_key);
- the life cycle is the one `TRANSITIONS` table; each move is a guarded
  `UPDATE … WHERE stage = :expected` whose row count is checked (a refused move changes nothing).

Events are stamped with the supplier always, and with the client only once the submission is
visible to it (`client_visible_at`), so a client never reads about a submission it cannot see.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import OrgKind, Organisation, Role, User
from portal.candidates.models import Candidate
from portal.candidates.services import CandidateData, CandidateError, attach_resume, create_candidate, current_resume
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.files.documents import Document
from portal.job_orders.models import LABELS, ClientJobSettings, JobOrder, JobOrderRelease, JobStatus, RateType
from portal.job_orders.services import writes
from portal.submissions import tally
from portal.submissions.models import LIVE_VALUES, REJECT_LABELS, RejectReason, Stage, Submission

ALREADY_REPRESENTED = "This candidate is already represented on this job order."
MAX_NOTE = 2000
MAX_REJECT_NOTE = 1000
MAX_WITHDRAW_REASON = 500
#: Rates above these are typing mistakes, whatever the job says (an hourly rate, a yearly salary).
RATE_CEILING = {"hour": Decimal("5000"), "year": Decimal("10000000")}
#: How far ahead an availability date may be.
AVAILABILITY_HORIZON_DAYS = 365


class SubmissionError(ValueError):
    """A change refused for a reason the user can act on.

    `status`: 422 bad input, 409 not allowed now (state, limit, duplicate, changed meanwhile),
    403 the role may not, 404 not theirs. `errors` lists (field, message); `duplicate` is set
    when the person is already represented on the job (`own_submission_id` when by the actor's
    own company, which may be told where its submission is).
    """

    def __init__(self, message: str, field: str | None = None, status: int = 422,
                 errors: list[tuple[str | None, str]] | None = None, duplicate: "Duplicate | None" = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors or [(field, message)]
        self.duplicate = duplicate


@dataclass(frozen=True)
class Duplicate:
    """Which submission already owns the person on a job, and what matched (for staff only)."""

    job_order_id: int
    existing_id: int
    existing_supplier_org_id: int
    match: str  # "email", "phone" or "candidate"
    own: bool


# --- the life cycle ---------------------------------------------------------------------------

SUPPLIER = frozenset({Role.RECRUITER.value, Role.SUPPLIER_ADMIN.value})
STAFF = frozenset({Role.ACCOUNT_MANAGER.value, Role.STAFF_ADMIN.value})
CLIENT = frozenset({Role.HIRING_MANAGER.value, Role.CLIENT_ADMIN.value})
SYSTEM = frozenset({"system"})
S = Stage


@dataclass(frozen=True)
class Transition:
    source: Stage | None  # None: the submission is being created
    action: str
    target: Stage
    roles: frozenset[str]


#: Every move a submission can make, and who may make it. The client's review, interviews, offers and
#: placements (portal/review, interviews, offers) make theirs through `review.lifecycle.move`; a move
#: from a stage to itself (an interview answered, an offer accepted) is still guarded by the stage.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(None, "submit", S.SUBMITTED, SUPPLIER),                    # client screened by staff
    Transition(None, "submit_unscreened", S.CLIENT_REVIEW, SUPPLIER),     # straight to the client
    Transition(S.SUBMITTED, "forward", S.CLIENT_REVIEW, STAFF),
    Transition(S.SUBMITTED, "screen_reject", S.REJECTED, STAFF),
    *(Transition(s, "withdraw", S.WITHDRAWN, SUPPLIER)
      for s in (S.SUBMITTED, S.CLIENT_REVIEW, S.SHORTLISTED, S.INTERVIEW, S.OFFER)),
    Transition(S.CLIENT_REVIEW, "shortlist", S.SHORTLISTED, CLIENT),
    *(Transition(s, "client_reject", S.REJECTED, CLIENT)
      for s in (S.CLIENT_REVIEW, S.SHORTLISTED, S.INTERVIEW, S.OFFER)),
    *(Transition(s, "request_interview", S.INTERVIEW, CLIENT) for s in (S.CLIENT_REVIEW, S.SHORTLISTED, S.INTERVIEW)),
    Transition(S.INTERVIEW, "confirm_slot", S.INTERVIEW, CLIENT | SUPPLIER),
    Transition(S.INTERVIEW, "propose_times", S.INTERVIEW, CLIENT | SUPPLIER),
    Transition(S.INTERVIEW, "record_feedback", S.INTERVIEW, CLIENT),
    *(Transition(s, "make_offer", S.OFFER, CLIENT) for s in (S.SHORTLISTED, S.INTERVIEW)),
    Transition(S.OFFER, "accept_offer", S.OFFER, SUPPLIER),               # on the candidate's behalf
    Transition(S.OFFER, "decline_offer", S.OFFER_DECLINED, SUPPLIER),
    Transition(S.OFFER, "place", S.PLACED, CLIENT),                       # once the offer is accepted
    *(Transition(s, "close_on_fill", S.CLOSED, SYSTEM)                    # the job's last opening placed
      for s in (S.SUBMITTED, S.CLIENT_REVIEW, S.SHORTLISTED, S.INTERVIEW, S.OFFER)),
)
_BY_KEY = {(t.source, t.action): t for t in TRANSITIONS}
ACTION_WORDS = {"forward": "forwarded to the client", "screen_reject": "rejected at screening",
                "withdraw": "withdrawn", "shortlist": "shortlisted", "client_reject": "rejected",
                "request_interview": "invited to an interview", "confirm_slot": "scheduled for interview",
                "propose_times": "rescheduled", "record_feedback": "given interview feedback",
                "make_offer": "offered the job", "accept_offer": "marked as accepting the offer",
                "decline_offer": "marked as declining the offer", "place": "placed",
                "close_on_fill": "closed (position filled)"}
VERBS = {"submit": "submission.created", "submit_unscreened": "submission.created",
         "forward": "submission.forwarded", "screen_reject": "submission.rejected",
         "withdraw": "submission.withdrawn", "shortlist": "submission.shortlisted",
         "client_reject": "submission.rejected", "request_interview": "interview.requested",
         "confirm_slot": "interview.confirmed", "propose_times": "interview.times_proposed",
         "record_feedback": "interview.feedback_recorded", "make_offer": "offer.extended",
         "accept_offer": "offer.accepted", "decline_offer": "offer.declined", "place": "placement.recorded",
         "close_on_fill": "submission.closed"}


def _role(actor: User | None) -> str:
    return "system" if actor is None else actor.role


def allowed_actions(actor: User, sub: Submission) -> set[str]:
    """The moves `actor` may make on `sub` now (templates show buttons from it; services re-check)."""
    if actor.portal == "supplier" and actor.org_id != sub.supplier_org_id:
        return set()
    role = _role(actor)
    return {t.action for t in TRANSITIONS if t.source is not None and t.source == sub.stage and role in t.roles}


def _move(actor: User, sub: Submission, action: str, **values) -> Transition:
    """Move `sub` by `action` with a guarded UPDATE: 403 for the role, 409 for the stage."""
    role = _role(actor)
    if not any(t.action == action and role in t.roles for t in TRANSITIONS):
        raise SubmissionError(f"Your role can't mark submissions {ACTION_WORDS[action]}.", status=403)
    if actor.portal == "supplier" and actor.org_id != sub.supplier_org_id:
        raise SubmissionError("This submission is not your company's.", status=404)
    current = Stage(sub.stage)
    t = _BY_KEY.get((current, action))
    if t is None:
        raise SubmissionError(f"This submission is {current.label.lower()}: it can't be {ACTION_WORDS[action]}. "
                              "Nothing was changed.", status=409)
    now = clock.now()
    result = db.session.execute(
        update(Submission).where(Submission.id == sub.id, Submission.stage == t.source.value)
        .values(stage=t.target.value, stage_changed_at=now, **values)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise SubmissionError("This submission was changed by someone else in the meantime. Nothing was changed; "
                              "reload the page to see its current stage.", status=409)
    tally.moved(sub.job_order_id, t.source.value, t.target.value)
    db.session.expire(sub)
    return t


def _event(actor: User | None, verb: str, sub: Submission, summary: str, *, data: dict | None = None):
    """One event about `sub`: the supplier always; the client only once the submission is visible to it."""
    return record(actor, verb, sub, summary, supplier_org_id=sub.supplier_org_id,
                  client_org_id=sub.client_org_id if sub.client_visible_at is not None else None,
                  data=dict(data or {}, job_order_id=sub.job_order_id))


# --- reading helpers --------------------------------------------------------------------------

def screens_submissions(client_org_id: int) -> bool:
    """Whether staff screen this client's submissions before it sees them (default: no)."""
    with system_scope("screening setting"):
        return bool(db.session.scalar(select(ClientJobSettings.screen_submissions)
                                      .where(ClientJobSettings.client_org_id == client_org_id)))


def live_submission_count(job_id: int, supplier_org_id: int | None = None) -> int:
    """Live submissions on a job (every supplier's, or one supplier's): not rejected, withdrawn,
    declined or closed. Counts past the caller's scope on purpose: coverage and limits are facts
    about the job."""
    c = Submission.__table__.c
    stmt = select(func.count()).where(c.job_order_id == job_id, c.stage.in_(LIVE_VALUES))
    if supplier_org_id is not None:
        stmt = stmt.where(c.supplier_org_id == supplier_org_id)
    return db.session.scalar(stmt)


def has_any_submission(job_id: int) -> bool:
    """Whether any supplier has ever submitted a candidate to the job (any stage)."""
    c = Submission.__table__.c
    return db.session.scalar(select(c.id).where(c.job_order_id == job_id).limit(1)) is not None


def find_duplicate(job_order_id: int, *, candidate_id: int | None, email_key: str | None,
                   phone_key: str | None, supplier_org_id: int) -> Duplicate | None:
    """The submission that already owns this person on the job, across every supplier."""
    tests = [(Submission.candidate_id, candidate_id, "candidate"), (Submission.email_key, email_key, "email"),
             (Submission.phone_key, phone_key, "phone")]
    tests = [(col, value, name) for col, value, name in tests if value is not None]
    if not tests:
        return None
    with system_scope("duplicate check across suppliers"):
        row = db.session.execute(
            select(Submission.id, Submission.supplier_org_id, Submission.candidate_id, Submission.email_key,
                   Submission.phone_key)
            .where(Submission.job_order_id == job_order_id, or_(*(col == value for col, value, _ in tests)))
            .order_by(Submission.id).limit(1)).first()
    if row is None:
        return None
    found = {"candidate": row.candidate_id, "email": row.email_key, "phone": row.phone_key}
    match = next(name for _, value, name in tests if found[name] == value)
    return Duplicate(job_order_id, row.id, row.supplier_org_id, match, row.supplier_org_id == supplier_org_id)


# --- submit ----------------------------------------------------------------------------------

@dataclass
class SubmitData:
    """What a supplier may set on a submission; nothing else reaches the row (no mass assignment)."""

    rate: Decimal | None
    available_from: date | None
    note: str | None = None
    right_to_represent: bool = False
    create_key: str | None = None


@dataclass(frozen=True)
class Terms:
    """What the job asks of a submission's rate, read under the lock."""

    rate_type: str  # "bill_rate" or "salary"
    currency: str
    unit: str
    maximum: Decimal | None

    @property
    def rate_name(self) -> str:
        return "salary" if self.rate_type == "salary" else "bill rate"

    def amount(self, value: Decimal) -> str:
        return f"{value:,.2f} {self.currency}/{self.unit}"


def terms_of(job: JobOrder) -> Terms:
    """Salary jobs take an expected salary capped by the salary maximum; bill-rate jobs (and jobs
    whose rate type is not given: the job form's default) a bill rate capped by the maximum; pay-rate
    jobs a bill rate with no cap (a pay rate is what the worker earns, not what the client is
    billed, so the two can't be compared)."""
    salary = job.rate_type == RateType.SALARY.value
    unit = job.rate_unit or ("year" if salary else "hour")
    capped = job.rate_type != RateType.PAY_RATE.value
    return Terms("salary" if salary else "bill_rate", job.currency or "USD", unit,
                 job.rate_max if capped else None)


def _clean(data: SubmitData) -> dict:
    """Checked values of the supplier's input; every problem at once (422)."""
    errors: list[tuple[str, str]] = []
    rate = data.rate
    if rate is None:
        errors.append(("rate", "Enter the rate, like 65 or 65.50."))
    else:
        try:
            rate = Decimal(rate)
            if not rate.is_finite() or rate <= 0:
                raise InvalidOperation
            if rate.as_tuple().exponent < -2:
                errors.append(("rate", "Use at most 2 decimals for the rate."))
            rate = rate.quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError, TypeError):
            errors.append(("rate", "Enter a rate above zero, like 65 or 65.50."))
            rate = None
    today = clock.now().date()
    available = data.available_from
    if available is None:
        errors.append(("available_from", "Enter the date the candidate can start."))
    elif not isinstance(available, date):
        errors.append(("available_from", "Enter the start date as a real date, like 2027-03-01."))
    elif available < today:
        errors.append(("available_from", "The availability date can't be in the past: use today's date if the "
                                          "candidate can start now."))
    elif available > today + timedelta(days=AVAILABILITY_HORIZON_DAYS):
        errors.append(("available_from", "Enter an availability date within the next 12 months."))
    note = (data.note or "").strip() or None
    if note and len(note) > MAX_NOTE:
        errors.append(("note", f"Use {MAX_NOTE} characters or fewer."))
    if data.right_to_represent is not True:
        errors.append(("right_to_represent", "Confirm that your company has the candidate's right to represent "
                                             "them for this job order."))
    if errors:
        raise SubmissionError(errors[0][1], errors[0][0], errors=errors)
    return {"rate": rate, "available_from": available, "note": note}


def _lock_release(job: JobOrder, supplier_org_id: int):
    """Lock the (job, supplier) release row and read the job again under it.

    The caller already holds SQLite's write lock (`writes`); on PostgreSQL the release row is
    locked FOR UPDATE (serialising one supplier's submitters on one job) and the job row FOR NO KEY
    UPDATE (a hold, close or edit of the job waits for the submission to commit, and so does another
    supplier's submitter: the submission updates the job's tally, `tally.added`, and two submitters
    holding the row FOR SHARE while each waited for the other's person key would deadlock). Returns
    (release, job values), read fresh; release is None when the job was never released to the supplier.
    """
    postgres = db.session.connection().dialect.name == "postgresql"
    rel, jo = JobOrderRelease.__table__.c, JobOrder.__table__.c
    stmt = select(rel.id, rel.released_at, rel.withdrawn_at).where(
        rel.job_order_id == job.id, rel.supplier_org_id == supplier_org_id)
    release = db.session.execute(stmt.with_for_update() if postgres else stmt).first()
    stmt = select(jo.status, jo.reference, jo.title, jo.client_org_id, jo.submission_limit, jo.rate_type,
                  jo.rate_max, jo.currency, jo.rate_unit).where(jo.id == job.id)
    fresh = db.session.execute(stmt.with_for_update(key_share=True) if postgres else stmt).one()
    return release, fresh


def _check_open(fresh, release) -> None:
    """409 unless the job is open and released to the supplier (not pulled), as read under the lock."""
    ref = fresh.reference
    if release is None or release.released_at is None or release.withdrawn_at is not None:
        raise SubmissionError(f"{ref} is closed to your company: it takes no submissions from you. "
                              "Nothing was submitted.", status=409)
    if fresh.status == JobStatus.ON_HOLD.value:
        raise SubmissionError(f"{ref} was put on hold: it takes no submissions until it reopens. "
                              "Nothing was submitted.", status=409)
    if fresh.status != JobStatus.OPEN.value:
        state = LABELS[JobStatus].get(fresh.status, fresh.status).lower()
        raise SubmissionError(f"{ref} is {state}: it takes no more submissions. Nothing was submitted.", status=409)


def _check_rate(rate: Decimal, terms: Terms) -> None:
    ceiling = RATE_CEILING.get(terms.unit, RATE_CEILING["year"])
    if terms.maximum is not None and rate > terms.maximum:
        raise SubmissionError(f"The maximum {terms.rate_name} for this job is {terms.amount(terms.maximum)}.", "rate")
    if rate > ceiling:
        raise SubmissionError(f"Check the {terms.rate_name}: {terms.amount(rate)} is more than the portal accepts "
                              f"({terms.amount(ceiling)}).", "rate")


def _check_limit(job_id: int, supplier_org_id: int, limit: int, ref: str) -> None:
    live = live_submission_count(job_id, supplier_org_id)
    if live >= limit:
        raise SubmissionError(
            f"Your company already has {live} live submission{'s' if live != 1 else ''} on {ref}, the most this job "
            f"order takes from one supplier ({limit}). Withdraw one to submit another. Nothing was submitted.",
            status=409)


def existing_for_key(supplier_org_id: int, create_key: str | None) -> Submission | None:
    """The submission an earlier sending of the same submit form created, if any."""
    if not create_key:
        return None
    return db.session.scalar(select(Submission).where(Submission.supplier_org_id == supplier_org_id,
                                                      Submission.create_key == create_key))


def _candidate_error(exc: CandidateError) -> SubmissionError:
    """A refusal of the new-candidate section, named after its form fields (`candidate-<field>`)."""
    field = f"candidate-{exc.field}" if exc.field else None
    return SubmissionError(exc.message, field, exc.status if exc.status in (409, 422) else 422)


@writes
def submit(actor: User, job: JobOrder, data: SubmitData, *, candidate: Candidate | None = None,
           new_candidate: CandidateData | None = None,
           upload: tuple[Document, bytes] | None = None) -> tuple[Submission, bool]:
    """Submit one of the actor's candidates (or a new one, created here) to `job`; returns
    (submission, created). The same form sent again returns the submission it made.

    `upload` is an inspected résumé to attach first (it becomes the candidate's current one);
    without it the candidate's current résumé is sent. Raises SubmissionError (see the module
    invariants); on a duplicate the caller rolls back, then calls `note_duplicate_refused`.
    """
    if actor.portal != "supplier":
        raise SubmissionError("Candidates are submitted by suppliers.", status=403)
    if (candidate is None) == (new_candidate is None):
        raise SubmissionError("Choose the candidate to submit.", "candidate")
    if candidate is not None and candidate.supplier_org_id != actor.org_id:
        raise SubmissionError("This candidate is not in your pool.", status=404)
    values = _clean(data)
    if upload is None and (candidate is None or current_resume(candidate) is None):
        raise SubmissionError("Upload the candidate's résumé (PDF, DOCX or DOC).", "resume_file")

    release, fresh = _lock_release(job, actor.org_id)
    earlier = existing_for_key(actor.org_id, data.create_key)
    if earlier is not None:
        return earlier, False
    _check_open(fresh, release)
    terms = terms_of(fresh)
    _check_rate(values["rate"], terms)
    _check_limit(job.id, actor.org_id, fresh.submission_limit, fresh.reference)

    if new_candidate is not None:
        try:
            candidate, _ = create_candidate(actor, new_candidate, request_key=data.create_key)
        except CandidateError as exc:
            raise _candidate_error(exc) from exc
    duplicate = find_duplicate(job.id, candidate_id=candidate.id, email_key=candidate.email_normalised,
                               phone_key=candidate.phone_normalised, supplier_org_id=actor.org_id)
    if duplicate is not None:
        raise SubmissionError(ALREADY_REPRESENTED, status=409, duplicate=duplicate)
    if upload is not None:
        try:
            resume, _ = attach_resume(actor, candidate, *upload)
        except CandidateError as exc:
            raise SubmissionError(exc.message, "resume_file", exc.status) from exc
    else:
        resume = current_resume(candidate)

    screened = screens_submissions(fresh.client_org_id)
    t = _BY_KEY[(None, "submit" if screened else "submit_unscreened")]
    now = clock.now()
    sub = Submission(
        job_order_id=job.id, candidate_id=candidate.id, resume_id=resume.id, client_org_id=fresh.client_org_id,
        supplier_org_id=actor.org_id, submitted_by_id=actor.id, stage=t.target.value,
        rate=values["rate"], rate_type=terms.rate_type, currency=terms.currency, rate_unit=terms.unit,
        available_from=values["available_from"], note=values["note"], right_to_represent_at=now,
        email_key=candidate.email_normalised, phone_key=candidate.phone_normalised, create_key=data.create_key,
        submitted_at=now, stage_changed_at=now, client_visible_at=None if screened else now)
    try:
        with db.session.begin_nested():
            db.session.add(sub)
            db.session.flush()
    except IntegrityError:
        # Lost a race: another supplier's submission of this person committed first (the release
        # lock already serialises this supplier's own submitters and its form's key).
        duplicate = find_duplicate(job.id, candidate_id=candidate.id, email_key=candidate.email_normalised,
                                   phone_key=candidate.phone_normalised, supplier_org_id=actor.org_id)
        if duplicate is None:
            raise
        raise SubmissionError(ALREADY_REPRESENTED, status=409, duplicate=duplicate) from None
    tally.added(job.id, t.target.value, now)
    where = "for the agency's screening" if screened else "to the client"
    _event(actor, VERBS[t.action], sub,
           f"{actor.name} ({actor.org.name}) submitted {candidate.full_name} to {fresh.reference} {fresh.title} "
           f"{where}", data={"stage": sub.stage, "candidate_id": candidate.id})
    return sub, True


def note_duplicate_refused(actor: User, job: JobOrder, duplicate: Duplicate) -> None:
    """Record a refused duplicate after the refused attempt was rolled back: an internal event
    (staff count them on supplier scorecards) stamped with the refused supplier and the client."""
    with system_scope("name the supplier that owns the person"):
        owner = db.session.scalar(select(Organisation.name).where(Organisation.id == duplicate.existing_supplier_org_id))
    who = "its own earlier submission" if duplicate.own else owner
    record(actor, "submission.duplicate_refused", job,
           f"Refused a duplicate: {actor.name} ({actor.org.name}) submitted a person already represented on "
           f"{job.reference} by {who} (same {duplicate.match})",
           client_org_id=job.client_org_id, supplier_org_id=actor.org_id, internal=True,
           data={"existing_submission_id": duplicate.existing_id, "match": duplicate.match, "own": duplicate.own,
                 "owner_supplier_org_id": duplicate.existing_supplier_org_id})


# --- staff screening, withdrawal -------------------------------------------------------------

def _names(sub: Submission) -> tuple[str, str]:
    with system_scope("names for an event summary"):
        row = db.session.execute(
            select(Candidate.first_name, Candidate.last_name, JobOrder.reference)
            .select_from(Submission)
            .join(JobOrder, JobOrder.id == Submission.job_order_id)
            .join(Candidate, Candidate.id == Submission.candidate_id)
            .where(Submission.id == sub.id)).one()
    return f"{row.first_name} {row.last_name}", row.reference


@writes
def forward(actor: User, sub: Submission) -> None:
    """Staff pass a screened submission to the client: from now on the client sees it."""
    now = clock.now()
    _move(actor, sub, "forward", client_visible_at=now, forwarded_by_id=actor.id)
    name, ref = _names(sub)
    _event(actor, VERBS["forward"], sub, f"{actor.name} forwarded {name} to the client for {ref}",
           data={"from": S.SUBMITTED.value, "to": sub.stage})


@writes
def screen_reject(actor: User, sub: Submission, reason: str, note: str) -> None:
    """Staff turn a submission down at screening, with a reason code and a note to the supplier;
    the client never sees it."""
    if reason not in REJECT_LABELS:
        raise SubmissionError("Choose the reason from the list.", "reason")
    note = (note or "").strip()
    if not note:
        raise SubmissionError("Write a note to the supplier saying why.", "note")
    if len(note) > MAX_REJECT_NOTE:
        raise SubmissionError(f"Use {MAX_REJECT_NOTE} characters or fewer.", "note")
    _move(actor, sub, "screen_reject", rejected_at=clock.now(), rejected_by_id=actor.id, reject_reason=reason,
          reject_note=note)
    name, ref = _names(sub)
    label = RejectReason(reason).label
    _event(actor, VERBS["screen_reject"], sub, f"{name} was not forwarded to the client for {ref}: {label}. {note}",
           data={"from": S.SUBMITTED.value, "to": sub.stage, "reason": reason})


@writes
def withdraw(actor: User, sub: Submission, reason: str) -> None:
    """The supplier takes its candidate back, with a reason, while it is not placed or ended."""
    reason = (reason or "").strip()
    if not reason:
        raise SubmissionError("Say why you are withdrawing the candidate.", "reason")
    if len(reason) > MAX_WITHDRAW_REASON:
        raise SubmissionError(f"Use {MAX_WITHDRAW_REASON} characters or fewer.", "reason")
    before = sub.stage
    _move(actor, sub, "withdraw", withdrawn_at=clock.now(), withdrawn_by_id=actor.id, withdraw_reason=reason)
    name, ref = _names(sub)
    _event(actor, VERBS["withdraw"], sub, f"{actor.name} ({actor.org.name}) withdrew {name} from {ref}: {reason}",
           data={"from": before, "to": sub.stage})


@writes
def set_screening(actor: User, client: Organisation, screen: bool) -> bool:
    """Turn staff screening of a client's submissions on or off; returns whether it changed.

    Applies to submissions made from now on: those already waiting for screening still wait.
    """
    if _role(actor) not in STAFF:
        raise SubmissionError("Only the agency's staff decide about screening.", status=403)
    if client.kind != OrgKind.CLIENT.value:
        raise SubmissionError("Screening is set for client companies.", status=404)
    row = db.session.scalar(select(ClientJobSettings).where(ClientJobSettings.client_org_id == client.id))
    if bool(row and row.screen_submissions) == bool(screen):
        return False
    if row is None:
        row = ClientJobSettings(client_org_id=client.id)
        db.session.add(row)
    row.screen_submissions, row.updated_at = bool(screen), clock.now()
    db.session.flush()
    state = "screen" if screen else "no longer screen"
    record(actor, "submission.screening_changed", client,
           f"{actor.name} set that staff {state} {client.name}'s submissions before the client sees them",
           client_org_id=client.id, internal=True, data={"screen_submissions": bool(screen)})
    return True

