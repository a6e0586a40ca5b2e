"""Oversight in Chromium, by visible labels, with the clock moved on: a job released to TalentCo 25 hours
ago with no submission shows a breached first-submission clock to the account manager and to TalentCo,
sits on the coverage board, and a nudge from the board reaches TalentCo's notifications. The account
manager also changes Acme's SLA targets, and Sam chooses how his notifications reach him."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal import clock
from tests.browser.helpers import screenshot, sign_in
from tests.test_review_support import job_with_candidates
from tests.world import World

TITLE = "Browser coverage job"


def test_a_breached_job_on_the_board_and_a_nudge_to_the_supplier(new_page, live_server, page_errors):
    start = clock.now()
    with live_server.app.app_context():
        job, _ = job_with_candidates(World(), 0, tiers={"talentco": 1}, title=TITLE)
        job_id, reference = job.id, job.reference
    clock.freeze(start + timedelta(hours=25))
    try:
        morgan = new_page()
        sign_in(morgan, "staff", "morgan@northwind.example")
        morgan.get_by_role("navigation", name="Main").get_by_role("link", name="Coverage").click()
        expect(morgan.get_by_role("heading", name="Coverage", level=1)).to_be_visible()
        row = morgan.get_by_role("row", name=re.compile(reference)).first
        expect(row).to_be_visible()
        expect(row).to_contain_text("Breached")
        screenshot(morgan, "coverage-board-breached")
        row.get_by_role("button", name=re.compile("^Nudge")).click()
        expect(row.get_by_role("status")).to_contain_text(re.compile("Reminder sent|Nudged", re.I))
        expect(row.get_by_role("status")).to_contain_text("Nudged", timeout=4_000)  # the board refreshed itself
        # a second nudge at once is refused with a clear message (an expected 409, not a fault)
        page_errors.error_documents.add(f"{live_server.url}/staff/coverage/first_submission/{job_id}/nudge")
        row.get_by_role("button", name=re.compile("^Nudge")).click()
        expect(row.get_by_role("status")).to_contain_text("Not sent.")
        screenshot(morgan, "coverage-board-nudge-refused")

        sam = new_page()
        sign_in(sam, "supplier", "sam@talentco.example")
        sam.goto("/supplier/job-orders")
        sam_row = sam.get_by_role("row", name=re.compile(reference))
        expect(sam_row).to_contain_text("Breached")
        screenshot(sam, "supplier-jobs-breached-clock")
        sam.locator("#notifications-badge").click()
        expect(sam.locator(".notification").first).to_contain_text(reference)
        screenshot(sam, "supplier-notified-of-nudge")

        # SLA targets per client, edited by staff.
        morgan.get_by_role("link", name="SLA targets").click()
        morgan.get_by_role("link", name=re.compile("Acme Manufacturing")).first.click()
        review = morgan.get_by_label(re.compile("Client review", re.I))
        review.fill("0")
        morgan.get_by_role("button", name=re.compile("^Save")).click()
        expect(morgan.get_by_role("alert").first).to_be_visible()  # refused, told why
        morgan.get_by_label(re.compile("Client review", re.I)).fill("36")
        morgan.get_by_role("button", name=re.compile("^Save")).click()
        expect(morgan.get_by_text(re.compile("saved", re.I)).first).to_be_visible()
        screenshot(morgan, "sla-targets-acme")

        # Sam chooses a daily digest for job changes and turns offers off.
        sam.goto("/account")
        sam.get_by_role("link", name="Notification settings").click()
        sam.get_by_role("group", name="Changes to released jobs").get_by_label("Daily digest").check()
        sam.get_by_role("group", name="Offers").get_by_label("Off").check()
        sam.get_by_role("button", name="Save settings").click()
        expect(sam.get_by_text("Your notification settings are saved.")).to_be_visible()
        expect(sam.get_by_role("group", name="Offers").get_by_label("Off")).to_be_checked()
        screenshot(sam, "notification-settings")
    finally:
        clock.freeze(None)
