"""Reports: pipeline funnel, time to fill, placements, rejection reasons, SLA compliance — figures from
an explicit scenario, the CSV equal to the page, no other company's names or figures, bad filters
answered with a 4xx (never a 500), charts readable without colour, and a fixed number of queries."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import pytest
from flask import url_for

from portal.accounts.models import Organisation
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.reports import forms
from portal.reports.charts import bar_chart
from portal.reports.queries import REPORTS, hours_text
from portal.review import services as review
from portal.submissions import services as submissions
from tests.test_job_orders_support import count_queries, released
from tests.test_scorecards import PERIOD, _candidate, _cells, _csv, _run, _submit, at, scenario  # noqa: F401

PORTAL_OF = {"morgan": "staff", "olivia": "client", "hana": "client", "sam": "supplier", "priya": "supplier"}


def _report_urls(app, portal: str, world) -> list[str]:
    with app.test_request_context():
        urls = [url_for(f"reports.{portal}_{slug.replace('-', '_')}") for slug, (_, _, who) in REPORTS.items()
                if portal in who]
        if portal == "supplier":
            urls.append(url_for("reports.supplier_scorecard", supplier_id=world.oid("talentco")))
        if portal == "staff":
            urls.append(url_for("reports.staff_scorecard", supplier_id=world.oid("talentco")))
    return urls


def _table(page: str, title: str) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in _cells(page, title)[1:]}


def test_the_reports_count_the_scenario(world, scenario, as_user):
    c = as_user("morgan")
    funnel = _table(c.get("/staff/reports/funnel", query_string=PERIOD).get_data(as_text=True), "Funnel")
    assert {k: v[0] for k, v in funnel.items()} == {"Submitted": "4", "Client review": "2", "Shortlisted": "1",
                                                    "Interview": "1", "Offer": "1", "Placed": "1"}
    assert funnel["Client review"][1] == "50%"
    ttf = c.get("/staff/reports/time-to-fill", query_string=PERIOD).get_data(as_text=True)
    assert _table(ttf, "Summary")["Job orders filled"] == ["1"]
    assert _table(ttf, "Summary")["Median time to fill"] == ["2.6 d"]  # approved at 0 h, last placement at 63 h
    assert [r[0] for r in _cells(ttf, "Job orders filled")[1:]] == [scenario["a"].reference]
    placements = c.get("/staff/reports/placements", query_string=PERIOD).get_data(as_text=True)
    assert _table(placements, "By month") == {"2031-03": ["1"]}
    assert _table(placements, "By client") == {"Acme Manufacturing": ["1"]}
    assert _table(placements, "By account manager") == {"Morgan Reyes": ["1"]}
    rejections = _table(c.get("/staff/reports/rejections", query_string=PERIOD).get_data(as_text=True), "By reason")
    assert rejections == {"Rate too high": ["0", "1", "1", "50%"], "Skills don't match": ["1", "0", "1", "50%"]}
    sla = c.get("/staff/reports/sla", query_string=PERIOD).get_data(as_text=True)
    measures = {k.split(" (")[0]: v for k, v in _table(sla, "By measure").items()}
    # first submission: TalentCo met on A (2 h) and B (5 h); BluePeak never answered A (due, missed)
    assert measures["Time to first submission"] == ["3", "3", "2", "67%", "3.5 h"]
    assert measures["Client review time"] == ["2", "2", "1", "50%", "31.0 h"]
    assert measures["Interview feedback time"] == ["1", "1", "1", "100%", "1.0 h"]
    assert "PRODUCT.md's defaults" in sla or "SLA policy" in sla
    # "due" and "within target" drill down to exactly the clocks they count, each with its outcome
    for metric, clock_, expected in (("releases", "due", 3), ("releases", "met", 2), ("review", "due", 2),
                                     ("review", "met", 1), ("feedback", "met", 1), ("releases", None, 3)):
        query = {**PERIOD, "metric": metric, **({"clock": clock_} if clock_ else {})}
        rows = c.get("/staff/reports/rows", query_string=query).get_data(as_text=True)
        assert rows.count('class="drill-row"') == expected, (metric, clock_)
    missed = c.get("/staff/reports/rows", query_string={**PERIOD, "metric": "releases", "clock": "due"})
    [late] = [r for r in missed.get_data(as_text=True).split('class="drill-row"')[1:] if "Missed" in r]
    assert "BluePeak Partners" in late


def test_filters_narrow_every_report(world, scenario, as_user):
    c = as_user("morgan")
    bluepeak = {**PERIOD, "supplier": world.oid("bluepeak")}
    funnel = _table(c.get("/staff/reports/funnel", query_string=bluepeak).get_data(as_text=True), "Funnel")
    assert funnel["Submitted"][0] == "0"
    globex = {**PERIOD, "client": world.oid("globex")}
    assert _table(c.get("/staff/reports/placements", query_string=globex).get_data(as_text=True),
                  "Total") == {"Placements": ["0"]}
    # a period before the scenario holds none of it
    before = {"period": "custom", "from": "2031-01-01", "to": "2031-03-02"}
    assert _table(c.get("/staff/reports/funnel", query_string=before).get_data(as_text=True),
                  "Funnel")["Submitted"][0] == "0"


@pytest.mark.parametrize("principal", ["morgan", "hana", "sam"])
def test_every_csv_holds_the_figures_of_its_page(app, world, scenario, as_user, principal):
    c = as_user(principal)
    for url in _report_urls(app, PORTAL_OF[principal], world):
        page = c.get(url, query_string=PERIOD)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        resp = c.get(url + ".csv", query_string=PERIOD)
        assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv"), url
        assert "attachment" in resp.headers["Content-Disposition"]
        rows = _csv(resp)
        titles = list(dict.fromkeys(r[0] for r in rows[1:]))
        assert titles, url
        for title in titles:
            exported = [[v for v in r[1:]] for r in rows[1:] if r[0] == title]
            shown = [r for r in _cells(html, title) if r != ["Nothing in this period."]]
            width = len(shown[0])
            assert [r[:width] for r in exported] == shown, (url, title)
            assert all(v == "" for r in exported for v in r[width:])  # padding of narrower tables only


def test_a_client_counts_only_what_it_can_see_and_no_other_companys_names(app, world, scenario, as_user):
    hana = as_user("hana")
    funnel = _table(hana.get("/client/reports/funnel", query_string=PERIOD).get_data(as_text=True), "Funnel")
    # c3 (rejected at screening) and c4 (withdrawn before screening) never reached Acme
    assert funnel["Submitted"][0] == "2" and funnel["Placed"][0] == "1"
    for url in _report_urls(app, "client", world):
        for query in (PERIOD, {"period": "year"}):
            for body in (hana.get(url, query_string=query).get_data(as_text=True),
                         hana.get(url + ".csv", query_string=query).data.decode("utf-8")):
                assert "Globex" not in body and "Leo Marchetti" not in body, url
    rows = hana.get("/client/reports/rows", query_string={**PERIOD, "metric": "submitted"}).get_data(as_text=True)
    assert rows.count('class="drill-row"') == 2 and "Cand Three" not in rows and "Cand Four" not in rows


def test_a_supplier_sees_only_its_own_figures(app, world, scenario, as_user):
    sam = as_user("sam")
    staff = as_user("morgan")
    own = {**PERIOD, "supplier": world.oid("talentco")}
    for slug in ("funnel", "rejections", "placements"):
        mine = sam.get(f"/supplier/reports/{slug}", query_string=PERIOD).get_data(as_text=True)
        theirs = staff.get(f"/staff/reports/{slug}", query_string=own).get_data(as_text=True)
        title = {"funnel": "Funnel", "rejections": "By reason", "placements": "By client"}[slug]
        assert _cells(mine, title) == _cells(theirs, title)
    for url in _report_urls(app, "supplier", world):
        for query in (PERIOD, {"period": "year"}):
            for body in (sam.get(url, query_string=query).get_data(as_text=True),
                         sam.get(url + ".csv", query_string=query).data.decode("utf-8")):
                assert "BluePeak" not in body and "Priya" not in body, url
    sla = sam.get("/supplier/reports/sla", query_string=PERIOD).get_data(as_text=True)
    assert _table(sla, "By measure")["Time to first submission (release → first submission)"][:3] == ["2", "2", "2"]
    # the hiring managers' page is not the supplier's
    assert sam.get("/supplier/reports/responsiveness").status_code == 404
    assert sam.get("/client/reports/responsiveness").status_code == 404


@pytest.mark.parametrize("query, status", [
    ({"period": "custom", "from": "2031-13-45", "to": "2031-03-06"}, 422),
    ({"period": "custom", "from": "nonsense", "to": ""}, 422),
    ({"period": "custom", "from": "2031-03-06", "to": "2031-03-01"}, 422),
    ({"period": "custom", "from": "0001-01-01", "to": "9999-12-31"}, 422),
    ({"client": "999999"}, 422),
    ({"client": "abc"}, 422),
    ({"supplier": "-1"}, 422),
    ({"supplier": "99999999999999999999"}, 422),
    ({"manager": "1 OR 1=1"}, 422),
    ({"period": "forever"}, 200),  # an unknown period falls back to the default
    ({"reason": "'; drop table"}, 200),  # the reason narrows drill-downs only
])
def test_bad_filters_get_a_clear_answer_never_a_500(world, as_user, query, status):
    c = as_user("morgan")
    for url in ("/staff/reports/funnel", "/staff/reports/scorecards", "/staff/reports/responsiveness"):
        resp = c.get(url, query_string=query)
        assert resp.status_code == status, (url, query, resp.status_code)
        if status == 422:
            body = resp.get_data(as_text=True)
            assert "There is a problem with the filters" in body and "Correct the filters" in body
            assert c.get(url + ".csv", query_string=query).status_code == 400
            partial = c.get(url, query_string=query, htmx=True)  # htmx swaps 422: the messages show
            assert partial.status_code == 422 and "There is a problem with the filters" in partial.get_data(as_text=True)
    rows = c.get("/staff/reports/rows", query_string={**query, "metric": "submitted"})
    assert rows.status_code == status
    assert c.get("/staff/reports/rows", query_string={"metric": "bogus"}).status_code == 422
    index = c.get("/staff/reports/rows")  # no figure named: the list of figures to choose from
    assert index.status_code == 200 and "Duplicates refused" in index.get_data(as_text=True)
    assert c.get("/staff/reports/scorecards/999999").status_code == 404
    assert c.get(f"/staff/reports/scorecards/{world.oid('acme')}").status_code == 404  # a client is no supplier


def test_a_client_cannot_filter_on_another_client(world, as_user):
    resp = as_user("hana").get("/client/reports/funnel", query_string={"client": world.oid("globex")})
    assert resp.status_code == 200  # a client has no client choice: the argument is ignored
    assert "Globex" not in resp.get_data(as_text=True)
    resp = as_user("olivia").get("/client/reports/responsiveness", query_string={"manager": world.uid("leo")})
    assert resp.status_code == 422 and "Leo" not in resp.get_data(as_text=True)


def test_charts_are_readable_without_colour_and_fragments_render_alone(world, scenario, as_user):
    c = as_user("morgan")
    page = c.get("/staff/reports/funnel", query_string=PERIOD).get_data(as_text=True)
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<title" in svg and "<desc" in svg and "Submitted 4" in svg
    assert ">Placed</text>" in svg and 'fill="url(#funnel-hatch)"' in svg
    resp = c.get("/staff/reports/funnel", query_string=PERIOD, htmx=True)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and body.lstrip().startswith('<div id="reports-body">')
    assert "HX-Request" in resp.headers.get("Vary", "")
    rows = c.get("/staff/reports/rows", query_string={**PERIOD, "metric": "placements"}, htmx=True)
    assert rows.get_data(as_text=True).lstrip().startswith('<div id="reports-rows">')


def test_the_index_lists_the_reports_of_each_portal(world, as_user):
    staff = as_user("morgan").get("/staff/reports").get_data(as_text=True)
    assert "Supplier scorecards" in staff and "Sales board" in staff
    supplier = as_user("sam").get("/supplier/reports").get_data(as_text=True)
    assert 'href="/supplier/scorecard"' in supplier  # the menu's "Scorecard" and the index both open it
    own = as_user("sam").get("/supplier/scorecard").get_data(as_text=True)
    assert "Scorecard: TalentCo Search" in own and "BluePeak" not in own
    assert "Supplier scorecards" not in supplier
    client = as_user("olivia").get("/client/reports").get_data(as_text=True)
    assert "Hiring-manager responsiveness" in client and "Supplier scorecards" not in client


def _more_data(world):
    """Two more suppliers and a Globex job with a decided submission, inside the scenario's period."""
    with system_scope("test"):
        for name in ("Extra Supplier One", "Extra Supplier Two"):
            db.session.add(Organisation(kind="supplier", name=name))
        db.session.commit()
    at(40)
    job = released(world, {"bluepeak": 1}, hm="leo", title="Scenario Globex job", submission_limit=10,
                   rate_max=90, rate_unit="hour")
    priya, leo, morgan = world.user("priya"), world.user("leo"), world.user("morgan")
    for n in ("Five", "Six", "Seven"):
        sub = _submit(priya, job, _candidate(priya, "Cand", n))
        if sub.stage == "submitted":
            _run(morgan, submissions.forward, sub)
        _run(leo, review.shortlist, sub)
    at(72)


