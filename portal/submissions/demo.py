"""Demo submissions: a handful on the demo job orders in several stages, made through the real
services (so they carry their events and obey every rule), and a fast bulk set of ~5,000 per
`seed-demo --scale` step (with their events, interviews, offers and placements).

Acme has staff screening on (its submissions wait for the agency), Globex does not (its
submissions reach the client at once). Marcus Feld is submitted to two Acme job orders, so staff
see the cross-job duplicate flag. Idempotent: a demo submission is looked up by job and candidate
before it is made; a scale step whose client already has submissions is skipped.
"""
from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.candidates.demo import make_pdf
from portal.candidates.models import Candidate, Resume
from portal.db.bulk import bulk_insert
from portal.events.models import Event
from portal.extensions import db
from portal.files.documents import CONTENT_TYPES, PDF
from portal.files.storage import get_storage
from portal.interviews.models import Interview, InterviewSlot
from portal.job_orders.models import JobOrder, JobOrderRelease
from portal.offers.models import Offer, Placement
from portal.submissions import services
from portal.submissions.models import Stage, Submission

STAFF = "morgan@northwind.example"
RECRUITER = {"talentco": "sam@talentco.example", "bluepeak": "priya@bluepeak.example"}

# (client code, job title, supplier, candidate e-mail, rate, days until available, note, steps)
DEMO = [
    ("ACME", "Controls Engineer", "talentco", "marcus.feld@example.net", "78", 14,
     "Marcus led two Allen-Bradley migrations at a packaging plant; he can start after two weeks' notice.",
     ["forward"]),
    ("ACME", "Controls Engineer", "talentco", "priscilla.tan@example.com", "70", 7, None,
     [("reject", "skills", "The client needs hands-on Allen-Bradley PLC programming; Priscilla's background is "
                           "quality engineering.")]),
    ("ACME", "Maintenance Technician (nights)", "talentco", "diego.ramirez@example.org", "42", 3,
     "Diego has worked nights for three years and holds a forklift licence.", []),
    ("ACME", "Maintenance Technician (nights)", "talentco", "marcus.feld@example.net", "44", 14, None, []),
    ("ACME", "Maintenance Technician (nights)", "bluepeak", "tomas.novak@example.net", "40", 10, None,
     ["forward", ("withdraw", "Tomás accepted a permanent role elsewhere.")]),
    ("GLBX", "Senior Claims Adjuster", "bluepeak", "grace.whitfield@example.com", "60", 10,
     "Grace closed more than 300 storm claims last season and is licensed in Connecticut.", []),
]


def seed_demo_submissions(made: dict, scale: int = 1) -> None:
    """Create the missing demo submissions (call under a system scope; the caller commits)."""
    made.setdefault("submissions", 0)
    emails = [STAFF, *RECRUITER.values()]
    users = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(emails)))}
    acme = db.session.scalar(select(Organisation).where(Organisation.code == "ACME"))
    if len(users) < len(emails) or acme is None:
        return
    staff = users[STAFF]
    if not db.session.scalar(select(func.count(Submission.id))):
        services.set_screening(staff, acme, True)
    for code, title, supplier, email, rate, days, note, steps in DEMO:
        actor = users[RECRUITER[supplier]]
        job = db.session.scalar(select(JobOrder).join(Organisation, Organisation.id == JobOrder.client_org_id)
                                .where(Organisation.code == code, JobOrder.title == title))
        candidate = db.session.scalar(select(Candidate).where(Candidate.supplier_org_id == actor.org_id,
                                                              Candidate.email_normalised == email))
        if job is None or candidate is None or db.session.scalar(select(Submission.id).where(
                Submission.job_order_id == job.id, Submission.candidate_id == candidate.id)):
            continue
        sub, _ = services.submit(actor, job, services.SubmitData(
            rate=Decimal(rate), available_from=clock.now().date() + timedelta(days=days), note=note,
            right_to_represent=True), candidate=candidate)
        for step in steps:
            name, *args = (step,) if isinstance(step, str) else step
            if name == "forward":
                services.forward(staff, sub)
            elif name == "reject":
                services.screen_reject(staff, sub, *args)
            elif name == "withdraw":
                services.withdraw(actor, sub, *args)
        made["submissions"] += 1
    for n in range(2, scale + 1):
        made["submissions"] += _bulk_step(n)


# --- `--scale`: ~5,000 per step, bulk inserts (COPY on PostgreSQL) ------------------------------

#: Each panel supplier fills its limit (3) on every job order released to it.
PER_SUPPLIER_PER_JOB = 3
#: Stages of the bulk set (scale clients are not screened, so every submission reached the client).
_BULK_STAGES = ([Stage.CLIENT_REVIEW] * 10 + [Stage.SHORTLISTED] * 3 + [Stage.INTERVIEW] * 2 + [Stage.OFFER]
                + [Stage.REJECTED] * 4 + [Stage.WITHDRAWN])
