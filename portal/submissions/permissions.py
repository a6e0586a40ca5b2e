"""The submission permissions of each portal, and the roles that hold them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

# Supplier portal: follow the company's submissions, submit candidates, withdraw them.
SUPPLIER_VIEW = define("submission.supplier_view", "supplier")
SUBMIT = define("submission.submit", "supplier")
WITHDRAW = define("submission.withdraw", "supplier")
# Client portal: see the submissions made visible to the company and download their résumés.
CLIENT_VIEW = define("submission.client_view", "client")
# Staff portal: every submission; screen (forward or reject); set a client's screening.
STAFF_VIEW = define("submission.staff_view", "staff")
STAFF_SCREEN = define("submission.staff_screen", "staff")
STAFF_SETTINGS = define("submission.staff_settings", "staff")

for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER_VIEW, SUBMIT, WITHDRAW)
for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT_VIEW)
for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, STAFF_VIEW, STAFF_SCREEN, STAFF_SETTINGS)
