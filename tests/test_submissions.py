"""Submitting candidates: the form (existing or new candidate, résumé chosen or uploaded), and the
rules — duplicates and ownership, the submission limit, rates, open and released, right to
represent, idempotency, mass assignment and the upload checks. Nothing half-written on a refusal."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import clock
from portal.candidates.models import Candidate, Resume
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders import services as job_services
from portal.job_orders.releases import pull_supplier, release_due_tier_two
from portal.job_orders.models import JobOrderRelease
from portal.submissions.models import Submission
from tests.fixtures import candidates as files
from tests.fixtures.candidates import world_candidate
from tests.test_job_orders_support import released, run
from tests.test_submissions_support import (
    add_candidate,
    count,
    event_count,
    events,
    form,
    new_person,
    post_submit,
    reload,
    stored_files,
    submissions_of,
    world_submission,
)

REPRESENTED = "This candidate is already represented on this job order."


def _job(world, tiers=None, **fields):
    return released(world, tiers or {"talentco": 1}, **dict({"rate_min": 60, "rate_max": 80, "rate_type": "bill_rate",
                                                             "rate_unit": "hour"}, **fields))


def _with_resume(world, short, first, last, email, phone=None) -> Candidate:
    """A pool candidate with a current PDF résumé (uploaded through the candidates page)."""
    candidate = add_candidate(world, short, first, last, email, phone)
    return candidate


def _text(resp) -> str:
    return resp.get_data(as_text=True)


# --- submitting --------------------------------------------------------------------------------------

def test_the_submit_pages_choose_then_fill_in(world, as_user):
    job = _job(world)
    sam = as_user("sam")
    page = sam.get(f"/supplier/job-orders/{job.id}")
    assert f'href="/supplier/job-orders/{job.id}/submit"'.encode() in page.data  # "Submit a candidate"
    choose = sam.get(f"/supplier/job-orders/{job.id}/submit")
    assert choose.status_code == 200 and b"Who are you submitting?" in choose.data
    assert b"Tilda Worldwide" in choose.data and b"Bastian" not in choose.data  # own pool only
    found = sam.get(f"/supplier/job-orders/{job.id}/submit?q=tilda", htmx=True)
    assert found.status_code == 200 and found.data.lstrip().startswith(b'<div id="submissions-candidates">')
    assert "HX-Request" in found.headers["Vary"]
    tilda = world_candidate("talentco")
    filled = sam.get(f"/supplier/job-orders/{job.id}/submit?candidate={tilda.id}")
    assert filled.status_code == 200
    for label in ("Send the current résumé", "Bill rate (USD per hour)", "At most 80.00 USD/hour.", "Available from",
                  "Note to the hiring manager", "TalentCo Search has Tilda Worldwide&#39;s permission to represent"):
        assert label in _text(filled), label
    assert b'name="create_key"' in filled.data and b'enctype="multipart/form-data"' in filled.data
    new = sam.get(f"/supplier/job-orders/{job.id}/submit?candidate=new")
    assert b'name="candidate-first_name"' in new.data and b"New candidate" in new.data


def test_talentco_submits_a_pool_candidate_with_the_current_resume(app, world, as_user):
    job = _job(world)  # Acme screens its submissions (the demo's setting)
    tilda = world_candidate("talentco")
    before = stored_files(app)
    resp = post_submit(as_user("sam"), job.id, form(tilda.id, rate="75.50", note="Strong PLC background."))
    assert resp.status_code == 302, _text(resp)[:500]
    [sub] = submissions_of(job.id)
    assert resp.headers["Location"].endswith(f"/supplier/submissions/{sub.id}")
    assert (sub.stage, sub.rate, sub.rate_type, sub.currency, sub.rate_unit) == (
        "submitted", Decimal("75.50"), "bill_rate", "USD", "hour")
    assert sub.supplier_org_id == world.oid("talentco") and sub.client_org_id == world.oid("acme")
    assert sub.email_key == "tilda.worldwide@example.com" and sub.phone_key == "+13125550100"
    assert sub.right_to_represent_at == sub.submitted_at and sub.client_visible_at is None
    assert sub.note == "Strong PLC background." and sub.submitted_by_id == world.uid("sam")
    with system_scope("test"):
        current = db.session.scalar(select(Resume.id).where(Resume.candidate_id == tilda.id, Resume.is_current))
    assert sub.resume_id == current and stored_files(app) == before  # the file on record, not a copy
    [ev] = events("submission.created", sub.id)
    # Screened: the client must not read about it yet.
    assert (ev.supplier_org_id, ev.client_org_id, ev.internal) == (world.oid("talentco"), None, False)
    detail = as_user("sam").get(f"/supplier/submissions/{sub.id}")
    assert b"Awaiting screening" in detail.data and b"the agency is screening it" in detail.data


def test_a_new_candidate_and_a_new_resume_in_one_step(app, world, as_user):
    job = _job(world, tiers={"bluepeak": 1}, hm="leo")  # Globex does not screen
    before = stored_files(app)
    resp = post_submit(as_user("priya"), job.id, form(
        "new", pdf=files.pdf_bytes("Nora Newcomer, claims"), **new_person(phone="(860) 555-0177")))
    assert resp.status_code == 302, _text(resp)[:800]
    [sub] = submissions_of(job.id)
    with system_scope("test"):
        nora = db.session.scalar(select(Candidate).where(Candidate.id == sub.candidate_id))
        resume = db.session.scalar(select(Resume).where(Resume.id == sub.resume_id))
    assert (nora.full_name, nora.supplier_org_id, nora.phone_normalised) == (
        "Nora Newcomer", world.oid("bluepeak"), "+18605550177")
    assert nora.available_from == sub.available_from and "Nora Newcomer" in nora.resume_text
    assert resume.candidate_id == nora.id and resume.is_current and len(stored_files(app) - before) == 1
    assert (sub.stage, sub.client_visible_at) == ("client_review", sub.submitted_at)
    [ev] = events("submission.created", sub.id)
    assert (ev.client_org_id, ev.supplier_org_id) == (world.oid("globex"), world.oid("bluepeak"))


def test_upload_a_new_resume_for_a_pool_candidate(app, world, as_user):
    job = _job(world)
    tilda = world_candidate("talentco")
    resp = post_submit(as_user("sam"), job.id, form(tilda.id, resume_choice="upload",
                                                    pdf=files.pdf_bytes("Tilda 2031 edition")))
    assert resp.status_code == 302
    [sub] = submissions_of(job.id)
    with system_scope("test"):
        resume = db.session.scalar(select(Resume).where(Resume.id == sub.resume_id))
    assert resume.is_current and "2031 edition" in resume.text


def test_a_candidate_without_a_resume_must_upload_one(world, as_user):
    job = _job(world)
    bare = add_candidate(world, "sam", "Bare", "Bones", "bare.bones@example.com")
    resp = post_submit(as_user("sam"), job.id, form(bare.id))
    assert resp.status_code == 422 and "Choose the résumé file to send" in _text(resp)
    assert submissions_of(job.id) == []


# --- duplicates and ownership ------------------------------------------------------------------------

def test_the_same_person_from_another_supplier_is_refused_without_naming_the_owner(app, world, as_user):
    job = _job(world, tiers={"talentco": 1, "bluepeak": 1})
    tilda = world_candidate("talentco")
    assert post_submit(as_user("sam"), job.id, form(tilda.id)).status_code == 302
    before = (stored_files(app), count(Candidate), count(Resume))
    # BluePeak adds the same person (another spelling of the e-mail) as a new candidate.
    resp = post_submit(as_user("priya"), job.id, form(
        "new", pdf=files.pdf_bytes(), **new_person("Tilda", "W.", "  TILDA.Worldwide@example.com "),
        note="Ours too"))
    assert resp.status_code == 409
    body = _text(resp)
    assert REPRESENTED in body and "TalentCo" not in body and "Sam" not in body
    assert len(submissions_of(job.id)) == 1
    assert (stored_files(app), count(Candidate), count(Resume)) == before  # nothing half-written
    [ev] = events("submission.duplicate_refused")
    assert ev.internal and ev.supplier_org_id == world.oid("bluepeak") and ev.client_org_id == world.oid("acme")
    assert (ev.subject_type, ev.subject_id, ev.data["match"], ev.data["own"]) == ("job_order", job.id, "email", False)
    # The refused supplier's feed does not carry it (internal); staff can count it.
    assert b"Refused a duplicate" not in as_user("priya").get("/supplier/").data


def test_a_phone_match_is_the_same_person(world, as_user):
    job = _job(world, tiers={"talentco": 1, "bluepeak": 1})
    tilda = world_candidate("talentco")  # (312) 555-0100
    assert post_submit(as_user("sam"), job.id, form(tilda.id)).status_code == 302
    twin = add_candidate(world, "priya", "Tilly", "Other", "tilly.other@example.com", "+1 312-555-0100")
    resp = post_submit(as_user("priya"), job.id, form(twin.id, pdf=files.pdf_bytes()))
    assert resp.status_code == 409 and REPRESENTED in _text(resp)
    assert events("submission.duplicate_refused")[-1].data["match"] == "phone"


def test_a_withdrawn_submission_still_owns_its_person_on_that_job(world, as_user):
    job = _job(world, tiers={"talentco": 1, "bluepeak": 1})
    tilda = world_candidate("talentco")
    sam = as_user("sam")
    post_submit(sam, job.id, form(tilda.id))
    [sub] = submissions_of(job.id)
    assert sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "Changed her mind"}).status_code == 302
    again = post_submit(sam, job.id, form(tilda.id))
    assert again.status_code == 409 and REPRESENTED in _text(again)
    assert f"/supplier/submissions/{sub.id}" in _text(again)  # our own: we may be shown where it is
    twin = add_candidate(world, "priya", "Tilda", "Twin", "tilda.worldwide@example.com")
    assert post_submit(as_user("priya"), job.id, form(twin.id, pdf=files.pdf_bytes())).status_code == 409
    assert len(submissions_of(job.id)) == 1


def test_the_same_person_on_another_job_is_allowed_and_flagged_to_staff(world, as_user):
    first, second = _job(world, title="First"), _job(world, tiers={"bluepeak": 1}, title="Second")
    tilda = world_candidate("talentco")
    twin = add_candidate(world, "priya", "Tilda", "Twin", "tilda.worldwide@example.com")
    assert post_submit(as_user("sam"), first.id, form(tilda.id)).status_code == 302
    assert post_submit(as_user("priya"), second.id, form(twin.id, pdf=files.pdf_bytes())).status_code == 302
    a, b = submissions_of(first.id)[0], submissions_of(second.id)[0]
    morgan = as_user("morgan")
    page = _text(morgan.get(f"/staff/submissions/{a.id}"))
    assert "Same person on other job orders" in page and second.reference in page and "BluePeak Partners" in page
    flagged = _text(morgan.get("/staff/submissions?duplicates=1&mine=0"))
    assert f"/staff/submissions/{a.id}" in flagged and f"/staff/submissions/{b.id}" in flagged
    assert "Also elsewhere" in flagged
    # Neither supplier learns about the other's submission.
    assert second.reference not in _text(as_user("sam").get(f"/supplier/submissions/{a.id}"))


# --- the limit, rates, availability, right to represent ----------------------------------------------

def test_the_submission_limit_counts_live_submissions_only(world, as_user):
    job = _job(world, submission_limit=1)
    sam = as_user("sam")
    a = add_candidate(world, "sam", "Ann", "One", "ann.one@example.com")
    b = add_candidate(world, "sam", "Ben", "Two", "ben.two@example.com")
    assert post_submit(sam, job.id, form(a.id, pdf=files.pdf_bytes())).status_code == 302
    refused = post_submit(sam, job.id, form(b.id, pdf=files.pdf_bytes()))
    assert refused.status_code == 409 and "the most this job order takes from one supplier (1)" in _text(refused)
    [sub] = submissions_of(job.id)
    assert sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "Not a fit"}).status_code == 302
    assert post_submit(sam, job.id, form(b.id, pdf=files.pdf_bytes())).status_code == 302
    with system_scope("test"):
        from portal.submissions.services import live_submission_count

        assert live_submission_count(job.id) == 1 and len(submissions_of(job.id)) == 2


def test_a_rate_above_the_maximum_is_refused_with_the_maximum(world, as_user):
    job = _job(world)
    tilda = world_candidate("talentco")
    resp = post_submit(as_user("sam"), job.id, form(tilda.id, rate="80.01"))
    assert resp.status_code == 422
    assert "The maximum bill rate for this job is 80.00 USD/hour." in _text(resp)
    assert 'class="field-error"' in _text(resp) and submissions_of(job.id) == []
    assert post_submit(as_user("sam"), job.id, form(tilda.id, rate="80")).status_code == 302


@pytest.mark.parametrize("rate, message", [
    ("-5", "Enter a rate above zero"), ("0", "Enter a rate above zero"), ("abc", "as an amount"),
    ("1e3", "as an amount"), ("NaN", "as an amount"), ("12.345", "at most 2 decimals"), ("", "Enter the rate"),
])
def test_bad_rates(world, as_user, rate, message):
    job = _job(world, rate_max=None)
    resp = post_submit(as_user("sam"), job.id, form(world_candidate("talentco").id, rate=rate))
    assert resp.status_code == 422 and message in _text(resp), _text(resp)[:300]
    assert submissions_of(job.id) == []


def test_absurd_rates_are_refused_even_without_a_maximum(world, as_user):
    job = _job(world, rate_max=None, rate_min=None)
    resp = post_submit(as_user("sam"), job.id, form(world_candidate("talentco").id, rate="99999"))
    assert resp.status_code == 422 and "more than the portal accepts" in _text(resp)


def test_salary_jobs_take_an_expected_salary_and_pay_rate_jobs_are_not_capped(world, as_user):
    salary = _job(world, title="Salaried", rate_type="salary", rate_unit="year", rate_min=70000, rate_max=85000)
    tilda = world_candidate("talentco")
    sam = as_user("sam")
    assert "Expected salary (USD per year)" in _text(sam.get(f"/supplier/job-orders/{salary.id}/submit?candidate={tilda.id}"))
    resp = post_submit(sam, salary.id, form(tilda.id, rate="90000"))
    assert resp.status_code == 422 and "The maximum salary for this job is 85,000.00 USD/year." in _text(resp)
    assert post_submit(sam, salary.id, form(tilda.id, rate="84000")).status_code == 302
    assert (submissions_of(salary.id)[0].rate_type, submissions_of(salary.id)[0].rate_unit) == ("salary", "year")
    pay = _job(world, title="Paid", rate_type="pay_rate", rate_min=30, rate_max=40)
    page = _text(sam.get(f"/supplier/job-orders/{pay.id}/submit?candidate={tilda.id}"))
    assert "This job&#39;s pay rate is 30–40 USD/hour: what the worker earns" in page
    assert post_submit(sam, pay.id, form(tilda.id, rate="65")).status_code == 302  # a bill rate above the pay rate


@pytest.mark.parametrize("change, message", [
    (dict(confirm=False), "Confirm that your company has the candidate&#39;s right to represent"),
    (dict(days=-1), "can&#39;t be in the past"),
    (dict(days=400), "within the next 12 months"),
    (dict(note="x" * 2001), "Use 2000 characters or fewer."),
    (dict(available_from="31/02/2031"), "Enter the date as a real date"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(app, world, as_user, change, message):
    job = _job(world)
    before = (event_count(), stored_files(app), count(Candidate))
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=files.pdf_bytes(), **new_person(), **change))
    assert resp.status_code == 422 and message in _text(resp), _text(resp)[:600]
    assert 'value="Nora"' in _text(resp)  # what was typed is kept
    assert submissions_of(job.id) == [] and (event_count(), stored_files(app), count(Candidate)) == before


def test_the_new_candidate_section_is_checked_too(world, as_user):
    job = _job(world)
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=files.pdf_bytes(),
                                                   **new_person(first="", email="not-an-email")))
    assert resp.status_code == 422
    assert "Enter the candidate&#39;s first name." in _text(resp) and 'href="#candidate-first_name"' in _text(resp)
    # A person already in the pool is refused as a new candidate (choose them instead).
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=files.pdf_bytes(),
                                                   **new_person("Tilda", "Again", "tilda.worldwide@example.com")))
    assert resp.status_code == 409 and "already has this e-mail address in your candidate pool" in _text(resp)
    assert submissions_of(job.id) == []


# --- open and released, re-checked when the form is sent -----------------------------------------------

@pytest.mark.parametrize("change, message", [
    ("hold", "was put on hold: it takes no submissions until it reopens"),
    ("close", "is closed: it takes no more submissions"),
    ("pull", "is closed to your company"),
])
def test_a_form_opened_before_the_job_changed_is_refused(world, as_user, change, message):
    job = _job(world)
    tilda = world_candidate("talentco")
    sam = as_user("sam")
    assert sam.get(f"/supplier/job-orders/{job.id}/submit?candidate={tilda.id}").status_code == 200
    hana, morgan = world.user("hana"), world.user("morgan")
    if change == "hold":
        run(hana, job_services.hold, job)
    elif change == "close":
        run(hana, job_services.close, job, "budget")
    else:
        with system_scope("test"):
            release = db.session.scalar(select(JobOrderRelease).where(
                JobOrderRelease.job_order_id == job.id, JobOrderRelease.supplier_org_id == world.oid("talentco")))
        run(morgan, pull_supplier, job, release)
    before = event_count()
    resp = post_submit(sam, job.id, form(tilda.id))
    assert resp.status_code == 409 and message in _text(resp), _text(resp)[:400]
    assert submissions_of(job.id) == [] and event_count() == before
    assert sam.get(f"/supplier/job-orders/{job.id}/submit").status_code == 409
    assert b"Submit a candidate</a>" not in sam.get(f"/supplier/job-orders/{job.id}").data


def test_a_job_not_released_to_the_supplier_is_not_found(world, as_user):
    job = _job(world, tiers={"talentco": 1, "bluepeak": 2})  # BluePeak waits for tier 2
    twin = add_candidate(world, "priya", "Tilda", "Twin", "tilda.worldwide@example.com")
    assert post_submit(as_user("priya"), job.id, form(twin.id, pdf=files.pdf_bytes())).status_code == 404
    assert as_user("priya").get(f"/supplier/job-orders/{job.id}/submit").status_code == 404
    with system_scope("tick"):
        assert release_due_tier_two(clock.now() + timedelta(hours=25)) >= 1  # tier 2 delay has passed
        db.session.commit()
    assert post_submit(as_user("priya"), job.id, form(twin.id, pdf=files.pdf_bytes())).status_code == 302


# --- idempotency and mass assignment -------------------------------------------------------------------

def test_the_same_form_sent_twice_submits_once(world, as_user):
    job = _job(world)
    sam = as_user("sam")
    data = dict(create_key="k" * 24, pdf=files.pdf_bytes(), **new_person())
    first = post_submit(sam, job.id, form("new", **data))
    second = post_submit(sam, job.id, form("new", **data))
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert len(submissions_of(job.id)) == 1 and len(events("submission.created", submissions_of(job.id)[0].id)) == 1
    assert count(Candidate, Candidate.email_normalised == "nora.newcomer@example.com") == 1


def test_forged_fields_change_nothing(world, as_user):
    job = _job(world)
    tilda = world_candidate("talentco")
    other = world.job("globex")
    forged = form(tilda.id, stage="placed", supplier_org_id=str(world.oid("bluepeak")), client_org_id=str(world.oid("globex")),
                  client_visible_at="2030-01-01T00:00:00", job_order_id=str(other.id), submitted_by_id=str(world.uid("priya")),
                  right_to_represent_at="2020-01-01T00:00:00", email_key="x@y.z", resume_id="1", rate_type="salary")
    assert post_submit(as_user("sam"), job.id, forged).status_code == 302
    [sub] = submissions_of(job.id)
    assert (sub.stage, sub.supplier_org_id, sub.client_org_id, sub.client_visible_at, sub.submitted_by_id) == (
        "submitted", world.oid("talentco"), world.oid("acme"), None, world.uid("sam"))
    assert sub.email_key == "tilda.worldwide@example.com" and sub.rate_type == "bill_rate"
    assert sub.right_to_represent_at > clock.now() - timedelta(minutes=5)


def test_another_suppliers_candidate_cannot_be_submitted(world, as_user):
    job = _job(world)
    bastian = world_candidate("bluepeak")
    assert post_submit(as_user("sam"), job.id, form(bastian.id)).status_code == 404
    assert as_user("sam").get(f"/supplier/job-orders/{job.id}/submit?candidate={bastian.id}").status_code == 404
    assert as_user("sam").get(f"/supplier/candidates/{bastian.id}/submit").status_code == 404
    assert submissions_of(job.id) == []


# --- résumé uploads through the pipeline -----------------------------------------------------------------

UPLOADS = [
    ("renamed executable", "cv.pdf", files.ELF, 422, "its content is a program"),
    ("empty file", "cv.pdf", b"", 422, "The file is empty"),
    ("broken PDF", "cv.pdf", files.broken_pdf(), 422, "could not be read: it may be damaged"),
    ("HTML as PDF", "cv.pdf", files.HTML, 422, "a web page (HTML)"),
    ("not a document", "cv.exe", files.PE, 422, "Upload a PDF, DOCX or DOC file"),
]


@pytest.mark.parametrize("label, name, data, status, message", UPLOADS, ids=[u[0] for u in UPLOADS])
def test_bad_resume_files_are_refused_with_a_message_and_store_nothing(app, world, as_user, label, name, data,
                                                                        status, message):
    job = _job(world)
    before = (stored_files(app), count(Candidate), count(Resume), event_count())
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=data, filename=name, **new_person()))
    assert resp.status_code == status and message in _text(resp), _text(resp)[:500]
    assert "Choose the file again" in _text(resp) and 'value="Nora"' in _text(resp)
    assert submissions_of(job.id) == []
    assert (stored_files(app), count(Candidate), count(Resume), event_count()) == before


def test_an_11_mb_file_is_refused_before_it_is_read(app, world, as_user):
    job = _job(world)
    before = (stored_files(app), count(Resume))
    eleven = b"%PDF-1.4\n" + b" " * (11 * 1024 * 1024)
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=eleven, **new_person()))
    assert resp.status_code == 413 and "a file can be at most 10 MB" in _text(resp)
    assert submissions_of(job.id) == [] and (stored_files(app), count(Resume)) == before


def test_a_file_over_the_upload_limit_inside_the_body_limit_is_refused_next_to_the_field(app, world, as_user):
    app.config["MAX_UPLOAD_MB"] = 1
    job = _job(world)
    pdf = files.pdf_bytes()
    resp = post_submit(as_user("sam"), job.id, form("new", pdf=pdf + b" " * (1024 * 1024), **new_person()))
    assert resp.status_code == 413 and "larger than 1 MB" in _text(resp) and 'class="field-error"' in _text(resp)
    assert submissions_of(job.id) == []


# --- from the candidate's page ---------------------------------------------------------------------------

def test_submit_to_a_job_from_the_candidates_page(world, as_user):
    open_job, held = _job(world, title="Open one"), _job(world, title="Held one")
    run(world.user("hana"), job_services.hold, held)
    tilda = world_candidate("talentco")
    sam = as_user("sam")
    assert f"/supplier/candidates/{tilda.id}/submit" in _text(sam.get(f"/supplier/candidates/{tilda.id}"))
    page = _text(sam.get(f"/supplier/candidates/{tilda.id}/submit"))
    assert open_job.reference in page and held.reference not in page
    assert f"/supplier/job-orders/{open_job.id}/submit?candidate={tilda.id}" in page
    assert "Already submitted" in page  # the world's Acme job has her already
    found = sam.get(f"/supplier/candidates/{tilda.id}/submit?q=open+one", htmx=True)
    assert found.data.lstrip().startswith(b'<div id="submissions-jobs">') and open_job.reference.encode() in found.data
    assert world_submission("talentco").job_order_id != open_job.id


def test_losing_the_race_at_the_insert_is_the_same_409_and_writes_nothing(app, world, as_user, monkeypatch):
    """The check before the insert missed the other supplier's row (it committed in between): the
    unique index refuses the insert inside its SAVEPOINT and the answer is the same 409."""
    from portal.submissions import services

    job = _job(world, tiers={"talentco": 1, "bluepeak": 1})
    assert post_submit(as_user("sam"), job.id, form(world_candidate("talentco").id)).status_code == 302
    real, calls = services.find_duplicate, []

    def late(*args, **kw):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kw)

    monkeypatch.setattr(services, "find_duplicate", late)
    before = (stored_files(app), count(Candidate), count(Resume))
    resp = post_submit(as_user("priya"), job.id, form(
        "new", pdf=files.pdf_bytes(), **new_person("Tilda", "Again", "tilda.worldwide@example.com")))
    assert resp.status_code == 409 and REPRESENTED in _text(resp) and len(calls) == 2
    assert len(submissions_of(job.id)) == 1
    assert (stored_files(app), count(Candidate), count(Resume)) == before
    assert events("submission.duplicate_refused")[-1].supplier_org_id == world.oid("bluepeak")
