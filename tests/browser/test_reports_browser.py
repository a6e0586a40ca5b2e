"""Reports and scorecards in Chromium, by visible labels, on a small scenario of their own (in March 2031,
with the clock frozen just after it, so no other data falls in the period):

TalentCo answers an Acme job with three candidates: one is forwarded, shortlisted, offered and placed
(which fills the job), one is rejected by Hana for its rate, one is rejected at the agency's screening;
BluePeak answers a Globex job with one candidate.

Morgan opens every report from "Reports", filters one by period and client, drills into a figure,
downloads a CSV with the same figure, and compares the suppliers' scorecards; Hana sees Acme's figures
and never Globex's; Sam sees TalentCo's scorecard and BluePeak's is "not found" to him.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from playwright.sync_api import expect

from sqlalchemy import select

from portal import clock
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.offers import services as offers
from portal.review import services as review
from portal.submissions import services as submissions
from portal.submissions.services import SubmitData
from tests.browser.helpers import screenshot, sign_in
from tests.test_job_orders_support import as_actor, released, run
from tests.test_review_support import new_candidate
from tests.world import World

T0 = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)
JOB_ACME = "Reports browser Acme job"
JOB_GLOBEX = "Reports browser Globex job"
STAFF_REPORTS = ["Supplier scorecards", "Hiring-manager responsiveness", "Pipeline funnel", "Time to fill",
                 "Placements", "Rejection reasons", "SLA compliance"]
CLIENT_REPORTS = ["Hiring-manager responsiveness", "Pipeline funnel", "Time to fill", "Placements",
                  "Rejection reasons", "SLA compliance"]
BOM = b"\xef\xbb\xbf"


def _at(hours: float) -> None:
    clock.freeze(T0 + timedelta(hours=hours))


def _candidate(user, first: str, last: str):
    with as_actor(user):
        candidate = new_candidate(user, first, last, f"{first}.{last}@reports-browser.example".lower())
        db.session.commit()
    return candidate


def _submit(user, job, candidate):
    sub, _ = run(user, submissions.submit, job, SubmitData(
        rate=Decimal("60"), available_from=clock.now().date() + timedelta(days=7), right_to_represent=True),
        candidate=candidate)
    return sub


def _scenario(live_server) -> dict[str, int]:
    """The scenario above, through the services, with the clock moved by hand; returns the org ids."""
    with live_server.app.app_context():
        world = World()
        hana, morgan, sam, priya = (world.user(n) for n in ("hana", "morgan", "sam", "priya"))
        _at(0)
        acme_job = released(world, {"talentco": 1}, title=JOB_ACME, submission_limit=10, rate_max=90,
                            rate_unit="hour")
        globex_job = released(world, {"bluepeak": 1}, hm="leo", title=JOB_GLOBEX, submission_limit=10,
                              rate_max=90, rate_unit="hour")
        placed, pricey, unskilled = (_candidate(sam, "Rhea", n) for n in ("Placed", "Pricey", "Unskilled"))
        _at(2)
        s_placed = _submit(sam, acme_job, placed)
        _at(3)
        s_pricey = _submit(sam, acme_job, pricey)
        _at(4)
        run(morgan, submissions.forward, s_placed)
        run(morgan, submissions.forward, s_pricey)
        _at(5)
        _submit(priya, globex_job, _candidate(priya, "Gus", "Globexer"))
        _at(10)
        run(hana, review.shortlist, s_placed)
        _at(30)
        s_unskilled = _submit(sam, acme_job, unskilled)
        _at(31)
        run(morgan, submissions.screen_reject, s_unskilled, "skills", "Not the PLC skills we need.")
        _at(40)
        run(hana, review.reject, s_pricey, "rate", "Above budget.")
        _at(50)
        offer = run(hana, offers.extend_offer, s_placed, offers.OfferTerms(
            rate=Decimal("62"), start_date=clock.now().date() + timedelta(days=14),
            end_date=clock.now().date() + timedelta(days=200)))
        _at(51)
        run(sam, offers.accept_offer, offer)
        _at(52)
        run(hana, offers.place, s_placed)
        return {short: world.oid(short) for short in ("acme", "globex", "talentco", "bluepeak")}


def _open_reports(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports", exact=True).click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()


def _open_report(page, label: str, shot: str | None = None) -> None:
    page.locator("main").get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    expect(page.get_by_text("Correct the filters")).to_have_count(0)
    if shot:
        screenshot(page, shot)


def _table(page, title: str):
    return page.locator(f'section.report-table[data-table="{title}"]')


_HIDDEN_COLUMNS = """() => [...document.querySelectorAll('section.report-table .table-wrap')]
  .filter(w => w.scrollWidth > w.clientWidth + 1)
  .map(w => w.closest('section').dataset.table)"""


def _all_columns_fit(page) -> None:
    """Every report table shows all its columns at 1280 px (none hides behind a sideways scroll)."""
    assert page.evaluate(_HIDDEN_COLUMNS) == [], page.url


def _chart_colour(page) -> str:
    return page.locator("svg.chart rect.chart-bar").first.evaluate("el => getComputedStyle(el).stroke")


def test_morgan_reads_filters_drills_and_downloads(new_page, live_server):
    ids = _ensure_scenario(live_server)
    _at(72)
    try:
        page = new_page()
        sign_in(page, "staff", "morgan@northwind.example")
        _open_reports(page)
        index = page.locator("main")
        for label in STAFF_REPORTS + ["Sales board"]:
            expect(index.get_by_role("link", name=label, exact=True)).to_be_visible()
        screenshot(page, "reports-staff-index")

        slugs = {"Hiring-manager responsiveness": "responsiveness", "Pipeline funnel": "funnel",
                 "Time to fill": "time-to-fill", "Placements": "placements", "Rejection reasons": "rejections",
                 "SLA compliance": "sla"}
        for label, slug in slugs.items():
            _open_report(page, label, f"reports-staff-{slug}")
            _all_columns_fit(page)
            page.get_by_role("link", name="Reports", exact=True).last.click()  # the breadcrumb
            expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()

        # The funnel of the default period (last 90 days) holds the scenario: 3 TalentCo + 1 BluePeak.
        _open_report(page, "Pipeline funnel")
        expect(_table(page, "Funnel").get_by_role("row", name=re.compile("^Submitted"))).to_contain_text("4")
        # Filter: last 30 days, Acme only, by the labels of the filter bar.
        page.get_by_label("Period", exact=True).select_option(label="Last 30 days")
        page.get_by_label("Client", exact=True).select_option(label="Acme Manufacturing")
        page.get_by_role("button", name="Show").click()
        expect(page).to_have_url(re.compile(rf"period=30d.*client={ids['acme']}"))
        expect(page.get_by_label("Period", exact=True)).to_have_value("30d")
        submitted = _table(page, "Funnel").get_by_role("row", name=re.compile("^Submitted"))
        expect(submitted.locator("td").first).to_have_text("3")
        placed_row = _table(page, "Funnel").get_by_role("row", name=re.compile("^Placed"))
        expect(placed_row.locator("td").first).to_have_text("1")
        expect(page.get_by_role("img", name=re.compile("^Pipeline funnel"))).to_be_visible()  # the chart
        assert _chart_colour(page) == "rgb(29, 79, 145)"  # the staff blue
        screenshot(page, "reports-staff-funnel-acme-30d")

        # The CSV of this page: BOM first, the same figures.
        with page.expect_download() as info:
            page.get_by_role("link", name=re.compile("^Download CSV")).click()
        download = info.value
        assert re.match(r"funnel-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv$", download.suggested_filename)
        data = open(download.path(), "rb").read()
        assert data.startswith(BOM), data[:10]
        rows = list(csv.reader(io.StringIO(data[len(BOM):].decode("utf-8"))))
        assert ["Funnel", "Submitted", "3", "100%"] in rows, rows
        placed = _table(page, "Funnel").get_by_role("row", name=re.compile("^Placed")).locator("td")
        assert ["Funnel", "Placed", placed.nth(0).inner_text(), placed.nth(1).inner_text()] in rows, rows

        # Drill into "Placed": the one placed candidate, with the same filters.
        _table(page, "Funnel").get_by_role("row", name=re.compile("^Placed")).get_by_role("link", name="1").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Placed")
        expect(page).to_have_url(re.compile(r"metric=placed.*period=30d|period=30d.*metric=placed"))
        expect(page.locator(".rows-total")).to_have_text("1")
        expect(page.locator("tr.drill-row")).to_have_count(1)
        expect(page.locator("tr.drill-row")).to_contain_text("Rhea Placed")
        expect(page.locator(".rows-filters")).to_contain_text("Client: Acme Manufacturing")
        expect(page.locator("tr.drill-row").get_by_role("link", name=re.compile("^ACME-"))).to_be_visible()
        screenshot(page, "reports-staff-rows-placed")
        # the breadcrumb leads back to the funnel, filters kept
        page.get_by_role("link", name="Pipeline funnel", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Pipeline funnel")
        expect(page.get_by_label("Client", exact=True)).to_have_value(str(ids["acme"]))

        # Dates typed while the period says "Last 30 days" count: the period becomes custom.
        page.get_by_label("From (custom)").fill("2031-01-01")
        page.get_by_label("To (custom)").fill("2031-03-02")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_label("Period", exact=True)).to_have_value("custom")
        expect(_table(page, "Funnel").get_by_role("row", name=re.compile("^Submitted")).locator("td").first
               ).to_have_text("0")

        # The drill-down index (no figure chosen) lists the figures.
        page.goto("/staff/reports/rows")
        expect(page.get_by_role("heading", level=1)).to_have_text("Rows behind a figure")
        expect(page.get_by_label("Period", exact=True)).to_be_visible()  # its own filter bar
        screenshot(page, "reports-staff-rows-index")

        # Suppliers side by side, then TalentCo's own card.
        _open_reports(page)
        _open_report(page, "Supplier scorecards", "reports-staff-scorecards")
        side = _table(page, "Suppliers side by side")
        # one column per supplier, one row per figure: all of it visible at 1280 px
        expect(side.get_by_role("columnheader", name="TalentCo Search")).to_be_visible()
        expect(side.get_by_role("columnheader", name="BluePeak Partners")).to_be_visible()
        expect(side.get_by_role("row", name=re.compile("^Withdrawn"))).to_be_visible()
        _all_columns_fit(page)
        side.get_by_role("link", name="TalentCo Search").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Scorecard: TalentCo Search")
        expect(_table(page, "Per client").get_by_role("row", name=re.compile("^Acme Manufacturing"))).to_be_visible()
        screenshot(page, "reports-staff-scorecard-talentco")
        _all_columns_fit(page)
    finally:
        clock.freeze(None)


def test_clients_and_suppliers_see_only_their_own(new_page, live_server, page_errors):
    ids = _ensure_scenario(live_server)
    _at(72)
    try:
        hana = new_page()
        sign_in(hana, "client", "hana@acme.example")
        _open_reports(hana)
        for label in CLIENT_REPORTS:
            expect(hana.locator("main").get_by_role("link", name=label, exact=True)).to_be_visible()
        expect(hana.locator("main").get_by_role("link", name="Supplier scorecards")).to_have_count(0)
        screenshot(hana, "reports-client-index")
        for label in CLIENT_REPORTS:
            _open_report(hana, label)
            expect(hana.locator("body")).not_to_contain_text("Globex")
            expect(hana.locator("body")).not_to_contain_text("Leo Marchetti")
            if label == "Pipeline funnel":
                # Hana sees the two submissions that reached Acme (the screened-out one never did).
                expect(_table(hana, "Funnel").get_by_role("row", name=re.compile("^Submitted")).locator("td").first
                       ).to_have_text("2")
            screenshot(hana, "reports-client-" + label.lower().replace(" ", "-"))
            _all_columns_fit(hana)
            if label == "Pipeline funnel":
                assert _chart_colour(hana) == "rgb(15, 118, 110)"  # the client teal
            hana.get_by_role("link", name="Reports", exact=True).last.click()

        sam = new_page()
        sign_in(sam, "supplier", "sam@talentco.example")
        sam.get_by_role("navigation", name="Main").get_by_role("link", name="Scorecard", exact=True).click()
        expect(sam.get_by_role("heading", level=1)).to_have_text("Scorecard: TalentCo Search")
        expect(sam.locator("body")).not_to_contain_text("BluePeak")
        expect(sam.locator("body")).not_to_contain_text("Globex")
        figures = _table(sam, "Scorecard")
        expect(figures.get_by_role("row", name=re.compile("^Submissions")).locator("td").first).to_contain_text("3")
        screenshot(sam, "reports-supplier-scorecard")
        _open_reports(sam)
        expect(sam.locator("main").get_by_role("link", name="Your scorecard")).to_be_visible()
        screenshot(sam, "reports-supplier-index")
        _open_report(sam, "Pipeline funnel", "reports-supplier-funnel")
        assert _chart_colour(sam) == "rgb(91, 60, 196)"  # the supplier purple
        expect(sam.locator("body")).not_to_contain_text("BluePeak")

        # BluePeak's scorecard, typed by hand: not found (an expected 404, not a fault of the page).
        url = f"/supplier/reports/scorecards/{ids['bluepeak']}"
        page_errors.error_documents.add(live_server.url + url)
        response = sam.goto(url)
        assert response.status == 404
        expect(sam.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.I))
        expect(sam.locator("body")).not_to_contain_text("BluePeak")
        screenshot(sam, "reports-supplier-other-scorecard-404")
    finally:
        clock.freeze(None)


def _ensure_scenario(live_server) -> dict[str, int]:
    """The scenario's org ids, building it once per session (both tests read the same one)."""
    with live_server.app.app_context():
        with system_scope("browser test lookup"):
            built = db.session.scalar(select(JobOrder.id).where(JobOrder.title == JOB_ACME)) is not None
        if not built:
            return _scenario(live_server)
        world = World()
        return {short: world.oid(short) for short in ("acme", "globex", "talentco", "bluepeak")}
