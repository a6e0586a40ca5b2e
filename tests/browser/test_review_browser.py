"""Review to placement in Chromium, by visible labels: Acme's hiring manager shortlists one candidate
on the board and rejects another with a reason and notes; TalentCo reads the reason and the note
(never the internal note); the hiring manager asks for an interview with two times, TalentCo confirms
one and downloads the invitation; after the interview the hiring manager records feedback and
offers the job, TalentCo accepts, the placement from the review queue fills the one-opening job, and
BluePeak finds it filled and can't submit any more."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar
from playwright.sync_api import expect

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from tests.browser.helpers import SCREENSHOT_DIR, screenshot, sign_in
from tests.test_review_support import job_with_candidates
from tests.world import World

TITLE = "Browser review job"


def _setup(live_server) -> tuple[int, str]:
    """A one-opening Acme job released to TalentCo and BluePeak, with two TalentCo candidates to review."""
    with live_server.app.app_context():
        job, _ = job_with_candidates(World(), 2, openings=1, title=TITLE,
                                     people=[("Tilly", "Keeper"), ("Tom", "Turned")])
        return job.id, job.reference


def _status(live_server, job_id: int) -> str:
    with live_server.app.app_context(), system_scope("browser test lookup"):
        return db.session.get(JobOrder, job_id).status


def _at(day: datetime, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=timezone.utc)


def _pages(new_page, page_errors):
    """new_page() whose htmx answers of 409/422 (a refusal shown in place) are expected, not faults."""
    def make():
        pg = new_page()
        pg.on("response", lambda r: page_errors.error_documents.add(r.url)
              if r.request.resource_type in ("xhr", "fetch") and r.status in (409, 422) else None)
        return pg
    return make


def test_review_interview_offer_and_placement(new_page, page_errors, live_server):
    new_page = _pages(new_page, page_errors)
    job_id, reference = _setup(live_server)
    first, second = _at(clock.now() + timedelta(days=3), 9), _at(clock.now() + timedelta(days=4), 15)

    # The hiring manager opens the job's review board from the job order.
    hana = new_page()
    sign_in(hana, "client", "hana@acme.example")
    hana.get_by_role("navigation", name="Main").get_by_role("link", name="Job orders").click()
    hana.get_by_role("link", name=reference).first.click()
    hana.get_by_role("link", name="Review candidates").click()
    board = hana.locator("#review-board")
    tilly = board.get_by_role("article", name="Tilly Keeper")
    tom = board.get_by_role("article", name="Tom Turned")
    expect(tilly.get_by_text("New", exact=True)).to_be_visible()
    screenshot(hana, "review-board")

    # Shortlist one (htmx: the card moves to the Shortlisted column) and reject the other.
    tilly.get_by_role("button", name="Shortlist").click()
    expect(hana.get_by_text("Shortlisted: the supplier has been told.")).to_be_visible()
    expect(board.get_by_role("region", name="Shortlisted").get_by_role("article", name="Tilly Keeper")).to_be_visible()
    tom.get_by_text("Reject…").click()
    tom.get_by_role("button", name="Reject candidate").click()  # nothing chosen: told what is missing
    expect(tom.get_by_role("alert")).to_contain_text("Choose the reason from the list.")
    tom.get_by_label("Reason").select_option(label="Skills don't match")
    tom.get_by_label("Note to the supplier (optional)").fill("We need Siemens S7 experience.")
    tom.get_by_label("Internal note (optional)").fill("Cheapest of the lot, sadly.")
    screenshot(hana, "review-board-reject")
    tom.get_by_role("button", name="Reject candidate").click()
    expect(hana.get_by_text("Rejected: the supplier has been told the reason.")).to_be_visible()
    hana.get_by_text("Closed: rejected, withdrawn").click()
    expect(board.get_by_role("row", name="Tom Turned")).to_contain_text("Skills don't match")

    # On the candidate's page: the résumé in the page, then an interview with two times.
    board.get_by_role("link", name="Tilly Keeper").click()
    expect(hana.get_by_role("heading", level=1)).to_contain_text("Tilly Keeper")
    resume = hana.locator("iframe.resume-frame")
    resume.scroll_into_view_if_needed()
    for _ in range(50):  # the PDF viewer loads the sandboxed, inline résumé inside the frame
        if any(f.url.endswith("/resume/view") for f in hana.frames) and len(hana.frames) > 2:
            break
        hana.wait_for_timeout(100)
    assert any(f.url.endswith("/resume/view") for f in hana.frames)
    hana.wait_for_timeout(500)
    resume.screenshot(path=str(SCREENSHOT_DIR / "review-resume.png"))
    hana.get_by_text("Request an interview…").click()
    hana.get_by_label("Video").check()
    hana.get_by_label("Place or link").fill("https://meet.example/tilly")
    hana.get_by_label("Interviewers").fill("Peter Lang <peter.lang@acme.example>")
    hana.get_by_label("First time: date and time (UTC)").fill(first.strftime("%Y-%m-%dT%H:%M"))
    hana.get_by_label("Second time: date and time (UTC)").fill(second.strftime("%Y-%m-%dT%H:%M"))
    hana.get_by_label("Second time: length").select_option(label="45 minutes")
    screenshot(hana, "review-interview-request")
    hana.get_by_role("button", name="Send the interview request").click()
    expect(hana.get_by_text("Interview requested: the supplier confirms a time or proposes others.")).to_be_visible()
    expect(hana.get_by_text("Waiting for the supplier to confirm one of your times")).to_be_visible()
    screenshot(hana, "review-submission")

    # TalentCo reads the rejection (never the internal note) and confirms the second time.
    sam = new_page()
    sign_in(sam, "supplier", "sam@talentco.example")
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Submissions").click()
    sam.get_by_role("link", name="Tom Turned").click()
    banner = sam.get_by_role("status").filter(has_text="Rejected by the client — Skills don't match.")
    expect(banner).to_contain_text("We need Siemens S7 experience.")
    expect(sam.get_by_text("Cheapest of the lot")).to_have_count(0)
    screenshot(sam, "review-supplier-rejected")
    sam.go_back()
    sam.get_by_role("link", name="Tilly Keeper").click()
    sam.get_by_role("button", name=f"Confirm {second.strftime('%d %b, %H:%M')}").click()
    expect(sam.get_by_text("Interview confirmed: download the invitation for the candidate.")).to_be_visible()
    with sam.expect_download() as download:
        sam.get_by_role("link", name="Download the invitation (.ics)").click()
    (event,) = Calendar.from_ical(open(download.value.path(), "rb").read()).walk("VEVENT")
    assert event.decoded("DTSTART") == second and event.decoded("DTEND") == second + timedelta(minutes=45)
    assert "Tilly Keeper" in str(event["SUMMARY"]) and str(event["LOCATION"]) == "https://meet.example/tilly"
    screenshot(sam, "review-supplier-interview")

    # After the interview: the hiring manager's feedback and offer, from the candidate's page.
    clock.freeze(second + timedelta(hours=2))
    hana.reload()
    hana.get_by_text("Record feedback…").click()
    hana.get_by_label("5 – Outstanding").check()
    hana.get_by_label("Notes").fill("Clear thinker, knows Allen-Bradley well.")
    hana.get_by_role("button", name="Save feedback").click()
    expect(hana.get_by_text("Feedback recorded.", exact=True)).to_be_visible()
    hana.get_by_text("Extend an offer…").click()
    hana.get_by_label("Rate offered").fill("78")
    hana.get_by_label("Start date").fill((second + timedelta(days=14)).date().isoformat())
    hana.get_by_label("End date").fill((second + timedelta(days=10)).date().isoformat())
    hana.get_by_role("button", name="Send the offer").click()
    expect(hana.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
        "The end date must be after the start date.")
    hana.get_by_label("End date").fill((second + timedelta(days=200)).date().isoformat())
    hana.get_by_role("button", name="Send the offer").click()
    expect(hana.get_by_text("Offer sent: the supplier answers on the candidate's behalf.")).to_be_visible()
    screenshot(hana, "review-submission-offer")

    # TalentCo accepts on the candidate's behalf.
    sam.reload()
    sam.get_by_role("button", name="The candidate accepts the offer").click()
    expect(sam.get_by_text("Offer accepted: the hiring manager can record the placement.")).to_be_visible()

    # The review queue has the accepted offer; one click records the placement and fills the job.
    hana.get_by_role("navigation", name="Main").get_by_role("link", name="Review queue").click()
    hana.get_by_label("Job orders").select_option(label="All of Acme Manufacturing")
    item = hana.locator("li.review-queue-item", has_text="Tilly Keeper")
    expect(item).to_contain_text("The offer was accepted: record the placement")
    screenshot(hana, "review-queue")
    item.get_by_role("button", name="Record the placement").click()
    expect(hana.get_by_text("Placement recorded.")).to_be_visible()
    assert _status(live_server, job_id) == "filled"
    hana.goto(f"/client/job-orders/{job_id}/board")
    expect(hana.get_by_role("region", name="Placed").get_by_role("article", name="Tilly Keeper")).to_be_visible()
    screenshot(hana, "review-board-filled")

    # BluePeak finds the job filled, and can't submit to it any more.
    priya = new_page()
    sign_in(priya, "supplier", "priya@bluepeak.example")
    priya.goto(f"/supplier/job-orders/{job_id}")
    expect(priya.get_by_text("This job order is filled: every opening has been placed.")).to_be_visible()
    expect(priya.get_by_role("link", name="Submit a candidate")).to_have_count(0)
    screenshot(priya, "review-bluepeak-filled")
    refused = priya.goto(f"/supplier/job-orders/{job_id}/submit")
    assert refused.status == 409
    clock.freeze(None)
