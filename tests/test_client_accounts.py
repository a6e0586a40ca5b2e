"""Client accounts (staff CRM): the account page (contacts, managers, open jobs with their pipeline,
placements, log, follow-ups), the list of accounts, writing to the log and planning follow-ups (bad
input, double submits, internal events), the dashboard's "Follow-ups due", and clients and
suppliers never reaching any of it."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.clients import queries
from portal.clients.models import AccountEntry, AccountFollowUp
from portal.db.tenancy import Scope, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.offers.models import Placement
from portal.submissions.models import Submission
from tests.test_job_orders_support import count_queries

TODAY = lambda: clock.now().date()  # noqa: E731 - read when the test runs


def _count(model, *where) -> int:
    with system_scope("test"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(prefix: str) -> list[Event]:
    with system_scope("test"):
        return list(db.session.scalars(select(Event).where(Event.verb.startswith(prefix)).order_by(Event.id)))


def _entry(**extra) -> dict:
    return {"entry-kind": "call", "entry-occurred_on": TODAY().isoformat(),
            "entry-summary": "Called Hana about next quarter's headcount.", "entry-create_key": "k-entry-1", **extra}


def _follow_up(**extra) -> dict:
    return {"follow_up-due_on": TODAY().isoformat(), "follow_up-note": "Send Hana the shortlist summary",
            "follow_up-create_key": "k-fu-1", **extra}


@pytest.fixture
def morgan(as_user):
    return as_user("morgan")


@pytest.fixture
def acme(world):
    return world.oid("acme")


def _text(resp) -> str:
    return resp.get_data(as_text=True)


# --- the account page -------------------------------------------------------------------------

def test_account_page_shows_contacts_managers_jobs_pipeline_placements_and_log(morgan, world, acme):
    resp = morgan.get(f"/staff/clients/{acme}")
    assert resp.status_code == 200
    page = _text(resp)
    assert "Acme Manufacturing" in page and "Active client" in page
    # contacts: the client's people with role, e-mail and status (ivan is deactivated)
    for email in ("hana@acme.example", "olivia@acme.example", "ivan@acme.example"):
        assert email in page
    assert "Client administrator" in page and "Deactivated" in page
    assert "globex.example" not in page.split('id="contacts"')[1].split("</section>")[0]
    # the assigned account managers
    assert "Morgan Reyes (you)" in page
    # open job orders with their pipeline; drafts are not open job orders
    assert world.job("acme").title in page and world.job("acme_draft").title not in page
    # the demo account log, newest first
    assert page.index("Hana called: interviews") < page.index("Sent Olivia our updated rate card") \
        < page.index("Quarterly review at the plant")
    assert "Call Hana about the line 2 inspectors" in page
    # the account log of another client is not shown
    assert "Leo prefers candidates" not in page


def test_pipeline_counts_match_the_submissions(app, world, acme):
    with system_scope("test"):
        client = db.session.get(type(world.org("acme")), acme)
        rows = queries.open_jobs(client)
        assert rows, "the world has open Acme jobs"
        for row in rows:
            direct = dict(db.session.execute(
                select(Submission.stage, func.count(Submission.id)).where(Submission.job_order_id == row.job.id)
                .group_by(Submission.stage)).all())
            assert row.counts == direct
            assert row.job.client_org_id == acme


def test_placements_are_listed_with_candidate_job_start_and_rate(morgan, world):
    with system_scope("test"):
        placement = db.session.scalar(select(Placement).order_by(Placement.id).limit(1))
    if placement is None:
        pytest.skip("the world has no placement")
    resp = morgan.get(f"/staff/clients/{placement.client_org_id}")
    section = _text(resp).split('id="placements"')[1].split("</section>")[0]
    assert placement.start_date.strftime("%d %b %Y") in section
    with system_scope("test"):
        job = db.session.get(JobOrder, placement.job_order_id)
    assert job.reference in section
    assert f"{placement.rate:,.0f}" in section or f"{placement.rate:,.2f}" in section


@pytest.mark.parametrize("who", ["agency", "supplier", "missing", "huge"])
def test_account_page_of_something_else_than_a_client_is_404(morgan, world, who):
    org_id = {"agency": world.oid("agency"), "supplier": world.oid("talentco"), "missing": 987654,
              "huge": 99999999999999999999}[who]
    assert morgan.get(f"/staff/clients/{org_id}").status_code == 404
    assert morgan.post(f"/staff/clients/{org_id}/log", _entry()).status_code == 404
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 0


# --- the account log --------------------------------------------------------------------------

def test_log_entry_appears_first_and_records_an_internal_event(morgan, world, acme):
    before = len(_events("account."))
    resp = morgan.post(f"/staff/clients/{acme}/log", _entry())
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/staff/clients/{acme}#log")
    page = _text(morgan.get(f"/staff/clients/{acme}"))
    assert "Call added to the account log." in page
    log = page.split('id="log"')[1]
    assert log.index("Called Hana about next quarter") < log.index("Hana called: interviews")
    entry = _count(AccountEntry, AccountEntry.client_org_id == acme, AccountEntry.create_key == "k-entry-1")
    assert entry == 1
    events = _events("account.")[before:]
    assert [e.verb for e in events] == ["account.entry_added"]
    assert events[0].internal and events[0].client_org_id == acme and events[0].actor_user_id == world.uid("morgan")


def test_double_submit_adds_one_entry_and_one_event(morgan, acme):
    before = len(_events("account."))
    first = morgan.post(f"/staff/clients/{acme}/log", _entry())
    second = morgan.post(f"/staff/clients/{acme}/log", _entry())
    assert first.status_code == second.status_code == 302
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 1
    assert len(_events("account.")) == before + 1


def test_double_submit_adds_one_follow_up(morgan, acme):
    for _ in range(2):
        assert morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up()).status_code == 302
    assert _count(AccountFollowUp, AccountFollowUp.create_key == "k-fu-1") == 1


@pytest.mark.parametrize("field, value, message", [
    ("entry-summary", "", "Write a short summary."),
    ("entry-summary", "x" * 2001, "Use 2000 characters or fewer."),
    ("entry-kind", "fax", "Not a valid choice"),
    ("entry-occurred_on", "2026-13-45", "Enter a real date."),
    ("entry-occurred_on", "", "Enter the date."),
    ("entry-occurred_on", "in the future", "Enter a real date."),
])
def test_bad_log_entry_is_422_with_the_message_next_to_the_field(morgan, acme, field, value, message):
    before = len(_events(""))
    resp = morgan.post(f"/staff/clients/{acme}/log", _entry(**{field: value}))
    assert resp.status_code == 422
    page = _text(resp)
    assert re.search(rf'id="{field}-error"[^>]*>.*{re.escape(message)}', page, re.S)
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 0
    assert len(_events("")) == before


def test_log_entry_in_the_future_is_refused(morgan, acme):
    resp = morgan.post(f"/staff/clients/{acme}/log",
                       _entry(**{"entry-occurred_on": (TODAY() + timedelta(days=1)).isoformat()}))
    assert resp.status_code == 422 and "can&#39;t be in the future" in _text(resp)
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 0


def test_forged_fields_change_nothing(morgan, world, acme):
    resp = morgan.post(f"/staff/clients/{acme}/log", _entry(**{
        "entry-author_id": world.uid("nadia"), "author_id": world.uid("nadia"),
        "client_org_id": world.oid("globex"), "entry-client_org_id": world.oid("globex")}))
    assert resp.status_code == 302
    with system_scope("test"):
        entry = db.session.scalar(select(AccountEntry).where(AccountEntry.create_key == "k-entry-1"))
        assert entry.author_id == world.uid("morgan") and entry.client_org_id == acme
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up(**{"done_at": "2026-01-01",
                                                                        "follow_up-done_at": "2026-01-01"}))
    assert resp.status_code == 302
    with system_scope("test"):
        assert db.session.scalar(select(AccountFollowUp.done_at).where(AccountFollowUp.create_key == "k-fu-1")) is None


def test_writes_need_the_csrf_token(morgan, acme):
    assert morgan.post(f"/staff/clients/{acme}/log", _entry(), csrf=False).status_code == 400
    assert morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up(), csrf=False).status_code == 400
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 0


# --- follow-ups and the dashboard ----------------------------------------------------------------

def test_follow_up_defaults_to_the_author_and_shows_on_their_dashboard(morgan, acme):
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up(**{"follow_up-assignee_id": ""}))
    assert resp.status_code == 302
    with system_scope("test"):
        fu = db.session.scalar(select(AccountFollowUp).where(AccountFollowUp.create_key == "k-fu-1"))
        assert fu.assignee.email == "morgan@northwind.example"
    dashboard = _text(morgan.get("/staff/"))
    panel = dashboard.split('id="clients-follow-ups-due"')[1].split("</section>")[0]
    assert "Send Hana the shortlist summary" in panel
    assert f"/staff/clients/{acme}#follow-ups" in panel
    assert _events("account.follow_up_added")[-1].internal


def test_due_follow_ups_show_for_the_right_account_manager_only(morgan, as_user, world, acme):
    nadia = as_user("nadia")
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups",
                       _follow_up(**{"follow_up-assignee_id": world.uid("nadia"),
                                     "follow_up-note": "Nadia to check the Acme contract"}))
    assert resp.status_code == 302
    later = _follow_up(**{"follow_up-create_key": "k-fu-2", "follow_up-note": "Not due yet",
                          "follow_up-due_on": (TODAY() + timedelta(days=3)).isoformat(),
                          "follow_up-assignee_id": world.uid("nadia")})
    assert morgan.post(f"/staff/clients/{acme}/follow-ups", later).status_code == 302
    nadia_panel = _text(nadia.get("/staff/")).split('id="clients-follow-ups-due"')[1].split("</section>")[0]
    morgan_panel = _text(morgan.get("/staff/")).split('id="clients-follow-ups-due"')[1].split("</section>")[0]
    assert "Nadia to check the Acme contract" in nadia_panel and "Not due yet" not in nadia_panel
    assert "Nadia to check the Acme contract" not in morgan_panel
    assert "Call Hana about the line 2 inspectors" in morgan_panel  # the demo's, due today for morgan


def test_overdue_follow_up_stays_on_the_dashboard_until_done(morgan, world, acme):
    assert morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up()).status_code == 302
    with system_scope("test"):
        fu_id = db.session.scalar(select(AccountFollowUp.id).where(AccountFollowUp.create_key == "k-fu-1"))
    clock.freeze(clock.now() + timedelta(days=2))
    panel = _text(morgan.get("/staff/")).split('id="clients-follow-ups-due"')[1].split("</section>")[0]
    assert "Send Hana the shortlist summary" in panel and "Overdue" in panel
    resp = morgan.post(f"/staff/clients/follow-ups/{fu_id}/done", {"back": "dashboard"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/staff/")
    panel = _text(morgan.get("/staff/")).split('id="clients-follow-ups-due"')[1].split("</section>")[0]
    assert "Send Hana the shortlist summary" not in panel
    assert _events("account.follow_up_done")[-1].data["follow_up_id"] == fu_id


def test_done_twice_is_refused_once_and_writes_one_event(morgan, acme):
    assert morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up()).status_code == 302
    with system_scope("test"):
        fu_id = db.session.scalar(select(AccountFollowUp.id).where(AccountFollowUp.create_key == "k-fu-1"))
    before = len(_events("account.follow_up_done"))
    assert morgan.post(f"/staff/clients/follow-ups/{fu_id}/done").status_code == 302
    resp = morgan.post(f"/staff/clients/follow-ups/{fu_id}/done")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/staff/clients/{acme}#follow-ups")
    assert "That follow-up is already done." in _text(morgan.get(f"/staff/clients/{acme}"))
    assert len(_events("account.follow_up_done")) == before + 1


@pytest.mark.parametrize("follow_up_id", ["987654", "99999999999999999999"])
def test_done_of_a_missing_follow_up_is_404(morgan, follow_up_id):
    assert morgan.post(f"/staff/clients/follow-ups/{follow_up_id}/done").status_code == 404


@pytest.mark.parametrize("field, value, message", [
    ("follow_up-due_on", "", "Enter the due date."),
    ("follow_up-due_on", "31/02/2026", "Enter a real date."),
    ("follow_up-note", "", "Say what needs doing."),
    ("follow_up-note", "two\nlines", "Use one line of plain text."),
    ("follow_up-assignee_id", "abc", "Not a valid choice"),
])
def test_bad_follow_up_is_422_with_the_message_next_to_the_field(morgan, acme, field, value, message):
    before = len(_events(""))
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up(**{field: value}))
    assert resp.status_code == 422
    assert re.search(rf'id="{field}-error"[^>]*>.*{re.escape(message)}', _text(resp), re.S)
    assert _count(AccountFollowUp, AccountFollowUp.create_key == "k-fu-1") == 0
    assert len(_events("")) == before


@pytest.mark.parametrize("assignee", ["hana", "ghost"])
def test_follow_up_for_someone_outside_the_agency_is_refused(morgan, world, acme, assignee):
    user_id = world.uid(assignee) if assignee != "ghost" else 987654
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups", _follow_up(**{"follow_up-assignee_id": user_id}))
    assert resp.status_code == 422
    assert _count(AccountFollowUp, AccountFollowUp.create_key == "k-fu-1") == 0


@pytest.mark.parametrize("days, message", [(-1, "can&#39;t be in the past"), (5 * 366 + 10, "within the next five")])
def test_follow_up_due_dates_out_of_range_are_refused(morgan, acme, days, message):
    resp = morgan.post(f"/staff/clients/{acme}/follow-ups",
                       _follow_up(**{"follow_up-due_on": (TODAY() + timedelta(days=days)).isoformat()}))
    assert resp.status_code == 422 and message in _text(resp)
    assert _count(AccountFollowUp, AccountFollowUp.create_key == "k-fu-1") == 0


# --- the list of accounts -----------------------------------------------------------------------

def test_list_of_my_accounts_and_all(as_user, world):
    nadia = as_user("nadia")  # a staff admin assigned to no client
    mine = _text(nadia.get("/staff/clients"))
    assert "No client account is assigned to you" in mine and "Acme Manufacturing" not in mine
    every = _text(nadia.get("/staff/clients?scope=all")).split('id="clients-results"')[1].split("</table>")[0]
    assert "Acme Manufacturing" in every and "Globex Insurance" in every
    assert "TalentCo" not in every and "Northwind" not in every


def test_list_figures_match_a_hand_count(morgan, world, acme):
    resp = morgan.get("/staff/clients?q=acme")
    assert resp.status_code == 200
    with system_scope("test"):
        open_jobs = db.session.scalar(select(func.count(JobOrder.id)).where(
            JobOrder.client_org_id == acme, JobOrder.status.in_(queries.OPEN_JOB_STATUSES)))
        live = db.session.scalar(select(func.count(Submission.id)).where(
            Submission.client_org_id == acme, Submission.stage.in_(queries.IN_PLAY)))
        placed = db.session.scalar(select(func.count(Placement.id)).where(
            Placement.client_org_id == acme, Placement.placed_at >= queries.quarter_start(TODAY())))
    row = _text(resp).split('id="clients-results"')[1].split("</tr>")[1]
    assert "Acme Manufacturing" in row and "Morgan Reyes" in row
    assert re.findall(r'<td class="num">(\d+)</td>', row) == [str(open_jobs), str(live), str(placed)]
    assert TODAY().strftime("%d %b %Y") in row and "Due today" in row  # the demo follow-up


def test_search_and_fragment(morgan):
    resp = morgan.get("/staff/clients?scope=all&q=glob", htmx=True)
    assert resp.status_code == 200 and "HX-Request" in resp.headers.get("Vary", "")
    body = _text(resp)
    assert body.lstrip().startswith('<div id="clients-results">')
    assert "Globex Insurance" in body and "Acme Manufacturing" not in body
    junk = morgan.get("/staff/clients?scope=<script>&q=" + "%25_" * 300 + "&page=abc")
    assert junk.status_code == 200


def test_nav_links_to_clients_and_the_organisation_page_to_the_account(morgan, acme):
    assert 'href="/staff/clients"' in _text(morgan.get("/staff/"))
    assert f'href="/staff/clients/{acme}"' in _text(morgan.get(f"/staff/organisations/{acme}"))


# --- who may see it ---------------------------------------------------------------------------

@pytest.mark.parametrize("principal", ["hana", "olivia", "sam", "ravi"])
def test_clients_and_suppliers_get_404_and_change_nothing(as_user, world, principal, acme):
    c = as_user(principal)
    before = len(_events(""))
    own = world.user(principal).org_id
    for org_id in {acme, own}:
        assert c.get(f"/staff/clients/{org_id}").status_code == 404
        assert c.post(f"/staff/clients/{org_id}/log", _entry()).status_code == 404
        assert c.post(f"/staff/clients/{org_id}/follow-ups", _follow_up()).status_code == 404
    assert c.get("/staff/clients").status_code == 404
    with system_scope("test"):
        fu_id = db.session.scalar(select(AccountFollowUp.id).limit(1))
    assert c.post(f"/staff/clients/follow-ups/{fu_id}/done").status_code == 404
    assert len(_events("")) == before
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 0
    with system_scope("test"):
        assert db.session.scalar(select(AccountFollowUp.done_at).where(AccountFollowUp.id == fu_id)) is None


def test_anonymous_is_sent_to_the_staff_sign_in(client, acme):
    resp = client.get(f"/staff/clients/{acme}")
    assert resp.status_code == 302 and "/staff/login" in resp.headers["Location"]


def test_party_scopes_never_read_account_rows_even_about_themselves(app, world, acme):
    assert _count(AccountEntry, AccountEntry.client_org_id == acme) > 0
    for kind, party in (("client", "acme"), ("supplier", "talentco")):
        with scoped(Scope(kind, world.oid(party))):
            assert db.session.scalars(select(AccountEntry)).all() == []
            assert db.session.scalars(select(AccountFollowUp)).all() == []


def test_account_events_stay_internal(morgan, as_user, acme):
    morgan.post(f"/staff/clients/{acme}/log", _entry(**{"entry-summary": "MARKER-internal-note"}))
    olivia_home = _text(as_user("olivia").get("/client/"))
    assert "logged a call" not in olivia_home and "MARKER-internal-note" not in olivia_home


# --- a fixed number of queries ------------------------------------------------------------------

def _grow(world, acme, n: int, tag: str) -> None:
    """Add n log entries and n follow-ups to Acme, and n more client companies with a manager each."""
    from portal.accounts.models import ClientAccountManager, Organisation
    from portal.clients import services

    with system_scope("test grow"):
        morgan = world.user("morgan")
        client = db.session.get(Organisation, acme)
        for i in range(n):
            services.add_entry(morgan, client, kind="note", occurred_on=TODAY(), summary=f"{tag} note {i}")
            services.add_follow_up(morgan, client, due_on=TODAY(), note=f"{tag} follow-up {i}")
            org = Organisation(kind="client", name=f"Zeta {tag} {i}", code=f"Z{tag}{i}"[:12])
            db.session.add(org)
            db.session.flush()
            db.session.add(ClientAccountManager(client_org_id=org.id, user_id=morgan.id))
        db.session.commit()


def test_account_page_list_and_dashboard_take_a_fixed_number_of_queries(morgan, world, acme):
    def measure():
        out = []
        for url in (f"/staff/clients/{acme}", "/staff/clients?scope=mine", "/staff/"):
            with count_queries() as n:
                assert morgan.get(url).status_code == 200
            out.append(n[0])
        return out

    _grow(world, acme, 2, "A")
    small = measure()
    _grow(world, acme, 8, "B")
    large = measure()
    assert large == small, (small, large)


# --- races ------------------------------------------------------------------------------------

def test_four_clicks_at_once_add_one_entry_and_one_follow_up(app, world, acme):
    from tests.test_submissions_race import _race, _signed_in

    clicks = [_signed_in(app, "morgan") for _ in range(4)]
    responses = _race(app, [(c, lambda c: c.post(f"/staff/clients/{acme}/log", _entry())) for c in clicks])
    assert [r.status_code for r in responses] == [302] * 4
    responses = _race(app, [(c, lambda c: c.post(f"/staff/clients/{acme}/follow-ups", _follow_up()))
                            for c in clicks])
    assert [r.status_code for r in responses] == [302] * 4
    assert _count(AccountEntry, AccountEntry.create_key == "k-entry-1") == 1
    assert _count(AccountFollowUp, AccountFollowUp.create_key == "k-fu-1") == 1
    assert len([e for e in _events("account.entry_added") if e.client_org_id == acme]) == 4  # 3 demo + 1
    assert len([e for e in _events("account.follow_up_added") if e.client_org_id == acme]) == 2  # 1 demo + 1


def test_three_people_marking_one_follow_up_done_at_once_write_one_event(app, world, acme):
    from tests.test_submissions_race import _race, _signed_in

    with system_scope("test"):
        fu_id = db.session.scalar(select(AccountFollowUp.id).where(AccountFollowUp.client_org_id == acme,
                                                                   AccountFollowUp.done_at.is_(None)).limit(1))
    people = [_signed_in(app, who) for who in ("morgan", "nadia", "morgan")]
    responses = _race(app, [(c, lambda c: c.post(f"/staff/clients/follow-ups/{fu_id}/done")) for c in people])
    assert [r.status_code for r in responses] == [302] * 3
    assert len([e for e in _events("account.follow_up_done") if e.data["follow_up_id"] == fu_id]) == 1
