"""How to address each routed object, per owning party, for the route walk and isolation matrix.

Every non-public endpoint whose URL takes an argument must appear in OBJECTS (a test fails
otherwise), so each new route joins the matrix. A builder takes (world, party) and returns
the URL arguments of an object owned by `party` ("agency", "acme", "globex", "talentco",
"bluepeak"), or None when that party owns no such object.
"""
from __future__ import annotations

from typing import Callable

from tests.fixtures.candidates import world_candidate_args, world_resume_args

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


def _jobs(world, party, *, kind: str, draft: bool = False, extra=None):
    """A world job order addressed by a party of `kind` ("client", "supplier", "staff"): a client
    owns its own; a supplier the one released to it; staff (and, for the matrix, clients) any."""
    owner = {"acme": "acme", "globex": "globex", "talentco": "acme", "bluepeak": "globex", "agency": "acme"}[party]
    if kind != "staff" and KIND_OF_PARTY[party] != kind:
        return None
    if kind == "staff" and KIND_OF_PARTY[party] == "supplier":
        return None
    job = world.job(owner + ("_draft" if draft else ""))
    args = {"job_id": job.id}
    if extra:
        args.update(extra(job))
    return args


def _first_question(job):
    from sqlalchemy import select

    from portal.db.tenancy import system_scope
    from portal.extensions import db
    from portal.job_orders.models import JobOrderQuestion

    with system_scope("test lookup"):
        return {"question_id": db.session.scalar(select(JobOrderQuestion.id).where(JobOrderQuestion.job_order_id == job.id))}


def _first_release(job):
    from sqlalchemy import select

    from portal.db.tenancy import system_scope
    from portal.extensions import db
    from portal.job_orders.models import JobOrderRelease

    with system_scope("test lookup"):
        return {"release_id": db.session.scalar(select(JobOrderRelease.id).where(JobOrderRelease.job_order_id == job.id))}


def _job_orders_objects() -> dict[str, Callable]:
    def job(kind, **kw):
        return lambda world, party: _jobs(world, party, kind=kind, **kw)

    out = {f"job_orders.client_{name}": job("client") for name in ("detail", "submit", "hold", "reopen", "close")}
    out["job_orders.client_edit"] = job("client", draft=True)
    out["job_orders.client_answer"] = job("client", extra=_first_question)
    for name in ("detail", "edit", "hold", "reopen", "close", "return", "release", "notes"):
        out[f"job_orders.staff_{name}"] = job("staff")
    out["job_orders.staff_note"] = out.pop("job_orders.staff_notes")
    out["job_orders.staff_answer"] = job("staff", extra=_first_question)
    out["job_orders.staff_pull"] = job("staff", extra=_first_release)
    out["job_orders.staff_settings"] = lambda world, party: (
        None if KIND_OF_PARTY[party] == "supplier" else {"org_id": world.oid("acme" if party == "agency" else party)})
    out["job_orders.supplier_detail"] = job("supplier")
    out["job_orders.supplier_ask"] = job("supplier")
    return out


def _leads_objects() -> dict[str, Callable]:
    """CRM objects are staff-only: the agency owns every lead, opportunity and follow-up."""
    from sqlalchemy import select

    from portal.db.tenancy import system_scope
    from portal.extensions import db
    from portal.leads.models import FollowUp, Lead, Opportunity

    def first(arg, column, *where):
        def build(world, party):
            if party != "agency":
                return None
            with system_scope("test lookup"):
                return {arg: db.session.scalar(select(column).where(*where).order_by(column).limit(1))}
        return build

    lead, opp = first("lead_id", Lead.id), first("opp_id", Opportunity.id)
    won = first("opp_id", Opportunity.id, Opportunity.stage == "won", Opportunity.converted_at.is_(None))
    out = {f"leads.{name}": lead for name in ("lead", "assign_lead", "disqualify_lead", "qualify_lead",
                                               "lead_activity", "lead_follow_up")}
    out.update({f"leads.{name}": opp for name in ("opportunity", "edit_opportunity", "move_stage",
                                                   "opportunity_activity", "opportunity_follow_up")})
    out["leads.convert"] = won
    out["leads.follow_up_done"] = first("follow_up_id", FollowUp.id, FollowUp.done_at.is_(None))
    out["leads.set_routing"] = lambda world, party: {"user_id": world.uid("nadia")} if party == "agency" else None
    return out


def _submissions_objects() -> dict[str, Callable]:
    """A submission is owned by the supplier that made it and by the client it is visible to."""
    from tests.test_submissions_support import world_submission

    def sub(kind):
        def build(world, party):
            if KIND_OF_PARTY[party] != kind:
                return None
            return {"submission_id": world_submission(party).id}
        return build

    out = {f"submissions.supplier_{name}": sub("supplier") for name in ("detail", "withdraw", "resume")}
    out["submissions.client_resume"] = sub("client")
    out.update({f"submissions.staff_{name}": sub("staff") for name in ("detail", "forward", "reject", "resume")})
    out["submissions.new"] = lambda world, party: _jobs(world, party, kind="supplier")
    out["submissions.choose_job"] = world_candidate_args
    out["submissions.staff_screening"] = lambda world, party: (
        None if KIND_OF_PARTY[party] == "supplier" else {"org_id": world.oid("acme" if party == "agency" else party)})
    return out


