"""Interviews: the request (one to three times in the future, a type, a place or link, interviewers),
the supplier's answer (confirm a time, or propose others back to the hiring manager), the client's
answer to those, feedback after the interview, and the .ics invitation of each portal."""
from __future__ import annotations

import html
from datetime import timedelta

from icalendar import Calendar

from portal import clock
from portal.events.models import Event
from portal.interviews.models import Interview, InterviewSlot
from portal.submissions.models import Submission
from tests.test_job_orders_support import frozen
from tests.test_review_support import (
    count,
    events,
    future,
    interview_form,
    job_with_candidates,
    prefixed,
    reload,
    times,
    world_interview,
    world_review,
)


def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _requested(world, as_user, *starts):
    job, (sub,) = job_with_candidates(world, 1)
    starts = starts or (future(3, 10), future(4, 14))
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/interviews",
                                interview_form(sub.id, *((s, 60) for s in starts)))
    assert resp.status_code == 303, _text(resp)
    return sub, _interview_of(sub)


def _interview_of(sub) -> Interview:
    from portal.db.tenancy import system_scope
    from portal.extensions import db

    with system_scope("test"):
        db.session.expire_all()
        return db.session.query(Interview).filter_by(submission_id=sub.id).order_by(Interview.round.desc()).first()


def _slots(interview: Interview, by: str) -> list[InterviewSlot]:
    from portal.db.tenancy import system_scope
    from portal.extensions import db

    with system_scope("test"):
        return (db.session.query(InterviewSlot).filter_by(interview_id=interview.id, proposal=interview.proposal,
                                                          proposed_by=by).order_by(InterviewSlot.starts_at).all())


# --- the request ------------------------------------------------------------------------------------

def test_a_request_proposes_times_and_moves_the_candidate_to_interview(world, as_user):
    sub, interview = _requested(world, as_user, future(3, 10), future(4, 14))
    assert reload(Submission, sub.id).stage == "interview"
    assert (interview.status, interview.kind, interview.location, interview.round) == (
        "requested", "video", "https://meet.example/x", 1)
    assert interview.interviewers == [{"name": "Peter Lang", "email": "peter.lang@acme.example"}]
    assert [s.starts_at for s in _slots(interview, "client")] == [future(3, 10), future(4, 14)]
    (ev,) = events("interview.requested", sub.id)
    assert ev.supplier_org_id == world.oid("talentco") and "proposing 2 times" in ev.summary
    page = _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))
    assert "Confirm the time that suits the candidate" in page and "propose others" in page
    assert "peter.lang@acme.example" in page


