"""Who may open reports and scorecards, and which company's figures each person is held to.

Staff see every client and supplier. A client's people see the reports of their own company (a
hiring manager's responsiveness figures are their own; a client administrator sees every manager of
the company). A supplier's people see their own company's reports and scorecard, never another
supplier's. `restrict()` writes these limits into the filters, on top of the tenancy scope.
"""
from __future__ import annotations

from dataclasses import dataclass

from portal.accounts.models import Role
from portal.reports.metrics import Filters
from portal.security.permissions import define, grant

#: Every report and scorecard, over every client and supplier; the supplier comparison.
STAFF = define("reports.staff", "staff")
#: The reports of the user's own client company (pipeline, time to fill, placements, …, responsiveness).
CLIENT = define("reports.client", "client")
#: The reports and the scorecard of the user's own supplier company.
SUPPLIER = define("reports.supplier", "supplier")

grant(Role.ACCOUNT_MANAGER, STAFF)
grant(Role.STAFF_ADMIN, STAFF)
grant(Role.HIRING_MANAGER, CLIENT)
grant(Role.CLIENT_ADMIN, CLIENT)
grant(Role.RECRUITER, SUPPLIER)
grant(Role.SUPPLIER_ADMIN, SUPPLIER)


@dataclass(frozen=True)
class Viewer:
    """The person a report is computed for: their portal, organisation, user id and role."""

    portal: str
    org_id: int | None
    user_id: int | None
    role: str

    @classmethod
    def of(cls, user) -> "Viewer":
        return cls(user.portal, user.org_id, user.id, user.role)

    @property
    def is_staff(self) -> bool:
        return self.portal == "staff"

    @property
    def own_managers_only(self) -> bool:
        """A hiring manager sees their own responsiveness only; a client administrator the company's."""
        return self.portal == "client" and self.role == Role.HIRING_MANAGER.value


def restrict(viewer: Viewer, f: Filters) -> Filters:
    """The filters narrowed to what the viewer may see (the company comes from the session, never the URL)."""
    if viewer.portal == "client":
        f = f.narrowed(client_id=viewer.org_id)
        if viewer.own_managers_only:
            f = f.narrowed(manager_id=viewer.user_id)
    elif viewer.portal == "supplier":
        f = f.narrowed(supplier_id=viewer.org_id)
    return f
