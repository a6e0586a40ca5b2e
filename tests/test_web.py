"""The page shell: security headers everywhere, htmx fragments and redirects, errors, CSRF, health."""
from __future__ import annotations

import pytest
from flask import Blueprint

from portal import create_app
from portal.security.permissions import public
from tests.conftest import SECRET


def _assert_security_headers(resp):
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'self'" in csp
    assert "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


@pytest.mark.parametrize("url,status", [("/", 200), ("/client/login", 200), ("/nowhere", 404), ("/healthz", 200)])
@pytest.mark.parametrize("htmx", [False, True])
def test_security_headers_on_every_response(client, url, status, htmx):
    resp = client.get(url, htmx=htmx)
    assert resp.status_code == status
    _assert_security_headers(resp)


def test_security_headers_on_signed_in_pages_and_errors(as_user):
    c = as_user("sam")
    for url, status in (("/supplier/", 200), ("/staff/", 404), ("/client/team", 404)):
        resp = c.get(url)
        assert resp.status_code == status
        _assert_security_headers(resp)
    _assert_security_headers(c.post("/supplier/team/invite", {}))  # 403 for a recruiter


def test_no_hsts_in_development(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_error_pages_are_full_pages_or_fragments(client):
    page = client.get("/nowhere").get_data(as_text=True)
    assert "<html" in page and "Page not found" in page
    fragment = client.get("/nowhere", htmx=True).get_data(as_text=True)
    assert "<html" not in fragment and 'class="error-fragment"' in fragment and "Page not found" in fragment


def test_403_explains(as_user):
    resp = as_user("hana").post("/client/team/invite", {"name": "x"})
    assert resp.status_code == 403
    assert "permission" in resp.get_data(as_text=True)


def test_missing_or_forged_csrf_is_refused_and_changes_nothing(world, as_user):
    c = as_user("olivia")
    resp = c.post(f"/client/team/{world.uid('hana')}/deactivate", csrf=False)
    assert resp.status_code == 400
    assert "nothing was changed" in resp.get_data(as_text=True)
    resp = c.post(f"/client/team/{world.uid('hana')}/deactivate", csrf=False,
                  headers={"X-CSRFToken": "forged.token.value"})
    assert resp.status_code == 400
    assert world.user("hana").status == "active"


def test_csrf_token_is_in_body_hx_headers_and_forms(as_user):
    text = as_user("olivia").get("/client/team").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in text
    assert text.count('name="csrf_token"') >= 2  # sign-out form and the invitation form


def test_partial_htmx_request_gets_only_the_fragment(as_user):
    c = as_user("morgan")
    full = c.get("/staff/organisations?q=acme")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")
    part = c.get("/staff/organisations?q=acme", htmx=True)
    body = part.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="admin-results">')
    assert "Acme Manufacturing" in body and "Globex" not in body
    assert "HX-Request" in part.headers.get("Vary", "")


def test_boosted_and_history_restore_requests_get_full_pages(as_user):
    c = as_user("morgan")
    resp = c.get("/staff/organisations", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in resp.get_data(as_text=True)


def test_list_survives_garbage_parameters(as_user):
    c = as_user("morgan")
    for qs in ("page=abc", "page=-4", "page=999999999999", "kind=<script>", "q=" + "x" * 5000):
        resp = c.get(f"/staff/organisations?{qs}")
        assert resp.status_code == 200, qs
        assert "<script>" not in resp.get_data(as_text=True).split("</header>")[1]


def test_unexpected_errors_are_a_clean_500(database_template, tmp_path):
    from tests.conftest import _config

    app = create_app({**_config(f"sqlite:///{tmp_path / 'x.sqlite'}", tmp_path), "TESTING": False})
    bp = Blueprint("boom", __name__)

    @bp.route("/boom")
    @public
    def boom():
        raise RuntimeError("kaboom")

    app.register_blueprint(bp)
    c = app.test_client()
    resp = c.get("/boom")
    assert resp.status_code == 500
    assert "kaboom" not in resp.get_data(as_text=True) and "nothing was changed" in resp.get_data(as_text=True)
    resp = c.get("/boom", headers={"HX-Request": "true"})
    assert resp.status_code == 500 and 'class="error-fragment"' in resp.get_data(as_text=True)


def test_health_reports_an_unreachable_database(tmp_path):
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}}})
    resp = app.test_client().get("/healthz")
    assert resp.status_code == 503
    body = resp.get_json()
    assert body["status"] == "unavailable" and body["database"] == "unreachable" and body["reason"]


