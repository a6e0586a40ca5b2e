"""The whole journey over HTTP, as the issue tells it: Acme's hiring manager shortlists one candidate
and rejects another with a reason and a note (TalentCo reads them, never the internal note), asks for
an interview with two times; TalentCo confirms one and downloads a valid invitation; the hiring
manager records feedback and offers the job; TalentCo accepts; the placement fills the one-opening
job, which closes to BluePeak at once."""
from __future__ import annotations

import html
from datetime import timedelta

from icalendar import Calendar

from portal.db.tenancy import scope_for_user, scoped
from portal.extensions import db
from portal.interviews.models import Interview, InterviewSlot
from portal.job_orders.models import JobOrder
from portal.offers.models import Offer
from portal.submissions.models import Submission
from tests.test_job_orders_support import frozen
from tests.test_review_support import (
    events,
    future,
    interview_form,
    job_with_candidates,
    new_candidate,
    prefixed,
    reload,
)
from tests.test_submissions_support import form as submit_form
from tests.test_submissions_support import post_submit


def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _one(model, **where):
    from portal.db.tenancy import system_scope

    with system_scope("test"):
        db.session.expire_all()
        return db.session.query(model).filter_by(**where).one()


def test_review_to_placement(world, as_user):
    job, (kept, turned_down) = job_with_candidates(world, 2, openings=1,
                                                   people=[("Tilly", "Keeper"), ("Tom", "Turned")])
    hana, sam, priya = as_user("hana"), as_user("sam"), as_user("priya")

    # The board shows both, new; the hiring manager shortlists one and rejects the other.
    board = _text(hana.get(f"/client/job-orders/{job.id}/board"))
    assert "Tilly Keeper" in board and "Tom Turned" in board and board.count(">New</span>") == 2
    assert hana.post(f"/client/submissions/{kept.id}/shortlist", prefixed("shortlist", kept.id, view="board"),
                     htmx=True).status_code == 200
    resp = hana.post(f"/client/submissions/{turned_down.id}/reject", prefixed(
        "reject", turned_down.id, view="board", reason="skills", note="We need Siemens S7, not Allen-Bradley.",
        internal_note="PRIVATE-NOTE: cheapest of the lot."), htmx=True)
    assert resp.status_code == 200
    supplier_view = _text(sam.get(f"/supplier/submissions/{turned_down.id}"))
    assert "Rejected by the client" in supplier_view and "Skills don't match" in supplier_view
    assert "We need Siemens S7" in supplier_view and "PRIVATE-NOTE" not in supplier_view
    assert "PRIVATE-NOTE" in _text(hana.get(f"/client/submissions/{turned_down.id}"))

    # An interview with two proposed times; TalentCo confirms the second.
    first, second = future(3, 9), future(4, 15)
    assert hana.post(f"/client/submissions/{kept.id}/interviews",
                     interview_form(kept.id, (first, 60), (second, 45))).status_code == 303
    interview = _one(Interview, submission_id=kept.id)
    slot = _one(InterviewSlot, interview_id=interview.id, starts_at=second)
    resp = sam.post(f"/supplier/interviews/{interview.id}/confirm", {f"confirm{interview.id}-slot_id": str(slot.id)})
    assert resp.status_code == 303
    ics = sam.get(f"/supplier/interviews/{interview.id}/invite.ics")
    assert ics.status_code == 200 and ics.headers["Content-Type"].startswith("text/calendar")
    (event,) = Calendar.from_ical(ics.data).walk("VEVENT")
    assert event.decoded("DTSTART") == second and event.decoded("DTEND") == second + timedelta(minutes=45)
    assert "Tilly Keeper" in str(event["SUMMARY"]) and event["UID"]

    # After the interview: feedback, then the offer.
    with frozen(second + timedelta(hours=2)):
        assert hana.post(f"/client/interviews/{interview.id}/feedback", prefixed(
            "feedback", interview.id, rating="5", notes="Clear thinker.")).status_code == 303
        assert hana.post(f"/client/submissions/{kept.id}/offer", prefixed(
            "offer", kept.id, rate="75", start_date=(second + timedelta(days=10)).date().isoformat(),
            end_date=(second + timedelta(days=190)).date().isoformat())).status_code == 303
    offer = _one(Offer, submission_id=kept.id)
    assert sam.post(f"/supplier/offers/{offer.id}/accept", {}).status_code == 303

    # The placement fills the only opening: the job is filled and closes to BluePeak at once.
    assert hana.post(f"/client/submissions/{kept.id}/placement", prefixed("place", kept.id)).status_code == 303
    assert reload(JobOrder, job.id).status == "filled" and reload(Submission, kept.id).stage == "placed"
    told = [e for e in events("job_order.filled", job.id) if e.supplier_org_id == world.oid("bluepeak")]
    assert len(told) == 1
    bluepeak_user = world.user("priya")
    with scoped(scope_for_user(bluepeak_user)):
        late = new_candidate(bluepeak_user, "Lara", "Late", f"lara.late.{job.id}@example.com")
        db.session.commit()
    refused = post_submit(priya, job.id, submit_form(late.id))
    assert refused.status_code == 409 and "filled" in _text(refused)
    assert "This job order is filled" in _text(priya.get(f"/supplier/job-orders/{job.id}"))
    assert "Placed" in _text(hana.get(f"/client/job-orders/{job.id}/board"))
