"""The coverage board's permissions: staff read it and send reminders from it."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

BOARD = define("oversight.board", "staff")
NUDGE = define("oversight.nudge", "staff")

for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, BOARD, NUDGE)
