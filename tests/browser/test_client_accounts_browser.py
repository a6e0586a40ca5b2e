"""The client account in Chromium, by visible labels: the account manager opens Clients → Acme, logs
a call and plans a follow-up, sees both on the account page, and finds the follow-up on the dashboard
when it is due."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from portal import clock
from tests.browser.helpers import screenshot, sign_in

CALL = "Called Hana: two more controls engineers for the spring shutdown."
TODO = "Send Hana profiles for the spring shutdown"


def test_log_a_call_and_plan_a_follow_up(page):
    sign_in(page, "staff", "morgan@northwind.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Clients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Client accounts")
    row = page.get_by_role("row").filter(has_text="Acme Manufacturing")
    expect(row).to_contain_text("Morgan Reyes")
    screenshot(page, "clients-list")
    row.get_by_role("link", name="Acme Manufacturing").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Manufacturing")

    # Bad input first: the message is next to the field, and nothing is lost.
    page.get_by_label("Kind").select_option(label="Call")
    page.get_by_role("button", name="Add to log").click()
    expect(page.get_by_role("alert")).to_contain_text("Write a short summary.")

    page.get_by_label("Kind").select_option(label="Call")
    page.get_by_label("Summary").fill(CALL)
    page.get_by_role("button", name="Add to log").click()
    expect(page.get_by_text("Call added to the account log.")).to_be_visible()
    log = page.locator("#log")
    expect(log.get_by_role("listitem").first).to_contain_text(CALL)
    expect(log.get_by_role("listitem").first).to_contain_text("Morgan Reyes")

    due = (clock.now().date() + timedelta(days=2)).isoformat()
    page.get_by_label("Due on").fill(due)
    page.get_by_label("What to do").fill(TODO)
    expect(page.get_by_label("Assigned to", exact=True)).to_have_value(str(_morgan_id(page)))
    page.get_by_role("button", name="Add follow-up").click()
    expect(page.get_by_text("Follow-up planned for you")).to_be_visible()
    follow_ups = page.locator("#follow-ups")
    expect(follow_ups.get_by_role("row").filter(has_text=TODO)).to_contain_text("Morgan Reyes")
    page.locator("#log").scroll_into_view_if_needed()
    screenshot(page, "clients-account-acme")

    # The demo follow-up due today is on the dashboard, with a link back to the account.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    panel = page.locator("#clients-follow-ups-due")
    expect(panel).to_contain_text("Call Hana about the line 2 inspectors")
    expect(panel).not_to_contain_text(TODO)  # not due yet
    screenshot(page, "clients-dashboard-follow-ups")
    panel.get_by_role("button", name=re.compile(r"^Mark done\b.*Call Hana about the line 2 inspectors")).click()
    expect(page.get_by_text("Follow-up done.")).to_be_visible()
    expect(page.locator("#clients-follow-ups-due")).to_contain_text("No account follow-up is due.")


def _morgan_id(page) -> str:
    options = page.get_by_label("Assigned to", exact=True).locator("option", has_text="Morgan Reyes")
    return options.get_attribute("value")
