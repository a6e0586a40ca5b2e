"""Sign-in at the three portals, no account enumeration, sessions that end, rate limits."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.accounts import services
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from tests.conftest import PortalClient
from tests.world import PASSWORD, PEOPLE

REFUSAL = "The e-mail address or password is not right for the"


def _attempt(client: PortalClient, portal: str, email: str, password: str = PASSWORD):
    return client.post(f"/{portal}/login", {"email": email, "password": password})


@pytest.mark.parametrize("short,portal", [("hana", "client"), ("sam", "supplier"), ("morgan", "staff")])
def test_each_account_signs_in_at_its_own_portal_only(client, short, portal):
    for other in ("client", "supplier", "staff"):
        if other == portal:
            continue
        resp = _attempt(client, other, PEOPLE[short])
        assert resp.status_code == 401
        assert REFUSAL in resp.get_data(as_text=True)
    resp = _attempt(client, portal, PEOPLE[short])
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/{portal}/"
    assert client.get(f"/{portal}/").status_code == 200


def test_every_refusal_reads_the_same(client):
    bodies = []
    for email, password in [
        ("hana@acme.example", "wrong-password"),
        ("nobody@acme.example", PASSWORD),
        ("ivan@acme.example", PASSWORD),  # deactivated
        ("sam@talentco.example", PASSWORD),  # wrong portal
    ]:
        resp = _attempt(client, "client", email, password)
        assert resp.status_code == 401
        text = resp.get_data(as_text=True)
        bodies.append(text[text.index("error-summary"):text.index("</ul>", text.index("error-summary"))])
    assert len(set(bodies)) == 1


def test_empty_form_gets_field_messages(client):
    resp = client.post("/client/login", {"email": "", "password": ""})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert 'href="#email"' in text and "Enter your e-mail address." in text
    assert 'href="#password"' in text


def test_overlong_input_is_refused_cleanly(client):
    resp = client.post("/client/login", {"email": "a" * 5000 + "@x.example", "password": "p" * 5000})
    assert resp.status_code == 422


def test_unknown_portal_is_404(client):
    assert client.get("/vendor/login").status_code == 404


@pytest.mark.parametrize("target,expected", [
    ("/client/team", "/client/team"),
    ("https://evil.example/client/", "/client/"),
    ("//evil.example/client/", "/client/"),
    ("/staff/organisations", "/client/"),
])
def test_next_is_followed_only_within_the_portal(client, target, expected):
    resp = client.post(f"/client/login?next={target}", {"email": PEOPLE["hana"], "password": PASSWORD})
    assert resp.headers["Location"] == expected


def test_logout_needs_post_with_csrf(as_user):
    c = as_user("hana")
    assert c.get("/logout").status_code == 405
    assert c.post("/logout", csrf=False).status_code == 400
    assert c.get("/client/").status_code == 200  # still signed in
    resp = c.post("/logout")
    assert resp.headers["Location"] == "/client/login"
    assert c.get("/client/").status_code == 302


def test_deactivation_ends_the_session_at_the_next_request(app, world, as_user):
    hana = as_user("hana")
    olivia = as_user("olivia")
    assert hana.get("/client/").status_code == 200
    resp = olivia.post(f"/client/team/{world.uid('hana')}/deactivate")
    assert resp.status_code == 302
    resp = hana.get("/client/")
    assert resp.status_code == 302 and "/client/login" in resp.headers["Location"]
    resp = hana.get("/client/", htmx=True)
    assert resp.status_code == 401 and "/client/login" in resp.headers["HX-Redirect"]
    with system_scope("test"):
        ev = db.session.scalar(select(Event).where(Event.verb == "user.deactivated"))
        assert ev.client_org_id == world.oid("acme") and ev.actor_user_id == world.uid("olivia")
    # and a sign-in is refused like any other failure
    assert _attempt(PortalClient(app), "client", PEOPLE["hana"]).status_code == 401


def test_reactivation_lets_the_user_back_in(app, world, as_user):
    olivia = as_user("olivia")
    olivia.post(f"/client/team/{world.uid('hana')}/deactivate")
    assert olivia.post(f"/client/team/{world.uid('hana')}/deactivate").status_code == 409
    assert olivia.post(f"/client/team/{world.uid('hana')}/reactivate").status_code == 302
    assert _attempt(PortalClient(app), "client", PEOPLE["hana"]).status_code == 302


def test_admin_cannot_deactivate_themselves(world, as_user):
    olivia = as_user("olivia")
    assert olivia.post(f"/client/team/{world.uid('olivia')}/deactivate").status_code == 403
    assert olivia.get("/client/").status_code == 200


def test_deactivated_organisation_cannot_sign_in(app, world, as_user):
    nadia = as_user("nadia")
    hana = as_user("hana")
    resp = nadia.post(f"/staff/organisations/{world.oid('acme')}/edit",
                      {"name": "Acme Manufacturing", "email_domain": "acme.example"})
    assert resp.status_code == 302
    assert hana.get("/client/").status_code == 302
    assert _attempt(PortalClient(app), "client", PEOPLE["hana"]).status_code == 401


def test_password_change_signs_out_other_sessions(app, as_user):
    first = as_user("sam")
    second = as_user("sam")
    resp = first.post("/account", {"current_password": PASSWORD, "password": "a new long passphrase",
                                   "confirm": "a new long passphrase"})
    assert resp.status_code == 302
    assert first.get("/supplier/").status_code == 200
    assert second.get("/supplier/").status_code == 302
    assert _attempt(PortalClient(app), "supplier", PEOPLE["sam"]).status_code == 401
    assert _attempt(PortalClient(app), "supplier", PEOPLE["sam"], "a new long passphrase").status_code == 302


def test_password_change_validates(as_user):
    c = as_user("sam")
    resp = c.post("/account", {"current_password": "wrong", "password": "a new long passphrase",
                               "confirm": "a new long passphrase"})
    assert resp.status_code == 422 and "Your current password is not right." in resp.get_data(as_text=True)
    resp = c.post("/account", {"current_password": PASSWORD, "password": "short", "confirm": "short"})
    assert resp.status_code == 422
    resp = c.post("/account", {"current_password": PASSWORD, "password": "a new long passphrase",
                               "confirm": "another long passphrase"})
    assert resp.status_code == 422 and "The two passwords differ." in resp.get_data(as_text=True)


def test_sign_out_everywhere(as_user):
    first, second = as_user("leo"), as_user("leo")
    assert first.post("/account/sign-out-everywhere").status_code == 302
    assert first.get("/client/").status_code == 302
    assert second.get("/client/").status_code == 302


def test_failed_sign_ins_are_limited_per_account(app, client):
    for _ in range(5):
        assert _attempt(client, "client", PEOPLE["hana"], "wrong").status_code == 401
    resp = _attempt(client, "client", PEOPLE["hana"], "wrong")
    assert resp.status_code == 429
    text = resp.get_data(as_text=True)
    assert "Too many attempts. Please try again in" in text and "minutes" in text
    # even the right password waits: the account is protected from guessing
    assert _attempt(client, "client", PEOPLE["hana"]).status_code == 429
    # another account from the same address is not blocked by this one
    assert _attempt(client, "client", PEOPLE["olivia"]).status_code == 302


def test_failed_sign_ins_are_limited_per_address(app, client):
    for i in range(20):
        assert _attempt(client, "supplier", f"guess{i}@nowhere.example", "wrong").status_code == 401
    assert _attempt(client, "supplier", PEOPLE["sam"]).status_code == 429


def test_successful_sign_ins_are_not_counted(app, client):
    for _ in range(8):
        assert _attempt(client, "client", PEOPLE["hana"]).status_code == 302
        client.post("/logout")


def test_session_cookie_flags(app, client):
    resp = _attempt(client, "client", PEOPLE["hana"])
    cookie = resp.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development; production sets it (test_config)


def test_authenticate_service_directly(app):
    assert services.authenticate(PEOPLE["hana"].upper(), PASSWORD, "client") is not None
    assert services.authenticate(PEOPLE["hana"], PASSWORD, "staff") is None


def test_idle_session_expires(app, as_user, monkeypatch):
    import time as _time

    c = as_user("hana")
    assert c.get("/client/").status_code == 200
    real = _time.time
    monkeypatch.setattr(_time, "time", lambda: real() + app.config["IDLE_MINUTES"] * 60 + 5)
    resp = c.get("/client/")
    assert resp.status_code == 302 and "/client/login" in resp.headers["Location"]


def test_activity_keeps_the_session(app, as_user, monkeypatch):
    import time as _time

    c = as_user("hana")
    real = _time.time
    half = app.config["IDLE_MINUTES"] * 30
    monkeypatch.setattr(_time, "time", lambda: real() + half)
    assert c.get("/client/").status_code == 200
    monkeypatch.setattr(_time, "time", lambda: real() + 2 * half + 60)
    assert c.get("/client/").status_code == 200


def test_rate_limits_are_shared_through_redis_when_configured(database_template, tmp_path):
    """Two processes (two apps) with Redis storage count failed sign-ins together."""
    import uuid

    import redis

    from portal import create_app
    from tests.conftest import _config

    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/15", socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001
        pytest.skip("no Redis on 127.0.0.1:6379")
    cfg = {**_config(f"sqlite:///{tmp_path / 'r.sqlite'}", tmp_path),
           "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
           "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex,
           "LOGIN_LIMIT_PER_ACCOUNT": "3 per 15 minutes"}
    import shutil

    if str(database_template).startswith("postgres"):
        pytest.skip("the storage is what is tested; the SQLite run covers it")
    shutil.copyfile(database_template, tmp_path / "r.sqlite")
    first, second = create_app(cfg), create_app(cfg)
    for app_ in (first, second, first):
        with app_.app_context():
            c = PortalClient(app_)
            assert c.post("/client/login", {"email": PEOPLE["hana"], "password": "nope"}).status_code == 401
    with second.app_context():
        assert PortalClient(second).post("/client/login", {"email": PEOPLE["hana"], "password": "nope"}).status_code == 429


def test_idle_clock_is_written_at_most_once_a_minute(app, as_user, monkeypatch):
    """A page view within a minute of the last one recorded leaves the session cookie alone (no
    re-signed cookie on every response); a later one moves the idle clock on."""
    import time as _time

    c = as_user("hana")
    real = _time.time
    monkeypatch.setattr(_time, "time", lambda: real() + 61)
    assert "portal_session=" in c.get("/client/").headers.get("Set-Cookie", "")
    monkeypatch.setattr(_time, "time", lambda: real() + 90)
    resp = c.get("/client/")
    assert resp.status_code == 200 and "portal_session=" not in resp.headers.get("Set-Cookie", "")
    # Activity a minute later still counts: the session outlives IDLE_MINUTES measured from the sign-in.
    monkeypatch.setattr(_time, "time", lambda: real() + 125)
    assert "portal_session=" in c.get("/client/").headers.get("Set-Cookie", "")
    monkeypatch.setattr(_time, "time", lambda: real() + app.config["IDLE_MINUTES"] * 60 + 100)
    assert c.get("/client/").status_code == 200
