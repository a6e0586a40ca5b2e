"""Helpers of the submission tests: the world's submissions, submitting over HTTP and through the
services, reading rows and events."""
from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import User
from portal.candidates.models import Candidate
from portal.candidates.services import CandidateData, create_candidate
from portal.db.tenancy import scope_for_user, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.submissions import services
from portal.submissions.models import Submission
from tests.fixtures.candidates import WORLD_CANDIDATES, pdf_bytes, world_candidate

#: The world's submissions: party -> (world job key, world candidate's supplier).
WORLD_SUBMISSIONS = {"talentco": "World Acme controls job", "bluepeak": "World Globex claims job"}
#: Which party owns which world submission, seen from each party (a client owns the ones made to it).
SUBMISSION_OF_PARTY = {"talentco": "talentco", "acme": "talentco", "bluepeak": "bluepeak", "globex": "bluepeak",
                       "agency": "talentco"}


def add_world_submissions() -> None:
    """TalentCo's world candidate submitted to Acme's world job (forwarded by staff when Acme screens),
    BluePeak's to Globex's; both visible to their client. Call under a system scope; commits nothing."""
    staff = db.session.scalar(select(User).where(User.email == "morgan@northwind.example"))
    for party, title in WORLD_SUBMISSIONS.items():
        recruiter = db.session.scalar(select(User).where(User.email == WORLD_CANDIDATES[party][0]))
        job = db.session.scalar(select(JobOrder).where(JobOrder.title == title))
        candidate = db.session.scalar(select(Candidate).where(Candidate.email_normalised == WORLD_CANDIDATES[party][3]))
        sub, _ = services.submit(recruiter, job, services.SubmitData(
            rate=Decimal("60"), available_from=clock.now().date() + timedelta(days=7),
            note=f"World note {party}", right_to_represent=True), candidate=candidate)
        if sub.stage == "submitted":
            services.forward(staff, sub)


def world_submission(party: str) -> Submission | None:
    """The world submission a party owns (a supplier made it, a client received it, staff: TalentCo's)."""
    owner = SUBMISSION_OF_PARTY.get(party)
    if owner is None:
        return None
    candidate = world_candidate(owner)
    with system_scope("test lookup"):
        return db.session.scalar(select(Submission).where(Submission.candidate_id == candidate.id))


def reload(submission_id: int) -> Submission:
    with system_scope("test read"):
        db.session.expire_all()
        return db.session.scalar(select(Submission).where(Submission.id == submission_id))


def submissions_of(job_id: int) -> list[Submission]:
    with system_scope("test read"):
        db.session.expire_all()
        return list(db.session.scalars(select(Submission).where(Submission.job_order_id == job_id)
                                       .order_by(Submission.id)))


def events(verb: str | None = None, subject_id: int | None = None) -> list[Event]:
    with system_scope("test read"):
        stmt = select(Event).where(Event.verb.startswith("submission."))
        if verb:
            stmt = stmt.where(Event.verb == verb)
        if subject_id is not None:
            stmt = stmt.where(Event.subject_id == subject_id)
        return list(db.session.scalars(stmt.order_by(Event.id)))


def event_count() -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count(Event.id)))


def add_candidate(world, short: str, first: str, last: str, email: str | None, phone: str | None = None) -> Candidate:
    """A candidate in `short`'s supplier pool, without a résumé."""
    user = world.user(short)
    with scoped(scope_for_user(user)):
        candidate, _ = create_candidate(user, CandidateData(first_name=first, last_name=last, email=email, phone=phone))
        db.session.commit()
        return candidate


def form(candidate="new", *, rate="60", days=7, note="A strong match.", confirm=True, pdf: bytes | None = None,
         filename="cv.pdf", resume_choice=None, create_key=None, **extra) -> dict:
    """The submit form's fields; `candidate` is an id or "new" (then pass candidate-* fields in extra)."""
    data = {"candidate": str(candidate), "rate": rate, "note": note,
            "available_from": (clock.now().date() + timedelta(days=days)).isoformat()}
    if confirm:
        data["right_to_represent"] = "y"
    if resume_choice:
        data["resume_choice"] = resume_choice
    if create_key:
        data["create_key"] = create_key
    if pdf is not None:
        data["resume_file"] = (io.BytesIO(pdf), filename)
    data.update(extra)
    return data


def new_person(first="Nora", last="Newcomer", email="nora.newcomer@example.com", phone=None) -> dict:
    """The "new candidate" section's fields."""
    out = {"candidate-first_name": first, "candidate-last_name": last, "candidate-email": email or ""}
    if phone:
        out["candidate-phone"] = phone
    return out


def post_submit(client, job_id: int, data: dict, **kw):
    return client.post(f"/supplier/job-orders/{job_id}/submit", data, content_type="multipart/form-data", **kw)


def default_pdf(text: str = "Nora Newcomer, controls engineer") -> bytes:
    return pdf_bytes(text)


def stored_files(app) -> set[str]:
    """Names of the files in the upload store (résumés)."""
    from pathlib import Path

    root = Path(app.config["UPLOAD_DIR"])
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def count(model, *where) -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))
