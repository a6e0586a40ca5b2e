"""Reads of the sales board: pipeline by stage and by account manager, value won per month,
and the conversion rate from leads to won — for a period and, optionally, one account manager.

Definitions (said on the page too): the open pipeline is as it stands today; won and lost
count what closed within the period; conversion is the share of the period's leads whose
opportunity is won. Values are summed in one currency at a time (never across currencies).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import joinedload

from portal import clock
from portal.accounts.models import User
from portal.extensions import db
from portal.leads.models import LABELS, OPEN_STAGES, Lead, Opportunity, Stage

#: key -> (label, months; None = since 1 January).
PERIODS = {"3m": ("Last 3 months", 3), "6m": ("Last 6 months", 6), "12m": ("Last 12 months", 12),
           "24m": ("Last 24 months", 24), "ytd": ("This year", None)}
DEFAULT_PERIOD = "12m"
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Period:
    key: str
    label: str
    start: datetime
    end: datetime
    months: tuple[tuple[int, int], ...]


def period(key: str | None, now: datetime | None = None) -> Period:
    """The period `key` ending now (unknown keys mean the default), in whole calendar months."""
    key = key if key in PERIODS else DEFAULT_PERIOD
    now = now or clock.now()
    text, n = PERIODS[key]
    if n is None:
        n = now.month
    year, month = now.year, now.month
    months = []
    for _ in range(n):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    start = datetime(months[0][0], months[0][1], 1, tzinfo=timezone.utc)
    return Period(key, text, start, now, tuple(months))


@dataclass
class StageRow:
    stage: str
    label: str
    count: int
    value: Decimal
    scope: str  # "today" (open pipeline) or "period" (won/lost within it)


@dataclass
class OwnerRow:
    name: str
    leads: int = 0
    leads_won: int = 0
    open_count: int = 0
    open_value: Decimal = ZERO
    won_count: int = 0
    won_value: Decimal = ZERO
    lost_count: int = 0

    @property
    def conversion(self) -> float | None:
        return self.leads_won / self.leads if self.leads else None


@dataclass
class Board:
    period: Period
    owner_id: int | None
    currency: str
    by_stage: list[StageRow] = field(default_factory=list)
    by_owner: list[OwnerRow] = field(default_factory=list)
    won_by_month: list[tuple[str, Decimal]] = field(default_factory=list)
    leads: int = 0
    leads_won: int = 0
    other_currencies: int = 0

    @property
    def conversion(self) -> float | None:
        return self.leads_won / self.leads if self.leads else None

    @property
    def won_total(self) -> Decimal:
        return sum((v for _, v in self.won_by_month), ZERO)


def _in_scope(p: Period, owner_id: int | None):
    """Opportunities the board counts: open today, or won/lost within the period."""
    clause = or_(Opportunity.stage.in_([s.value for s in OPEN_STAGES]),
                 and_(Opportunity.stage == Stage.WON.value, Opportunity.won_at >= p.start),
                 and_(Opportunity.stage == Stage.LOST.value, Opportunity.closed_at >= p.start))
    if owner_id:
        clause = and_(clause, Opportunity.owner_id == owner_id)
    return clause


def _value_in(currency: str):
    return func.coalesce(func.sum(case((Opportunity.currency == currency, Opportunity.expected_value), else_=0)), 0)


def sales_board(*, period_key: str | None, owner_id: int | None, currency: str) -> Board:
    p = period(period_key)
    board = Board(p, owner_id, currency)
    scope = _in_scope(p, owner_id)

    per = {(stage, owner): (n, Decimal(v)) for stage, owner, n, v in db.session.execute(
        select(Opportunity.stage, Opportunity.owner_id, func.count(Opportunity.id), _value_in(currency))
        .where(scope).group_by(Opportunity.stage, Opportunity.owner_id)).all()}
    for stage in Stage:
        n = sum(c for (s, _), (c, _) in per.items() if s == stage.value)
        v = sum((val for (s, _), (_, val) in per.items() if s == stage.value), ZERO)
        board.by_stage.append(StageRow(stage.value, LABELS[Stage][stage.value], n, v,
                                       "today" if stage in OPEN_STAGES else "period"))

    leads_stmt = (select(Lead.assigned_to_id, func.count(Lead.id),
                         func.count(Opportunity.id).filter(Opportunity.stage == Stage.WON.value))
                  .outerjoin(Opportunity, Opportunity.lead_id == Lead.id)
                  .where(Lead.created_at >= p.start).group_by(Lead.assigned_to_id))
    if owner_id:
        leads_stmt = leads_stmt.where(Lead.assigned_to_id == owner_id)
    leads = {who: (n, won) for who, n, won in db.session.execute(leads_stmt).all()}
    board.leads = sum(n for n, _ in leads.values())
    board.leads_won = sum(w for _, w in leads.values())

    people = set(o for _, o in per) | {who for who in leads if who is not None}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(people))).all()) if people else {}
    rows: dict[int | None, OwnerRow] = {}
    for (stage, owner), (n, v) in per.items():
        row = rows.setdefault(owner, OwnerRow(names.get(owner, "—")))
        if stage == Stage.WON.value:
            row.won_count, row.won_value = row.won_count + n, row.won_value + v
        elif stage == Stage.LOST.value:
            row.lost_count += n
        else:
            row.open_count, row.open_value = row.open_count + n, row.open_value + v
    for who, (n, won) in leads.items():
        row = rows.setdefault(who, OwnerRow(names.get(who, "Not assigned") if who else "Not assigned"))
        row.leads, row.leads_won = n, won
    board.by_owner = sorted(rows.values(), key=lambda r: (r.name == "Not assigned", r.name.lower()))

    won_stmt = select(Opportunity.won_at, Opportunity.expected_value).where(
        Opportunity.stage == Stage.WON.value, Opportunity.won_at >= p.start, Opportunity.currency == currency)
    if owner_id:
        won_stmt = won_stmt.where(Opportunity.owner_id == owner_id)
    monthly: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    for won_at, value in db.session.execute(won_stmt).all():
        won_at = won_at if won_at.tzinfo else won_at.replace(tzinfo=timezone.utc)
        monthly[(won_at.year, won_at.month)] += value or ZERO
    board.won_by_month = [(datetime(y, m, 1).strftime("%b %Y"), monthly[(y, m)]) for y, m in p.months]
    board.other_currencies = db.session.scalar(
        select(func.count(Opportunity.id)).where(scope, Opportunity.currency != currency))
    return board


def export_rows(*, period_key: str | None, owner_id: int | None) -> list[Opportunity]:
    """The opportunities the board counts, for the CSV export (every currency, each on its row)."""
    p = period(period_key)
    return list(db.session.scalars(
        select(Opportunity).where(_in_scope(p, owner_id))
        .options(joinedload(Opportunity.owner), joinedload(Opportunity.client), joinedload(Opportunity.lead))
        .order_by(Opportunity.created_at, Opportunity.id)))
