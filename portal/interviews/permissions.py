"""The interview permissions of each portal, and the roles that hold them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

# Client portal: request interviews, answer the supplier's times, record feedback.
CLIENT_SCHEDULE = define("interview.client_schedule", "client")
# Supplier portal: confirm a proposed time or propose others, on the candidate's behalf.
SUPPLIER_ANSWER = define("interview.supplier_answer", "supplier")
# Every portal: download the confirmed interview's invitation (.ics).
CLIENT_INVITE = define("interview.client_invite", "client")
SUPPLIER_INVITE = define("interview.supplier_invite", "supplier")
STAFF_INVITE = define("interview.staff_invite", "staff")

for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT_SCHEDULE, CLIENT_INVITE)
for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER_ANSWER, SUPPLIER_INVITE)
for _role in (Role.ACCOUNT_MANAGER, Role.STAFF_ADMIN):
    grant(_role, STAFF_INVITE)
