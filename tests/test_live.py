"""Live updates: each page polls a cursor; only names of events the viewer may see come back."""
from __future__ import annotations

import json
import re

import pytest

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


def test_live_region_refreshes_do_not_keep_an_idle_session_alive_but_real_requests_do(app, as_user, monkeypatch):
    import time as _time

    c = as_user("hana")
    real = _time.time
    step = app.config["IDLE_MINUTES"] * 60 // 2 + 10
    live = {"X-Live-Refresh": "1"}
    monkeypatch.setattr(_time, "time", lambda: real() + step)
    assert c.get("/client/", htmx=True, headers=dict(live)).status_code == 200  # a region refreshing itself
    monkeypatch.setattr(_time, "time", lambda: real() + 2 * step)
    resp = c.get("/client/", htmx=True, headers=dict(live))
    assert resp.status_code == 401 and "/login" in resp.headers["HX-Redirect"]

    c = as_user("hana")
    monkeypatch.setattr(_time, "time", lambda: real() + 3 * step)
    assert c.get("/client/").status_code == 200  # the person opened a page: activity
    monkeypatch.setattr(_time, "time", lambda: real() + 4 * step)
    assert c.get("/client/", htmx=True, headers=dict(live)).status_code == 200


def test_garbage_cursor_is_harmless(as_user):
    c = as_user("sam")
    for value in ("abc", "-5", "99999999999999999999999"):
        assert c.get(f"/live?after={value}", htmx=True).status_code in (200, 204)


# --- the regions that listen ------------------------------------------------------------------------

def _region(page: str, region_id: str) -> str:
    start = page.index(f'id="{region_id}"')
    return page[page.rindex("<", 0, start):page.index(">", start)]


@pytest.mark.parametrize("short, url, region, names", [
    ("sam", "/supplier/job-orders", "job-orders-results", ("job_order-changed", "submission-changed")),
    ("hana", "/client/job-orders", "job-orders-results", ("job_order-changed",)),
    ("morgan", "/staff/job-orders", "job-orders-results", ("job_order-changed",)),
    ("hana", "/client/", "dashboard-client", ("job_order-changed", "submission-changed")),
    ("morgan", "/staff/", "dashboard-staff", ("job_order-changed", "submission-changed", "sla-changed")),
    ("sam", "/supplier/", "notifications-badge", ("live-changed",)),
    ("sam", "/notifications", "notifications-list", ("live-changed",)),
])
def test_live_regions_listen_to_the_names_their_data_depends_on(world, as_user, short, url, region, names):
    tag = _region(as_user(short).get(url).get_data(as_text=True), region)
    assert "hx-get=" in tag
    for name in names:
        assert f"{name} from:body" in tag


@pytest.mark.parametrize("short, portal, key", [("hana", "client", "acme"), ("sam", "supplier", "acme"),
                                                 ("morgan", "staff", "acme")])
def test_a_job_orders_activity_refreshes_itself(world, as_user, short, portal, key):
    job = world.job(key)
    c = as_user(short)
    page = c.get(f"/{portal}/job-orders/{job.id}").get_data(as_text=True)
    tag = _region(page, "job-orders-activity")
    assert f'hx-get="/{portal}/job-orders/{job.id}"' in tag and "job_order-changed from:body" in tag
    assert c.get(f"/{portal}/job-orders/{job.id}", htmx=True).status_code == 200


def test_a_live_refresh_of_a_suppliers_job_page_does_not_count_as_a_visit(world, as_user):
    from datetime import datetime, timedelta, timezone

    from portal import clock
    from portal.job_orders.models import JobOrderView

    job = world.job("acme")
    sam = as_user("sam")
    first = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
    clock.freeze(first)
    sam.get(f"/supplier/job-orders/{job.id}")
    clock.freeze(first + timedelta(hours=1))
    sam.get(f"/supplier/job-orders/{job.id}", htmx=True)  # the activity card refreshing itself
    with system_scope("test lookup"):
        seen = db.session.scalar(select(JobOrderView.seen_at).where(
            JobOrderView.user_id == world.uid("sam"), JobOrderView.job_order_id == job.id))
    assert seen == first
    sam.get(f"/supplier/job-orders/{job.id}")  # a real visit
    with system_scope("test lookup"):
        seen = db.session.scalar(select(JobOrderView.seen_at).where(
            JobOrderView.user_id == world.uid("sam"), JobOrderView.job_order_id == job.id))
    assert seen == first + timedelta(hours=1)