def test_a_double_click_asks_for_one_interview(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    data = interview_form(sub.id, (future(3), 60), create_key="k" * 24)
    hana = as_user("hana")
    assert hana.post(f"/client/submissions/{sub.id}/interviews", data).status_code == 303
    assert hana.post(f"/client/submissions/{sub.id}/interviews", data).status_code == 303
    assert count(Interview, Interview.submission_id == sub.id) == 1
    again = hana.post(f"/client/submissions/{sub.id}/interviews", interview_form(sub.id, (future(5), 60)))
    assert again.status_code == 409 and "already being arranged" in _text(again)


def test_bad_requests_are_refused_next_to_their_fields_and_change_nothing(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    url = f"/client/submissions/{sub.id}/interviews"
    before = count(Event)
    cases = [
        (interview_form(sub.id), "Propose at least one time for the interview."),
        (interview_form(sub.id, *((future(d), 60) for d in (2, 3, 4, 5))), "Propose at most 3 times."),
        (interview_form(sub.id, (clock.now() - timedelta(hours=2), 60)), "propose a time in the future"),
        (interview_form(sub.id, (future(300), 60)), "within the next six months"),
        (interview_form(sub.id, (future(3), 60), (future(3), 30)), "proposed twice"),
        (interview_form(sub.id, (future(3), 7)), "Choose how long the interview takes."),
        (interview_form(sub.id, (future(3), 60), kind="webinar"), "Choose the type of interview."),
        (interview_form(sub.id, (future(3), 60), location="Zoom"), "starting with https://"),
        (interview_form(sub.id, (future(3), 60), interviewers="Peter <not-an-email>"), "is not valid"),
        (interview_form(sub.id, (future(3), 60), interviewers=""), "Name at least one interviewer."),
        (interview_form(sub.id, (future(3), 60), note="n" * 1001), "Use 1000 characters or fewer."),
    ]
    for data, message in cases:
        resp = hana.post(url, data, htmx=True)
        assert resp.status_code == 422, (message, resp.status_code)
        assert message in _text(resp), message
        assert _text(resp).lstrip().startswith('<div id="review-submission"')
    assert reload(Submission, sub.id).stage == "client_review" and count(Event) == before
    assert count(Interview, Interview.submission_id == sub.id) == 0


# --- the supplier's answer ----------------------------------------------------------------------------

def test_the_supplier_confirms_one_of_the_times(world, as_user):
    sub, interview = _requested(world, as_user)
    first, second = _slots(interview, "client")
    resp = as_user("sam").post(f"/supplier/interviews/{interview.id}/confirm",
                               {f"confirm{interview.id}-slot_id": str(second.id)}, htmx=True)
    assert resp.status_code == 200 and _text(resp).lstrip().startswith('<section class="card" id="review-panel"')
    assert "interview-changed" in resp.headers["HX-Trigger"]
    row = reload(Interview, interview.id)
    assert (row.status, row.starts_at, row.ends_at, row.confirmed_by_id) == (
        "confirmed", second.starts_at, second.starts_at + timedelta(minutes=60), world.uid("sam"))
    (ev,) = events("interview.confirmed", sub.id)
    assert ev.client_org_id == world.oid("acme") and ev.supplier_org_id == world.oid("talentco")
    assert "Download the invitation (.ics)" in _text(resp)
    # A second answer (a double click, or a colleague) finds it confirmed: 409, nothing changes.
    again = as_user("ravi").post(f"/supplier/interviews/{interview.id}/confirm",
                                 {f"confirm{interview.id}-slot_id": str(first.id)}, htmx=True)
    assert again.status_code == 409 and reload(Interview, interview.id).starts_at == second.starts_at
    assert len(events("interview.confirmed", sub.id)) == 1


def test_a_time_of_another_proposal_or_interview_is_refused(world, as_user):
    sub, interview = _requested(world, as_user)
    other = world_interview("talentco")
    foreign = _slots(reload(Interview, other.id), "client") or [type("S", (), {"id": 999999})()]
    resp = as_user("sam").post(f"/supplier/interviews/{interview.id}/confirm",
                               {f"confirm{interview.id}-slot_id": str(foreign[0].id)})
    assert resp.status_code == 422 and "Choose one of the times proposed in this interview." in _text(resp)
    assert reload(Interview, interview.id).status == "requested"


def test_a_time_that_has_passed_cannot_be_confirmed(world, as_user):
    sub, interview = _requested(world, as_user, future(1, 9))
    (slot,) = _slots(interview, "client")
    with frozen(slot.starts_at + timedelta(minutes=5)):
        resp = as_user("sam").post(f"/supplier/interviews/{interview.id}/confirm",
                                   {f"confirm{interview.id}-slot_id": str(slot.id)})
    assert resp.status_code == 409 and "has passed" in _text(resp)
    assert reload(Interview, interview.id).status == "requested"


def test_other_times_go_back_to_the_hiring_manager_who_confirms_one(world, as_user):
    sub, interview = _requested(world, as_user)
    p = f"propose{interview.id}"
    resp = as_user("sam").post(f"/supplier/interviews/{interview.id}/propose", {
        **times(p, (future(6, 9), 45), (future(7, 16), 30)),
        f"{p}-message": "Tilda is on site visits early in the week."})
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/supplier/submissions/{sub.id}")
    row = reload(Interview, interview.id)
    assert (row.status, row.proposal, row.supplier_message) == (
        "times_proposed", 2, "Tilda is on site visits early in the week.")
    (ev,) = events("interview.times_proposed", sub.id)
    assert "back with the hiring manager" in ev.summary
    # It waits on the hiring manager in the queue, with one button per time.
    queue = _text(as_user("hana").get("/client/review"))
    assert "The supplier proposed other times" in queue and "Confirm " in queue
    theirs = _slots(row, "supplier")
    assert [s.minutes for s in theirs] == [45, 30]
    # The supplier can't confirm its own times; the client can.
    assert as_user("sam").post(f"/supplier/interviews/{interview.id}/confirm",
                               {f"confirm{interview.id}-slot_id": str(theirs[0].id)}).status_code == 409
    resp = as_user("hana").post(f"/client/interviews/{interview.id}/confirm",
                                prefixed("confirm", interview.id, view="queue", slot_id=str(theirs[1].id)), htmx=True)
    assert resp.status_code == 200 and _text(resp).lstrip().startswith('<div id="review-queue"')
    row = reload(Interview, interview.id)
    assert (row.status, row.starts_at) == ("confirmed", theirs[1].starts_at)


def test_the_client_may_propose_new_times_back_to_the_supplier(world, as_user):
    sub, interview = _requested(world, as_user)
    p = f"propose{interview.id}"
    resp = as_user("hana").post(f"/client/interviews/{interview.id}/propose",
                                {**times(p, (future(9, 11), 60)), f"{p}-view": "submission"})
    assert resp.status_code == 303
    row = reload(Interview, interview.id)
    assert (row.status, row.proposal) == ("requested", 2) and len(_slots(row, "client")) == 1
    bad = as_user("sam").post(f"/supplier/interviews/{interview.id}/propose", times(p, (future(2), 60), (future(3), 60),
                                                                                     (future(4), 60), (future(5), 60)))
    assert bad.status_code == 422 and "Propose at most 3 times." in _text(bad)


# --- feedback ----------------------------------------------------------------------------------------

def _confirmed(world, as_user):
    sub, interview = _requested(world, as_user, future(2, 10))
    (slot,) = _slots(interview, "client")
    assert as_user("sam").post(f"/supplier/interviews/{interview.id}/confirm",
                               {f"confirm{interview.id}-slot_id": str(slot.id)}).status_code == 303
    return sub, reload(Interview, interview.id)


def test_feedback_is_recorded_after_the_interview_and_the_supplier_only_learns_it_exists(world, as_user):
    sub, interview = _confirmed(world, as_user)
    url = f"/client/interviews/{interview.id}/feedback"
    early = as_user("hana").post(url, prefixed("feedback", interview.id, rating="4", notes="Good."))
    assert early.status_code == 409 and "record the feedback after it" in _text(early)
    with frozen(interview.ends_at + timedelta(hours=1)):
        queue = _text(as_user("hana").get("/client/review"))
        assert "Record the interview feedback" in queue
        for rating in ("0", "6", "five"):
            bad = as_user("hana").post(url, prefixed("feedback", interview.id, rating=rating, notes="Good."))
            assert bad.status_code == 422 and "Choose a rating from 1 to 5." in _text(bad)
        bad = as_user("hana").post(url, prefixed("feedback", interview.id, rating="3", notes="n" * 2001))
        assert bad.status_code == 422 and "Use 2000 characters or fewer." in _text(bad)
        assert reload(Interview, interview.id).status == "confirmed"
        resp = as_user("hana").post(url, prefixed("feedback", interview.id, rating="5",
                                                  notes="FEEDBACK-NOTE-31 superb."))
        assert resp.status_code == 303
    row = reload(Interview, interview.id)
    assert (row.status, row.rating, row.feedback, row.feedback_by_id) == (
        "completed", 5, "FEEDBACK-NOTE-31 superb.", world.uid("hana"))
    (ev,) = events("interview.feedback_recorded", sub.id)
    assert "FEEDBACK-NOTE-31" not in ev.summary and "5" not in str(ev.data.get("rating", ""))
    supplier_page = _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))
    assert "The client recorded its feedback." in supplier_page
    assert "FEEDBACK-NOTE-31" not in supplier_page and "5 of 5" not in supplier_page
    assert "FEEDBACK-NOTE-31" in _text(as_user("morgan").get(f"/staff/submissions/{sub.id}"))
    assert "FEEDBACK-NOTE-31" in _text(as_user("hana").get(f"/client/submissions/{sub.id}"))