@pytest.mark.parametrize("principal", ["morgan", "olivia", "sam"])
def test_report_pages_run_a_fixed_number_of_queries(app, world, scenario, as_user, principal):
    c = as_user(principal)
    urls = _report_urls(app, PORTAL_OF[principal], world)
    urls = [u + "?" + urlencode(PERIOD) for u in urls] + [u + ".csv?" + urlencode(PERIOD) for u in urls]
    with app.test_request_context():
        urls += [url_for(f"reports.{PORTAL_OF[principal]}_rows", metric=key, **PERIOD)
                 for key in ("submitted", "shortlisted", "releases", "review", "feedback", "placements", "filled")
                 if not (key in ("review", "feedback") and principal == "sam")]
    for url in urls:
        c.get(url)
    small = {}
    for url in urls:
        with count_queries() as n:
            assert c.get(url).status_code == 200, url
        small[url] = n[0]
    _more_data(world)
    for url in urls:
        with count_queries() as n:
            assert c.get(url).status_code == 200, url
        assert n[0] == small[url], f"{url}: {small[url]} queries before, {n[0]} with more suppliers and rows"


# --- the reviewer's findings: charts, typed dates, drill-downs, per-portal text ---------------------

def _svg(page: str) -> str:
    return page.split("<svg", 1)[1].split("</svg>", 1)[0]


