"""Nudges from the coverage board: a reminder (notification + `nudge.sent` event) to whoever must act.

Who may call: the board's nudge view (staff) and tests. `nudge` takes the write lock, checks the
item still waits on someone, claims the item's nudge row (insert ignoring a conflict, else a guarded
UPDATE … WHERE last_sent_at <= now - quiet period, row count checked: two clicks at once send one
nudge, a repeat within the quiet period is a 409), then records one event per party told (stamped
with that party only) and notifies its people. It flushes and never commits.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portal import clock as portal_clock
from portal.accounts.models import User
from portal.candidates.models import Candidate
from portal.events.services import record
from portal.extensions import db
from portal.interviews.models import Interview, InterviewStatus
from portal.job_orders.models import JobOrder, JobOrderRelease, JobStatus
from portal.job_orders.services import writes
from portal.offers.models import Offer, OfferStatus
from portal.oversight.models import Nudge
from portal.oversight.queries import QUIET_HOURS
from portal.submissions.models import Stage, Submission

TARGETS = ("first_submission", "coverage", "client_review", "feedback", "offer")


class NudgeError(ValueError):
    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Plan:
    """What a nudge says, to which parties: [(party column, org id, people, link)]."""

    job: JobOrder
    subject: object
    summary: str
    title: str
    parties: list[tuple[str, int, list[User], str]]


def _when(value: datetime) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC")


def _candidate(sub: Submission) -> str:
    return db.session.scalar(select(Candidate.first_name + " " + Candidate.last_name)
                             .where(Candidate.id == sub.candidate_id)) or "the candidate"


def _job(job_id: int) -> JobOrder:
    job = db.session.scalar(select(JobOrder).where(JobOrder.id == job_id))
    if job is None:
        raise NudgeError("That item is not on the board.", status=404)
    return job


def _plan(target: str, subject_id: int, now: datetime) -> Plan:
    from portal.notifications.recipients import hiring_manager, org_users
    from portal.notifications.fanout import link as _link

    if target in ("first_submission", "coverage"):
        job = _job(subject_id)
        if job.status != JobStatus.OPEN.value or job.released_at is None:
            raise NudgeError(f"{job.reference} is not open and released: there is nobody to remind.")
        rel = JobOrderRelease
        supplier_ids = list(db.session.scalars(
            select(rel.supplier_org_id).where(rel.job_order_id == job.id, rel.released_at.is_not(None),
                                              rel.withdrawn_at.is_(None)).order_by(rel.supplier_org_id)))
        if target == "first_submission":
            submitted = set(db.session.scalars(select(Submission.supplier_org_id)
                                               .where(Submission.job_order_id == job.id)))
            if submitted:
                raise NudgeError(f"{job.reference} has a submission now: nothing to remind anyone of.")
            summary = (f"Reminder from your account manager: {job.reference} {job.title} has no candidate from you "
                       f"yet (released to you; the client expects a first submission quickly).")
        else:
            summary = (f"Reminder from your account manager: {job.reference} {job.title} still needs candidates. "
                       "Please submit the good ones you have.")
        if not supplier_ids:
            raise NudgeError(f"{job.reference} is released to no supplier: release it to more suppliers instead.")
        link = _link("job_orders.supplier_detail", job_id=job.id)
        return Plan(job, job, summary, f"Reminder: {job.reference} needs candidates",
                    [("supplier_org_id", s, org_users(s), link) for s in supplier_ids])
    if target == "client_review":
        sub = db.session.scalar(select(Submission).where(Submission.id == subject_id))
        if sub is None or sub.client_visible_at is None:
            raise NudgeError("That item is not on the board.", status=404)
        job = _job(sub.job_order_id)
        if sub.stage != Stage.CLIENT_REVIEW.value:
            raise NudgeError("The client has decided on this candidate already: nothing to remind them of.")
        name = _candidate(sub)
        return Plan(job, sub, f"Reminder from your account manager: {name} for {job.reference} {job.title} waits for "
                              f"your decision since {_when(sub.client_visible_at)}.",
                    f"Reminder: {name} waits for your decision",
                    [("client_org_id", job.client_org_id, hiring_manager(job),
                      _link("review.submission", submission_id=sub.id))])
    if target == "feedback":
        interview = db.session.scalar(select(Interview).where(Interview.id == subject_id))
        if interview is None:
            raise NudgeError("That item is not on the board.", status=404)
        sub = db.session.scalar(select(Submission).where(Submission.id == interview.submission_id))
        job = _job(interview.job_order_id)
        if interview.status != InterviewStatus.CONFIRMED.value or interview.ends_at is None or interview.ends_at > now:
            raise NudgeError("This interview has no feedback due now: nothing to remind anyone of.")
        name = _candidate(sub)
        return Plan(job, sub, f"Reminder from your account manager: please record your feedback on the interview of "
                              f"{name} for {job.reference} (it ended {_when(interview.ends_at)}).",
                    f"Reminder: feedback on {name}'s interview",
                    [("client_org_id", job.client_org_id, hiring_manager(job),
                      _link("review.submission", submission_id=sub.id))])
    if target == "offer":
        offer = db.session.scalar(select(Offer).where(Offer.id == subject_id))
        if offer is None:
            raise NudgeError("That item is not on the board.", status=404)
        sub = db.session.scalar(select(Submission).where(Submission.id == offer.submission_id))
        job = _job(offer.job_order_id)
        if offer.status != OfferStatus.EXTENDED.value:
            raise NudgeError("This offer has been answered already: nothing to remind anyone of.")
        name = _candidate(sub)
        return Plan(job, sub, f"Reminder from your account manager: the offer to {name} for {job.reference} "
                              f"{job.title}, made {_when(offer.extended_at)}, waits for the candidate's answer.",
                    f"Reminder: {name}'s offer waits for an answer",
                    [("supplier_org_id", offer.supplier_org_id, org_users(offer.supplier_org_id),
                      _link("submissions.supplier_detail", submission_id=sub.id))])
    raise NudgeError("Unknown kind of reminder.", status=404)


def _claim(actor: User, target: str, subject_id: int, client_org_id: int, now: datetime) -> None:
    """Take the item's nudge row for this nudge, or refuse (409) inside the quiet period."""
    dialect = db.session.connection().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = Nudge.__table__
    inserted = db.session.execute(  # RETURNING: psycopg's row count of INSERT … ON CONFLICT is not reliable
        insert(table).values(target=target, subject_id=subject_id, client_org_id=client_org_id,
                             last_sent_at=now, last_sent_by_id=actor.id, count=1)
        .on_conflict_do_nothing(index_elements=["target", "subject_id"]).returning(table.c.id)).scalar() is not None
    if inserted:
        return
    quiet = timedelta(hours=QUIET_HOURS)
    updated = db.session.execute(
        update(Nudge).where(Nudge.target == target, Nudge.subject_id == subject_id, Nudge.last_sent_at <= now - quiet)
        .values(last_sent_at=now, last_sent_by_id=actor.id, count=Nudge.count + 1)
        .execution_options(synchronize_session=False)).rowcount == 1
    if updated:
        return
    last_at, by = db.session.execute(
        select(Nudge.last_sent_at, User.name).outerjoin(User, User.id == Nudge.last_sent_by_id)
        .where(Nudge.target == target, Nudge.subject_id == subject_id)).one()
    raise NudgeError(f"Already nudged by {by or 'someone'} at {_when(last_at)}: one reminder per {QUIET_HOURS} hours. "
                     f"You can nudge again after {_when(last_at + quiet)}. Nothing was sent.")


@writes
def nudge(actor: User, target: str, subject_id: int) -> int:
    """Remind whoever must act on a board item; returns how many people were notified."""
    from portal.notifications import kinds
    from portal.notifications.services import notify

    if actor is None or actor.portal != "staff":
        raise NudgeError("Only the agency's staff send reminders.", status=403)
    if target not in TARGETS:
        raise NudgeError("Unknown kind of reminder.", status=404)
    now = portal_clock.now()
    plan = _plan(target, subject_id, now)
    _claim(actor, target, subject_id, plan.job.client_org_id, now)
    told = 0
    for column, org_id, people, link in plan.parties:
        ev = record(actor, "nudge.sent", plan.subject, plan.summary, **{column: org_id},
                    data={"target": target, "subject_id": subject_id, "job_order_id": plan.job.id,
                          "recipients": [u.id for u in people]})
        told += notify(people, kinds.NUDGE, plan.title, link, event=ev)
    return told
