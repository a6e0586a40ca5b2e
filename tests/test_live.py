"""Live updates: each page polls a cursor; only names of events the viewer may see come back."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from portal.accounts.models import Organisation
from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db


def _cursor(page_html: str) -> int:
    return int(re.search(r'data-cursor="(\d+)"', page_html).group(1))


def _record(world, verb, **stamp):
    with system_scope("test"):
        org = db.session.scalar(select(Organisation).where(Organisation.id == world.oid("acme")))
        ev = record(None, verb, org, verb, **stamp)
        db.session.commit()
        return ev.id


def test_nothing_new_is_a_cheap_204(world, as_user):
    c = as_user("sam")
    cursor = _cursor(c.get("/supplier/").get_data(as_text=True))
    resp = c.get(f"/live?after={cursor}", htmx=True)
    assert resp.status_code == 204 and resp.get_data() == b""
    assert resp.headers["Cache-Control"] == "no-store"


def test_visible_event_names_the_domain_and_moves_the_cursor(world, as_user):
    c = as_user("sam")
    cursor = _cursor(c.get("/supplier/").get_data(as_text=True))
    new_id = _record(world, "job_order.released", client_org_id=world.oid("acme"), supplier_org_id=world.oid("talentco"))
    resp = c.get(f"/live?after={cursor}", htmx=True)
    assert resp.status_code == 200
    assert set(json.loads(resp.headers["HX-Trigger"])) == {"job_order-changed", "live-changed"}
    assert _cursor(resp.get_data(as_text=True)) == new_id
    assert c.get(f"/live?after={new_id}", htmx=True).status_code == 204


def test_other_parties_events_are_never_announced(world, as_user):
    priya = as_user("priya")
    cursor = _cursor(priya.get("/supplier/").get_data(as_text=True))
    _record(world, "job_order.released", client_org_id=world.oid("acme"), supplier_org_id=world.oid("talentco"))
    _record(world, "submission.noted", client_org_id=world.oid("acme"), internal=True)
    assert priya.get(f"/live?after={cursor}", htmx=True).status_code == 204
    hana = as_user("hana")
    cursor = _cursor(hana.get("/client/").get_data(as_text=True))
    _record(world, "submission.noted", client_org_id=world.oid("acme"), internal=True)
    assert hana.get(f"/live?after={cursor}", htmx=True).status_code == 204


def test_a_reconnecting_page_catches_up(world, as_user):
    c = as_user("morgan")
    cursor = _cursor(c.get("/staff/").get_data(as_text=True))
    for verb in ("org.updated", "user.invited", "job_order.approved"):
        _record(world, verb, client_org_id=world.oid("acme"))
    resp = c.get(f"/live?after={cursor}", htmx=True)
    assert set(json.loads(resp.headers["HX-Trigger"])) == {"org-changed", "user-changed", "job_order-changed",
                                                            "live-changed"}


def test_polling_does_not_keep_an_idle_session_alive(app, as_user, monkeypatch):
    import time as _time

    c = as_user("hana")
    real = _time.time
    step = app.config["IDLE_MINUTES"] * 60 // 2 + 10
    monkeypatch.setattr(_time, "time", lambda: real() + step)
    assert c.get("/live?after=0", htmx=True).status_code in (200, 204)
    monkeypatch.setattr(_time, "time", lambda: real() + 2 * step)
    resp = c.get("/live?after=0", htmx=True)
    assert resp.status_code == 401 and "/login" in resp.headers["HX-Redirect"]


def test_garbage_cursor_is_harmless(as_user):
    c = as_user("sam")
    for value in ("abc", "-5", "99999999999999999999999"):
        assert c.get(f"/live?after={value}", htmx=True).status_code in (200, 204)
