"""The sales board (by stage, by account manager, value won per month, conversion; filters), its
CSV export (BOM, formulas neutralised) and the reusable CSV and SVG helpers."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.leads import board, services
from portal.reports.charts import bar_chart, compact, nice_ceiling
from portal.reports.export import BOM, cell, to_csv

UTC = timezone.utc
FORMULA = '=HYPERLINK("http://evil.example","Click")'


def at(y, m, d) -> None:
    clock.freeze(datetime(y, m, d, 12, 0, tzinfo=UTC))


@pytest.fixture
def ola(app):
    """A new account manager with a known history: 4 leads since April, 2 won (USD), 1 lost, 1 open (EUR)."""
    with system_scope("test"):
        agency = db.session.scalar(select(Organisation).where(Organisation.kind == "agency"))
        morgan = db.session.scalar(select(User).where(User.email == "morgan@northwind.example"))
        ola = User(org_id=agency.id, portal="staff", email="ola@northwind.example", name="Ola Berg",
                   role="account_manager", status="active")
        db.session.add(ola)
        db.session.flush()
        at(2026, 4, 2)
        leads = [services.create_lead(morgan, source="referral", company_name=name, contact_name="C",
                                      email=f"c@{i}.example", phone=None, roles="Clerks", headcount=1,
                                      location=None, start_date=None, details=None, assign_to=ola.id,
                                      notify=False)[0]
                 for i, name in enumerate(["North Co", FORMULA, "+Plus Ltd", "West Co"])]
        opps = [services.qualify(ola, lead, name=lead.company_name, owner_id=ola.id, expected_value=value,
                                 currency=currency)
                for lead, value, currency in zip(leads, ("5000", "10000", "3000", "7000"), ("USD", "USD", "USD", "EUR"))]
        at(2026, 4, 20)
        services.move_stage(ola, opps[0], "won")
        at(2026, 5, 9)
        services.move_stage(ola, opps[2], "lost", lost_reason="price")
        at(2026, 6, 10)
        services.move_stage(ola, opps[1], "won")
        services.move_stage(ola, opps[3], "proposal")
        at(2026, 6, 15)
        db.session.commit()
        return ola.id


def test_the_board_counts_by_stage_owner_month_and_conversion(ola):
    with system_scope("test"):
        _board_counts(ola)


def _board_counts(ola):
    b = board.sales_board(period_key="3m", owner_id=ola, currency="USD")
    stages = {row.stage: (row.count, row.value) for row in b.by_stage}
    assert stages == {"new": (0, 0), "contacted": (0, 0), "meeting": (0, 0), "proposal": (1, 0),
                      "won": (2, Decimal("15000")), "lost": (1, Decimal("3000"))}
    assert b.won_by_month == [("Apr 2026", Decimal("5000")), ("May 2026", 0), ("Jun 2026", Decimal("10000"))]
    assert (b.leads, b.leads_won, b.conversion) == (4, 2, 0.5)
    assert b.other_currencies == 1
    [row] = b.by_owner
    assert (row.name, row.leads, row.open_count, row.won_count, row.won_value, row.lost_count) == (
        "Ola Berg", 4, 1, 2, Decimal("15000"), 1)
    # the open one counts in its own currency; a shorter period drops April's win and the leads
    assert board.sales_board(period_key="3m", owner_id=ola, currency="EUR").by_stage[3].value == Decimal("7000")
    one = board.sales_board(period_key="ytd", owner_id=ola, currency="USD")
    assert len(one.won_by_month) == 6 and one.won_total == Decimal("15000")
    at(2026, 7, 1)
    later = board.sales_board(period_key="3m", owner_id=ola, currency="USD")
    assert [m for m, _ in later.won_by_month] == ["May 2026", "Jun 2026", "Jul 2026"]
    assert later.won_total == Decimal("10000") and later.leads == 0


def test_the_board_page_filters_and_draws_its_chart(ola, as_user):
    c = as_user("morgan")
    text = c.get(f"/staff/sales?period=3m&owner={ola}&currency=USD").get_data(as_text=True)
    assert "50%" in text and "2 of 4 leads" in text and "USD 15,000" in text
    svg = text.split("<svg")[1].split("</svg>")[0]
    assert 'role="img"' in svg and "Jun 2026" in svg and "10k" in svg and "<script" not in svg
    assert "1 opportunity in other currencies" in text
    resp = c.get(f"/staff/sales?period=3m&owner={ola}", htmx=True)
    assert resp.get_data(as_text=True).lstrip().startswith('<div id="sales-board">')
    everyone = c.get("/staff/sales?period=3m").get_data(as_text=True)
    assert "Ola Berg" in everyone and "Morgan Reyes" in everyone


def test_the_csv_export_opens_cleanly_and_neutralises_formulas(ola, as_user):
    resp = as_user("nadia").get(f"/staff/sales/export.csv?period=3m&owner={ola}")
    assert resp.status_code == 200
    assert resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="sales-3m.csv"'
    assert resp.headers["Cache-Control"] == "no-store"
    raw = resp.get_data()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Reference", "Opportunity", "Company"] and len(rows) == 5
    names = {r[1] for r in rows[1:]}
    assert "'" + FORMULA in names and "'+Plus Ltd" in names and FORMULA not in names
    won = [r for r in rows[1:] if r[5] == "Won"]
    assert sorted(r[6] for r in won) == ["10000.00", "5000.00"] and {r[12] for r in won} == {"Referral"}


@pytest.mark.parametrize("value,expected", [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"),
    ("\rx", "'\rx"), ("plain", "plain"), ("a=b", "a=b"), (None, ""), (Decimal("5"), "5.00"),
    (date(2026, 1, 2), "2026-01-02"), (datetime(2026, 1, 2, 3, 4, tzinfo=UTC), "2026-01-02 03:04"),
    (True, "yes"), (12, "12"),
])
def test_cells_are_text_and_never_formulas(value, expected):
    assert cell(value) == expected


def test_to_csv_quotes_what_needs_quoting():
    text = to_csv(["Name", "Note"], [["Smith, Jane", 'said "hi"\nthen left'], ["Zoë", "-5"]])
    assert text.startswith(BOM)
    assert list(csv.reader(io.StringIO(text[1:]))) == [
        ["Name", "Note"], ["Smith, Jane", 'said "hi"\nthen left'], ["Zoë", "'-5"]]


def test_the_bar_chart_is_accessible_svg_without_script_or_inline_style():
    svg = str(bar_chart([("Jan <b>", Decimal("1500")), ("Feb", 0), ("Mar", 12500)], title="Won & lost",
                        chart_id="Test Chart!"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="test-chart--title test-chart--desc"' in svg
    assert "<title id=\"test-chart--title\">Won &amp; lost</title>" in svg
    assert "Jan &lt;b&gt;: 1.5k; Feb: 0; Mar: 12.5k." in svg  # the description reads the data
    assert "Jan <b>" not in svg and "style=" not in svg and "<script" not in svg
    assert 'fill="url(#test-chart--hatch)"' in svg and svg.count("<rect x=") == 2  # no bar for zero
    assert ">12.5k</text>" in svg and ">0</text>" in svg
    assert "rotate(-40" not in svg  # three labels fit side by side
    many = str(bar_chart([(f"Month {i}", i) for i in range(24)], title="t"))
    assert "rotate(-40" in many
    assert "No data." in str(bar_chart([], title="Nothing"))


@pytest.mark.parametrize("value,expected", [(0, 1), (0.4, 0.5), (7, 10), (15000, 20000), (2400, 2500), (100, 100)])
def test_axis_tops_are_round(value, expected):
    assert nice_ceiling(value) == expected


def test_compact_numbers():
    assert [compact(v) for v in (12, 1500, 12500, 3_400_000, 2_000_000_000, 2.5)] == [
        "12", "1.5k", "12.5k", "3.4M", "2B", "2.50"]