def _links_of(page: str, title: str) -> dict[str, list[str]]:
    """The hrefs of each row of a report table, by its first cell."""
    section = page.split(f'data-table="{title}"', 1)[1].split("</section>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S)[1:]:
        first = unescape(re.sub(r"<[^>]+>", "", re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)[0])).strip()
        out[first] = [unescape(h) for h in re.findall(r'href="([^"]+)"', row)]
    return out


def _rows_count(c, href: str) -> int:
    body = c.get(href).get_data(as_text=True)
    return int(re.search(r'<strong class="rows-total">(\d+)</strong>', body).group(1))


def test_no_data_is_not_drawn_as_a_zero_bar():
    svg = bar_chart([("Known", 2.5), ("Unknown", None)], title="t", value_text=hours_text, chart_id="x")
    assert svg.count("chart-bar chart-ink") == 1 and ">no data</text>" in svg
    assert "Unknown: no data" in svg  # the description and the bar's title say so too
    assert ">0.0 h</text>" not in svg


def test_the_sla_chart_leaves_out_measures_without_data(world, as_user):
    # a period with no clocks at all: three "no data" labels, no bars (the table says "—")
    page = as_user("morgan").get("/staff/reports/sla", query_string={
        "period": "custom", "from": "2030-01-01", "to": "2030-01-31"}).get_data(as_text=True)
    svg = _svg(page)
    assert svg.count(">no data</text>") == 3 and "chart-bar" not in svg
    assert _table(page, "By measure")["Interview feedback time (interview end → feedback)"][3] == "—"


