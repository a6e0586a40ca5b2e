"""Deny by default: the route walk, the permission matrix and the isolation matrix."""
from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import func, select

from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.security.permissions import REGISTRY, has_permission
from tests.access_registry import KIND_OF_PARTY, NOT_OBJECT_ARGS, OBJECTS, PARTIES, PRINCIPALS


def _rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        yield rule, app.view_functions[rule.endpoint]


def _access(view):
    return getattr(view, "_access", None)


def _method(rule) -> str:
    return "GET" if "GET" in rule.methods else "POST"


def _event_count() -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count(Event.id)))


def test_every_endpoint_is_public_or_requires_a_permission(app):
    unmarked = [rule.endpoint for rule, view in _rules(app) if _access(view) is None]
    assert unmarked == [], f"endpoints with neither @public nor @requires: {unmarked}"


def test_every_permission_is_known(app):
    for rule, view in _rules(app):
        access = _access(view)
        if access[0] == "requires":
            for perm in access[1]:
                assert REGISTRY[perm.code] is perm


def test_every_object_route_joins_the_isolation_matrix(app):
    missing = [
        rule.endpoint for rule, view in _rules(app)
        if rule.arguments and _access(view)[0] != "public" and rule.endpoint not in NOT_OBJECT_ARGS
        and rule.endpoint not in OBJECTS
    ]
    assert missing == [], f"add these endpoints to tests/access_registry.OBJECTS: {missing}"


def _url(app, world, rule, party):
    if not rule.arguments:
        kwargs = {}
    else:
        builder = OBJECTS.get(rule.endpoint)
        if builder is None:
            return None
        kwargs = builder(world, party)
        if kwargs is None:
            return None
    with app.test_request_context():
        return url_for(rule.endpoint, **kwargs)


def _guarded_rules(app):
    return [(rule, view) for rule, view in _rules(app) if _access(view)[0] == "requires"]


@pytest.mark.parametrize("htmx", [False, True])
def test_anonymous_is_sent_to_sign_in(app, world, client, htmx):
    before = _event_count()
    for rule, view in _guarded_rules(app):
        url = _url(app, world, rule, "acme") or _url(app, world, rule, "talentco") or _url(app, world, rule, "agency")
        if url is None:
            continue
        method = _method(rule)
        resp = client.get(url, htmx=htmx) if method == "GET" else client.post(url, htmx=htmx)
        if htmx:
            assert resp.status_code == 401, (rule.endpoint, resp.status_code)
            assert "/login" in resp.headers.get("HX-Redirect", ""), rule.endpoint
        else:
            assert resp.status_code == 302, (rule.endpoint, resp.status_code)
            assert "/login" in resp.headers["Location"], rule.endpoint
    assert _event_count() == before


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_permission_matrix(app, world, as_user, principal):
    """Own organisation's objects: wrong portal -> 404, right portal but wrong role -> 403,
    allowed GET -> 200. Denials write no event."""
    c = as_user(principal)
    user = world.user(principal)
    party = PRINCIPALS[principal]
    before = _event_count()
    checked = 0
    for rule, view in _guarded_rules(app):
        perms = _access(view)[1]
        url = _url(app, world, rule, party)
        if url is None:
            continue
        method = _method(rule)
        wrong_portal = any(p.portal not in ("any", user.portal) for p in perms)
        lacking = not all(has_permission(user, p) for p in perms)
        if not (wrong_portal or lacking) and method != "GET":
            continue  # allowed state changes are exercised by the domain tests
        resp = c.get(url) if method == "GET" else c.post(url)
        if wrong_portal:
            expected = 404
        elif lacking:
            expected = 403
        else:
            expected = 200
        assert resp.status_code == expected, (principal, rule.endpoint, url, resp.status_code)
        checked += 1
    assert checked > 5
    assert _event_count() == before


@pytest.mark.parametrize("principal", sorted(p for p, party in PRINCIPALS.items() if party != "agency"))
@pytest.mark.parametrize("htmx", [False, True])
def test_isolation_matrix(app, world, as_user, principal, htmx):
    """Another party's object is a 404 for every URL with an id, GET or POST, page or fragment.

    A principal whose role lacks the permission gets 403 whatever the id (the answer does not
    depend on the object, so it reveals nothing); every other answer must be 404.
    """
    c = as_user(principal)
    user = world.user(principal)
    own = PRINCIPALS[principal]
    before = _event_count()
    cells = 0
    for rule, view in _guarded_rules(app):
        if rule.endpoint not in OBJECTS:
            continue
        for party in PARTIES:
            if party == own:
                continue
            url = _url(app, world, rule, party)
            if url is None:
                continue
            method = _method(rule)
            resp = c.get(url, htmx=htmx) if method == "GET" else c.post(url, htmx=htmx)
            perms = _access(view)[1]
            same_portal = all(p.portal in ("any", user.portal) for p in perms)
            lacking = not all(has_permission(user, p) for p in perms)
            expected = 403 if same_portal and lacking else 404
            assert resp.status_code == expected, (principal, rule.endpoint, party, resp.status_code)
            cells += 1
    assert cells > 0
    assert _event_count() == before