def _review_objects() -> dict[str, Callable]:
    """The review's objects: the world's reviewed submission of each party (an offer waiting, an
    interview held), its interview and its offer; comments hang off job orders and submissions."""
    from tests.test_review_support import world_interview, world_offer, world_review

    def of(kind, arg, get):
        def build(world, party):
            if KIND_OF_PARTY[party] != kind:
                return None
            obj = get(party)
            return None if obj is None else {arg: obj.id}
        return build

    def sub(kind):
        return of(kind, "submission_id", world_review)

    def interview(kind):
        return of(kind, "interview_id", world_interview)

    out = {f"review.{name}": sub("client") for name in ("submission", "resume_inline", "shortlist", "reject")}
    out["review.board"] = lambda world, party: _jobs(world, party, kind="client")
    out["review.decision_form"] = lambda world, party: (
        None if (args := sub("client")(world, party)) is None else {**args, "kind": "reject", "view": "board"})
    out["review.supplier_panel"] = sub("supplier")
    out["interviews.request_interview"] = sub("client")
    out.update({f"interviews.{name}": interview("client")
                for name in ("client_confirm", "client_propose", "feedback", "client_invite")})
    out.update({f"interviews.{name}": interview("supplier")
                for name in ("supplier_confirm", "supplier_propose", "supplier_invite")})
    out["interviews.staff_invite"] = interview("staff")
    out["offers.extend"] = out["offers.place"] = sub("client")
    out["offers.accept"] = out["offers.decline"] = of("supplier", "offer_id", world_offer)
    for portal in ("client", "supplier", "staff"):
        out[f"comments.{portal}_job"] = lambda world, party, portal=portal: _jobs(world, party, kind=portal)
        out[f"comments.{portal}_submission"] = sub(portal)
    return out


def _notification(world, party):
    """A notification of someone of `party` (the world's history notifies every party)."""
    from sqlalchemy import select

    from portal.db.tenancy import system_scope
    from portal.extensions import db
    from portal.notifications.models import Notification

    with system_scope("test lookup"):
        found = db.session.scalar(select(Notification.id).where(Notification.org_id == world.oid(party))
                                  .order_by(Notification.id))
    return {"notification_id": found} if found else None


def _clients_objects() -> dict[str, Callable]:
    """Account pages are staff-only: the agency addresses Acme's account; a client addresses its own
    company's (wrong portal: 404); a supplier has no account. Follow-ups belong to the agency."""
    from sqlalchemy import select

    from portal.clients.models import AccountFollowUp
    from portal.db.tenancy import system_scope
    from portal.extensions import db

    def account(world, party):
        if KIND_OF_PARTY[party] == "supplier":
            return None
        return {"org_id": world.oid("acme" if party == "agency" else party)}

    def follow_up(world, party):
        if party != "agency":
            return None
        with system_scope("test lookup"):
            return {"follow_up_id": db.session.scalar(
                select(AccountFollowUp.id).where(AccountFollowUp.done_at.is_(None))
                .order_by(AccountFollowUp.id).limit(1))}

    out = {f"clients.{name}": account for name in ("account", "add_entry", "add_follow_up")}
    out["clients.follow_up_done"] = follow_up
    return out


def _reports_objects() -> dict[str, Callable]:
    """A supplier's scorecard is owned by that supplier (staff address TalentCo's); clients own none."""

    def staff(world, party):
        return {"supplier_id": world.oid("talentco")} if party == "agency" else None

    def own(world, party):
        return {"supplier_id": world.oid(party)} if KIND_OF_PARTY[party] == "supplier" else None

    return {"reports.staff_scorecard": staff, "reports.staff_scorecard_csv": staff,
            "reports.supplier_scorecard": own, "reports.supplier_scorecard_csv": own}


def _sla_objects() -> dict[str, Callable]:
    """SLA targets are staff pages about a client (a client addressing its own: wrong portal, 404);
    nudges are staff-only actions on a board item (the agency's world job order)."""

    def policy(world, party):
        if KIND_OF_PARTY[party] == "supplier":
            return None
        return {"org_id": world.oid("acme" if party == "agency" else party)}

    def nudge(world, party):
        return {"target": "coverage", "subject_id": world.job("acme").id} if party == "agency" else None

    return {"sla.policy": policy, "oversight.nudge": nudge}


OBJECTS: dict[str, Callable] = {
    "notifications.open_one": _notification,
    "notifications.read_one": _notification,
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
    "candidates.detail": world_candidate_args,
    "candidates.edit": world_candidate_args,
    "candidates.upload_resume": world_candidate_args,
    "candidates.download_resume": world_candidate_args,
    "candidates.download_resume_version": world_resume_args,
    "candidates.staff_detail": world_candidate_args,
    "candidates.staff_download_resume": world_candidate_args,
    "candidates.staff_download_resume_version": world_resume_args,
    **_job_orders_objects(),
    **_leads_objects(),
    **_submissions_objects(),
    **_review_objects(),
    **_clients_objects(),
    **_reports_objects(),
    **_sla_objects(),
}

#: Endpoints whose URL arguments are not object ids (public pages with a portal name, tokens).
NOT_OBJECT_ARGS = {"accounts.login", "accounts.forgot_password", "accounts.accept_token", "static"}