def test_front_page_lists_the_three_portals(client):
    text = client.get("/").get_data(as_text=True)
    for portal in ("client", "supplier", "staff"):
        assert f'href="/{portal}/login"' in text


def test_signed_in_front_page_goes_home(as_user):
    assert as_user("sam").get("/").headers["Location"] == "/supplier/"


def test_fields_carry_aria_only_when_meaningful(client):
    text = client.get("/client/login").get_data(as_text=True)
    assert '"None"' not in text and "aria-invalid" not in text
    text = client.post("/client/login", {"email": "", "password": ""}).get_data(as_text=True)
    assert 'aria-invalid="true"' in text and 'aria-describedby="email-error"' in text and '"None"' not in text


def test_the_menu_marks_the_section_of_the_page_not_only_its_index(world, as_user):
    import re as _re

    morgan = as_user("morgan")
    job = world.job("acme")

    def marked(url):
        page = morgan.get(url).get_data(as_text=True)
        nav = page[page.index('aria-label="Main"'):page.index("</nav>", page.index('aria-label="Main"'))]
        return _re.findall(r'<a href="([^"]+)" aria-current="(\w+)"', nav)

    assert marked("/staff/job-orders") == [("/staff/job-orders", "page")]
    assert marked(f"/staff/job-orders/{job.id}") == [("/staff/job-orders", "true")]
    assert marked("/staff/") == [("/staff/", "page")]  # the dashboard is not every page's section
    assert marked("/staff/coverage") == [("/staff/coverage", "page")]


def test_a_database_failure_in_a_signed_in_request_is_a_503_even_when_the_access_log_runs(
        app, world, as_user, monkeypatch, caplog):
    """Found by `make restart-test`: a request that failed on the database rolled back (which
    expires the signed-in user), then the access log asked whether the user was active, which
    queried the database again, while it was still down: the answer was a bare 500. The log now
    reads the id without the database, and the answer is the 503 with its message."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    hana, hana_id = as_user("hana"), world.uid("hana")
    hana.get("/account")  # signed in, the page works

    def unreachable(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("the database system is shutting down"))

    def down(*args, **kwargs):
        # From here on every new connection fails, as during a restart.
        monkeypatch.setattr(Session, "_connection_for_bind", unreachable)
        unreachable()

    monkeypatch.setitem(app.view_functions, "accounts.my_account", down)
    with caplog.at_level("INFO", logger="portal.access"):
        resp = hana.get("/account")
    assert resp.status_code == 503, resp.get_data(as_text=True)[:300]
    assert "briefly unavailable" in resp.get_data(as_text=True)
    access = [r for r in caplog.records if r.name == "portal.access" and r.getMessage().startswith("GET /account 503")]
    assert access and access[-1].user_id == str(hana_id)



def test_row_url_writes_each_rows_id_into_one_built_address(app, monkeypatch):
    """row_url gives the text url_for gives, for path ids and with query values, building each address
    (endpoint and other values) once per request; an address without the id once is refused."""
    from flask import url_for

    import portal.web.templating as templating

    built = []
    real = templating.url_for
    monkeypatch.setattr(templating, "url_for", lambda *a, **kw: built.append(a[0]) or real(*a, **kw))
    with app.test_request_context("/"):
        for sid in (1, 42, 1234567):
            assert templating.row_url("review.submission", "submission_id", sid) == url_for(
                "review.submission", submission_id=sid)
            assert templating.row_url("review.decision_form", "submission_id", sid, kind="reject", view="queue",
                                      mine="1", page=3) == url_for("review.decision_form", submission_id=sid,
                                                                   kind="reject", view="queue", mine="1", page=3)
            assert templating.row_url("oversight.nudge", "subject_id", sid, target="job") == url_for(
                "oversight.nudge", target="job", subject_id=sid)
        assert built.count("review.submission") == 1 and built.count("review.decision_form") == 1
        # Other values are part of the address built: another page number is built apart.
        assert "page=4" in templating.row_url("review.decision_form", "submission_id", 7, kind="reject",
                                              view="queue", mine="1", page=4)
        assert built.count("review.decision_form") == 2
        with pytest.raises(ValueError):  # the id must be an integer
            templating.row_url("review.submission", "submission_id", "7 onclick=x")
        with pytest.raises(ValueError):  # and written once: an address where the stand-in recurs is refused
            templating.row_url("review.decision_form", "submission_id", 7, kind="reject", view="queue",
                               mine=str(templating._STAND_IN))
    with app.test_request_context("/"):  # a new request builds its own
        templating.row_url("review.submission", "submission_id", 5)
        assert built.count("review.submission") == 2
