"""The CRM permissions (staff portal only: clients and suppliers never see any of it)."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

#: Read the lead queue, leads and opportunities (an account manager sees every lead).
VIEW = define("leads.view", "staff")
#: Enter leads by hand, log activities, add follow-ups, qualify, reassign, move stages.
WORK = define("leads.work", "staff")
#: Turn a won opportunity into a client with its first hiring manager and draft job order.
CONVERT = define("leads.convert", "staff")
#: Say for any colleague whether they take new leads (everyone may say it for themselves).
ROUTING = define("leads.routing", "staff")
#: The sales board and its CSV export.
SALES = define("sales.view", "staff")

grant(Role.ACCOUNT_MANAGER, VIEW, WORK, CONVERT, SALES)
grant(Role.STAFF_ADMIN, VIEW, WORK, CONVERT, ROUTING, SALES)
