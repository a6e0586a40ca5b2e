"""The CRM journey in Chromium, by visible labels: a company asks for talent, the account manager
logs a call, qualifies, wins and converts it, and the new hiring manager finds the draft job."""
from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.leads.models import Lead
from tests.browser.helpers import screenshot, sign_in

COMPANY = "Browserly Freight"
HM_EMAIL = "rita@browserly.example"
LINK = re.compile(r"https?://[^/\s]+(/account/set-password/[A-Za-z0-9_\-]+)")


def _lead_reference(live_server) -> str:
    with live_server.app.app_context(), system_scope("browser test lookup"):
        lead = db.session.scalar(select(Lead).where(Lead.company_name == COMPANY))
        return lead.reference


def test_request_to_client_with_a_draft_job_order(new_page, live_server):
    # An unknown company asks for talent, without an account.
    guest = new_page()
    guest.goto("/request-talent")
    guest.get_by_role("button", name="Send request").click()
    expect(guest.get_by_role("alert")).to_contain_text("Enter your company's name.")
    guest.get_by_label("Company name").fill(COMPANY)
    guest.get_by_label("Your name").fill("Rita Moreno")
    guest.get_by_label("Work e-mail address").fill(HM_EMAIL)
    guest.get_by_label("What roles do you need?").fill("Delivery drivers")
    guest.get_by_label("How many people?").fill("5")
    guest.get_by_label("Where will they work?").fill("Leeds depot")
    screenshot(guest, "leads-request-form")
    guest.get_by_role("button", name="Send request").click()
    expect(guest.get_by_role("heading", name=f"Thank you, {COMPANY}")).to_be_visible()
    screenshot(guest, "leads-request-thanks")
    reference = _lead_reference(live_server)

    # The account manager finds it in the queue and works it.
    staff = new_page()
    sign_in(staff, "staff", "morgan@northwind.example")
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    row = staff.get_by_role("row").filter(has_text=COMPANY)
    expect(row).to_contain_text("Morgan Reyes")
    staff.get_by_label("Search").fill("browserly")  # search as you type (htmx)
    expect(staff.get_by_role("row")).to_have_count(2)
    screenshot(staff, "leads-queue")
    row.get_by_role("link", name=reference).click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text(COMPANY)
    staff.get_by_label("Summary").fill("Called Rita: five drivers from next month.")
    staff.get_by_role("button", name="Log activity").click()
    expect(staff.get_by_text("Called Rita: five drivers from next month.")).to_be_visible()
    staff.get_by_label("Expected value").fill("75000")
    staff.get_by_role("button", name="Create opportunity").click()
    expect(staff.get_by_text(f"{reference} is now opportunity")).to_be_visible()
    staff.get_by_label("Move to stage").select_option(label="Won")
    staff.get_by_role("button", name="Move stage").click()
    expect(staff.get_by_role("heading", name="Won — make it a client")).to_be_visible()
    screenshot(staff, "leads-opportunity-won")
    staff.get_by_role("link", name="Convert to a client").click()
    expect(staff.get_by_label("Hiring manager's e-mail address")).to_have_value(HM_EMAIL)
    expect(staff.get_by_label("Job title", exact=True)).to_have_value("Delivery drivers")
    staff.get_by_label("Client code").fill("BRWF")
    screenshot(staff, "leads-convert")
    staff.get_by_role("button", name="Convert to a client").click()
    expect(staff.get_by_text("Converted: Browserly Freight is a new client")).to_be_visible()
    staff.goto("/staff/sales")
    expect(staff.get_by_role("img", name=re.compile("Value won per month"))).to_be_visible()
    screenshot(staff, "leads-sales")

    # The new hiring manager accepts the invitation and finds the draft waiting.
    [invitation] = [body for body in live_server.mail_to(HM_EMAIL) if "invited" in body]
    hm = new_page()
    hm.goto(LINK.search(invitation).group(1))
    hm.get_by_label("New password", exact=True).fill("delivery drivers wanted")
    hm.get_by_label("Confirm new password").fill("delivery drivers wanted")
    hm.get_by_role("button", name="Set password").click()
    sign_in(hm, "client", HM_EMAIL, "delivery drivers wanted")
    hm.goto("/client/job-orders")
    expect(hm.get_by_text("Delivery drivers")).to_be_visible()
    expect(hm.get_by_text("BRWF-0001")).to_be_visible()
    screenshot(hm, "leads-hiring-manager-draft")
