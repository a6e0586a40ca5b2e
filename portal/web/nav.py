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