# --- the invitation ------------------------------------------------------------------------------------

def test_the_invitation_is_a_valid_calendar_for_each_portal(world, as_user):
    interview = world_interview("talentco")
    files = {}
    for who, portal in (("sam", "supplier"), ("hana", "client"), ("morgan", "staff")):
        resp = as_user(who).get(f"/{portal}/interviews/{interview.id}/invite.ics")
        assert resp.status_code == 200, who
        assert resp.headers["Content-Type"].startswith("text/calendar")
        assert resp.headers["Content-Disposition"].startswith("attachment;") and ".ics" in resp.headers[
            "Content-Disposition"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        files[portal] = Calendar.from_ical(resp.data)
    cal = files["supplier"]
    assert str(cal["VERSION"]) == "2.0" and cal["PRODID"]
    (ev,) = cal.walk("VEVENT")
    row = reload(Interview, interview.id)
    assert ev.decoded("DTSTART") == row.starts_at and ev.decoded("DTEND") == row.ends_at
    assert ev.decoded("DTSTART").utcoffset() == timedelta(0)
    assert ev["UID"] == f"interview-{interview.id}@portal.test"
    assert "Rosa Review" in str(ev["SUMMARY"]) and "ACME-" in str(ev["SUMMARY"])
    assert str(ev["LOCATION"]) == "https://meet.example/acme-1" and str(ev["URL"]) == "https://meet.example/acme-1"
    assert str(ev["ORGANIZER"]) == "mailto:portal@northwind.example"
    attendees = {str(a) for a in ev.get("ATTENDEE")}
    expected = {"mailto:peter.lang@acme.example", "mailto:dana.ortiz@acme.example", "mailto:rosa.review@example.com"}
    assert expected <= attendees
    # The client's file never carries the candidate's e-mail; staff's does.
    client_attendees = {str(a) for a in files["client"].walk("VEVENT")[0].get("ATTENDEE")}
    assert "mailto:rosa.review@example.com" not in client_attendees
    assert "mailto:rosa.review@example.com" in {str(a) for a in files["staff"].walk("VEVENT")[0].get("ATTENDEE")}


def test_the_invitation_waits_for_a_confirmed_time_and_stays_with_its_parties(world, as_user):
    sub, interview = _requested(world, as_user)
    resp = as_user("sam").get(f"/supplier/interviews/{interview.id}/invite.ics")
    assert resp.status_code == 409 and "no confirmed time yet" in _text(resp)
    theirs = world_interview("bluepeak")
    assert as_user("sam").get(f"/supplier/interviews/{theirs.id}/invite.ics").status_code == 404
    assert as_user("hana").get(f"/client/interviews/{theirs.id}/invite.ics").status_code == 404
    assert as_user("hana").get(f"/supplier/interviews/{interview.id}/invite.ics").status_code == 404
    assert world_review("globex") is not None
