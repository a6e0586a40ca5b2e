"""Offset pagination for lists whose address bar carries the page and the filters."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import request, url_for
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

#: Lists that can grow without bound count at most this many rows (`capped_count`): counting all of
#: 500,000 submissions took ~600 ms per page view for a number nobody pages through; past the cap
#: the page says "more than 1,000" and a filter or search narrows it.
COUNT_CAP = 1_000


def page_arg(name: str = "page", maximum: int = 10_000) -> int:
    """The ?page= number, clamped to 1..maximum; garbage means page 1, never a 500."""
    try:
        value = int(request.args.get(name, 1))
    except (TypeError, ValueError):
        return 1
    return min(max(value, 1), maximum)


@dataclass
class Page:
    number: int
    size: int
    total: int
    endpoint: str
    args: dict = field(default_factory=dict)

    def __init__(self, number: int, size: int, total: int, endpoint: str, **args):
        self.number, self.size, self.total, self.endpoint = number, size, total, endpoint
        self.args = {k: v for k, v in args.items() if v not in (None, "")}

    @property
    def capped(self) -> bool:
        """The total is a lower bound: `capped_count` stopped counting at COUNT_CAP."""
        return isinstance(self.total, CappedCount) and self.total > COUNT_CAP

    @property
    def total_label(self) -> str:
        return f"more than {COUNT_CAP:,}" if self.capped else f"{self.total:,}"

    @property
    def pages(self) -> int:
        pages = max(1, math.ceil(self.total / self.size))
        # Past the cap, one page beyond the counted ones stays reachable ("Next" keeps working).
        return pages if not self.capped else max(pages, self.number + 1)

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return self.number * self.size if self.capped else min(self.total, self.number * self.size)

    def url(self, number: int) -> str:
        return url_for(self.endpoint, page=number, **self.args)

    def window(self, radius: int = 2) -> list[int]:
        lo, hi = max(1, self.number - radius), min(self.pages, self.number + radius)
        return list(range(lo, hi + 1))


class CappedCount(int):
    """A row count from `capped_count`: COUNT_CAP + 1 means "more than COUNT_CAP"."""


def capped_count(stmt, cap: int = COUNT_CAP) -> CappedCount:
    """Rows of `stmt` (a select, ideally of one id column), counted no further than cap + 1."""
    from portal.db.statements import written
    from portal.extensions import db

    return CappedCount(db.session.scalar(
        select(func.count()).select_from(stmt.order_by(None).limit(written(cap + 1)).subquery())))


def page_window(stmt, page: int, size: int, *, written: bool = True):
    """`stmt` limited to page `page` of `size` rows; LIMIT and OFFSET written into the SQL as numbers
    (`statements.written`: PostgreSQL then keeps a generic plan) unless `written` is False, for the
    statements whose generic plan was measured worse that way."""
    from portal.db import statements

    limit, offset = size, (page - 1) * size
    if written:
        limit, offset = statements.written(limit), statements.written(offset)
    return stmt.limit(limit).offset(offset)


MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: a database id, 1 to MAX_ID. A larger number is no id at all, so
    the URL does not match (404) instead of overflowing the database driver (a 500 on SQLite)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def parse_id(value) -> int | None:
    """A database id from a query argument: a plain positive 32-bit integer, else None (never a 500)."""
    text = str(value or "").strip()
    if not text.isascii() or not text.isdecimal():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_arg(name: str) -> int | None:
    """The query argument `name` as an id filter (see parse_id)."""
    return parse_id(request.args.get(name))