#: The event each stage left besides "submission.created" (interview and offer stages add their own below).
_STAGE_VERB = {Stage.SHORTLISTED: "submission.shortlisted", Stage.INTERVIEW: "submission.shortlisted",
               Stage.REJECTED: "submission.rejected", Stage.WITHDRAWN: "submission.withdrawn",
               Stage.CLOSED: "submission.closed", Stage.OFFER: "offer.extended", Stage.PLACED: "placement.recorded"}


def _bulk_resumes(supplier_ids: list[int], now) -> dict[int, int]:
    """candidate id -> résumé id for the suppliers' candidates, storing a small PDF for those without."""
    have = dict(db.session.execute(select(Resume.candidate_id, Resume.id).where(
        Resume.supplier_org_id.in_(supplier_ids), Resume.is_current.is_(True))).all())
    missing = db.session.execute(select(Candidate.id, Candidate.supplier_org_id, Candidate.first_name,
                                        Candidate.last_name, Candidate.current_title)
                                 .where(Candidate.supplier_org_id.in_(supplier_ids),
                                        Candidate.id.not_in(list(have) or [0]))).all()
    store, rows = get_storage(), []
    for cid, supplier_id, first, last, title in missing:
        pdf = make_pdf(f"{first} {last}", [title or "Candidate", "Bulk demo résumé for benchmarks."])
        rows.append(dict(candidate_id=cid, supplier_org_id=supplier_id, storage_key=store.save(pdf),
                         original_name=f"{first} {last} - Resume.pdf", content_type=CONTENT_TYPES[PDF],
                         size=len(pdf), sha256="0" * 64, uploaded_at=now, text="", is_current=True))
    for row, rid in zip(rows, bulk_insert(Resume, rows)):
        have[row["candidate_id"]] = rid
    return have


