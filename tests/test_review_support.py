"""Helpers of the review tests: the world's reviewed submissions (an interview held and an offer
waiting, one per supplier), jobs with candidates at any stage made through the services, form data
of the decisions, and reads of rows and events."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from flask import current_app
from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import User
from portal.candidates.demo import make_pdf
from portal.candidates.models import Candidate
from portal.candidates.services import CandidateData, attach_resume, create_candidate
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.files.documents import inspect_document
from portal.interviews import services as interviews
from portal.interviews.models import Interview
from portal.job_orders.models import JobOrder
from portal.offers import services as offers
from portal.offers.models import Offer, Placement
from portal.review import services as review
from portal.submissions import services as submissions
from portal.submissions.models import Submission
from tests.test_job_orders_support import as_actor, released

#: party -> (recruiter, world job title, candidate first, last, e-mail, hiring manager)
WORLD_REVIEW = {
    "talentco": ("sam@talentco.example", "World Acme controls job", "Rosa", "Review", "rosa.review@example.com",
                 "hana@acme.example"),
    "bluepeak": ("priya@bluepeak.example", "World Globex claims job", "Reza", "Review", "reza.review@example.com",
                 "leo@globex.example"),
}
#: Which world review submission each party owns (a client owns the ones made to it; staff: TalentCo's).
REVIEW_OF_PARTY = {"talentco": "talentco", "acme": "talentco", "bluepeak": "bluepeak", "globex": "bluepeak",
                   "agency": "talentco"}
STAFF = "morgan@northwind.example"


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def new_candidate(recruiter: User, first: str, last: str, email: str, **fields) -> Candidate:
    """A candidate of the recruiter's company with a PDF résumé (call in a scope that may write it)."""
    candidate, _ = create_candidate(recruiter, CandidateData(
        first_name=first, last_name=last, email=email, current_title=fields.pop("current_title", "Controls Engineer"),
        location=fields.pop("location", "Milwaukee, WI"), years_experience=fields.pop("years_experience", 7),
        skills=fields.pop("skills", ["PLC", "SCADA"]), **fields))
    pdf = make_pdf(f"{first} {last}", [f"{first} {last}", "Controls engineer", f"MARKER-{last.upper()}"])
    document = inspect_document(f"{first}-{last}.pdf", pdf, current_app.config["MAX_UPLOAD_MB"])
    attach_resume(recruiter, candidate, document, pdf)
    return candidate


def submit(recruiter: User, job: JobOrder, candidate: Candidate, rate: str = "60") -> Submission:
    """Submit and, when the client is screened, forward (so that the client sees it)."""
    sub, _ = submissions.submit(recruiter, job, submissions.SubmitData(
        rate=Decimal(rate), available_from=clock.now().date() + timedelta(days=7), note="Ready to start soon.",
        right_to_represent=True), candidate=candidate)
    if sub.stage == "submitted":
        submissions.forward(_user(STAFF), sub)
    return sub


def request(hm: User, sub: Submission, *starts: datetime, kind="video", location="https://meet.example/acme-1",
            interviewers="Peter Lang <peter.lang@acme.example>\nDana Ortiz, dana.ortiz@acme.example") -> Interview:
    interview, _ = interviews.request_interview(hm, sub, interviews.InterviewRequest(
        kind=kind, location=location, interviewers=interviewers,
        slots=[interviews.Slot(s, 60) for s in starts], note="Bring a portfolio."))
    return interview


def slot_id(interview: Interview, n: int = 0) -> int:
    return sorted(interview.current_slots, key=lambda s: s.starts_at)[n].id


def add_world_review() -> None:
    """Per supplier, one more candidate on the world job: shortlisted, interviewed (a video interview
    held ten days ago, confirmed by the supplier, with feedback) and offered the job (the offer waits
    for the supplier's answer). Call under a system scope; commits nothing."""
    now = clock.now()
    try:
        for recruiter_email, title, first, last, email, hm_email in WORLD_REVIEW.values():
            recruiter, hm = _user(recruiter_email), _user(hm_email)
            job = db.session.scalar(select(JobOrder).where(JobOrder.title == title))
            clock.freeze(now - timedelta(days=12))
            sub = submit(recruiter, job, new_candidate(recruiter, first, last, email))
            review.shortlist(hm, sub)
            interview = request(hm, sub, clock.now() + timedelta(days=1), clock.now() + timedelta(days=2))
            interviews.supplier_confirm(recruiter, interview, slot_id(interview))
            clock.freeze(now - timedelta(days=1))
            interviews.record_feedback(hm, interview, 4, "Strong on PLC migrations.")
            clock.freeze(now)
            offers.extend_offer(hm, sub, offers.OfferTerms(
                rate=Decimal("62"), start_date=now.date() + timedelta(days=14), end_date=now.date() + timedelta(days=200)))
    finally:
        clock.freeze(None)


