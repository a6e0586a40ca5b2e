"""The benchmark's pieces at a tiny size: the scale seeder (bulk inserts, COPY on PostgreSQL), the ceiling
page and its query counter (only under the bench flag), capped list counts, the 503 while the database is
unreachable. The benchmark itself (`make bench`) and the restart test are not run here."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from portal import create_app
from portal.accounts.models import ClientSupplier, Organisation
from portal.db.tenancy import system_scope
from portal.demo import seed_demo, table_counts
from portal.events.models import Event
from portal.extensions import db
from portal.files.storage import get_storage
from portal.interviews.models import Interview, InterviewSlot
from portal.job_orders.models import JobOrder
from portal.offers.models import Offer, Placement
from portal.submissions.models import Stage, Submission
from portal.web.pagination import COUNT_CAP, CappedCount, Page
from tests.conftest import PortalClient, _config


def _seed(scale: int) -> dict:
    with system_scope("test scale seed"):
        made = seed_demo(scale=scale)
        return made, table_counts()


def test_scale_seed_makes_clients_suppliers_jobs_and_submissions_with_their_events(app):
    with app.app_context():
        before = _seed(1)[1]
        made, after = _seed(3)
        assert after["clients"] == before["clients"] + 2
        assert after["suppliers"] == before["suppliers"] + 6
        assert after["job orders"] - before["job orders"] == 600
        new_subs = after["submissions"] - before["submissions"]
        assert new_subs > 2 * 240 * 4 * 3 * 0.8  # ~240 released jobs per client, >= 4 panel suppliers, 3 each
        assert made["submissions"] == new_subs
        with system_scope("test"):
            client = db.session.scalar(select(Organisation).where(Organisation.code == "C0003"))
            # Each scale client's panel: its own three suppliers and two of each other step's.
            assert db.session.scalar(select(func.count(ClientSupplier.id))
                                     .where(ClientSupplier.client_org_id == client.id)) == 5
            subs = db.session.execute(select(Submission.id, Submission.stage)
                                      .where(Submission.client_org_id == client.id)).all()
            ids = [sid for sid, _ in subs]
            # Every bulk submission carries its creation event, stamped for both parties.
            created = db.session.scalar(select(func.count(Event.id)).where(
                Event.verb == "submission.created", Event.subject_type == "submission", Event.subject_id.in_(ids),
                Event.client_org_id == client.id, Event.supplier_org_id.is_not(None)))
            assert created == len(ids)
            stages = {stage for _, stage in subs}
            assert {Stage.CLIENT_REVIEW.value, Stage.REJECTED.value, Stage.INTERVIEW.value} <= stages
            # Interviews, offers and placements in proportion, each tied to a submission at that stage.
            interviews = db.session.scalar(select(func.count(Interview.id)).where(Interview.client_org_id == client.id))
            assert interviews >= sum(1 for _, s in subs if s == Stage.INTERVIEW.value)
            assert db.session.scalar(select(func.count(InterviewSlot.id)).where(
                InterviewSlot.client_org_id == client.id)) == interviews
            placed = sum(1 for _, s in subs if s == Stage.PLACED.value)
            assert db.session.scalar(select(func.count(Placement.id)).where(
                Placement.client_org_id == client.id)) == placed
            assert db.session.scalar(select(func.count(Offer.id)).where(Offer.client_org_id == client.id)) >= placed
            # The bulk résumés exist as files.
            key = db.session.scalar(select(Submission.resume_id).where(Submission.client_org_id == client.id).limit(1))
            from portal.candidates.models import Resume

            get_storage().open(db.session.get(Resume, key).storage_key).close()
        # Seeding again at the same scale makes nothing more.
        again, counts = _seed(3)
        assert again["submissions"] == 0 and again["job orders"] == 0
        assert counts == after


def test_scaled_lists_still_answer_with_a_capped_count(app, as_user):
    with app.app_context():
        _seed(2)
    morgan = as_user("morgan")
    resp = morgan.get("/staff/submissions?mine=0")
    assert resp.status_code == 200
    assert "more than 1,000" in resp.get_data(as_text=True)
    assert morgan.get("/staff/submissions?mine=0&page=60").status_code == 200
    assert morgan.get("/staff/job-orders").status_code == 200


def test_page_counts_past_the_cap_keep_next_reachable():
    page = Page(3, 25, CappedCount(COUNT_CAP + 1), "submissions.staff_list")
    assert page.capped and page.total_label == f"more than {COUNT_CAP:,}"
    assert page.last_row == 75
    far = Page(60, 25, CappedCount(COUNT_CAP + 1), "submissions.staff_list")
    assert far.pages == 61
    exact = Page(1, 25, 40, "submissions.staff_list")
    assert not exact.capped and exact.pages == 2 and exact.total_label == "40"
    # An exact count above the cap (a list that counts everything) is shown as it is.
    big = Page(1, 25, 3000, "candidates.index")
    assert not big.capped and big.pages == 120 and big.total_label == "3,000"


def _bench_app(app, tmp_path, enabled: bool):
    cfg = _config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path)
    cfg["BENCH_CEILING"] = enabled
    return create_app(cfg)


def test_ceiling_page_renders_50_rows_in_one_query_under_the_bench_flag(app, tmp_path):
    with app.app_context():
        _seed(2)
    bench = _bench_app(app, tmp_path, True)
    view = bench.view_functions["bench.ceiling"]
    assert getattr(view, "_access", None) is not None  # marked for the route walk (@public)
    resp = bench.test_client().get("/bench/ceiling")
    assert resp.status_code == 200
    assert len(re.findall(r"<tr><td>", resp.get_data(as_text=True))) == 50
    assert resp.headers["X-Query-Count"] == "1"


def test_signed_in_ceiling_is_the_same_table_in_the_staff_layout_for_staff_only(app, tmp_path):
    with app.app_context():
        _seed(2)
    bench = _bench_app(app, tmp_path, True)
    assert getattr(bench.view_functions["bench.signed_in_ceiling"], "_access", None) is not None
    morgan = PortalClient(bench)
    morgan.login("morgan")
    resp = morgan.get("/staff/bench/ceiling")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and 'aria-label="Main"' in page and "Sign out" in page  # the layout
    assert len(re.findall(r"<tr><td>", page)) == 50
    # The session's user and the header's own reads, then the one query of the table (3 today).
    assert int(resp.headers["X-Query-Count"]) <= 4
    hana = PortalClient(bench)
    hana.login("hana")
    assert hana.get("/staff/bench/ceiling").status_code == 404  # another portal's page
    anonymous = bench.test_client().get("/staff/bench/ceiling")
    assert anonymous.status_code == 302 and "/staff/login" in anonymous.headers["Location"]
    normal = _bench_app(app, tmp_path, False)
    assert "bench.signed_in_ceiling" not in normal.view_functions


def test_ceiling_page_and_query_header_do_not_exist_without_the_flag(app, tmp_path):
    normal = _bench_app(app, tmp_path, False)
    assert "bench.ceiling" not in normal.view_functions
    resp = normal.test_client().get("/bench/ceiling")
    assert resp.status_code == 404
    assert "X-Query-Count" not in resp.headers


def test_an_unreachable_database_is_a_503_with_a_message(app, as_user, monkeypatch):
    sam = as_user("sam")

    def down(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    from portal.job_orders import queries

    monkeypatch.setattr(queries, "supplier_page", down)
    resp = sam.get("/supplier/job-orders")
    assert resp.status_code == 503
    assert resp.headers["Retry-After"] == "5"
    assert "may not have been saved" in resp.get_data(as_text=True)
    frag = sam.get("/supplier/job-orders", htmx=True)
    assert frag.status_code == 503 and "error-fragment" in frag.get_data(as_text=True)


@pytest.mark.parametrize("scale", [2])
def test_scale_seed_keeps_job_order_references_unique(app, scale):
    with app.app_context():
        _seed(scale)
        with system_scope("test"):
            dupes = db.session.execute(select(JobOrder.reference).group_by(JobOrder.reference)
                                       .having(func.count() > 1)).all()
        assert dupes == []


def test_an_error_page_whose_layout_cannot_reach_the_database_is_a_503_not_a_bare_500(app, as_user):
    sam = as_user("sam")

    def down():
        raise OperationalError("SELECT max(id) FROM event", {}, Exception("terminating connection"))

    app.jinja_env.globals["header_state"] = down  # the layout of every signed-in page reads it
    resp = sam.get("/supplier/job-orders/999999")  # a 404 page: its layout reads the database
    assert resp.status_code == 503
    assert "may not have been saved" in resp.get_data(as_text=True)