def test_bar_labels_read_like_the_table(world, scenario, as_user):
    c = as_user("morgan")
    sla = c.get("/staff/reports/sla", query_string=PERIOD).get_data(as_text=True)
    assert ">67%</text>" in _svg(sla) and ">100%</text>" in _svg(sla) and ">50%</text>" in _svg(sla)
    resp = c.get("/staff/reports/responsiveness", query_string=PERIOD).get_data(as_text=True)
    assert ">31.0 h</text>" in _svg(resp)  # Hana's median review time, as in the table
    ttf = c.get("/staff/reports/time-to-fill", query_string=PERIOD).get_data(as_text=True)
    assert ">2.6 d</text>" in _svg(ttf) and _table(ttf, "Summary")["Median time to fill"] == ["2.6 d"]
    assert bar_chart([("a", 21.0)], title="t", value_text=hours_text).count(">21.0 h</text>") == 1


def test_count_charts_have_whole_number_ticks(world, scenario, as_user):
    svg = bar_chart([("a", 5), ("b", 3)], title="t")
    ticks = re.findall(r'text-anchor="end" fill="#5b6474">([^<]+)</text>', svg)
    assert ticks == ["0", "2", "4", "6", "8"]
    assert re.findall(r'text-anchor="end" fill="#5b6474">([^<]+)</text>', bar_chart([("a", 3)], title="t")) == \
        ["0", "1", "2", "3", "4"]
    page = as_user("morgan").get("/staff/reports/funnel", query_string=PERIOD).get_data(as_text=True)
    ticks = re.findall(r'text-anchor="end" fill="#5b6474">([^<]+)</text>', _svg(page))
    assert ticks and all(t.isdigit() for t in ticks), ticks


