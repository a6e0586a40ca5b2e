"""The candidate pool: add, edit, search, duplicates, tenancy, permissions, events, query counts."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import Organisation, User, UserStatus
from portal.accounts.passwords import hash_password
from portal.candidates import services
from portal.candidates.models import Candidate, CandidateSkill, Resume
from portal.candidates.services import CandidateData, CandidateError, normalise_phone
from portal.db.tenancy import Scope, TenancyError, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from tests.conftest import PortalClient
from tests.fixtures.candidates import WORLD_CANDIDATES, pdf_bytes, world_candidate
from tests.world import PASSWORD


def _form(**overrides) -> dict:
    data = {
        "first_name": "Jordan", "last_name": "Lee", "email": "  Jordan.Lee@Example.COM ",
        "phone": "(415) 555-0199", "location": "San Francisco, CA", "current_title": "Backend Engineer",
        "years_experience": "7", "skills": "Go, Kubernetes; gRPC, go", "work_authorisation": "citizen",
        "work_authorisation_other": "", "available_from": "2027-01-15",
    }
    data.update(overrides)
    return data


def _candidate(email: str) -> Candidate | None:
    with system_scope("test"):
        return db.session.scalar(select(Candidate).where(Candidate.email_normalised == email))


def _count(model, *where) -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(verb: str, subject_id: int) -> list[Event]:
    with system_scope("test"):
        return list(db.session.scalars(select(Event).where(
            Event.verb == verb, Event.subject_type == "candidate", Event.subject_id == subject_id)))


# --- adding ------------------------------------------------------------------------------------

def test_add_a_candidate_normalises_email_phone_and_skills(world, as_user):
    sam = as_user("sam")
    page = sam.get("/supplier/candidates/new")
    assert page.status_code == 200
    assert b'name="request_key"' in page.data and b'enctype="multipart/form-data"' in page.data
    resp = sam.post("/supplier/candidates/new", _form())
    assert resp.status_code == 302
    c = _candidate("jordan.lee@example.com")
    assert resp.headers["Location"].endswith(f"/supplier/candidates/{c.id}")
    assert c.supplier_org_id == world.oid("talentco")
    assert c.email == "Jordan.Lee@Example.COM" and c.email_normalised == "jordan.lee@example.com"
    assert c.phone == "(415) 555-0199" and c.phone_normalised == "+14155550199"
    assert c.years_experience == 7 and c.work_authorisation == "citizen"
    assert c.available_from.isoformat() == "2027-01-15"
    with system_scope("test"):
        skills = [s.name for s in db.session.scalars(
            select(CandidateSkill).where(CandidateSkill.candidate_id == c.id).order_by(CandidateSkill.position))]
    assert skills == ["Go", "Kubernetes", "gRPC"]
    [ev] = _events("candidate.created", c.id)
    assert ev.supplier_org_id == world.oid("talentco") and ev.actor_user_id == world.uid("sam")
    assert not ev.internal
    detail = sam.get(resp.headers["Location"])
    assert detail.status_code == 200 and b"Jordan Lee" in detail.data and b"Kubernetes" in detail.data


def test_phone_normalisation():
    assert normalise_phone("(312) 555-0142", "US") == "+13125550142"
    assert normalise_phone("312.555.0142", "US") == "+13125550142"
    assert normalise_phone("+44 20 7946 0958", "US") == "+442079460958"
    assert normalise_phone("020 7946 0958", "GB") == "+442079460958"
    assert normalise_phone("  ", "US") is None
    for bad in ("12", "call me", "+1 555"):
        with pytest.raises(CandidateError):
            normalise_phone(bad, "US")


def test_phone_region_is_configurable(app, world):
    app.config["PHONE_REGION"] = "GB"
    sam = world.user("sam")
    with scoped(Scope("supplier", sam.org_id)):
        c, _ = services.create_candidate(sam, CandidateData(first_name="Ola", last_name="Nordmann",
                                                            phone="020 7946 0958"))
    assert c.phone_normalised == "+442079460958"


@pytest.mark.parametrize("overrides, field, message", [
    ({"first_name": ""}, "first_name", b"Enter the candidate&#39;s first name."),
    ({"email": "", "phone": ""}, "email", b"Enter an e-mail address or a phone number"),
    ({"email": "not-an-email"}, "email", b"Enter an e-mail address like"),
    ({"phone": "call me maybe"}, "phone", b"Enter a phone number such as"),
    ({"years_experience": "200"}, "years_experience", b"between 0 and 70"),
    ({"work_authorisation": "other"}, "work_authorisation_other", b"Describe the work authorisation."),
    ({"work_authorisation": "martian"}, "work_authorisation", b"Not a valid choice"),
    ({"skills": ", ".join(f"skill{i}" for i in range(31))}, "skills", b"at most 30 skills"),
    ({"available_from": "next week"}, "available_from", b"Not a valid date"),
])
def test_bad_input_is_refused_with_a_message_next_to_the_field(world, as_user, overrides, field, message):
    sam = as_user("sam")
    before = _count(Candidate)
    resp = sam.post("/supplier/candidates/new", _form(**overrides))
    assert resp.status_code == 422
    assert message in resp.data
    assert f'href="#{field}"'.encode() in resp.data  # the error summary links to the field
    assert b'value="Lee"' in resp.data  # what was typed is kept
    assert _count(Candidate) == before


def test_work_authorisation_other_keeps_its_description(world, as_user):
    sam = as_user("sam")
    sam.post("/supplier/candidates/new", _form(work_authorisation="other", work_authorisation_other="E-3 visa"))
    c = _candidate("jordan.lee@example.com")
    assert c.work_authorisation == "other" and c.work_authorisation_other == "E-3 visa"
    assert b"Other: E-3 visa" in sam.get(f"/supplier/candidates/{c.id}").data


# --- duplicates ----------------------------------------------------------------------------------

def test_same_email_or_phone_in_one_supplier_is_refused_naming_the_candidate(world, as_user):
    sam = as_user("sam")
    assert sam.post("/supplier/candidates/new", _form()).status_code == 302
    before = _count(Candidate)
    again = sam.post("/supplier/candidates/new", _form(email="JORDAN.LEE@example.com ", phone=""))
    assert again.status_code == 409
    assert b"Jordan Lee already has this e-mail address in your candidate pool." in again.data
    existing = _candidate("jordan.lee@example.com")
    assert f'/supplier/candidates/{existing.id}"'.encode() in again.data
    by_phone = sam.post("/supplier/candidates/new", _form(first_name="J.", email="other@example.com",
                                                          phone="+1 415-555-0199"))
    assert by_phone.status_code == 409
    assert b"Jordan Lee already has this phone number in your candidate pool." in by_phone.data
    assert _count(Candidate) == before


def test_another_supplier_may_hold_the_same_person(world, as_user):
    assert as_user("sam").post("/supplier/candidates/new", _form()).status_code == 302
    assert as_user("priya").post("/supplier/candidates/new", _form()).status_code == 302
    assert _count(Candidate, Candidate.email_normalised == "jordan.lee@example.com") == 2


def test_database_refuses_duplicates_even_without_the_check(world):
    talentco = world.oid("talentco")
    with system_scope("test"):
        db.session.add(Candidate(supplier_org_id=talentco, first_name="A", last_name="B",
                                 email_normalised=WORLD_CANDIDATES["talentco"][3]))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        db.session.add(Candidate(supplier_org_id=talentco, first_name="A", last_name="B",
                                 phone_normalised=world_candidate("talentco").phone_normalised))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_race_past_the_check_still_gets_the_clear_message(world, monkeypatch):
    """When a concurrent insert wins after the check, the unique index refuses and the service explains."""
    sam = world.user("sam")
    real = services._duplicate_of
    calls = {"n": 0}

    def first_check_misses(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 1:
            return real(*args, **kwargs)

    monkeypatch.setattr(services, "_duplicate_of", first_check_misses)
    with scoped(Scope("supplier", sam.org_id)):
        with pytest.raises(CandidateError) as exc:
            services.create_candidate(sam, CandidateData(first_name="Copy", last_name="Cat",
                                                         email=WORLD_CANDIDATES["talentco"][3]))
    assert exc.value.status == 409 and "Tilda Worldwide already has this e-mail address" in exc.value.message


def test_concurrent_adds_of_one_person_make_one_candidate(app, world):
    """Five recruiters' requests at the same moment: one candidate, the rest a clear 409, no 500."""
    clients = [PortalClient(app) for _ in range(5)]
    for c in clients:
        c.login("sam")
    barrier = threading.Barrier(len(clients))
    statuses = []

    def add(c):
        with app.app_context():
            barrier.wait()
            statuses.append(c.post("/supplier/candidates/new", _form()).status_code)

    threads = [threading.Thread(target=add, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302, 409, 409, 409, 409]
    assert _count(Candidate, Candidate.email_normalised == "jordan.lee@example.com") == 1


def test_a_resubmitted_form_adds_one_candidate(world, as_user):
    sam = as_user("sam")
    form = _form(request_key="a" * 32)
    first = sam.post("/supplier/candidates/new", form)
    second = sam.post("/supplier/candidates/new", form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert _count(Candidate, Candidate.email_normalised == "jordan.lee@example.com") == 1
    assert len(_events("candidate.created", _candidate("jordan.lee@example.com").id)) == 1


def test_a_tampered_request_key_is_ignored(world, as_user):
    resp = as_user("sam").post("/supplier/candidates/new", _form(request_key="<script>"))
    assert resp.status_code == 302
    assert _candidate("jordan.lee@example.com").request_key is None


# --- editing -------------------------------------------------------------------------------------

def test_edit_a_candidate_records_what_changed(world, as_user):
    sam = as_user("sam")
    c = world_candidate("talentco")
    page = sam.get(f"/supplier/candidates/{c.id}/edit")
    assert page.status_code == 200 and b'value="Tilda"' in page.data and b'value="Testing"' in page.data
    form = _form(first_name="Tilda", last_name="Worldwide", email=c.email, phone="312 555 0100",
                 current_title="QA Lead", skills="Testing, Playwright")
    resp = sam.post(f"/supplier/candidates/{c.id}/edit", form)
    assert resp.status_code == 302
    c = world_candidate("talentco")
    assert c.current_title == "QA Lead" and c.phone == "312 555 0100"
    [ev] = _events("candidate.updated", c.id)
    assert ev.supplier_org_id == world.oid("talentco")
    assert set(ev.data["changed"]) >= {"title", "skills", "phone", "location", "experience"}
    # Saving the same again changes nothing and records nothing.
    assert sam.post(f"/supplier/candidates/{c.id}/edit", form).status_code == 302
    assert len(_events("candidate.updated", c.id)) == 1


def test_edit_into_a_duplicate_is_refused(world, as_user):
    sam = as_user("sam")
    sam.post("/supplier/candidates/new", _form())
    c = world_candidate("talentco")
    resp = sam.post(f"/supplier/candidates/{c.id}/edit",
                    _form(first_name="Tilda", last_name="Worldwide", email="jordan.lee@example.com", phone=""))
    assert resp.status_code == 409 and b"Jordan Lee already has this e-mail address" in resp.data
    assert world_candidate("talentco").email_normalised == WORLD_CANDIDATES["talentco"][3]


def test_mass_assignment_changes_nothing_it_should_not(world, as_user):
    sam = as_user("sam")
    bluepeak, talentco = world.oid("bluepeak"), world.oid("talentco")
    extra = {"supplier_org_id": str(bluepeak), "id": "1", "created_by_id": str(world.uid("priya")),
             "email_normalised": "hacked@example.com", "resume_text": "injected", "org_id": str(bluepeak)}
    sam.post("/supplier/candidates/new", {**_form(), **extra})
    c = _candidate("jordan.lee@example.com")
    assert c.supplier_org_id == talentco and c.created_by_id == world.uid("sam") and c.resume_text is None
    w = world_candidate("talentco")
    sam.post(f"/supplier/candidates/{w.id}/edit",
             {**_form(first_name="Tilda", last_name="Worldwide", email=w.email, phone=w.phone), **extra})
    w = world_candidate("talentco")
    assert w.supplier_org_id == talentco and w.email_normalised == WORLD_CANDIDATES["talentco"][3]
    assert "injected" not in (w.resume_text or "")


def test_xss_in_a_candidate_is_escaped(world, as_user):
    sam = as_user("sam")
    payload = "<script>alert(1)</script>"
    hx = '<div hx-get="/logout" hx-trigger="load">x</div>'
    resp = sam.post("/supplier/candidates/new", _form(first_name=payload, last_name=hx, skills=payload,
                                                      location='"><img src=x onerror=alert(1)>'))
    assert resp.status_code == 302
    for url in (resp.headers["Location"], "/supplier/candidates", "/supplier/candidates?q=script"):
        body = sam.get(url).data
        assert payload.encode() not in body and b"<img src=x" not in body and hx.encode() not in body
        assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
    staff = as_user("morgan").get("/staff/candidates?q=alert").data
    assert payload.encode() not in staff and b"&lt;script&gt;" in staff


# --- the list and search ------------------------------------------------------------------------

def test_list_shows_only_own_candidates(world, as_user):
    body = as_user("sam").get("/supplier/candidates").data
    assert b"Tilda Worldwide" in body and b"Ada Okonkwo" in body
    assert b"Bastian Worldwide" not in body and b"Grace Whitfield" not in body
    body = as_user("bruno").get("/supplier/candidates").data
    assert b"Bastian Worldwide" in body and b"Tilda Worldwide" not in body


@pytest.mark.parametrize("q, found, not_found", [
    ("tilda", b"Tilda Worldwide", b"Ada Okonkwo"),                    # first name
    ("OKONKWO", b"Ada Okonkwo", b"Tilda Worldwide"),                  # last name, any case
    ("marcus.feld@", b"Marcus Feld", b"Ada Okonkwo"),                 # e-mail
    ("quality engineer", b"Priscilla Tan", b"Ada Okonkwo"),           # title, every word must match
    ("mastercam", b"Diego Ram", b"Ada Okonkwo"),                      # skill
    ("marker-talentco", b"Tilda Worldwide", b"Ada Okonkwo"),          # résumé text
    ("python chicago", b"Ada Okonkwo", b"Hannah Lindqvist"),          # skill + location
    ("100%_", b"No candidate matches", b"Ada Okonkwo"),               # LIKE wildcards are literal
])
def test_search_as_you_type(world, as_user, q, found, not_found):
    sam = as_user("sam")
    resp = sam.get("/supplier/candidates", query_string={"q": q}, htmx=True)
    assert resp.status_code == 200
    assert resp.data.lstrip().startswith(b'<div id="candidates-results">')
    assert b"<html" not in resp.data and "HX-Request" in resp.headers.get("Vary", "")
    assert found in resp.data and not_found not in resp.data


def test_search_never_crosses_suppliers(world, as_user):
    body = as_user("sam").get("/supplier/candidates?q=marker-bluepeak").data
    assert b"Bastian" not in body and b"No candidate matches" in body


def test_the_address_bar_url_renders_the_full_page(world, as_user):
    sam = as_user("sam")
    page = sam.get("/supplier/candidates?q=tilda")
    assert page.status_code == 200 and b"<html" in page.data
    assert b'hx-push-url="true"' in page.data and b'value="tilda"' in page.data
    assert b"Tilda Worldwide" in page.data and b"Ada Okonkwo" not in page.data


def test_pagination(world, as_user):
    sam = world.user("sam")
    with scoped(Scope("supplier", sam.org_id)):
        for i in range(30):
            services.create_candidate(sam, CandidateData(first_name=f"Page{i:02d}", last_name="Person",
                                                         email=f"page{i}@example.com"))
        db.session.commit()
    c = as_user("sam")
    first = c.get("/supplier/candidates?q=person")
    assert first.status_code == 200 and b"Showing 1\xe2\x80\x9325 of 30" in first.data
    assert b'href="/supplier/candidates?page=2&amp;q=person"' in first.data
    second = c.get("/supplier/candidates?q=person&page=2")
    assert b"Showing 26\xe2\x80\x9330 of 30" in second.data
    assert c.get("/supplier/candidates?page=abc").status_code == 200


def _make_supplier_with(n: int, name: str = "Counting Co") -> tuple[int, str]:
    """A supplier with one recruiter and n candidates (each with skills and a résumé)."""
    from portal.files.documents import inspect_document

    with system_scope("test"):
        org = db.session.scalar(select(Organisation).where(Organisation.name == name))
        if org is None:
            org = Organisation(kind="supplier", name=name)
            db.session.add(org)
            db.session.flush()
            db.session.add(User(org_id=org.id, portal="supplier", email="counter@counting.example", name="Counter",
                                role="recruiter", status=UserStatus.ACTIVE.value, password_hash=hash_password(PASSWORD)))
            db.session.flush()
        actor = db.session.scalar(select(User).where(User.email == "counter@counting.example"))
        have = db.session.scalar(select(func.count(Candidate.id)).where(Candidate.supplier_org_id == org.id))
        for i in range(have, n):
            c, _ = services.create_candidate(actor, CandidateData(
                first_name=f"Count{i}", last_name="Person", email=f"count{i}@example.com",
                skills=["Python", "SQL", f"Skill{i}"]))
            pdf = pdf_bytes(f"Count{i} résumé")
            services.attach_resume(actor, c, inspect_document(f"c{i}.pdf", pdf, 10), pdf)
        db.session.commit()
        return org.id, actor.email


def _queries_for(app, client, url) -> int:
    count = {"n": 0}

    def before(*_args):
        count["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        resp = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", before)
    assert resp.status_code == 200
    return count["n"]


def test_list_pages_cost_a_fixed_number_of_queries(app, world, as_user):
    org_id, email = _make_supplier_with(3)
    recruiter = PortalClient(app)
    recruiter.login(email, portal="supplier")
    morgan = as_user("morgan")
    small = (_queries_for(app, recruiter, "/supplier/candidates"),
             _queries_for(app, morgan, f"/staff/candidates?supplier={org_id}"),
             _queries_for(app, recruiter, "/supplier/candidates?q=person"))
    _make_supplier_with(30)
    large = (_queries_for(app, recruiter, "/supplier/candidates"),
             _queries_for(app, morgan, f"/staff/candidates?supplier={org_id}"),
             _queries_for(app, recruiter, "/supplier/candidates?q=person"))
    assert large == small
    body = recruiter.get("/supplier/candidates").data
    assert body.count(b'<span class="badge badge-success">PDF</span>') == 25


# --- tenancy and permissions ------------------------------------------------------------------

def test_tenancy_of_candidates(world):
    talentco, bluepeak = world.oid("talentco"), world.oid("bluepeak")
    with pytest.raises(TenancyError):
        db.session.scalars(select(Candidate)).all()
    with scoped(Scope("supplier", talentco)):
        assert {c.supplier_org_id for c in db.session.scalars(select(Candidate))} == {talentco}
        assert {s.supplier_org_id for s in db.session.scalars(select(CandidateSkill))} == {talentco}
    sam = world.user("sam")
    with scoped(Scope("supplier", talentco)):
        fresh, _ = services.create_candidate(sam, CandidateData(first_name="Fresh", last_name="Pool",
                                                                email="fresh.pool@example.com", skills=["Go"]))
        db.session.commit()
    for client in ("acme", "globex"):
        # A client never sees a supplier's pool: at most candidates submitted to its own job
        # orders (the rule lives in candidate_rule); skills and résumés follow their candidate.
        with scoped(Scope("client", world.oid(client))):
            seen = set(db.session.scalars(select(Candidate.id)))
            assert fresh.id not in seen
            assert set(db.session.scalars(select(CandidateSkill.candidate_id))) <= seen
            assert set(db.session.scalars(select(Resume.candidate_id))) <= seen
    with scoped(Scope("staff", world.oid("agency"))):
        assert {c.supplier_org_id for c in db.session.scalars(select(Candidate))} >= {talentco, bluepeak}


def test_another_suppliers_candidate_is_not_found(world, as_user):
    tilda = world_candidate("talentco")
    priya = as_user("priya")
    for url in (f"/supplier/candidates/{tilda.id}", f"/supplier/candidates/{tilda.id}/edit",
                f"/supplier/candidates/{tilda.id}/resume"):
        assert priya.get(url).status_code == 404
    before = world_candidate("talentco").first_name
    assert priya.post(f"/supplier/candidates/{tilda.id}/edit", _form()).status_code == 404
    assert world_candidate("talentco").first_name == before


def test_clients_have_no_candidate_pages_yet(world, as_user):
    hana = as_user("hana")
    assert hana.get("/supplier/candidates").status_code == 404
    assert hana.get("/staff/candidates").status_code == 404
    assert b"Candidates" not in hana.get("/client/").data


def test_navigation(world, as_user):
    assert b'href="/supplier/candidates"' in as_user("sam").get("/supplier/").data
    assert b'href="/staff/candidates"' in as_user("morgan").get("/staff/").data


def test_staff_search_every_pool_including_resume_text(world, as_user):
    morgan = as_user("morgan")
    resp = morgan.get("/staff/candidates?q=marker-bluepeak", htmx=True)
    assert resp.status_code == 200 and b"Bastian Worldwide" in resp.data and b"BluePeak Partners" in resp.data
    assert b"Tilda" not in resp.data
    everyone = morgan.get("/staff/candidates?q=worldwide").data
    assert b"Tilda Worldwide" in everyone and b"Bastian Worldwide" in everyone
    only_talentco = morgan.get(f"/staff/candidates?q=worldwide&supplier={world.oid('talentco')}").data
    assert b"Tilda Worldwide" in only_talentco and b"Bastian Worldwide" not in only_talentco
    tilda = world_candidate("talentco")
    page = morgan.get(f"/staff/candidates/{tilda.id}")
    assert page.status_code == 200 and b"TalentCo Search" in page.data and b"MARKER-TALENTCO-7f3a" in page.data
    assert b"Edit details" not in page.data and b"Upload" not in page.data  # read only


def test_staff_cannot_change_candidates(world, as_user):
    tilda = world_candidate("talentco")
    morgan = as_user("morgan")
    assert morgan.post(f"/supplier/candidates/{tilda.id}/edit", _form()).status_code == 404
    assert morgan.get("/supplier/candidates/new").status_code == 404


def test_detail_shows_history_and_not_recorded_values(world, as_user):
    sam = as_user("sam")
    sam.post("/supplier/candidates/new", _form(location="", current_title="", years_experience="",
                                               work_authorisation="", available_from=""))
    c = _candidate("jordan.lee@example.com")
    body = sam.get(f"/supplier/candidates/{c.id}").data
    assert b">None<" not in body
    assert body.count(b"Not recorded") >= 4
    assert b"Sam Whitaker added candidate Jordan Lee" in body
