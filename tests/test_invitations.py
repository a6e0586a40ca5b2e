"""Invitations and password resets: single-use, expiring links; who may invite whom."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from portal import clock
from portal.accounts.models import User
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from tests.conftest import PortalClient, sent_to
from tests.world import PASSWORD

LINK = re.compile(r"http://portal\.test(/account/set-password/[A-Za-z0-9_\-]+)")


def _link(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def _events(verb: str) -> list[Event]:
    with system_scope("test"):
        return list(db.session.scalars(select(Event).where(Event.verb == verb)))


def _invite(c: PortalClient, url: str, email="new.person@acme.example", role="hiring_manager", name="New Person"):
    return c.post(url, {"name": name, "email": email, "role": role, "title": "Plant Manager"})


def test_staff_invites_a_hiring_manager_who_sets_a_password_and_signs_in(app, world, as_user, outbox):
    nadia = as_user("nadia")
    resp = _invite(nadia, f"/staff/organisations/{world.oid('acme')}/invite")
    assert resp.status_code == 302
    [mail] = sent_to(outbox, "new.person@acme.example")
    assert "invited" in mail.subject and mail.alternatives  # text and HTML parts
    link = _link(mail)

    guest = PortalClient(app)
    page = guest.get(link)
    assert page.status_code == 200 and "new.person@acme.example" in page.get_data(as_text=True)
    resp = guest.post(link, {"password": "correct horse battery", "confirm": "correct horse battery"})
    assert resp.status_code == 302 and resp.headers["Location"] == "/client/login"

    resp = guest.post("/client/login", {"email": "new.person@acme.example", "password": "correct horse battery"})
    assert resp.status_code == 302
    assert guest.get("/client/").status_code == 200

    # the link works once
    assert PortalClient(app).get(link).status_code == 410
    assert PortalClient(app).post(link, {"password": "another long one!", "confirm": "another long one!"}).status_code == 410
    [invited] = _events("user.invited")
    [joined] = [e for e in _events("user.joined") if e.data == {} and e.summary.startswith("New Person")]
    assert invited.client_org_id == world.oid("acme") and joined.client_org_id == world.oid("acme")


def test_invitation_expires(app, world, as_user, outbox):
    _invite(as_user("morgan"), f"/staff/organisations/{world.oid('talentco')}/invite",
            email="late@talentco.example", role="recruiter")
    link = _link(sent_to(outbox, "late@talentco.example")[0])
    clock.freeze(clock.now() + timedelta(hours=73))
    guest = PortalClient(app)
    assert guest.get(link).status_code == 410
    resp = guest.post(link, {"password": "correct horse battery", "confirm": "correct horse battery"})
    assert resp.status_code == 410
    with system_scope("test"):
        user = db.session.scalar(select(User).where(User.email == "late@talentco.example"))
        assert user.status == "invited" and user.password_hash is None


def test_a_new_invitation_replaces_the_old_link(app, world, as_user, outbox):
    morgan = as_user("morgan")
    url = f"/staff/organisations/{world.oid('talentco')}/invite"
    _invite(morgan, url, email="twice@talentco.example", role="recruiter")
    _invite(morgan, url, email="twice@talentco.example", role="recruiter")
    first, second = [_link(m) for m in sent_to(outbox, "twice@talentco.example")]
    assert PortalClient(app).get(first).status_code == 410
    assert PortalClient(app).get(second).status_code == 200


def test_bad_links_are_410_not_500(client):
    assert client.get("/account/set-password/not-a-token").status_code == 410
    assert client.get("/account/set-password/" + "x" * 3000).status_code in (404, 410)


def test_client_admin_invites_into_own_company_only(world, as_user, outbox):
    olivia = as_user("olivia")
    resp = _invite(olivia, "/client/team/invite", email="colleague@acme.example")
    assert resp.status_code == 302
    with system_scope("test"):
        user = db.session.scalar(select(User).where(User.email == "colleague@acme.example"))
        assert user.org_id == world.oid("acme") and user.portal == "client"
    # a role of another portal is refused, and so is a forged organisation
    resp = olivia.post("/client/team/invite", {"name": "X", "email": "x@acme.example", "role": "account_manager",
                                               "org_id": world.oid("globex")})
    assert resp.status_code == 422
    with system_scope("test"):
        assert db.session.scalar(select(User).where(User.email == "x@acme.example")) is None


def test_hiring_manager_cannot_invite(as_user):
    resp = _invite(as_user("hana"), "/client/team/invite", email="nope@acme.example")
    assert resp.status_code == 403


def test_supplier_admin_invites_a_recruiter(as_user, outbox):
    ravi = as_user("ravi")
    assert _invite(ravi, "/supplier/team/invite", email="new.recruiter@talentco.example", role="recruiter").status_code == 302
    assert sent_to(outbox, "new.recruiter@talentco.example")


def test_existing_email_is_refused(world, as_user, outbox):
    resp = _invite(as_user("nadia"), f"/staff/organisations/{world.oid('globex')}/invite", email="HANA@acme.example")
    assert resp.status_code == 422
    assert "already has an account" in resp.get_data(as_text=True)
    assert outbox == []


def test_invite_form_validation(world, as_user):
    url = f"/staff/organisations/{world.oid('acme')}/invite"
    resp = as_user("nadia").post(url, {"name": "", "email": "not-an-email", "role": "hiring_manager"})
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "Enter the person&#39;s name." in text and "Enter an e-mail address like" in text
    resp = as_user("nadia").post(url, {"name": "N" * 500, "email": "long@acme.example", "role": "hiring_manager"})
    assert resp.status_code == 422


def test_only_staff_admins_invite_staff(world, as_user):
    agency = world.oid("agency")
    assert _invite(as_user("morgan"), f"/staff/organisations/{agency}/invite", email="s@northwind.example",
                   role="account_manager").status_code == 403
    assert _invite(as_user("nadia"), f"/staff/organisations/{agency}/invite", email="s@northwind.example",
                   role="account_manager").status_code == 302


def test_password_reset_round_trip(app, as_user, outbox):
    guest = PortalClient(app)
    resp = guest.post("/supplier/forgot-password", {"email": "sam@talentco.example"})
    assert resp.status_code == 302
    link = _link(sent_to(outbox, "sam@talentco.example")[0])
    assert guest.post(link, {"password": "brand new passphrase", "confirm": "brand new passphrase"}).status_code == 302
    assert guest.post("/supplier/login", {"email": "sam@talentco.example", "password": PASSWORD}).status_code == 401
    assert guest.post("/supplier/login", {"email": "sam@talentco.example",
                                          "password": "brand new passphrase"}).status_code == 302
    assert PortalClient(app).get(link).status_code == 410


def test_password_reset_never_reveals_accounts(app, outbox):
    guest = PortalClient(app)
    answers = []
    for email in ("sam@talentco.example", "nobody@talentco.example", "hana@acme.example", "ivan@acme.example"):
        resp = guest.post("/supplier/forgot-password", {"email": email}, follow_redirects=True)
        text = resp.get_data(as_text=True)
        answers.append(text[text.index('class="flashes"'):text.index("</ul>", text.index('class="flashes"'))])
    assert len(set(answers)) == 1
    # only the supplier account of that portal got a link
    assert [m.to for m in outbox] == [["sam@talentco.example"]]


def test_mail_is_not_sent_for_a_refused_change(world, as_user, outbox):
    with system_scope("test"):
        before = db.session.scalar(select(func.count()).select_from(User))
    _invite(as_user("nadia"), f"/staff/organisations/{world.oid('acme')}/invite", email="x@acme.example",
            role="recruiter")
    with system_scope("test"):
        assert db.session.scalar(select(func.count()).select_from(User)) == before
    assert outbox == []
