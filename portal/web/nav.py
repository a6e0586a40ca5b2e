"""Each portal's navigation, registered by the domains that own the pages."""
from __future__ import annotations

from functools import lru_cache

from portal.security.permissions import Perm, role_has

#: portal -> [(endpoint, label, permission)], in display order.
NAV: dict[str, list[tuple[str, str, Perm]]] = {
    "client": [
        ("dashboard.client_home", "Dashboard", Perm.CLIENT_HOME),
        ("accounts.client_team", "Team", Perm.CLIENT_TEAM_VIEW),
    ],
    "supplier": [
        ("dashboard.supplier_home", "Dashboard", Perm.SUPPLIER_HOME),
        ("accounts.supplier_team", "Team", Perm.SUPPLIER_TEAM_VIEW),
    ],
    "staff": [
        ("dashboard.staff_home", "Dashboard", Perm.STAFF_HOME),
        ("admin.organisations", "Organisations", Perm.ORG_VIEW),
        ("admin.staff_people", "Staff", Perm.ORG_VIEW),
        ("admin.events", "Event log", Perm.EVENTS_VIEW_ALL),
    ],
}


def add(portal: str, endpoint: str, label: str, perm: Perm, position: int | None = None) -> None:
    entry = (endpoint, label, perm)
    if entry not in NAV[portal]:
        NAV[portal].insert(len(NAV[portal]) if position is None else position, entry)


def nav_links(user) -> tuple[tuple[str, str, str], ...]:
    """(endpoint, label, address) of each menu entry the user's role may open, in display order."""
    from flask import request

    return _links(user.portal, user.role, request.script_root, len(NAV.get(user.portal, [])))


@lru_cache(maxsize=64)
def _links(portal: str, role: str, script_root: str, _entries: int) -> tuple[tuple[str, str, str], ...]:
    """A role's menu with its addresses, built once per (portal, role, mount point) rather than on
    every page: entries and grants are made at import, and no menu URL takes an argument.
    (`_entries` keys the cache on the menu's length, so an entry added later is not missed.)"""
    from flask import url_for

    return tuple((endpoint, label, url_for(endpoint)) for endpoint, label, perm in NAV.get(portal, [])
                 if role_has(portal, role, perm))


def current_entry(links) -> str | None:
    """The menu entry of the page being shown: the one whose address is the longest prefix of the
    request's path (a report, a job page, … highlight their section, not only its index page)."""
    from flask import request

    best, best_len = None, 0
    for endpoint, _label, url in links:
        if request.path == url or (request.path.startswith(url.rstrip("/") + "/") and url.rstrip("/").count("/") > 1):
            if len(url) > best_len:
                best, best_len = endpoint, len(url)
    return best
