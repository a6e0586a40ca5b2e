"""How job order fields read to people: labels, formatting, the rows each audience sees, diffs.

One table (`FIELDS`) names every editable field, its label, how it is shown and whether
suppliers see it; the detail pages, the edit diff and the form's mass-assignment whitelist
all come from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.job_orders.models import (
    LABELS,
    CloseReason,
    EducationLevel,
    ExperienceLevel,
    JobStatus,
    LocationType,
    PositionType,
    Priority,
    RateType,
    RateUnit,
)

UNDISCLOSED = "Undisclosed"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text, long, enum, int, percent, weeks, date, bool, money, tags, user, currency
    enum: type | None = None
    supplier: bool = True


FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("title", "Job title"),
    FieldSpec("hiring_manager_id", "Hiring manager", "user", supplier=False),
    FieldSpec("industry", "Industry"),
    FieldSpec("category", "Category"),
    FieldSpec("experience_level", "Experience level", "enum", ExperienceLevel),
    FieldSpec("position_type", "Position type", "enum", PositionType),
    FieldSpec("openings", "Openings", "int"),
    FieldSpec("priority", "Priority", "enum", Priority),
    FieldSpec("location", "Location"),
    FieldSpec("location_type", "Location type", "enum", LocationType),
    FieldSpec("work_from_anywhere", "Work from anywhere", "bool"),
    FieldSpec("shift", "Shift"),
    FieldSpec("travel_percent", "Travel", "percent"),
    FieldSpec("start_date", "Start date", "date"),
    FieldSpec("duration_weeks", "Duration", "weeks"),
    FieldSpec("rate_type", "Rate type", "enum", RateType),
    FieldSpec("currency", "Currency", "currency"),
    FieldSpec("rate_unit", "Rate unit", "enum", RateUnit),
    FieldSpec("rate_min", "Minimum rate", "money"),
    FieldSpec("rate_max", "Maximum rate", "money"),
    FieldSpec("education_level", "Education level", "enum", EducationLevel),
    FieldSpec("summary", "Summary", "long"),
    FieldSpec("responsibilities", "Responsibilities", "long"),
    FieldSpec("requirements", "Requirements", "long"),
    FieldSpec("skills", "Skills", "tags"),
    FieldSpec("submission_limit", "Submission limit per supplier", "int"),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}
#: The only attributes a form may set (everything else in POST data is ignored).
EDITABLE = tuple(f.name for f in FIELDS)


def label_of(enum: type, value: str | None) -> str | None:
    if value in (None, ""):
        return None
    return LABELS[enum].get(value, value)


def status_label(value: str) -> str:
    return LABELS[JobStatus].get(value, value)


def close_reason_label(value: str | None) -> str | None:
    return label_of(CloseReason, value)


def money(value: Decimal | None) -> str | None:
    """70 -> "70", 70.5 -> "70.50", 120000 -> "120,000"."""
    if value is None:
        return None
    text = f"{Decimal(value):,.2f}"
    return text[:-3] if text.endswith(".00") else text


def rate_suffix(job) -> str:
    unit = job.rate_unit or "hour"
    return f"{job.currency or 'USD'}/{unit}"


def rate_label(job) -> str:
    return label_of(RateType, job.rate_type) or "Rate"


def rate_range(job) -> str | None:
    """"70–80 USD/hour", "from 70 USD/hour", "up to 80 USD/hour", or None when undisclosed."""
    lo, hi = money(job.rate_min), money(job.rate_max)
    if lo is None and hi is None:
        return None
    suffix = rate_suffix(job)
    if lo is not None and hi is not None:
        return f"{lo} {suffix}" if lo == hi else f"{lo}–{hi} {suffix}"
    return f"from {lo} {suffix}" if lo is not None else f"up to {hi} {suffix}"


def format_value(spec: FieldSpec, value, users: dict[int, str] | None = None) -> str | None:
    """A field's value as text, or None when undisclosed (templates show "Undisclosed")."""
    if value is None or value == "":
        return None
    kind = spec.kind
    if kind == "enum":
        return label_of(spec.enum, value)
    if kind == "bool":
        return "Yes" if value else "No"
    if kind == "percent":
        return f"{value}%"
    if kind == "weeks":
        return f"{value} week" + ("" if value == 1 else "s")
    if kind == "date":
        return value.strftime("%d %b %Y") if isinstance(value, date) else str(value)
    if kind == "money":
        return money(value)
    if kind == "user":
        return (users or {}).get(value, "a former colleague")
    return str(value)


def detail_rows(job, *, audience: str, hiring_manager: str | None = None) -> list[tuple[str, str | None]]:
    """(label, text or None) rows of the job's short fields for one audience.

    Suppliers never get the hiring manager; nobody gets internal notes here (staff read them
    from their own section). Long texts and skills are shown by the page separately.
    """
    rows: list[tuple[str, str | None]] = []
    skip = {"title", "summary", "responsibilities", "requirements", "skills",
            "rate_type", "currency", "rate_unit", "rate_min", "rate_max"}
    for spec in FIELDS:
        if spec.name in skip or (audience == "supplier" and not spec.supplier):
            continue
        if spec.kind == "user":
            rows.append((spec.label, hiring_manager))
            continue
        if spec.name == "openings":
            rows.append((spec.label, str(job.openings)))
            continue
        rows.append((spec.label, format_value(spec, getattr(job, spec.name))))
        if spec.name == "duration_weeks":
            rows.append((rate_label(job), rate_range(job)))
    return rows


def _diff_label(spec: FieldSpec, rate_name: str) -> str:
    if spec.name == "rate_min":
        return f"Minimum {rate_name.lower()}"
    if spec.name == "rate_max":
        return f"Maximum {rate_name.lower()}"
    return spec.label


def diff(job, new: dict, users: dict[int, str] | None = None) -> list[dict]:
    """Field-by-field changes between `job` and `new` values, in form order.

    Each change: {"field", "label", "old", "new", "supplier"}; long texts record that they
    changed ("updated"), not their whole text. Money shows its unit on the new side:
    "Maximum bill rate: 70 → 80 USD/hour".
    """
    changes = []
    rate_name = label_of(RateType, new.get("rate_type", job.rate_type)) or "Rate"
    for spec in FIELDS:
        if spec.name not in new:
            continue
        old_value, new_value = getattr(job, spec.name), new[spec.name]
        if _same(old_value, new_value):
            continue
        entry = {"field": spec.name, "label": _diff_label(spec, rate_name), "supplier": spec.supplier}
        if spec.kind == "long":
            entry.update(old=None, new="updated")
        else:
            old_text = format_value(spec, old_value, users) or UNDISCLOSED
            new_text = format_value(spec, new_value, users) or UNDISCLOSED
            if spec.kind == "money" and new_value is not None:
                currency = new.get("currency", job.currency) or "USD"
                unit = new.get("rate_unit", job.rate_unit) or "hour"
                new_text = f"{new_text} {currency}/{unit}"
            entry.update(old=old_text, new=new_text)
        changes.append(entry)
    return changes


def _same(a, b) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        try:
            return a is not None and b is not None and Decimal(a) == Decimal(b)
        except Exception:  # noqa: BLE001 - not comparable means changed
            return False
    return a == b


def change_text(change: dict) -> str:
    """"Maximum bill rate: 70 → 80 USD/hour" or "Requirements: updated"."""
    if change.get("old") is None:
        return f"{change['label']}: {change['new']}"
    return f"{change['label']}: {change['old']} → {change['new']}"


def changes_text(changes: list[dict]) -> str:
    return "; ".join(change_text(c) for c in changes)
