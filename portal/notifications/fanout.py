"""From events to notifications: which recorded events tell whom, under which kind.

A rule sees each event as it is recorded (same transaction). It only ever notifies people of
the parties the event is stamped with (`client_org_id`, `supplier_org_id`; staff for any event),
so the notification's text is the event's summary, which those parties may already read.
Internal events reach staff only.
"""
from __future__ import annotations

from flask import current_app, has_request_context, url_for

from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.events.services import LISTENERS
from portal.extensions import db
from portal.notifications import kinds as K
from portal.notifications.recipients import account_managers, hiring_manager, org_users, submitter
from portal.notifications.services import notify


def link(endpoint: str, **values) -> str:
    """A path inside the portal, built inside or outside a request (tick, CLI)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _job(ev: Event):
    from portal.job_orders.models import JobOrder

    job_id = ev.subject_id if ev.subject_type == "job_order" else (ev.data or {}).get("job_order_id")
    return db.session.get(JobOrder, job_id) if job_id else None


def _sub(ev: Event):
    from portal.submissions.models import Submission

    return db.session.get(Submission, ev.subject_id) if ev.subject_type == "submission" else None


def _actor_portal(ev: Event) -> str | None:
    return ev.actor.portal if ev.actor is not None else None


# --- job order news ------------------------------------------------------------------------------

def _to_suppliers(ev: Event, kind: K.Kind, title: str) -> int:
    """News of a job for the released supplier the event is stamped with."""
    job = _job(ev)
    if job is None or ev.supplier_org_id is None or ev.internal:
        return 0
    return notify(org_users(ev.supplier_org_id), kind, title,
                  link("job_orders.supplier_detail", job_id=job.id), event=ev)


def _job_rules(ev: Event) -> int:
    job = _job(ev)
    if job is None:
        return 0
    verb = ev.verb
    ref = f"{job.reference} {job.title}"
    supplier_only = ev.supplier_org_id is not None and ev.client_org_id is None
    if verb == "job_order.released":
        return _to_suppliers(ev, K.JOB_RELEASED, f"New job released to you: {ref}")
    if verb in ("job_order.edited", "job_order.put_on_hold", "job_order.reopened", "job_order.closed") and supplier_only:
        words = {"job_order.edited": "changed", "job_order.put_on_hold": "put on hold",
                 "job_order.reopened": "reopened", "job_order.closed": "closed"}[verb]
        return _to_suppliers(ev, K.JOB_CHANGED, f"{ref} was {words}")
    if verb == "job_order.filled":
        if supplier_only:
            return _to_suppliers(ev, K.JOB_FILLED, f"{ref} has been filled")
        if ev.client_org_id is not None and not ev.internal:
            return notify(hiring_manager(job), K.JOB_FILLED, f"{ref} has been filled",
                          link("job_orders.client_detail", job_id=job.id), event=ev)
        return 0
    if verb == "job_order.question_answered" and supplier_only:
        return _to_suppliers(ev, K.ANSWER, f"A question on {job.reference} was answered")
    if verb == "job_order.question_asked":
        n = notify(account_managers(job.client_org_id), K.QUESTION, f"New question on {ref}",
                   link("job_orders.staff_detail", job_id=job.id), event=ev)
        if ev.client_org_id is not None and not ev.internal:
            n += notify(hiring_manager(job), K.QUESTION, f"New question on {ref}",
                        link("job_orders.client_detail", job_id=job.id), event=ev)
        return n
    if verb == "job_order.submitted":
        return notify(account_managers(job.client_org_id), K.JOB_REVIEW, f"{ref} is waiting for your review",
                      link("job_orders.staff_detail", job_id=job.id), event=ev)
    if verb in ("job_order.returned", "job_order.approved") and ev.client_org_id is not None and not ev.internal:
        words = "returned to you with a comment" if verb == "job_order.returned" else "approved"
        return notify(hiring_manager(job), K.JOB_REVIEW, f"{ref} was {words}",
                      link("job_orders.client_detail", job_id=job.id), event=ev)
    return 0


# --- submission news -----------------------------------------------------------------------------

def _sub_rules(ev: Event) -> int:
    sub = _sub(ev)
    if sub is None or ev.internal:
        return 0
    job = _job(ev)
    verb = ev.verb
    ref = job.reference if job is not None else ""
    to_client = ev.client_org_id is not None and job is not None
    to_supplier = ev.supplier_org_id is not None
    client_link = link("review.submission", submission_id=sub.id)
    supplier_link = link("submissions.supplier_detail", submission_id=sub.id)
    staff_link = link("submissions.staff_detail", submission_id=sub.id)
    by = _actor_portal(ev)
    n = 0
    if verb == "submission.created":
        if to_client:
            n += notify(hiring_manager(job), K.NEW_SUBMISSION, f"New candidate for {ref}", client_link, event=ev)
        elif job is not None:  # waits for screening by the account managers
            n += notify(account_managers(job.client_org_id), K.NEW_SUBMISSION, f"New candidate to screen for {ref}",
                        staff_link, event=ev)
    elif verb == "submission.forwarded":
        if to_client:
            n += notify(hiring_manager(job), K.NEW_SUBMISSION, f"New candidate for {ref}", client_link, event=ev)
        if to_supplier:
            n += notify(submitter(sub), K.DECISION, f"Your candidate was forwarded to the client for {ref}",
                        supplier_link, event=ev)
    elif verb in ("submission.shortlisted", "submission.rejected") and to_supplier:
        words = "shortlisted" if verb == "submission.shortlisted" else "not retained"
        n += notify(submitter(sub), K.DECISION, f"Your candidate was {words} for {ref}", supplier_link, event=ev)
    elif verb == "interview.requested" and to_supplier:
        n += notify(submitter(sub), K.INTERVIEW_REQUEST, f"Interview request for your candidate on {ref}",
                    supplier_link, event=ev)
    elif verb in ("interview.confirmed", "interview.times_proposed"):
        words = "confirmed an interview time" if verb == "interview.confirmed" else "proposed other interview times"
        if by == "supplier" and to_client:
            n += notify(hiring_manager(job), K.INTERVIEW_ANSWER, f"The supplier {words} for {ref}", client_link,
                        event=ev)
            n += notify(account_managers(sub.client_org_id), K.INTERVIEW_ANSWER, f"The supplier {words} for {ref}",
                        staff_link, event=ev)
        elif by != "supplier" and to_supplier:
            n += notify(submitter(sub), K.INTERVIEW_REQUEST, f"The client {words} for {ref}", supplier_link, event=ev)
    elif verb == "offer.extended" and to_supplier:
        n += notify(submitter(sub), K.OFFER, f"Offer for your candidate on {ref}", supplier_link, event=ev)
    elif verb in ("offer.accepted", "offer.declined"):
        words = "accepted" if verb == "offer.accepted" else "declined"
        if to_client and by != "client":
            n += notify(hiring_manager(job), K.OFFER_ANSWER, f"Offer {words} for {ref}", client_link, event=ev)
        n += notify(account_managers(sub.client_org_id), K.OFFER_ANSWER, f"Offer {words} for {ref}", staff_link,
                    event=ev)
    elif verb == "placement.recorded" and to_supplier:
        n += notify(submitter(sub), K.DECISION, f"Your candidate was placed on {ref}", supplier_link, event=ev)
    return n


def on_event(ev: Event) -> None:
    """Fan one recorded event out to the people it concerns (a no-op for most verbs)."""
    domain = ev.verb.split(".", 1)[0]
    if domain not in ("job_order", "submission", "interview", "offer", "placement"):
        return
    with system_scope("notification fan-out"):
        if ev.subject_type == "job_order":
            _job_rules(ev)
        elif ev.subject_type == "submission":
            _sub_rules(ev)


def init_fanout() -> None:
    if on_event not in LISTENERS:
        LISTENERS.append(on_event)
