"""Job order lists: search as you type, filters, sorting, pagination, htmx fragments and headers,
the review queue, dashboards, and a fixed number of queries whatever the list's size."""
from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from portal.db.tenancy import system_scope
from portal.events.services import record
from portal.extensions import db
from portal.job_orders import services
from portal.job_orders.models import JobOrder, JobOrderRelease
from tests.test_job_orders_support import as_actor, count_queries, draft, pending, released, run


def _bulk_released(world, n: int, prefix: str) -> None:
    """n more open Acme job orders released to TalentCo, made fast (service-made ones are tested elsewhere)."""
    hana = world.user("hana")
    with system_scope("test bulk"):
        acme = world.org("acme")
        for i in range(n):
            job, _ = services.create_job_order(hana, {"title": f"{prefix} {i:03d}", "openings": 1})
            job.status = "open"
            db.session.flush()
            db.session.execute(insert(JobOrderRelease).values(
                job_order_id=job.id, client_org_id=acme.id, supplier_org_id=world.oid("talentco"), tier=1,
                scheduled_at=job.created_at, released_at=job.created_at))
            record(None, "job_order.released", job, "bulk", client_org_id=acme.id)
        db.session.commit()


def _links(page: str, portal: str) -> list[str]:
    return [chunk.split('"')[0] for chunk in page.split(f'href="/{portal}/job-orders/')[1:]
            if chunk.split('"')[0].isdigit()]


@pytest.mark.parametrize("principal, url", [
    ("hana", "/client/job-orders?q=Countme"),
    ("morgan", "/staff/job-orders?q=Countme"),
    ("sam", "/supplier/job-orders?q=Countme"),
    ("morgan", "/staff/job-orders/review?mine=0&q=Countme"),
])
def test_list_pages_run_a_fixed_number_of_queries(world, as_user, principal, url):
    c = as_user(principal)
    if "review" in url:
        for i in range(3):
            pending(world, title=f"Countme {i}")
    else:
        _bulk_released(world, 3, "Countme")
    c.get(url)  # warm up
    with count_queries() as small:
        resp = c.get(url)
    assert resp.status_code == 200
    if "review" in url:
        for i in range(3, 30):
            pending(world, title=f"Countme {i}")
    else:
        _bulk_released(world, 27, "Countme more")
    with count_queries() as large:
        resp = c.get(url)
    page = resp.get_data(as_text=True)
    assert "Showing 1–25 of 30" in page
    assert small[0] == large[0], f"{url}: {small[0]} queries for 3 rows, {large[0]} for 30"
    with count_queries() as fragment:
        resp = c.get(url, htmx=True)
    assert resp.status_code == 200 and 'id="job-orders-results"' in resp.get_data(as_text=True)
    assert fragment[0] <= large[0]


def test_search_filters_and_sorting_on_the_client_list(world, as_user):
    draft(world, title="Zeta welder", location_type="onsite", position_type="direct_hire")
    draft(world, title="Alpha welder", location_type="remote", position_type="contract", skills="TIG, MIG")
    draft(world, "leo", title="Globex welder")
    hana = as_user("hana")
    page = hana.get("/client/job-orders?q=WELDER").get_data(as_text=True)
    assert "Zeta welder" in page and "Alpha welder" in page and "Globex welder" not in page
    page = hana.get("/client/job-orders?q=welder&location_type=remote").get_data(as_text=True)
    assert "Alpha welder" in page and "Zeta welder" not in page
    page = hana.get("/client/job-orders?q=welder&position_type=direct_hire").get_data(as_text=True)
    assert "Zeta welder" in page and "Alpha welder" not in page
    page = hana.get("/client/job-orders?q=tig").get_data(as_text=True)  # skills are searched
    assert "Alpha welder" in page
    page = hana.get("/client/job-orders?q=welder&sort=title").get_data(as_text=True)
    assert page.index("Alpha welder") < page.index("Zeta welder")
    page = hana.get("/client/job-orders?q=welder&sort=newest").get_data(as_text=True)
    assert page.index("Zeta welder") > page.index("Alpha welder")
    # a search for a literal % is not a wildcard
    assert "Alpha welder" not in hana.get("/client/job-orders?q=%25").get_data(as_text=True)


def test_garbage_filters_are_ignored_never_a_500(world, as_user):
    hana = as_user("hana")
    for qs in ("status=bogus", "sort=drop", "page=-4", "page=abc", "position_type=<script>", "mine=maybe",
               "q=" + "x" * 500, "client=notanumber"):
        assert hana.get(f"/client/job-orders?{qs}").status_code == 200, qs
    assert as_user("morgan").get("/staff/job-orders?client=abc&status=open").status_code == 200


def test_mine_filter_shows_my_job_orders(world, as_user):
    mine = draft(world, "hana", title="Hana's own")
    run(world.user("olivia"), services.create_job_order, {"title": "Olivia's for someone", "openings": 1,
                                                          "hiring_manager_id": world.uid("olivia")})
    hana = as_user("hana")
    everyone = hana.get("/client/job-orders").get_data(as_text=True)
    assert "Olivia&#39;s for someone" in everyone and "Hana&#39;s own" in everyone
    only_mine = hana.get("/client/job-orders?mine=1").get_data(as_text=True)
    assert "Hana&#39;s own" in only_mine and "Olivia&#39;s for someone" not in only_mine
    assert f"/client/job-orders/{mine.id}" in only_mine


def test_list_rows_show_display_id_status_openings_and_stage_counts(world, as_user):
    job = released(world, title="Counted", openings=3)
    page = as_user("hana").get("/client/job-orders?q=Counted").get_data(as_text=True)
    assert job.reference in page and "Open" in page
    assert "3 / 3" in page  # openings left / openings
    for heading in ("Submitted", "In review", "Interview", "Offer", "Placed"):
        assert heading in page


