"""The offer and placement permissions of each portal, and the roles that hold them."""
from __future__ import annotations

from portal.accounts.models import Role
from portal.security.permissions import define, grant

# Client portal: extend offers and record placements.
CLIENT_OFFER = define("offer.client_manage", "client")
# Supplier portal: answer an offer on the candidate's behalf.
SUPPLIER_ANSWER = define("offer.supplier_answer", "supplier")

for _role in (Role.HIRING_MANAGER, Role.CLIENT_ADMIN):
    grant(_role, CLIENT_OFFER)
for _role in (Role.RECRUITER, Role.SUPPLIER_ADMIN):
    grant(_role, SUPPLIER_ANSWER)
