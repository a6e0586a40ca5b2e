"""Offset pagination for lists whose address bar carries the page and the filters."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask import request, url_for


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
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return 0 if self.total == 0 else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.size)

    def url(self, number: int) -> str:
        return url_for(self.endpoint, page=number, **self.args)

    def window(self, radius: int = 2) -> list[int]:
        lo, hi = max(1, self.number - radius), min(self.pages, self.number + radius)
        return list(range(lo, hi + 1))


MAX_ID = 2**31 - 1


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
