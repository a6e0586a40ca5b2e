"""Submitting candidates in Chromium, by visible labels: TalentCo's Sam submits a new candidate
with a PDF résumé to a released Acme job; once the job is released to BluePeak, Priya submits
the same person and is told the candidate is already represented."""
from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.job_orders.releases import add_suppliers
from portal.submissions.models import Submission
from tests.browser.helpers import screenshot, sign_in
from tests.fixtures.candidates import pdf_bytes
from tests.world import WORLD_JOBS

PERSON = ("Imani", "Okoro", "imani.okoro@example.com", "(414) 555-0123")


def _job_id(live_server) -> int:
    with live_server.app.app_context(), system_scope("browser test lookup"):
        return db.session.scalar(select(JobOrder.id).where(JobOrder.title == WORLD_JOBS["acme"][1]))


def _release_to_bluepeak(live_server, job_id: int) -> None:
    with live_server.app.app_context(), system_scope("browser test: staff release to BluePeak"):
        morgan = db.session.scalar(select(User).where(User.email == "morgan@northwind.example"))
        job = db.session.scalar(select(JobOrder).where(JobOrder.id == job_id))
        bluepeak = db.session.scalar(select(Organisation.id).where(Organisation.name == "BluePeak Partners"))
        add_suppliers(morgan, job, {bluepeak: 1})
        db.session.commit()


def _submit_new_person(page, job_id: int, *, note: str) -> None:
    page.goto(f"/supplier/job-orders/{job_id}")
    page.get_by_role("link", name="Submit a candidate").click()
    expect(page.get_by_role("heading", name="Who are you submitting?")).to_be_visible()
    page.get_by_role("link", name="New candidate").click()
    first, last, email, phone = PERSON
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill(last)
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Phone number").fill(phone)
    page.get_by_label("Résumé file").set_input_files(
        {"name": "Imani Okoro - Resume.pdf", "mimeType": "application/pdf",
         "buffer": pdf_bytes("Imani Okoro, controls engineer, Allen-Bradley")})
    page.get_by_label(re.compile(r"^Bill rate")).fill("68")
    page.get_by_label("Available from").fill((clock.now().date() + timedelta(days=14)).isoformat())
    page.get_by_label("Note to the hiring manager").fill(note)
    page.get_by_label(re.compile("permission to represent them for this job order")).check()


def test_submit_a_candidate_then_the_same_person_from_another_supplier(new_page, live_server):
    job_id = _job_id(live_server)

    sam = new_page()
    sign_in(sam, "supplier", "sam@talentco.example")
    _submit_new_person(sam, job_id, note="Imani ran the PLC retrofit of three bottling lines.")
    screenshot(sam, "submissions-form-filled")
    sam.get_by_role("button", name="Submit candidate").click()
    expect(sam).to_have_url(re.compile(r"/supplier/submissions/\d+$"))
    expect(sam.get_by_role("heading", name="Imani Okoro")).to_contain_text("Awaiting screening")
    expect(sam.get_by_role("status").filter(has_text="Submitted to ACME-")).to_be_visible()
    expect(sam.get_by_text("Imani Okoro - Resume.pdf")).to_be_visible()
    screenshot(sam, "submissions-submitted")
    sam.get_by_role("navigation", name="Main").get_by_role("link", name="Submissions").click()
    expect(sam.get_by_role("row").filter(has_text="Imani Okoro")).to_contain_text("Wait: the agency is screening it")
    screenshot(sam, "submissions-supplier-list")

    _release_to_bluepeak(live_server, job_id)
    priya = new_page()
    sign_in(priya, "supplier", "priya@bluepeak.example")
    _submit_new_person(priya, job_id, note="Imani is also on our books.")
    priya.get_by_role("button", name="Submit candidate").click()
    expect(priya.get_by_role("alert").filter(has_text="This candidate is already represented on this job order.")
           ).to_be_visible()
    expect(priya.get_by_text("TalentCo")).to_have_count(0)  # never told by whom
    expect(priya.get_by_label("First name")).to_have_value("Imani")  # what was typed is kept
    screenshot(priya, "submissions-already-represented")

    with live_server.app.app_context(), system_scope("browser test check"):
        subs = db.session.scalars(select(Submission).where(Submission.job_order_id == job_id,
                                                           Submission.email_key == PERSON[2])).all()
        assert len(subs) == 1 and subs[0].note.startswith("Imani ran")

    staff = new_page()
    sign_in(staff, "staff", "morgan@northwind.example")
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Submissions").click()
    staff.get_by_role("link", name="Imani Okoro").click()
    expect(staff.get_by_role("button", name="Forward to the client")).to_be_visible()
    screenshot(staff, "submissions-staff-detail")


def test_the_staff_lists_job_filter_follows_the_client_chosen(new_page, live_server):
    """The job order filter lists the chosen client's job orders; changing the client refreshes it
    (sent out of band with the results) and starts again from "Any job order"."""
    acme_job = _job_id(live_server)
    staff = new_page()
    sign_in(staff, "staff", "morgan@northwind.example")
    staff.get_by_role("navigation", name="Main").get_by_role("link", name="Submissions").click()
    job = staff.get_by_label("Job order", exact=True)
    expect(job).to_be_disabled()
    expect(job).to_have_text("Choose a client first")

    staff.get_by_label("Client", exact=True).select_option(label="Acme Manufacturing")
    expect(job).to_be_enabled()
    expect(staff).to_have_url(re.compile(r"client=\d+"))
    expect(job.locator("option", has_text="World Acme controls job")).to_have_count(1)
    expect(job.locator("option", has_text="World Globex claims job")).to_have_count(0)
    expect(job.locator("option", has_text="World Acme draft")).to_have_count(0)  # no submissions

    # The swapped-in select is heard like the first one: choosing a job filters the results.
    job.select_option(value=str(acme_job))
    expect(staff).to_have_url(re.compile(rf"job={acme_job}"))
    rows = staff.locator("#submissions-results tbody tr")
    expect(rows.first).to_contain_text("World Acme controls job")
    for text in rows.all_inner_texts():
        assert "World Acme controls job" in text
    screenshot(staff, "submissions-staff-job-filter")

    staff.get_by_label("Client", exact=True).select_option(label="Globex Insurance")
    expect(job).to_have_value("")
    expect(job.locator("option", has_text="World Globex claims job")).to_have_count(1)
    expect(staff.locator("#submissions-results")).to_contain_text("Bastian Worldwide")
    expect(staff.locator("#submissions-results")).not_to_contain_text("World Acme controls job")

    # Back to "All clients" with a job chosen: the job filter waits for a client again, and the
    # address bar shows the filters as applied (no job).
    job.select_option(index=1)
    expect(staff).to_have_url(re.compile(r"job=\d+"))
    staff.get_by_label("Client", exact=True).select_option(label="All clients")
    expect(job).to_be_disabled()
    expect(staff).not_to_have_url(re.compile(r"job="))
    expect(staff.locator("#submissions-results")).to_contain_text("Tilda Worldwide")
