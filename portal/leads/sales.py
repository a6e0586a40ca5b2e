"""The sales board (opportunities by stage and account manager, value won, conversion) and its CSV."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from portal.leads import board as boards
from portal.leads import permissions, queries
from portal.leads.models import CURRENCIES, LABELS, LeadSource, LostReason, Stage
from portal.reports.charts import bar_chart
from portal.reports.export import csv_response
from portal.security.permissions import requires
from portal.web import nav
from portal.web.render import render

bp = Blueprint("sales", __name__, url_prefix="/staff/sales")

nav.add("staff", "sales.board", "Sales", permissions.SALES)


def _filters() -> tuple[str, int | None, str, list[tuple[int, str]]]:
    """(period key, owner id or None, currency, staff choices) from the query string, garbage ignored."""
    period_key = request.args.get("period")
    period_key = period_key if period_key in boards.PERIODS else boards.DEFAULT_PERIOD
    staff = queries.staff_choices()
    owner = request.args.get("owner", type=int)
    owner = owner if owner in {uid for uid, _ in staff} else None
    currency = (request.args.get("currency") or "").upper()
    if currency not in CURRENCIES:
        currency = current_app.config.get("SALES_CURRENCY", "USD")
    return period_key, owner, currency, staff


@bp.route("")
@requires(permissions.SALES)
def board():
    """Show the pipeline by stage and account manager, value won per month and conversion."""
    period_key, owner, currency, staff = _filters()
    data = boards.sales_board(period_key=period_key, owner_id=owner, currency=currency)
    chart = bar_chart(data.won_by_month, title=f"Value won per month ({currency})",
                      description=f"Value of opportunities won each month, {data.period.label.lower()}, in {currency}.",
                      value_text=lambda v: f"{currency} {v:,.0f}", chart_id="won-by-month")
    return render("leads/sales.html", fragment="sales_board", board=data, chart=chart, staff=staff,
                  periods=[(key, text) for key, (text, _) in boards.PERIODS.items()],
                  currencies=[(c, c) for c in CURRENCIES], period_key=period_key, owner=owner,
                  currency=currency)


@bp.route("/export.csv")
@requires(permissions.SALES)
def export():
    """Download the opportunities the board counts as CSV (opens cleanly in Excel)."""
    period_key, owner, _, _ = _filters()
    rows = boards.export_rows(period_key=period_key, owner_id=owner)
    header = ["Reference", "Opportunity", "Company", "Existing client", "Owner", "Stage", "Expected value",
              "Currency", "Expected close", "Created", "Won on", "Lost reason", "Source", "Lead"]

    def line(o):
        if o.lead is not None:
            source = LABELS[LeadSource].get(o.lead.source)
        else:
            source = "Upsell" if o.client_org_id else "Entered by hand"
        return [o.reference, o.name, o.company, o.client_org_id is not None, o.owner.name,
                LABELS[Stage][o.stage], o.expected_value, o.currency, o.close_date, o.created_at, o.won_at,
                LABELS[LostReason].get(o.lost_reason or ""), source, o.lead.reference if o.lead else None]

    return csv_response(f"sales-{period_key}.csv", header, (line(o) for o in rows))
