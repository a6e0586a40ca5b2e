"""Each portal's navigation, registered by the domains that own the pages."""
from __future__ import annotations

from portal.security.permissions import Perm, has_permission

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


def nav_links(user) -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label, perm in NAV.get(user.portal, []) if has_permission(user, perm)]


def current_entry(links: list[tuple[str, str]]) -> str | None:
    """The menu entry of the page being shown: the one whose address is the longest prefix of the
    request's path (a report, a job page, … highlight their section, not only its index page)."""
    from flask import request, url_for

    best, best_len = None, 0
    for endpoint, _label in links:
        url = url_for(endpoint)
        if request.path == url or (request.path.startswith(url.rstrip("/") + "/") and url.rstrip("/").count("/") > 1):
            if len(url) > best_len:
                best, best_len = endpoint, len(url)
    return best
