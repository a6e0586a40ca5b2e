"""The coverage board: its worklists across the account manager's clients, nudges (notification, event,
e-mail, one per quiet period), live refresh, staff only, and a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import func, select

from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.notifications.models import Notification
from portal.oversight.models import Nudge
from tests.conftest import sent_to
from tests.test_job_orders_support import count_queries, frozen, released
from tests.test_review_support import job_with_candidates
from tests.test_sla import H, job_reference, start


def count(model, *where) -> int:
    with system_scope("test count"):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def section(page: str, key: str) -> str:
    """The HTML of one worklist of the board."""
    return page.split(f'id="coverage-{key}"', 1)[1].split("</section>", 1)[0]


def test_a_job_without_submission_at_25_hours_is_on_the_board_and_a_nudge_reaches_the_supplier(world, as_user,
                                                                                                  outbox):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Board welder")
    ref = job_reference(job.id)
    with frozen(t0 + 25 * H):
        morgan = as_user("morgan")
        page = morgan.get("/staff/coverage").get_data(as_text=True)
        rows = section(page, "no_submission")
        assert ref in rows and "Breached" in rows and "1 h overdue" in rows
        assert f"/staff/coverage/first_submission/{job.id}/nudge" in rows
        assert f"/staff/job-orders/{job.id}/release" in rows and "Release to more suppliers" in rows
        assert "Open job" in rows
        dashboard = morgan.get("/staff/").get_data(as_text=True)
        assert 'id="oversight-summary"' in dashboard and "No submission yet" in dashboard

        resp = morgan.post(f"/staff/coverage/first_submission/{job.id}/nudge")
        assert resp.status_code == 302
        for short in ("sam", "ravi"):  # TalentCo's people; BluePeak is not released
            assert count(Notification, Notification.user_id == world.uid(short), Notification.kind == "nudge") == 1
        assert count(Notification, Notification.user_id == world.uid("priya"), Notification.kind == "nudge") == 0
        assert [m for m in sent_to(outbox, "sam@talentco.example") if m.subject.startswith("Reminder")], \
            "the nudge is e-mailed at once (the default preference)"
        with system_scope("test read"):
            ev = db.session.scalar(select(Event).where(Event.verb == "nudge.sent", Event.subject_id == job.id))
        assert ev.supplier_org_id == world.oid("talentco") and ev.client_org_id is None
        assert ev.actor_user_id == world.uid("morgan")
        # the supplier sees the reminder in its notifications
        sam_page = as_user("sam").get("/notifications").get_data(as_text=True)
        assert ref in sam_page

        # a repeat within 4 h is refused with a clear message, and nothing is sent
        again = morgan.post(f"/staff/coverage/first_submission/{job.id}/nudge", htmx=True)
        assert again.status_code == 409 and "Already nudged" in again.get_data(as_text=True)
        again = morgan.post(f"/staff/coverage/first_submission/{job.id}/nudge")
        assert again.status_code == 409 and "You can nudge again after" in again.get_data(as_text=True)
        # refused without htmx from the board showing all clients with a worklist open: the board comes
        # back as it was (all clients, that worklist open), not reset to "my clients"
        again = morgan.post(f"/staff/coverage/first_submission/{job.id}/nudge",
                            headers={"Referer": "http://localhost/staff/coverage?clients=all&list=no_submission"})
        body = again.get_data(as_text=True)
        assert again.status_code == 409 and "My clients only" in body
        assert "clients=all" in body.split('id="oversight-board"')[1].split(">")[0]
        assert "list=no_submission" in body.split('id="oversight-board"')[1].split(">")[0]
        assert count(Notification, Notification.user_id == world.uid("sam"), Notification.kind == "nudge") == 1
        assert count(Event, Event.verb == "nudge.sent") == 1
    with frozen(t0 + 30 * H):  # past the quiet period: allowed again
        resp = as_user("nadia").post(f"/staff/coverage/first_submission/{job.id}/nudge", htmx=True)
        assert resp.status_code == 200 and "Reminder sent to 2 people" in resp.get_data(as_text=True)
        assert "nudge-changed" in resp.headers["HX-Trigger"]
        assert count(Notification, Notification.user_id == world.uid("sam"), Notification.kind == "nudge") == 2
    with system_scope("test read"):
        assert db.session.scalar(select(Nudge.count).where(Nudge.subject_id == job.id)) == 2


def test_a_client_waiting_past_its_target_is_nudged_through_the_hiring_manager(world, as_user):
    t0 = start()
    with frozen(t0):
        job, (sub,) = job_with_candidates(world, 1, title="Board review job")
    with frozen(t0 + 50 * H):
        morgan = as_user("morgan")
        rows = section(morgan.get("/staff/coverage").get_data(as_text=True), "review")
        assert job_reference(job.id) in rows and "Breached" in rows and "Cara Candidate0" in rows
        r = morgan.post(f"/staff/coverage/client_review/{sub.id}/nudge")
        assert r.status_code == 302
        assert count(Notification, Notification.user_id == world.uid("hana"), Notification.kind == "nudge") == 1
        assert count(Notification, Notification.user_id == world.uid("sam"), Notification.kind == "nudge") == 0
        with system_scope("test read"):
            ev = db.session.scalar(select(Event).where(Event.verb == "nudge.sent", Event.subject_id == sub.id))
        assert ev.client_org_id == world.oid("acme") and ev.supplier_org_id is None


def test_a_nudge_about_something_done_meanwhile_is_refused(world, as_user):
    t0 = start()
    with frozen(t0):
        job, _ = job_with_candidates(world, 1, title="Done meanwhile")
    morgan = as_user("morgan")
    resp = morgan.post(f"/staff/coverage/first_submission/{job.id}/nudge")
    assert resp.status_code == 409 and "has a submission now" in resp.get_data(as_text=True)
    assert morgan.post(f"/staff/coverage/bogus/{job.id}/nudge").status_code == 404
    assert morgan.post("/staff/coverage/client_review/999999/nudge").status_code == 404
    assert count(Event, Event.verb == "nudge.sent") == 0 and count(Nudge) == 0


def test_offers_without_an_answer_and_tier_two_releases_due(world, as_user):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1, "bluepeak": 2}, title="Tier due job")
    with frozen(t0 + 3 * 24 * H):  # the world's offers were extended before t0 and wait still
        page = as_user("morgan").get("/staff/coverage").get_data(as_text=True)
        offers = section(page, "offers")
        assert "Rosa Review" in offers and "/staff/coverage/offer/" in offers
    with frozen(t0 + 2 * H):
        tier2 = section(as_user("morgan").get("/staff/coverage").get_data(as_text=True), "tier2")
        assert job_reference(job.id) in tier2 and "BluePeak Partners" in tier2 and "due in" in tier2


def test_the_board_defaults_to_my_clients_and_offers_all_clients(world, as_user):
    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Scoped board job")
    with frozen(t0 + 25 * H):
        nadia = as_user("nadia")  # staff admin, no client assigned
        page = nadia.get("/staff/coverage").get_data(as_text=True)
        assert "No client is assigned to you yet" in page and job_reference(job.id) not in page
        page = nadia.get("/staff/coverage?clients=all").get_data(as_text=True)
        assert job_reference(job.id) in section(page, "no_submission")


def test_the_board_is_live_staff_only_and_in_the_staff_nav(world, as_user):
    morgan = as_user("morgan")
    page = morgan.get("/staff/").get_data(as_text=True)
    assert 'href="/staff/coverage"' in page and ">Coverage<" in page
    resp = morgan.get("/staff/coverage", htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith('<div id="oversight-board"')
    assert "HX-Request" in resp.headers["Vary"]
    for event in ("job_order-changed from:body", "submission-changed from:body", "interview-changed from:body",
                  "offer-changed from:body"):
        assert event in body
    for short in ("hana", "sam"):
        c = as_user(short)
        assert c.get("/staff/coverage").status_code == 404
        assert c.post(f"/staff/coverage/coverage/{world.job('acme').id}/nudge").status_code == 404
    assert count(Event, Event.verb == "nudge.sent") == 0


def _many_late_jobs(world, n: int, t0, prefix: str):
    with frozen(t0):
        for i in range(n):
            released(world, {"talentco": 1}, title=f"{prefix} {i}")


def test_the_board_runs_a_fixed_number_of_queries(world, as_user):
    t0 = start()
    _many_late_jobs(world, 2, t0, "Countme")
    with frozen(t0 + 2 * H):
        job_with_candidates(world, 1, title="Countme review")
    morgan = as_user("morgan")
    with frozen(t0 + 60 * H):
        morgan.get("/staff/coverage")
        with count_queries() as small:
            page = morgan.get("/staff/coverage").get_data(as_text=True)
        assert page.count("Countme") >= 3
    _many_late_jobs(world, 12, t0, "Countme more")
    with frozen(t0 + 2 * H):
        job_with_candidates(world, 3, title="Countme review more")
    with frozen(t0 + 60 * H):
        with count_queries() as large:
            page = morgan.get("/staff/coverage").get_data(as_text=True)
        assert page.count("Countme more") >= 12
    assert small[0] == large[0], f"{small[0]} queries for a few rows, {large[0]} for many"


def test_list_pages_show_clocks_in_a_fixed_number_of_queries(world, as_user):
    t0 = start()
    _many_late_jobs(world, 2, t0, "Clockfew")
    _many_late_jobs(world, 12, t0, "Clockmany")
    with frozen(t0 + 25 * H):
        for short, url in (("sam", "/supplier/job-orders?q="), ("morgan", "/staff/job-orders?q=")):
            c = as_user(short)
            c.get(url + "Clockfew")  # warm up
            with count_queries() as small:
                page = c.get(url + "Clockfew").get_data(as_text=True)
            assert page.count("Breached") >= 2
            with count_queries() as large:
                page = c.get(url + "Clockmany").get_data(as_text=True)
            assert page.count("Breached") >= 12
            assert small[0] == large[0], (url, small[0], large[0])


def test_a_nudge_is_emailed_per_each_persons_preference(world, as_user, outbox):
    from portal.notifications.services import set_preferences

    t0 = start()
    with frozen(t0):
        job = released(world, {"talentco": 1}, title="Preference job")
    with system_scope("test setup"):
        assert set_preferences(world.user("sam"), {"nudge": "off"}) == 1
        db.session.commit()
    with frozen(t0 + 25 * H):
        assert as_user("morgan").post(f"/staff/coverage/first_submission/{job.id}/nudge").status_code == 302
    assert count(Notification, Notification.user_id == world.uid("sam"), Notification.kind == "nudge") == 1
    def reminders(email):
        return [m for m in sent_to(outbox, email) if m.subject.startswith("Reminder")]

    assert not reminders("sam@talentco.example")
    assert reminders("ravi@talentco.example")


def test_dashboards_run_a_fixed_number_of_queries(world, as_user):
    """The staff dashboard's coverage panel and the client dashboard's SLA panel are selected in
    SQL: their query counts do not grow with the data."""
    t0 = start()
    _many_late_jobs(world, 2, t0, "Dashfew")
    with frozen(t0 + 2 * H):
        job_with_candidates(world, 1, title="Dash review")
    morgan, hana = as_user("morgan"), as_user("hana")
    small = {}
    with frozen(t0 + 60 * H):
        for c, url in ((morgan, "/staff/"), (hana, "/client/")):
            c.get(url)  # warm up
            with count_queries() as n:
                page = c.get(url).get_data(as_text=True)
            small[url] = n[0]
        assert "Dashfew" in morgan.get("/staff/").get_data(as_text=True)
        assert "Breached" in hana.get("/client/").get_data(as_text=True)
    _many_late_jobs(world, 12, t0, "Dashmany")
    with frozen(t0 + 2 * H):
        job_with_candidates(world, 4, title="Dash review more")
    with frozen(t0 + 60 * H):
        for c, url in ((morgan, "/staff/"), (hana, "/client/")):
            with count_queries() as n:
                page = c.get(url).get_data(as_text=True)
            assert n[0] == small[url], f"{url}: {small[url]} queries with a few rows, {n[0]} with many"
        assert small["/client/"] <= 10
        assert "Breached" in page


def test_worklists_show_the_longest_waiting_and_count_the_rest(world, as_user, monkeypatch):
    import re

    from portal.oversight import queries as oversight_queries

    monkeypatch.setattr(oversight_queries, "ROWS_SHOWN", 3)
    monkeypatch.setattr(oversight_queries, "FETCH_SLACK", 1)
    t0 = start()
    _many_late_jobs(world, 4, t0 - 10 * H, "Capold")
    _many_late_jobs(world, 4, t0, "Capnew")
    morgan = as_user("morgan")
    with frozen(t0 + 30 * H):
        rows = section(morgan.get("/staff/coverage").get_data(as_text=True), "no_submission")
        shown = rows.count('hx-post="/staff/coverage/first_submission/')
        total = int(re.search(r'badge-neutral">([\d,]+)<', rows).group(1).replace(",", ""))
        more = int(re.search(r"And ([\d,]+) more", rows).group(1).replace(",", ""))
        assert shown == 3 and total >= 8 and more == total - 3
        assert "Capnew" not in rows, "the longest waiting are shown"
        # "Show more" opens one worklist to LIST_ROWS, the others keep ROWS_SHOWN; a made-up key is ignored
        monkeypatch.setattr(oversight_queries, "LIST_ROWS", 6)
        assert 'href="/staff/coverage?list=no_submission#coverage-no_submission"' in rows
        assert f"Show all {total}" in rows, "fewer than LIST_ROWS in all: the link says how many"
        page = morgan.get("/staff/coverage?list=no_submission").get_data(as_text=True)
        opened = section(page, "no_submission")
        assert opened.count('hx-post="/staff/coverage/first_submission/') == 6
        assert "Show fewer" in opened and "list=no_submission" not in opened.split("Show fewer")[0].split("And ")[-1]
        assert "list=no_submission" in page.split('id="oversight-board"')[1].split(">")[0], "the live refresh keeps it open"
        bogus = morgan.get("/staff/coverage?list=nope")
        assert bogus.status_code == 200
        assert section(bogus.get_data(as_text=True), "no_submission").count(
            'hx-post="/staff/coverage/first_submission/') == 3
        # past the cap, the count says "more than"
        monkeypatch.setattr(oversight_queries, "COUNT_CAP", 5)
        rows = section(morgan.get("/staff/coverage").get_data(as_text=True), "no_submission")
        assert "more than 5" in rows and rows.count('hx-post="/staff/coverage/first_submission/') == 3
        assert "Show the 6 longest waiting" in rows and "Show all" not in rows, "a capped count is not 'all'"
        # opened past the cap, the cap being the rows an opened list shows (as configured): not
        # "and more than 0 more"
        monkeypatch.setattr(oversight_queries, "COUNT_CAP", 6)
        opened = section(morgan.get("/staff/coverage?list=no_submission").get_data(as_text=True), "no_submission")
        assert opened.count('hx-post="/staff/coverage/first_submission/') == 6
        assert "More than 6 in all: the 6 longest waiting are shown." in opened and "And more than" not in opened
        monkeypatch.setattr(oversight_queries, "COUNT_CAP", 5)
        # the dashboard panel counts the same way and shows the first rows
        dashboard = morgan.get("/staff/").get_data(as_text=True)
        assert "more than 5" in dashboard and "No submission yet: longest waiting" in dashboard


def test_the_worklists_are_unprepared_and_carry_their_client_ids_as_numbers(world, as_user):
    """The coverage board's worklist statements ask not to be prepared (`statements.unprepared`: a
    generic plan for them is a gamble) and write the manager's client ids into the SQL."""
    import re

    from sqlalchemy import event

    seen = []

    def _record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, context.execution_options.get("portal_unprepared", False)))

    morgan = as_user("morgan")
    event.listen(db.engine, "before_cursor_execute", _record)
    try:
        assert morgan.get("/staff/coverage").status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", _record)
    worklists = [(sql, flag) for sql, flag in seen if "no_submission" in sql or "below_coverage" in sql
                 or re.search(r"\bkey\b", sql)]
    assert worklists and all(flag for _, flag in worklists), "every worklist statement is unprepared"
    acme, globex = sorted((world.oid("acme"), world.oid("globex")))
    assert any(re.search(rf"client_org_id IN \({acme}, {globex}\)", sql) for sql, _ in worklists)
    assert not all(flag for _, flag in seen), "other statements are prepared as usual"
