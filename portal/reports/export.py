"""CSV exports that open cleanly in Excel and cannot smuggle formulas.

UTF-8 with a byte-order mark (so Excel reads accents and non-Latin names correctly), written
with the `csv` module (quoting, commas and line breaks in cells handled), CRLF line ends, and
every cell that begins with =, +, -, @, a tab or a carriage return prefixed with a single
quote, so a spreadsheet shows it as text instead of evaluating it (OWASP "CSV injection").
"""
from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Sequence

from flask import Response

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def cell(value: Any) -> str:
    """One value as the text of a cell: None is empty, dates are ISO, formulas are neutralised."""
    if value is None:
        text = ""
    elif isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, Decimal):
        text = f"{value:.2f}"
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    return text


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """The whole CSV document as text, BOM first."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return buffer.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Response:
    """A download of the CSV (never cached: it holds staff data)."""
    name = _SAFE_NAME.sub("-", filename).strip("-") or "export"
    if not name.endswith(".csv"):
        name += ".csv"
    resp = Response(to_csv(header, rows).encode("utf-8"), mimetype="text/csv")
    resp.headers["Content-Type"] = "text/csv; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "no-store"
    return resp
