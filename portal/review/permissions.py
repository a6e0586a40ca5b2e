"""The review permissions: the client's board, queue and decisions; the supplier's and staff's view of them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

# Client portal: read the board, the queue and a candidate's page; decide (shortlist, reject).
CLIENT_VIEW = define("review.client_view", "client")
CLIENT_DECIDE = define("review.client_decide", "client")
# Supplier portal: the decisions, interviews and offers on the company's own submissions.
SUPPLIER_VIEW = define("review.supplier_view", "supplier")

for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT_VIEW, CLIENT_DECIDE)
for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER_VIEW)
