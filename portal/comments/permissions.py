"""The comment permissions: everyone on a job may read and write comments, each in its own portal."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

CLIENT = define("comment.client", "client")
SUPPLIER = define("comment.supplier", "supplier")
STAFF = define("comment.staff", "staff")

for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT)
for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER)
for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, STAFF)
