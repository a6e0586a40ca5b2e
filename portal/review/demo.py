"""Demo reviews: on the demo job orders, candidates shortlisted, interviews waiting for the supplier,
confirmed and held (with feedback), offers waiting and accepted, a placement, a job order filled by
its placement (closing the other candidate), and comments of several visibilities — all through the
real services, so that each carries its events and obeys every rule.

Idempotent: each story starts with a submission, looked up by job order and candidate first; a story
whose submission exists is skipped whole. Times in the past are made by moving the portal's clock.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.candidates.models import Candidate
from portal.comments.services import add_comment
from portal.extensions import db
from portal.interviews import services as interviews
from portal.job_orders import releases
from portal.job_orders import services as job_orders
from portal.job_orders.models import JobOrder
from portal.offers import services as offers
from portal.review import services as review
from portal.submissions import services as submissions
from portal.submissions.models import Submission

STAFF, HANA, LEO = "morgan@northwind.example", "hana@acme.example", "leo@globex.example"
SAM, PRIYA = "sam@talentco.example", "priya@bluepeak.example"
FILLED_JOB = "Electrical Technician"

#: (client code, job title, recruiter, candidate e-mail, hiring manager, rate, story, comments)
STORIES = [
    ("ACME", "Controls Engineer", SAM, "ada.okonkwo@example.com", HANA, "76", "shortlisted",
     [(HANA, "staff_client", "Strong profile: check her salary expectations before the interview.")]),
    ("ACME", "Controls Engineer", SAM, "hannah.lindqvist@example.com", HANA, "72", "interview_requested",
     [(SAM, "everyone", "Hannah can interview any afternoon this week.")]),
    ("ACME", "Maintenance Technician (nights)", PRIYA, "rohan.mehta@example.org", HANA, "41", "placed", []),
    ("GLBX", "Senior Claims Adjuster", PRIYA, "elena.popescu@example.com", LEO, "58", "interview_confirmed", []),
    ("GLBX", "Senior Claims Adjuster", PRIYA, "keisha.brown@example.com", LEO, "55", "offer_extended", []),
    ("ACME", FILLED_JOB, SAM, "priscilla.tan@example.com", HANA, "52", "forwarded", []),
    ("ACME", FILLED_JOB, PRIYA, "tomas.novak@example.net", HANA, "50", "placed", []),
]
JOB_COMMENTS = [("ACME", "Controls Engineer", STAFF, "everyone",
                 "Interviews for this role run on Tuesdays and Thursdays at the Milwaukee plant.")]


@contextmanager
def _at(moment: datetime):
    """Do the demo's past steps at `moment` (the clock is put back afterwards)."""
    previous = clock._frozen  # noqa: SLF001 - the demo restores whatever the caller had
    clock.freeze(moment)
    try:
        yield
    finally:
        clock.freeze(previous)


def _hour(moment: datetime, hour: int) -> datetime:
    return datetime(moment.year, moment.month, moment.day, hour, tzinfo=timezone.utc)


def _filled_job(users: dict[str, User]) -> JobOrder | None:
    """The demo's one-opening job, created, approved and released the first time (it is filled below)."""
    job = db.session.scalar(select(JobOrder).join(Organisation, Organisation.id == JobOrder.client_org_id)
                            .where(Organisation.code == "ACME", JobOrder.title == FILLED_JOB))
    if job is not None:
        return job
    suppliers = dict(db.session.execute(select(Organisation.name, Organisation.id).where(
        Organisation.name.in_(["TalentCo Search", "BluePeak Partners"]))).all())
    if len(suppliers) < 2:
        return None
    job, _ = job_orders.create_job_order(users[HANA], {
        "title": FILLED_JOB, "industry": "Manufacturing", "category": "Maintenance", "experience_level": "experienced",
        "position_type": "contract", "openings": 1, "location": "Milwaukee, WI", "location_type": "onsite",
        "duration_weeks": 26, "rate_type": "bill_rate", "rate_min": Decimal("45"), "rate_max": Decimal("55"),
        "rate_unit": "hour", "summary": "Install and maintain the plant's low-voltage controls and motor drives.",
        "skills": "Electrical, VFD, PLC"})
    job_orders.submit(users[HANA], job)
    tiers = {suppliers["TalentCo Search"]: 1, suppliers["BluePeak Partners"]: 1}
    releases.approve_and_release(users[STAFF], job, tiers)
    return job