def test_charts_take_the_portals_colour_and_keep_the_hatch(world, scenario, as_user):
    for user, portal in (("morgan", "staff"), ("hana", "client"), ("sam", "supplier")):
        body = as_user(user).get(f"/{portal}/reports/funnel", query_string=PERIOD).get_data(as_text=True)
        assert f"portal-{portal}" in body
        svg = _svg(body)
        assert "class=\"chart-bar chart-ink\"" in svg and 'class="chart-fill"' in svg and "-hatch)" in svg
    css = open("static/css/portal.css", encoding="utf-8").read()
    assert "svg.chart .chart-ink { stroke: var(--accent); }" in css


def test_typed_dates_make_the_period_custom(world, scenario, as_user):
    before = {"period": "90d", "from": "2031-01-01", "to": "2031-03-02"}  # not the 90 days' dates
    form = forms.parse(before)
    assert form.period == "custom" and str(form.filters.first_day) == "2031-01-01"
    assert form.args["period"] == "custom" and form.args["from"] == "2031-01-01"
    # choosing another preset without touching the dates the form showed keeps the preset
    shown = {"period": "30d", "from": "2030-12-04", "to": "2031-03-03", "shown_from": "2030-12-04",
             "shown_to": "2031-03-03"}
    assert forms.parse(shown).period == "30d"
    assert forms.parse({"period": "30d"}).period == "30d"
    c = as_user("morgan")
    page = c.get("/staff/reports/funnel", query_string=before).get_data(as_text=True)
    assert _table(page, "Funnel")["Submitted"][0] == "0"  # the last 90 days would hold the scenario's 4
    assert '<option value="custom" selected>' in page
    assert _table(c.get("/staff/reports/funnel", query_string={"period": "90d"}).get_data(as_text=True),
                  "Funnel")["Submitted"][0] == "4"


def test_a_drill_down_shows_its_filters_and_leads_back(world, scenario, as_user):
    c = as_user("morgan")
    acme = world.oid("acme")
    page = c.get("/staff/reports/funnel", query_string={**PERIOD, "client": acme}).get_data(as_text=True)
    [href] = _links_of(page, "Funnel")["Placed"]
    assert "report=funnel" in href
    rows = c.get(href).get_data(as_text=True)
    assert "Client: <strong>Acme Manufacturing</strong>" in rows
    back = re.search(r'› <a href="([^"]+)">Pipeline funnel</a>', rows).group(1)
    back = unescape(back)
    assert back.startswith("/staff/reports/funnel?") and f"client={acme}" in back and "from=2031-03-03" in back
    # the candidate opens the submission, the job order reference its job order
    [row] = rows.split('class="drill-row"')[1:]
    job_id = scenario["a"].id
    assert f'href="/staff/job-orders/{job_id}"' in row or f"/job-orders/{job_id}" in row
    assert f'>{scenario["a"].reference}</a>' in row
    supplier = c.get("/staff/reports/rows", query_string={**PERIOD, "metric": "submitted",
                                                          "supplier": world.oid("talentco")}).get_data(as_text=True)
    assert "Supplier: <strong>TalentCo Search</strong>" in supplier
    sam = as_user("sam").get("/supplier/reports/rows", query_string={**PERIOD, "metric": "placed"})
    sam = sam.get_data(as_text=True)
    assert f'>{scenario["a"].reference}</a>' in sam  # the supplier's own job order link


def test_the_scorecard_figures_drill_down_to_that_supplier_only(world, scenario, as_user):
    c = as_user("morgan")
    talentco = world.oid("talentco")
    card = c.get(f"/staff/reports/scorecards/{talentco}", query_string=PERIOD).get_data(as_text=True)
    [href] = _links_of(card, "Scorecard")["Submissions"]
    assert f"supplier={talentco}" in href and _rows_count(c, href) == 4
    rows = c.get(href).get_data(as_text=True)
    assert re.search(r'› <a href="/staff/reports/scorecards/%d\?[^"]*">Scorecard: TalentCo Search</a>' % talentco, rows)


