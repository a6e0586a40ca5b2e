"""The permission and isolation matrices of the SLA and coverage-board endpoints alone (the full
matrices in test_access.py cover them too; this slice runs fast and fails on these pages only)."""
from __future__ import annotations

import pytest

from portal.security.permissions import has_permission
from tests.access_registry import PARTIES, PRINCIPALS
from tests.test_access import _access, _event_count, _guarded_rules, _method, _url

PREFIXES = ("sla.", "oversight.")


def _mine(app):
    return [(rule, view) for rule, view in _guarded_rules(app) if rule.endpoint.startswith(PREFIXES)]


@pytest.mark.parametrize("principal", sorted(PRINCIPALS))
def test_permission_matrix_of_sla_pages(app, world, as_user, principal):
    c = as_user(principal)
    user = world.user(principal)
    before = _event_count()
    checked = 0
    for rule, view in _mine(app):
        url = _url(app, world, rule, PRINCIPALS[principal])
        if url is None:
            continue
        perms = _access(view)[1]
        wrong_portal = any(p.portal not in ("any", user.portal) for p in perms)
        lacking = not all(has_permission(user, p) for p in perms)
        method = _method(rule)
        if not (wrong_portal or lacking) and method != "GET":
            continue
        resp = c.get(url) if method == "GET" else c.post(url)
        expected = 404 if wrong_portal else 403 if lacking else 200
        assert resp.status_code == expected, (principal, rule.endpoint, url, resp.status_code)
        checked += 1
    assert checked >= 2
    assert _event_count() == before


@pytest.mark.parametrize("principal", sorted(p for p, party in PRINCIPALS.items() if party != "agency"))
@pytest.mark.parametrize("htmx", [False, True])
def test_isolation_matrix_of_sla_pages(app, world, as_user, principal, htmx):
    c = as_user(principal)
    own = PRINCIPALS[principal]
    before = _event_count()
    cells = 0
    for rule, view in _mine(app):
        for party in PARTIES:
            if party == own:
                continue
            url = _url(app, world, rule, party)
            if url is None:
                continue
            resp = c.get(url, htmx=htmx) if _method(rule) == "GET" else c.post(url, htmx=htmx)
            assert resp.status_code == 404, (principal, rule.endpoint, party, resp.status_code)
            cells += 1
    assert cells > 0
    assert _event_count() == before


def test_anonymous_is_sent_to_sign_in(app, world, client):
    for rule, view in _mine(app):
        url = _url(app, world, rule, "agency")
        resp = client.get(url) if _method(rule) == "GET" else client.post(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], rule.endpoint