def _story(users, job: JobOrder, recruiter: User, candidate: Candidate, hm: User, rate: str, story: str) -> None:
    now = clock.now()
    start = now - timedelta(days=9)
    with _at(start):
        sub, _ = submissions.submit(recruiter, job, submissions.SubmitData(
            rate=Decimal(rate), available_from=start.date() + timedelta(days=14), right_to_represent=True,
            note=f"{candidate.first_name} is ready to start two weeks after an offer."), candidate=candidate)
        if sub.stage == "submitted":
            submissions.forward(users[STAFF], sub)
    if story == "forwarded":
        return
    with _at(start + timedelta(hours=20)):
        review.shortlist(hm, sub)
    if story == "shortlisted":
        return
    request = interviews.InterviewRequest(
        kind="video", location="https://meet.example/" + job.reference.lower(),
        interviewers="Dana Ortiz <dana.ortiz@example.com>\nPeter Lang <peter.lang@example.com>", note=None)
    if story in ("interview_requested", "interview_confirmed"):
        request.slots = [interviews.Slot(_hour(now + timedelta(days=d), h), 60) for d, h in ((3, 10), (4, 15))]
        interview, _ = interviews.request_interview(hm, sub, request)
        if story == "interview_confirmed":
            interviews.supplier_confirm(recruiter, interview, interview.current_slots[1].id)
        return
    if story == "placed":
        held = _hour(start + timedelta(days=3), 14)
        with _at(start + timedelta(days=1)):
            request.slots = [interviews.Slot(held, 45)]
            interview, _ = interviews.request_interview(hm, sub, request)
            interviews.supplier_confirm(recruiter, interview, interview.current_slots[0].id)
        with _at(held + timedelta(hours=3)):
            interviews.record_feedback(hm, interview, 5, "Knows the equipment; good questions about safety.")
    with _at(start + timedelta(days=4)):
        offer = offers.extend_offer(hm, sub, offers.OfferTerms(
            rate=Decimal(rate), start_date=now.date() + timedelta(days=14), end_date=now.date() + timedelta(days=196)))
    if story == "offer_extended":
        return
    with _at(start + timedelta(days=5)):
        offers.accept_offer(recruiter, offer)
    with _at(start + timedelta(days=6)):
        offers.place(hm, sub)


def seed_demo_reviews(made: dict) -> None:
    """Create the missing demo reviews (call under a system scope after the demo submissions)."""
    made.setdefault("reviews", 0)
    emails = [STAFF, HANA, LEO, SAM, PRIYA]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    if len(users) < len(emails):
        return
    if _filled_job(users) is None:
        return
    for code, title, recruiter_email, email, hm_email, rate, story, comments in STORIES:
        job = db.session.scalar(select(JobOrder).join(Organisation, Organisation.id == JobOrder.client_org_id)
                                .where(Organisation.code == code, JobOrder.title == title))
        recruiter = users[recruiter_email]
        candidate = db.session.scalar(select(Candidate).where(Candidate.supplier_org_id == recruiter.org_id,
                                                              Candidate.email_normalised == email))
        if job is None or candidate is None or db.session.scalar(select(Submission.id).where(
                Submission.job_order_id == job.id, Submission.candidate_id == candidate.id)):
            continue
        _story(users, job, recruiter, candidate, users[hm_email], rate, story)
        sub = db.session.scalar(select(Submission).where(Submission.job_order_id == job.id,
                                                         Submission.candidate_id == candidate.id))
        for author, visibility, body in comments:
            add_comment(users[author], job, body, visibility, submission=sub)
        made["reviews"] += 1
    if made["reviews"]:
        for code, title, author, visibility, body in JOB_COMMENTS:
            job = db.session.scalar(select(JobOrder).join(Organisation, Organisation.id == JobOrder.client_org_id)
                                    .where(Organisation.code == code, JobOrder.title == title))
            if job is not None:
                add_comment(users[author], job, body, visibility)