def test_htmx_request_gets_the_results_fragment_and_full_page_otherwise(world, as_user):
    hana = as_user("hana")
    full = hana.get("/client/job-orders?q=World")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers.get("Vary", "")
    fragment = hana.get("/client/job-orders?q=World", htmx=True)
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and body.lstrip().startswith('<div id="job-orders-results"')
    assert "HX-Request" in fragment.headers.get("Vary", "")
    # a history restore (back button) gets the full page
    restore = hana.get("/client/job-orders?q=World",
                       headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.get_data(as_text=True)
    # the search form pushes its URL and targets the results
    assert 'hx-push-url="true"' in full.get_data(as_text=True)
    assert 'hx-target="#job-orders-results"' in full.get_data(as_text=True)


def test_pagination_keeps_the_filters_in_its_links(world, as_user):
    _bulk_released(world, 30, "Paged")
    hana = as_user("hana")
    page1 = hana.get("/client/job-orders?q=Paged&sort=title").get_data(as_text=True)
    assert "page=2" in page1 and "q=Paged" in page1 and "sort=title" in page1
    page2 = hana.get("/client/job-orders?q=Paged&sort=title&page=2").get_data(as_text=True)
    assert "Paged 029" in page2 and "Paged 000" not in page2


def test_staff_list_filters_by_client_and_the_queue_shows_pending_of_my_clients(world, as_user):
    acme_pending = pending(world, "hana", title="Queue Acme")
    globex_pending = pending(world, "leo", title="Queue Globex")
    morgan = as_user("morgan")
    page = morgan.get(f"/staff/job-orders?client={world.oid('globex')}&q=Queue").get_data(as_text=True)
    assert "Queue Globex" in page and "Queue Acme" not in page
    queue = morgan.get("/staff/job-orders/review?q=Queue").get_data(as_text=True)
    assert "Queue Acme" in queue and "Queue Globex" in queue  # morgan manages both clients
    nadia = as_user("nadia")  # manages no client
    assert "Queue Acme" not in nadia.get("/staff/job-orders/review?q=Queue").get_data(as_text=True)
    assert "Queue Acme" in nadia.get("/staff/job-orders/review?q=Queue&mine=0").get_data(as_text=True)
    assert acme_pending.reference in queue and globex_pending.reference in queue


def test_supplier_list_is_newest_release_first_and_only_released(world, as_user):
    older = released(world, {"talentco": 1}, title="Rel older")
    newer = released(world, {"talentco": 1}, title="Rel newer")
    hidden = released(world, {"bluepeak": 1}, title="Rel hidden")
    page = as_user("sam").get("/supplier/job-orders?q=Rel").get_data(as_text=True)
    links = _links(page, "supplier")
    assert links.index(str(newer.id)) < links.index(str(older.id))
    assert str(hidden.id) not in links


def test_other_clients_rows_never_appear(world, as_user):
    draft(world, "leo", title="Globex secret role")
    for short, url in (("hana", "/client/job-orders?q=secret"), ("olivia", "/client/job-orders?q=secret")):
        assert "Globex secret role" not in as_user(short).get(url).get_data(as_text=True)


def test_dashboards_show_job_order_counts(world, as_user):
    pending(world, title="Dash pending")
    assert "Pending review" in as_user("hana").get("/client/").get_data(as_text=True)
    assert "Waiting for your review" in as_user("morgan").get("/staff/").get_data(as_text=True)
    assert "Open job orders" in as_user("sam").get("/supplier/").get_data(as_text=True)
    with system_scope("count"):
        assert db.session.scalar(select(JobOrder.id).where(JobOrder.title == "Dash pending"))


def test_supplier_list_counts_what_it_lists_with_and_without_filters(world, as_user):
    """Without a filter on the job orders themselves the supplier's count is read from its releases
    alone; with or without one it counts exactly the job orders the list shows."""
    from portal.job_orders import queries

    on_hold = released(world, {"talentco": 1}, title="Counted held", position_type="direct_hire")
    released(world, {"talentco": 1}, title="Counted open", location_type="remote")
    released(world, {"talentco": 2}, hm="leo", title="Counted globex")  # tier 2: scheduled, not yet released
    released(world, {"talentco": 1, "bluepeak": 1}, hm="leo", title="Counted shared")
    released(world, {"bluepeak": 1}, title="Not counted: BluePeak's")
    run(world.user("hana"), services.hold, on_hold)
    sam = world.user("sam")
    acme, globex = world.oid("acme"), world.oid("globex")
    cases = [{}, {"client": acme}, {"client": globex}, {"status": "on_hold"}, {"q": "Counted"},
             {"position_type": "direct_hire"}, {"location_type": "remote"}, {"client": globex, "q": "shared"}]
    with as_actor(sam):
        for case in cases:
            f = queries.Filters(page=1, **case)
            rows, total = queries.supplier_page(f, viewer=sam)
            assert len(rows) < queries.PAGE_SIZE, case  # the whole list on one page
            assert total == len(rows), case
    with system_scope("test"):
        released_to_sam = db.session.scalar(select(func.count()).select_from(JobOrderRelease).where(
            JobOrderRelease.supplier_org_id == world.oid("talentco"), JobOrderRelease.released_at.is_not(None)))
    with as_actor(sam):
        assert queries.supplier_page(queries.Filters(page=1), viewer=sam)[1] == released_to_sam
        choices = queries.supplier_client_choices(sam)
    clients = [cid for cid, _ in choices]
    assert acme in clients and globex in clients and len(clients) == len(set(clients))  # each client once
