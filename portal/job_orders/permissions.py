"""The job order permissions of each portal, and the roles that hold them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

# Client portal: hiring managers act on their own job orders, client admins on the company's.
CLIENT_VIEW = define("job_order.client_view", "client")
CLIENT_WRITE = define("job_order.client_write", "client")
CLIENT_ANSWER = define("job_order.client_answer", "client")
# Staff portal: account managers qualify, release, annotate and answer.
STAFF_VIEW = define("job_order.staff_view", "staff")
STAFF_QUALIFY = define("job_order.staff_qualify", "staff")
STAFF_NOTES = define("job_order.staff_notes", "staff")
STAFF_SETTINGS = define("job_order.staff_settings", "staff")
# Supplier portal: see what is released to the company, ask questions.
SUPPLIER_VIEW = define("job_order.supplier_view", "supplier")
SUPPLIER_ASK = define("job_order.supplier_ask", "supplier")

for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT_VIEW, CLIENT_WRITE, CLIENT_ANSWER)
for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, STAFF_VIEW, STAFF_QUALIFY, STAFF_NOTES, STAFF_SETTINGS)
for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER_VIEW, SUPPLIER_ASK)
