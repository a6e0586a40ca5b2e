"""Sign-in journeys of the foundation, driven by visible labels and roles as a person would."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import screenshot, sign_in

#: account -> (portal, header name of the portal, dashboard heading)
DEMO = {
    "hana@acme.example": ("client", "Client portal", "Welcome, Hana"),
    "sam@talentco.example": ("supplier", "Supplier portal", "Welcome, Sam"),
    "morgan@northwind.example": ("staff", "Staff portal", "Good day, Morgan"),
}
OWN_ACCOUNT = {portal: email for email, (portal, _, _) in DEMO.items()}
REFUSED = "The e-mail address or password is not right for the {} portal."


def _error_summary(page):
    return page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))


@pytest.mark.parametrize("email", list(DEMO))
def test_demo_account_signs_in_at_its_own_portal(page, email):
    portal, portal_name, heading = DEMO[email]
    page.goto(f"/{portal}/login")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_text(portal_name, exact=True)).to_be_visible()
    screenshot(page, f"login-{portal}")

    sign_in(page, portal, email)

    expect(page).to_have_url(re.compile(rf"/{portal}/$"))
    expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(portal_name)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard")).to_have_attribute(
        "aria-current", "page")
    assert page.evaluate("typeof htmx") == "object", "htmx did not load on the dashboard"
    screenshot(page, f"dashboard-{portal}")


@pytest.mark.parametrize("portal", ["client", "supplier", "staff"])
def test_refusal_says_the_same_for_wrong_portal_wrong_password_and_unknown_email(page, portal):
    attempts = [(email, "portal-demo") for email, (own, _, _) in DEMO.items() if own != portal]
    attempts += [(OWN_ACCOUNT[portal], "not-the-password"), ("nobody@unknown.example", "portal-demo")]
    seen = {}
    for email, password in attempts:
        sign_in(page, portal, email, password)
        expect(page).to_have_url(re.compile(rf"/{portal}/login$"))
        summary = _error_summary(page)
        expect(summary).to_be_visible()
        seen[(email, password)] = summary.get_by_role("listitem").inner_text().strip()
        if portal == "client" and email == "sam@talentco.example":
            screenshot(page, "login-client-refused")
        expect(page.get_by_label("E-mail address", exact=True)).to_have_value(email)
        expect(page.get_by_label("Password", exact=True)).to_have_value("")
    assert set(seen.values()) == {REFUSED.format(portal)}, seen


def test_signing_out_returns_to_sign_in_and_closes_the_dashboard(page):
    sign_in(page, "client", "hana@acme.example")
    expect(page.get_by_role("heading", name="Welcome, Hana")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/client/login$"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    screenshot(page, "signed-out")

    page.goto("/client/")
    expect(page).to_have_url(re.compile(r"/client/login(\?|$)"))
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()


def test_error_summary_links_to_each_field_when_the_form_is_empty(page):
    page.goto("/client/login")
    page.get_by_role("button", name="Sign in").click()

    summary = _error_summary(page)
    expect(summary).to_be_visible()
    screenshot(page, "login-empty-form")
    for message, label in [("Enter your e-mail address.", "E-mail address"), ("Enter your password.", "Password")]:
        summary.get_by_role("link", name=message).click()
        expect(page.get_by_label(label, exact=True)).to_be_focused()


def test_staff_admin_invites_a_hiring_manager_who_sets_a_password_and_signs_in(page, new_page, live_server):
    email, name = "quinn@acme.example", "Quinn Harper"
    sign_in(page, "staff", "nadia@northwind.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Organisations").click()
    page.get_by_role("table").get_by_role("link", name="Acme Manufacturing").click()
    expect(page.get_by_role("heading", name="Acme Manufacturing", level=1)).to_be_visible()

    invite = page.locator("section").filter(has=page.get_by_role("heading", name="Invite a person"))
    invite.get_by_label("Full name").fill(name)
    invite.get_by_label("E-mail address").fill(email)
    invite.get_by_label("Role").select_option(label="Hiring manager")
    screenshot(page, "invite-1-form")
    invite.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {email}.")
    expect(page.get_by_role("row").filter(has_text=email)).to_be_visible()
    screenshot(page, "invite-2-sent")

    bodies = live_server.mail_to(email)
    assert len(bodies) == 1, bodies
    match = re.search(r"https?://\S+(/account/set-password/\S+)", bodies[0])
    assert match, bodies[0]
    link = match.group(1)

    invitee = new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(invitee.get_by_text("Client portal · Acme Manufacturing", exact=True)).to_be_visible()
    screenshot(invitee, "invite-3-set-password")
    password = "copper kettle orbit lantern"
    invitee.get_by_label("New password", exact=True).fill(password)
    invitee.get_by_label("Confirm new password", exact=True).fill(password)
    invitee.get_by_role("button", name="Set password").click()

    expect(invitee).to_have_url(re.compile(r"/client/login$"))
    expect(invitee.get_by_role("status")).to_contain_text("Your password is set.")
    screenshot(invitee, "invite-4-password-set")

    sign_in(invitee, "client", email, password)
    expect(invitee.get_by_role("heading", name="Welcome, Quinn", level=1)).to_be_visible()
    expect(invitee.get_by_role("banner")).to_contain_text("Client portal")
    screenshot(invitee, "invite-5-dashboard")

    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(invitee.get_by_label("New password", exact=True)).to_have_count(0)
    screenshot(invitee, "invite-6-link-used")


def test_pages_load_without_javascript_errors_or_csp_violations(page, page_errors):
    page.goto("/")
    expect(page.get_by_role("heading", name="Northwind Staffing portal")).to_be_visible()
    screenshot(page, "portal-chooser")
    sign_in(page, "staff", "nadia@northwind.example")
    nav = page.get_by_role("navigation", name="Main")
    for label in ["Organisations", "Staff", "Event log", "Dashboard"]:
        nav.get_by_role("link", name=label).click()
        expect(nav.get_by_role("link", name=label)).to_have_attribute("aria-current", "page")
        assert page.evaluate("typeof htmx") == "object", f"htmx did not load on {page.url}"
        screenshot(page, f"staff-{label.lower().replace(' ', '-')}")
    page.get_by_role("link", name="Nadia Okafor").click()
    expect(page.get_by_role("heading", name="My account", level=1)).to_be_visible()
    screenshot(page, "staff-my-account")
    assert page_errors.messages == []


def test_organisation_search_updates_the_list_in_place_and_the_url_reloads(page):
    sign_in(page, "staff", "morgan@northwind.example")
    page.goto("/staff/organisations")
    table = page.get_by_role("table")
    expect(table.get_by_role("link", name="Globex Insurance")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # gone if the page reloads in full

    with page.expect_response(lambda r: "q=acme" in r.url) as answer:
        page.get_by_label("Search organisations").press_sequentially("acme")
    assert answer.value.request.headers.get("hx-request") == "true"

    expect(page).to_have_url(re.compile(r"[?&]q=acme(&|$)"))
    expect(table.get_by_role("link", name="Acme Manufacturing")).to_be_visible()
    expect(table.get_by_role("link", name="Globex Insurance")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True, "the search reloaded the whole page"
    screenshot(page, "organisations-search")

    page.reload()
    assert page.evaluate("window.__sameDocument") is None
    expect(page.get_by_role("heading", name="Organisations", level=1)).to_be_visible()
    expect(page.get_by_label("Search organisations")).to_have_value("acme")
    expect(table.get_by_role("link", name="Acme Manufacturing")).to_be_visible()
    expect(table.get_by_role("link", name="Globex Insurance")).to_have_count(0)
    screenshot(page, "organisations-search-reloaded")