def _bulk_step(n: int) -> int:
    """~5,000 submissions on scale client n's released job orders by its panel suppliers, with their
    events, and interviews, offers and placements for those at those stages (bulk inserts)."""
    client = db.session.scalar(select(Organisation).where(Organisation.code == f"C{n:04d}"))
    if client is None or db.session.scalar(select(Submission.id).where(Submission.client_org_id == client.id).limit(1)):
        return 0
    hm_id = db.session.scalar(select(User.id).where(User.org_id == client.id).order_by(User.id).limit(1))
    releases = db.session.execute(
        select(JobOrderRelease.job_order_id, JobOrderRelease.supplier_org_id, JobOrderRelease.released_at,
               JobOrder.rate_max, JobOrder.currency, JobOrder.status)
        .join(JobOrder, JobOrder.id == JobOrderRelease.job_order_id)
        .where(JobOrderRelease.client_org_id == client.id, JobOrderRelease.released_at.is_not(None))
        .order_by(JobOrderRelease.id)).all()
    supplier_ids = sorted({r.supplier_org_id for r in releases})
    if not supplier_ids:
        return 0
    now = clock.now()
    people: dict[int, list] = {}
    for row in db.session.execute(select(Candidate.id, Candidate.supplier_org_id, Candidate.email_normalised,
                                         Candidate.phone_normalised, Candidate.created_by_id)
                                  .where(Candidate.supplier_org_id.in_(supplier_ids)).order_by(Candidate.id)):
        people.setdefault(row.supplier_org_id, []).append(row)
    resumes = _bulk_resumes(supplier_ids, now)
    rng = random.Random(n)
    rows, placed_jobs = [], set()
    for job_id, supplier_id, released_at, rate_max, currency, job_status in releases:
        pool = people.get(supplier_id, [])
        for person in rng.sample(pool, k=min(PER_SUPPLIER_PER_JOB, len(pool))):
            if job_status == "filled":
                # A filled job: its first submission was placed, the others closed with it.
                stage = Stage.CLOSED if job_id in placed_jobs else Stage.PLACED
                placed_jobs.add(job_id)
            else:
                stage = rng.choice(_BULK_STAGES)
            when = min(now, released_at + timedelta(hours=rng.randint(1, 96)))
            changed = min(now, when + timedelta(hours=rng.randint(0, 72))) if stage != Stage.CLIENT_REVIEW else when
            rows.append(dict(
                job_order_id=job_id, candidate_id=person.id, resume_id=resumes[person.id], client_org_id=client.id,
                supplier_org_id=supplier_id, submitted_by_id=person.created_by_id, stage=stage.value,
                rate=(rate_max or Decimal(60)) - rng.randint(0, 5), rate_type="bill_rate", currency=currency or "USD",
                rate_unit="hour", available_from=now.date() + timedelta(days=rng.randint(0, 30)),
                right_to_represent_at=when, email_key=person.email_normalised, phone_key=person.phone_normalised,
                submitted_at=when, stage_changed_at=changed, client_visible_at=when,
                rejected_at=changed if stage == Stage.REJECTED else None,
                rejected_by_id=hm_id if stage == Stage.REJECTED else None,
                reject_reason="experience" if stage == Stage.REJECTED else None,
                reject_note="Bulk demo data." if stage == Stage.REJECTED else None,
                withdrawn_at=changed if stage == Stage.WITHDRAWN else None,
                withdrawn_by_id=person.created_by_id if stage == Stage.WITHDRAWN else None,
                withdraw_reason="Bulk demo data." if stage == Stage.WITHDRAWN else None))
    if not rows:
        return 0
    ids = bulk_insert(Submission, rows)
    events, interviews, slots, offers = [], [], [], []
    for sid, row in zip(ids, rows):
        supplier_id, actor_id, job_id = row["supplier_org_id"], row["submitted_by_id"], row["job_order_id"]
        base = dict(subject_type="submission", subject_id=sid, client_org_id=client.id, supplier_org_id=supplier_id,
                    internal=False, data={"job_order_id": job_id})
        events.append(dict(base, verb="submission.created", actor_user_id=actor_id,
                           actor_org_id=supplier_id if actor_id else None, occurred_at=row["submitted_at"],
                           summary="Demo data submitted a candidate"))
        stage = Stage(row["stage"])
        verb = _STAGE_VERB.get(stage)
        if verb:
            by_supplier = stage == Stage.WITHDRAWN
            events.append(dict(base, verb=verb, actor_user_id=actor_id if by_supplier else hm_id,
                               actor_org_id=supplier_id if by_supplier else client.id,
                               occurred_at=row["stage_changed_at"], summary=f"Demo data: {stage.label.lower()}"))
        if stage in (Stage.INTERVIEW, Stage.PLACED):
            starts = (now + timedelta(days=1 + sid % 9) if stage == Stage.INTERVIEW
                      else row["stage_changed_at"] - timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
            interviews.append(dict(
                submission_id=sid, job_order_id=job_id, client_org_id=client.id, supplier_org_id=supplier_id,
                round=1, status="confirmed" if stage == Stage.INTERVIEW else "completed", kind="video",
                location="https://meet.example/demo", interviewers=[], proposal=1, requested_by_id=hm_id,
                requested_at=row["submitted_at"], status_changed_at=row["stage_changed_at"], starts_at=starts,
                ends_at=starts + timedelta(hours=1), confirmed_by_id=actor_id, confirmed_at=row["submitted_at"],
                rating=4 if stage == Stage.PLACED else None,
                feedback="Bulk demo data." if stage == Stage.PLACED else None,
                feedback_by_id=hm_id if stage == Stage.PLACED else None,
                feedback_at=row["stage_changed_at"] if stage == Stage.PLACED else None))
        if stage in (Stage.OFFER, Stage.PLACED):
            start = now.date() + timedelta(days=14)
            offers.append(dict(
                submission_id=sid, job_order_id=job_id, client_org_id=client.id, supplier_org_id=supplier_id,
                status="extended" if stage == Stage.OFFER else "accepted", rate=row["rate"], rate_type="bill_rate",
                currency=row["currency"], rate_unit="hour", start_date=start, end_date=start + timedelta(days=182),
                extended_by_id=hm_id, extended_at=row["stage_changed_at"],
                answered_by_id=actor_id if stage == Stage.PLACED else None,
                answered_at=row["stage_changed_at"] if stage == Stage.PLACED else None))
    interview_ids = bulk_insert(Interview, interviews)
    for iid, interview in zip(interview_ids, interviews):
        slots.append(dict(interview_id=iid, client_org_id=client.id, supplier_org_id=interview["supplier_org_id"],
                          proposal=1, proposed_by="client", starts_at=interview["starts_at"],
                          ends_at=interview["ends_at"], created_at=interview["requested_at"]))
    bulk_insert(InterviewSlot, slots)
    offer_ids = bulk_insert(Offer, offers)
    placements = [dict(submission_id=o["submission_id"], offer_id=oid, job_order_id=o["job_order_id"],
                       client_org_id=client.id, supplier_org_id=o["supplier_org_id"], rate=o["rate"],
                       rate_type="bill_rate", currency=o["currency"], rate_unit="hour", start_date=o["start_date"],
                       end_date=o["end_date"], placed_by_id=hm_id, placed_at=o["answered_at"])
                  for oid, o in zip(offer_ids, offers) if o["status"] == "accepted"]
    bulk_insert(Placement, placements)
    bulk_insert(Event, events)
    return len(ids)