def world_review(party: str) -> Submission | None:
    """The world's reviewed submission a party owns (None for parties that own none)."""
    owner = REVIEW_OF_PARTY.get(party)
    if owner is None:
        return None
    with system_scope("test lookup"):
        return db.session.scalar(select(Submission).join(Candidate, Candidate.id == Submission.candidate_id)
                                 .where(Candidate.email_normalised == WORLD_REVIEW[owner][4]))


def world_interview(party: str) -> Interview | None:
    sub = world_review(party)
    with system_scope("test lookup"):
        return db.session.scalar(select(Interview).where(Interview.submission_id == sub.id)) if sub else None


def world_offer(party: str) -> Offer | None:
    sub = world_review(party)
    with system_scope("test lookup"):
        return db.session.scalar(select(Offer).where(Offer.submission_id == sub.id)) if sub else None


# --- building jobs and candidates at a stage ---------------------------------------------------------

def run(user: User, fn, *args, **kw):
    """Call a service as `user` (in their scope) and commit, like a request would."""
    with as_actor(user):
        result = fn(user, *args, **kw)
        db.session.commit()
    return result


def job_with_candidates(world, n: int = 1, *, openings: int = 1, tiers=None, title="Review job",
                        position_type="contract", people=None) -> tuple[JobOrder, list[Submission]]:
    """A released Acme job (hana manages it) with n TalentCo candidates in client review."""
    job = released(world, tiers or {"talentco": 1, "bluepeak": 1}, title=title, openings=openings,
                   position_type=position_type, submission_limit=10, rate_max=90, rate_unit="hour")
    sam = world.user("sam")
    subs = []
    for i in range(n):
        first, last = (people or [("Cara", f"Candidate{i}")])[i] if people else ("Cara", f"Candidate{i}")
        with as_actor(sam):
            candidate = new_candidate(sam, first, last, f"{first}.{last}.{job.id}@example.com".lower())
            db.session.commit()
        with system_scope("forward in a test"):
            sub = submit(world.user("sam"), job, candidate)
            db.session.commit()
        subs.append(sub)
    return job, subs


def future(days: int = 3, hour: int = 10) -> datetime:
    day = (clock.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc)


def to_offer_accepted(world, sub: Submission, *, start_days: int = 14) -> Offer:
    """Shortlist, offer and accept (through the services, as hana and sam)."""
    hana, sam = world.user("hana"), world.user("sam")
    run(hana, review.shortlist, sub)
    offer = run(hana, offers.extend_offer, sub, offers.OfferTerms(
        rate=Decimal("70"), start_date=clock.now().date() + timedelta(days=start_days),
        end_date=clock.now().date() + timedelta(days=start_days + 180)))
    run(sam, offers.accept_offer, offer)
    return offer


# --- form data ---------------------------------------------------------------------------------------

def times(prefix: str, *slots: tuple[datetime, int]) -> dict:
    """The proposed-times fields of a form prefixed `prefix` (e.g. "interview12")."""
    out = {}
    for n, (start, minutes) in enumerate(slots):
        out[f"{prefix}-slots-{n}-starts_at"] = start.strftime("%Y-%m-%dT%H:%M")
        out[f"{prefix}-slots-{n}-minutes"] = str(minutes)
    return out


def interview_form(sub_id: int, *slots, view="submission", **fields) -> dict:
    p = f"interview{sub_id}"
    data = {f"{p}-view": view, f"{p}-kind": "video", f"{p}-location": "https://meet.example/x",
            f"{p}-interviewers": "Peter Lang <peter.lang@acme.example>", f"{p}-note": ""}
    data.update(times(p, *slots))
    data.update({f"{p}-{k}": v for k, v in fields.items()})
    return data


def prefixed(kind: str, key: int, view="submission", **fields) -> dict:
    return {f"{kind}{key}-view": view, **{f"{kind}{key}-{k}": v for k, v in fields.items()}}


# --- reads -----------------------------------------------------------------------------------------

def reload(model, object_id: int):
    with system_scope("test read"):
        db.session.expire_all()
        return db.session.scalar(select(model).where(model.id == object_id))


def events(prefix: str, subject_id: int | None = None) -> list[Event]:
    with system_scope("test read"):
        stmt = select(Event).where(Event.verb.startswith(prefix))
        if subject_id is not None:
            stmt = stmt.where(Event.subject_id == subject_id)
        return list(db.session.scalars(stmt.order_by(Event.id)))


def count(model, *where) -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def placements(job_id: int) -> int:
    return count(Placement, Placement.job_order_id == job_id)
