"""Offers and placements: the client's offer (and what it may not be), the supplier's answer on the
candidate's behalf, the placement after acceptance, and the last placement filling the job order —
the job filled by itself, every released supplier told, the other live submissions closed as
"position filled", no submission taken any more."""
from __future__ import annotations

import html
from datetime import timedelta

from sqlalchemy import select

from portal import clock
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.interviews.models import Interview
from portal.job_orders.models import JobOrder
from portal.offers.models import Offer, Placement
from portal.submissions.models import Submission
from tests.test_review_support import (
    count,
    events,
    future,
    interview_form,
    job_with_candidates,
    new_candidate,
    placements,
    prefixed,
    reload,
    run,
    submit,
    to_offer_accepted,
    world_offer,
    world_review,
)
from tests.test_submissions_support import form as submit_form
from tests.test_submissions_support import post_submit


def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _day(n: int) -> str:
    return (clock.now().date() + timedelta(days=n)).isoformat()


def _offer_form(sub_id: int, rate="72.50", start=14, end=200, note="", view="submission") -> dict:
    return prefixed("offer", sub_id, view=view, rate=rate, start_date=_day(start) if start is not None else "",
                    end_date=_day(end) if end is not None else "", note=note)


def _shortlisted(world, as_user, n=1, **kw):
    job, subs = job_with_candidates(world, n, **kw)
    for sub in subs:
        resp = as_user("hana").post(f"/client/submissions/{sub.id}/shortlist", prefixed("shortlist", sub.id))
        assert resp.status_code == 303
    return job, subs


# --- the offer -----------------------------------------------------------------------------------------

def test_an_offer_is_extended_to_a_shortlisted_candidate(world, as_user):
    job, (sub,) = _shortlisted(world, as_user)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/offer", _offer_form(sub.id, note="Welcome aboard."),
                                htmx=True)
    assert resp.status_code == 200 and "offer-changed" in resp.headers["HX-Trigger"]
    with system_scope("test"):
        offer = db.session.scalar(select(Offer).where(Offer.submission_id == sub.id))
    assert (offer.status, str(offer.rate), offer.currency, offer.rate_unit, offer.note) == (
        "extended", "72.50", "USD", "hour", "Welcome aboard.")
    assert reload(Submission, sub.id).stage == "offer"
    (ev,) = events("offer.extended", sub.id)
    assert "72.50 USD/hour" in ev.summary and ev.supplier_org_id == world.oid("talentco")
    page = _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))
    assert "72.50 USD/hour" in page and "Welcome aboard." in page and "The candidate accepts the offer" in page


def test_bad_offers_are_refused_next_to_their_fields(world, as_user):
    job, (sub,) = _shortlisted(world, as_user)
    hana = as_user("hana")
    url = f"/client/submissions/{sub.id}/offer"
    before = count(Event)
    cases = [
        (_offer_form(sub.id, rate="0"), "Enter a rate above zero"),
        (_offer_form(sub.id, rate="-5"), "Enter a rate above zero"),
        (_offer_form(sub.id, rate="abc"), "as an amount"),
        (_offer_form(sub.id, rate="70.125"), "at most 2 decimals"),
        (_offer_form(sub.id, rate="999999"), "more than the portal accepts"),
        (_offer_form(sub.id, start=-1), "The start date can't be in the past."),
        (_offer_form(sub.id, start=20, end=10), "The end date must be after the start date."),
        (_offer_form(sub.id, start=20, end=20), "The end date must be after the start date."),
        (_offer_form(sub.id, end=None), "Enter the end date of the contract."),
        (_offer_form(sub.id, note="n" * 1001), "Use 1000 characters or fewer."),
    ]
    for data, message in cases:
        resp = hana.post(url, data, htmx=True)
        assert resp.status_code == 422 and message in _text(resp), (message, resp.status_code)
    assert reload(Submission, sub.id).stage == "shortlisted" and count(Event) == before
    assert count(Offer, Offer.submission_id == sub.id) == 0


def test_direct_hire_offers_have_no_end_date(world, as_user):
    job, (sub,) = _shortlisted(world, as_user, position_type="direct_hire")
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/offer", _offer_form(sub.id))
    assert resp.status_code == 422 and "has no end date" in _text(resp)
    assert as_user("hana").post(f"/client/submissions/{sub.id}/offer", _offer_form(sub.id, end=None)).status_code == 303


