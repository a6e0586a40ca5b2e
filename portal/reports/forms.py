"""The filter bar of every report and scorecard: period (last 30 / 90 days, this quarter, custom
from–to), client, supplier and hiring manager, read from the query string.

Dates typed into "From" / "To" count whatever the Period says: when they differ from the dates the
form showed for its preset (the hidden `shown_from` / `shown_to`; without them, from the preset's own
dates) the period is custom. Choosing another preset without touching the dates keeps the preset.

Bad input never reaches a query: an unknown period falls back to the default, a malformed date, a
"from" after "to", or an id that is not among the viewer's choices is an error shown next to the
field with status 422 (the CSV export: 400) — the same answer whether the id exists or not, so it
reveals nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from portal import clock
from portal.reports.metrics import REJECTED_AT, UNASSIGNED, Filters, day_start
from portal.web.pagination import parse_id

PERIODS = {"30d": "Last 30 days", "90d": "Last 90 days", "quarter": "This quarter", "year": "Last 12 months",
           "custom": "From – to"}
DEFAULT_PERIOD = "90d"
#: The longest custom period (a guard against a ten-thousand-year range).
MAX_DAYS = 3660


@dataclass
class FilterForm:
    """What the person chose (echoed back into the form) and the filters it means, or errors."""

    period: str = DEFAULT_PERIOD
    start_text: str = ""
    end_text: str = ""
    client: int | None = None
    supplier: int | None = None
    manager: int | None = None
    reason: str | None = None
    #: Drill-down narrowings (rejections: "screening" / "client"; placements: an account manager).
    at: str | None = None
    account_manager: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    filters: Filters | None = None

    @property
    def args(self) -> dict:
        """The query arguments that reproduce these filters (for CSV and drill-down links)."""
        out = {"period": self.period, "client": self.client, "supplier": self.supplier, "manager": self.manager}
        if self.period == "custom":
            out.update({"from": self.start_text, "to": self.end_text})
        return {k: v for k, v in out.items() if v not in (None, "")}

    @property
    def narrowing(self) -> dict:
        """The drill-down's own narrowings, to keep when its page changes."""
        out = {"reason": self.reason, "at": self.at, "account_manager": self.account_manager}
        return {k: v for k, v in out.items() if v is not None}


def _preset(period: str, today: date) -> tuple[date, date]:
    if period == "30d":
        return today - timedelta(days=29), today
    if period == "90d":
        return today - timedelta(days=89), today
    if period == "year":
        return today - timedelta(days=364), today
    return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today  # this quarter


def _typed_dates(args, period: str, today: date) -> bool:
    """Whether the person typed dates for a preset period: "from" / "to" differ from the ones the
    form showed (or, without those, from the preset's own)."""
    typed = [(args.get(name) or "").strip()[:10] for name in ("from", "to")]
    if not any(typed):
        return False
    first, last = _preset(period, today)
    shown = [(args.get("shown_from") or first.isoformat()).strip()[:10],
             (args.get("shown_to") or last.isoformat()).strip()[:10]]
    return any(t and t != s for t, s in zip(typed, shown))


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip()) if text and len(text.strip()) == 10 else None
    except ValueError:
        return None


def _choice(args, name: str, allowed: set[int] | None, label: str, errors: dict) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw or allowed is None:
        return None
    value = parse_id(raw)
    if value is None or value not in allowed:
        errors[name] = f"Choose a {label} from the list: that {label} is not one you can report on."
        return None
    return value


def parse(args, *, clients: set[int] | None = None, suppliers: set[int] | None = None,
          managers: set[int] | None = None) -> FilterForm:
    """Read the filters; `clients` / `suppliers` / `managers` are the ids the viewer may choose
    (None: the viewer has no such choice and the argument is ignored)."""
    form = FilterForm()
    period = args.get("period") or DEFAULT_PERIOD
    form.period = period if period in PERIODS else DEFAULT_PERIOD
    today = clock.now().date()
    if form.period != "custom" and _typed_dates(args, form.period, today):
        form.period = "custom"
    label = PERIODS[form.period]
    if form.period != "custom":
        first, last = _preset(form.period, today)
    else:
        form.start_text = (args.get("from") or "")[:10]
        form.end_text = (args.get("to") or "")[:10]
        first, last = _date(form.start_text), _date(form.end_text)
        if first is None:
            form.errors["from"] = "Enter the first day as a date, like 2026-01-31."
        if last is None:
            form.errors["to"] = "Enter the last day as a date, like 2026-03-31."
        if first and last:
            if first > last:
                form.errors["to"] = "The last day must be the same as or after the first day."
            elif (last - first).days > MAX_DAYS:
                form.errors["to"] = "Choose a period of ten years or less."
        label = f"{first} to {last}" if first and last else label
    if form.period != "custom":
        form.start_text, form.end_text = first.isoformat(), last.isoformat()
    form.client = _choice(args, "client", clients, "client", form.errors)
    form.supplier = _choice(args, "supplier", suppliers, "supplier", form.errors)
    form.manager = _choice(args, "manager", managers, "hiring manager", form.errors)
    reason = args.get("reason")
    form.reason = reason[:20] if isinstance(reason, str) else None
    form.at = args.get("at") if args.get("at") in REJECTED_AT else None  # anything else: no narrowing
    raw_am = (args.get("account_manager") or "").strip()
    if raw_am:
        form.account_manager = UNASSIGNED if raw_am == str(UNASSIGNED) else parse_id(raw_am)
        if form.account_manager is None:
            form.errors["account_manager"] = "Choose an account manager from the report's table."
    if not form.errors:
        form.filters = Filters(start=day_start(first), end=day_start(last + timedelta(days=1)),
                               client_id=form.client, supplier_id=form.supplier, manager_id=form.manager,
                               reason=form.reason, at=form.at, account_manager_id=form.account_manager,
                               label=label)
    return form
