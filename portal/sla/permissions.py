"""The SLA permissions: staff read every client's targets and set them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

POLICY = define("sla.policy", "staff")

for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, POLICY)