def test_an_offer_needs_a_shortlist_or_an_interview_first(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/offer", _offer_form(sub.id))
    assert resp.status_code == 409 and "moved to client review in the meantime" in _text(resp)
    assert count(Offer, Offer.submission_id == sub.id) == 0


def test_an_offer_cancels_the_interview_still_being_arranged(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    resp = hana.post(f"/client/submissions/{sub.id}/interviews", interview_form(sub.id, (future(3), 60)))
    assert resp.status_code == 303
    assert hana.post(f"/client/submissions/{sub.id}/offer", _offer_form(sub.id)).status_code == 303
    with system_scope("test"):
        interview = db.session.scalar(select(Interview).where(Interview.submission_id == sub.id))
    assert (interview.status, interview.cancel_reason) == ("cancelled", "An offer was made")


# --- the supplier's answer ------------------------------------------------------------------------------

def test_the_supplier_accepts_on_the_candidates_behalf(world, as_user):
    offer = world_offer("talentco")
    resp = as_user("sam").post(f"/supplier/offers/{offer.id}/accept", {}, htmx=True)
    assert resp.status_code == 200 and "offer-changed" in resp.headers["HX-Trigger"]
    row = reload(Offer, offer.id)
    assert (row.status, row.answered_by_id) == ("accepted", world.uid("sam"))
    (ev,) = events("offer.accepted", offer.submission_id)
    assert ev.client_org_id == world.oid("acme") and "accepted the offer" in ev.summary
    queue = _text(as_user("hana").get("/client/review"))
    assert "The offer was accepted: record the placement" in queue and "Record the placement" in queue
    again = as_user("ravi").post(f"/supplier/offers/{offer.id}/accept", {})
    assert again.status_code == 409 and len(events("offer.accepted", offer.submission_id)) == 1


def test_a_decline_needs_a_reason_and_ends_the_submission(world, as_user):
    offer = world_offer("talentco")
    sam = as_user("sam")
    resp = sam.post(f"/supplier/offers/{offer.id}/decline", {f"decline{offer.id}-reason": ""})
    assert resp.status_code == 422 and "Say why the candidate declines the offer." in _text(resp)
    resp = sam.post(f"/supplier/offers/{offer.id}/decline", {f"decline{offer.id}-reason": "r" * 501})
    assert resp.status_code == 422 and "Use 500 characters or fewer." in _text(resp)
    resp = sam.post(f"/supplier/offers/{offer.id}/decline", {f"decline{offer.id}-reason": "Took a counter-offer."})
    assert resp.status_code == 303
    assert reload(Offer, offer.id).status == "declined"
    assert reload(Submission, offer.submission_id).stage == "offer_declined"
    job_id = reload(Submission, offer.submission_id).job_order_id
    board = _text(as_user("hana").get(f"/client/job-orders/{job_id}/board"))
    assert "Took a counter-offer." in board[board.index("Closed: rejected"):]


def test_only_the_submissions_supplier_answers_its_offer(world, as_user):
    offer = world_offer("talentco")
    assert as_user("priya").post(f"/supplier/offers/{offer.id}/accept", {}).status_code == 404
    assert as_user("hana").post(f"/supplier/offers/{offer.id}/accept", {}).status_code == 404
    assert reload(Offer, offer.id).status == "extended"


# --- placement and filling -------------------------------------------------------------------------------

def test_a_placement_needs_an_accepted_offer(world, as_user):
    sub = world_review("acme")
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/placement", prefixed("place", sub.id), htmx=True)
    assert resp.status_code == 409 and "has not accepted the offer yet" in _text(resp)
    assert count(Placement, Placement.submission_id == sub.id) == 0


def test_placements_fill_openings_and_the_last_one_fills_the_job(world, as_user):
    job, (a, b, c) = job_with_candidates(world, 3, openings=2)
    with system_scope("bluepeak submits"):
        priya = db.session.merge(world.user("priya"))
        d = submit(priya, job, new_candidate(priya, "Dora", "Bluepeak", f"dora.{job.id}@example.com"))
        db.session.commit()
    hana = as_user("hana")
    assert hana.post(f"/client/submissions/{d.id}/interviews", interview_form(d.id, (future(3), 60))).status_code == 303
    for sub in (a, b):
        to_offer_accepted(world, sub)
    assert hana.post(f"/client/submissions/{a.id}/placement", prefixed("place", a.id)).status_code == 303
    assert reload(JobOrder, job.id).status == "open" and placements(job.id) == 1
    assert reload(Submission, c.id).stage == "client_review"
    resp = hana.post(f"/client/submissions/{b.id}/placement", prefixed("place", b.id, view="board"), htmx=True)
    assert resp.status_code == 200 and "placement-changed" in resp.headers["HX-Trigger"]
    assert "Placement recorded." in _text(resp)
    row = reload(JobOrder, job.id)
    assert row.status == "filled" and placements(job.id) == 2
    assert reload(Submission, b.id).stage == "placed"
    assert reload(Submission, c.id).stage == "closed" and reload(Submission, d.id).stage == "closed"
    with system_scope("test"):
        interview = db.session.scalar(select(Interview).where(Interview.submission_id == d.id))
        filled = db.session.scalars(select(Event).where(Event.verb == "job_order.filled",
                                                        Event.subject_id == job.id)).all()
    assert interview.status == "cancelled"
    # Every released supplier is told, each by its own event.
    told = sorted(e.supplier_org_id for e in filled if e.supplier_org_id)
    assert told == sorted([world.oid("talentco"), world.oid("bluepeak")])
    closed = [e for e in events("submission.closed") if e.data["job_order_id"] == job.id]
    assert {e.subject_id for e in closed} == {c.id, d.id}
    assert {e.supplier_org_id for e in closed if e.subject_id == d.id} == {world.oid("bluepeak")}
    # Nothing more can be submitted, and the supplier's job page says it is filled.
    other = new_candidate_for(world, "priya", job)
    resp = post_submit(as_user("priya"), job.id, submit_form(other.id))
    assert resp.status_code == 409
    assert "filled" in _text(as_user("priya").get(f"/supplier/job-orders/{job.id}"))
    resp = hana.post(f"/client/submissions/{c.id}/shortlist", prefixed("shortlist", c.id))
    assert resp.status_code == 409 and "moved to closed (position filled)" in _text(resp)


def new_candidate_for(world, short: str, job) -> "object":
    from portal.db.tenancy import scope_for_user, scoped

    user = world.user(short)
    with scoped(scope_for_user(user)):
        candidate = new_candidate(user, "Late", "Comer", f"late.comer.{job.id}@example.com")
        db.session.commit()
        return candidate


def test_a_filled_job_takes_no_more_placements(world, as_user):
    job, (a, b) = job_with_candidates(world, 2, openings=1)
    for sub in (a, b):
        to_offer_accepted(world, sub)
    assert as_user("hana").post(f"/client/submissions/{a.id}/placement", prefixed("place", a.id)).status_code == 303
    resp = as_user("hana").post(f"/client/submissions/{b.id}/placement", prefixed("place", b.id))
    assert resp.status_code == 409
    assert placements(job.id) == 1 and reload(Submission, b.id).stage == "closed"
    with system_scope("test"):
        assert db.session.scalar(select(Offer.status).where(Offer.submission_id == b.id)) == "withdrawn"


def test_rejecting_after_an_accepted_offer_withdraws_it(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    offer = to_offer_accepted(world, sub)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/reject", prefixed("reject", sub.id, reason="other",
                                                                                 note="The budget was cut."))
    assert resp.status_code == 303
    assert reload(Offer, offer.id).status == "withdrawn" and reload(Submission, sub.id).stage == "rejected"
    assert as_user("hana").post(f"/client/submissions/{sub.id}/placement", prefixed("place", sub.id)).status_code == 409


def test_the_placement_service_refuses_other_parties(world):
    from portal.offers import services
    from portal.submissions.services import SubmissionError

    sub = world_review("acme")
    for short, status in (("leo", 404), ("sam", 404)):
        try:
            run(world.user(short), services.place, sub)
        except SubmissionError as exc:
            assert exc.status == status
        else:
            raise AssertionError(f"{short} placed a candidate")
    assert count(Placement, Placement.submission_id == sub.id) == 0


def test_a_closed_job_takes_no_more_offers_or_interviews(world, as_user):
    from portal.job_orders import services as job_orders

    job, (a, b) = _shortlisted(world, as_user, 2)
    run(world.user("hana"), job_orders.close, job, "budget")
    resp = as_user("hana").post(f"/client/submissions/{a.id}/offer", _offer_form(a.id))
    assert resp.status_code == 409 and "is closed: it takes no more offers" in _text(resp)
    resp = as_user("hana").post(f"/client/submissions/{b.id}/interviews", interview_form(b.id, (future(3), 60)))
    assert resp.status_code == 409 and "it takes no more interviews" in _text(resp)
    assert reload(Submission, a.id).stage == "shortlisted" and count(Offer, Offer.submission_id == a.id) == 0
    # Turning a candidate down stays possible.
    resp = as_user("hana").post(f"/client/submissions/{a.id}/reject", prefixed("reject", a.id, reason="other"))
    assert resp.status_code == 303
