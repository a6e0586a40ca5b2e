"""How to address each routed object, per owning party, for the route walk and isolation matrix.

Every non-public endpoint whose URL takes an argument must appear in OBJECTS (a test fails
otherwise), so each new route joins the matrix. A builder takes (world, party) and returns
the URL arguments of an object owned by `party` ("agency", "acme", "globex", "talentco",
"bluepeak"), or None when that party owns no such object.
"""
from __future__ import annotations

from typing import Callable

PARTIES = ("agency", "acme", "globex", "talentco", "bluepeak")
KIND_OF_PARTY = {"agency": "staff", "acme": "client", "globex": "client", "talentco": "supplier", "bluepeak": "supplier"}

#: A principal of each role in two companies (and the agency's two roles).
PRINCIPALS = {
    # short name: party
    "morgan": "agency", "nadia": "agency",
    "hana": "acme", "olivia": "acme", "leo": "globex", "gina": "globex",
    "sam": "talentco", "ravi": "talentco", "priya": "bluepeak", "bruno": "bluepeak",
}

#: Someone of each party whose user id stands for "a person owned by that party".
PERSON_OF_PARTY = {"agency": "nadia", "acme": "hana", "globex": "leo", "talentco": "sam", "bluepeak": "priya"}


def _org(world, party):
    return {"org_id": world.oid(party)}


def _party_org(world, party):
    return None if party == "agency" else {"org_id": world.oid(party)}


def _client_org(world, party):
    return {"org_id": world.oid(party)} if KIND_OF_PARTY[party] == "client" else None


def _person(world, party):
    return {"user_id": world.uid(PERSON_OF_PARTY[party])}


OBJECTS: dict[str, Callable] = {
    "admin.organisation": _party_org,
    "admin.edit_organisation": _party_org,
    "admin.set_account_managers": _client_org,
    "admin.set_panel": _client_org,
    "admin.invite": _org,
    "admin.deactivate_user": _person,
    "admin.reactivate_user": _person,
    "accounts.client_team_deactivate": _person,
    "accounts.client_team_reactivate": _person,
    "accounts.supplier_team_deactivate": _person,
    "accounts.supplier_team_reactivate": _person,
}

#: Endpoints whose URL arguments are not object ids (public pages with a portal name, tokens).
NOT_OBJECT_ARGS = {"accounts.login", "accounts.forgot_password", "accounts.accept_token", "static"}