def test_the_rows_index_has_a_filter_bar_in_a_card(world, as_user):
    page = as_user("morgan").get("/staff/reports/rows", query_string={"period": "30d"}).get_data(as_text=True)
    assert 'id="filter-period"' in page and 'id="filter-client"' in page
    index = page.split('id="reports-rows"', 1)[1]
    assert '<section class="card">' in index and "period=30d" in index
    assert "unless you filter" not in page


def test_every_placement_and_rejection_count_links_to_its_rows(world, scenario, as_user):
    c = as_user("morgan")
    placements = c.get("/staff/reports/placements", query_string=PERIOD).get_data(as_text=True)
    [month] = _links_of(placements, "By month")["2031-03"]
    assert "from=2031-03-03" in month and "to=2031-03-06" in month and _rows_count(c, month) == 1
    [am] = _links_of(placements, "By account manager")["Morgan Reyes"]
    assert f"account_manager={world.uid('morgan')}" in am and _rows_count(c, am) == 1
    assert "Account manager: <strong>Morgan Reyes</strong>" in c.get(am).get_data(as_text=True)
    unassigned = c.get("/staff/reports/rows", query_string={**PERIOD, "metric": "placements", "account_manager": 0})
    assert "Unassigned" in unassigned.get_data(as_text=True) and _rows_count(c, unassigned.request.full_path) == 0
    bad = c.get("/staff/reports/rows", query_string={**PERIOD, "metric": "placements", "account_manager": "x"})
    assert bad.status_code == 422
    rejections = c.get("/staff/reports/rejections", query_string=PERIOD).get_data(as_text=True)
    links = _links_of(rejections, "By reason")
    at_screen, by_client, total = links["Skills don't match"]
    assert "at=screening" in at_screen and _rows_count(c, at_screen) == 1 and _rows_count(c, by_client) == 0
    assert _rows_count(c, total) == 1
    _, rate_by_client, _ = links["Rate too high"]
    assert "at=client" in rate_by_client and _rows_count(c, rate_by_client) == 1
    assert "by the client" in c.get(rate_by_client).get_data(as_text=True)


def test_staff_only_text_and_columns_stay_with_staff(world, scenario, as_user):
    staff = as_user("morgan")
    assert "sales board" in staff.get("/staff/reports/placements", query_string=PERIOD).get_data(as_text=True)
    staff_rej = staff.get("/staff/reports/rejections", query_string=PERIOD).get_data(as_text=True)
    assert _cells(staff_rej, "By reason")[0][:3] == ["Reason", "At screening", "By the client"]
    hana = as_user("hana")
    for url in ("/client/reports/placements", "/client/reports/rejections"):
        body = hana.get(url, query_string=PERIOD).get_data(as_text=True)
        assert "sales board" not in body.lower() and "At screening" not in body, url
    assert _cells(hana.get("/client/reports/rejections", query_string=PERIOD).get_data(as_text=True),
                  "By reason")[0] == ["Reason", "Rejections", "Share"]
    assert "sales board" not in as_user("sam").get("/supplier/reports/placements").get_data(as_text=True).lower()


def test_text_columns_are_not_aligned_as_numbers(world, scenario, as_user):
    page = as_user("morgan").get("/staff/reports/time-to-fill", query_string=PERIOD).get_data(as_text=True)
    section = page.split('data-table="Job orders filled"', 1)[1].split("</section>", 1)[0]
    heads = re.findall(r'<th scope="col"( class="num")?>([^<]*)</th>', section)
    assert {h: bool(n) for n, h in heads} == {"Job order": False, "Title": False, "Client": False,
                                              "Approved": False, "Filled": False, "Time to fill": True}
    row = re.findall(r"<tr>(.*?)</tr>", section, re.S)[1]
    assert '<td class="num">2.6 d</td>' in row and "<td>Scenario job A</td>" in row
    reasons = as_user("morgan").get("/staff/reports/scorecards", query_string=PERIOD).get_data(as_text=True)
    assert '<th scope="col">Reason</th>' in reasons.split('data-table="Rejection reasons"', 1)[1]
    assert 'class="card-body report-note"' in reasons  # the table's note sits inside the card's padding
