"""The client-account permissions (staff portal only: a client or supplier never sees an account page)."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

#: Read the list of client accounts and each account page (contacts, jobs, placements, log).
VIEW = define("clients.view", "staff")
#: Add to an account's log, plan follow-ups and mark them done.
WORK = define("clients.work", "staff")

grant(Role.ACCOUNT_MANAGER, VIEW, WORK)
grant(Role.STAFF_ADMIN, VIEW, WORK)
