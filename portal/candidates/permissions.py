"""Who may do what with candidates: suppliers manage their own pool, the agency's staff view every pool."""
from portal.accounts.models import Role
from portal.security.permissions import define, grant

#: Add, edit and search the supplier's own candidates, upload and download their résumés.
MANAGE = define("candidate.manage", "supplier")
#: Search and view every supplier's candidates and download their résumés (read only).
VIEW_ALL = define("candidate.view_all", "staff")

grant(Role.RECRUITER, MANAGE)
grant(Role.SUPPLIER_ADMIN, MANAGE)
grant(Role.ACCOUNT_MANAGER, VIEW_ALL)
grant(Role.STAFF_ADMIN, VIEW_ALL)
