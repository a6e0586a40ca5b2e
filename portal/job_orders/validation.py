"""Checking and normalising what people type into a job order (the services' last line of defence).

The form speaks to the user first; `clean` guards every other caller (the CLI, the demo, a
forged request) and keeps only the editable fields (`display.EDITABLE`).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select

from portal import clock
from portal.accounts.models import Role, User, UserStatus
from portal.extensions import db
from portal.job_orders import display
from portal.job_orders.errors import JobOrderError
from portal.job_orders.models import CURRENCIES, LABELS, JobOrder, Priority

CLIENT_ROLES = (Role.HIRING_MANAGER.value, Role.CLIENT_ADMIN.value)
_MAX_LEN = {"title": 200, "industry": 120, "category": 120, "location": 200, "shift": 120,
            "summary": 4000, "responsibilities": 8000, "requirements": 8000, "skills": 1000}
_RANGES = {"openings": (1, 999), "travel_percent": (0, 100), "duration_weeks": (1, 520),
           "submission_limit": (1, 50)}
_ENUMS = {spec.name: spec.enum for spec in display.FIELDS if spec.kind == "enum"}
MAX_RATE = Decimal("9999999999.99")


def normalise_skills(raw: str | None) -> str | None:
    """"python, SQL ,Python" -> "python, SQL" (first spelling wins, order kept)."""
    seen, tags = set(), []
    for part in (raw or "").split(","):
        tag = " ".join(part.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return ", ".join(tags) or None


def clean(actor: User, client_org_id: int, data: dict, *, current: JobOrder | None = None) -> dict:
    """The editable values of `data`, normalised and checked; anything else in `data` is ignored.

    Raises JobOrderError with every problem found (the form normally catches them first;
    this guards the CLI, the demo and forged requests).
    """
    values = {name: data[name] for name in display.EDITABLE if name in data}
    errors: list[tuple[str, str]] = []
    for name, value in list(values.items()):
        if isinstance(value, str):
            value = value.strip() or None
            values[name] = value
        if name in _MAX_LEN and value is not None and len(value) > _MAX_LEN[name]:
            errors.append((name, f"{display.FIELD_BY_NAME[name].label} is too long."))
        if name in _ENUMS and value is not None and value not in LABELS[_ENUMS[name]]:
            errors.append((name, f"Choose a {display.FIELD_BY_NAME[name].label.lower()} from the list."))
        if name in _RANGES and value is not None:
            lo, hi = _RANGES[name]
            if not isinstance(value, int) or not lo <= value <= hi:
                errors.append((name, f"{display.FIELD_BY_NAME[name].label} must be from {lo} to {hi}."))
    if "skills" in values:
        values["skills"] = normalise_skills(values["skills"])
    if not values.get("title", current.title if current else None):
        errors.append(("title", "Enter a job title."))
    if "openings" in values and values["openings"] is None:
        errors.append(("openings", "Enter the number of openings."))
    if "submission_limit" in values and values["submission_limit"] is None:
        values["submission_limit"] = 3
    if "priority" in values and values["priority"] is None:
        values["priority"] = Priority.NORMAL.value
    if "work_from_anywhere" in values:
        values["work_from_anywhere"] = bool(values["work_from_anywhere"])
    if "currency" in values:
        values["currency"] = (values["currency"] or "USD").upper()
        if values["currency"] not in CURRENCIES:
            errors.append(("currency", "Choose a currency from the list."))
    for name in ("rate_min", "rate_max"):
        if values.get(name) is not None:
            try:
                amount = Decimal(values[name])
                if not amount.is_finite() or amount < 0 or amount > MAX_RATE:
                    raise InvalidOperation
                values[name] = amount.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError, TypeError):
                errors.append((name, f"{display.FIELD_BY_NAME[name].label} must be a positive amount."))
                values[name] = None
    lo = values.get("rate_min", current.rate_min if current else None)
    hi = values.get("rate_max", current.rate_max if current else None)
    if lo is not None and hi is not None and lo > hi:
        errors.append(("rate_min", "The minimum rate can't be more than the maximum rate."))
    start = values.get("start_date")
    if start is not None:
        if not isinstance(start, date):
            errors.append(("start_date", "Enter the start date as a real date."))
        elif start < clock.now().date() and not (current is not None and current.start_date == start):
            errors.append(("start_date", "The start date can't be in the past."))
    if values.get("hiring_manager_id") is not None:
        if values["hiring_manager_id"] not in dict(hiring_manager_choices(client_org_id)):
            errors.append(("hiring_manager_id", "Choose a hiring manager of the company."))
    if errors:
        raise JobOrderError(errors[0][1], errors[0][0], errors=errors)
    return values


def hiring_manager_choices(client_org_id: int) -> list[tuple[int, str]]:
    """Active hiring managers and client admins of a client, as (id, name)."""
    return [(u.id, u.name) for u in db.session.scalars(
        select(User).where(User.org_id == client_org_id, User.status == UserStatus.ACTIVE.value,
                           User.role.in_(CLIENT_ROLES)).order_by(User.name))]


def missing_for_review(job: JobOrder) -> list[tuple[str, str]]:
    """What a draft still needs before staff can review it, as (field, message)."""
    problems = []
    if not job.position_type:
        problems.append(("position_type", "Choose the position type before submitting."))
    if not job.location_type:
        problems.append(("location_type", "Choose the location type before submitting."))
    if not job.summary:
        problems.append(("summary", "Write a short summary before submitting."))
    if job.start_date is not None and job.start_date < clock.now().date():
        problems.append(("start_date", "The start date is in the past: change it before submitting."))
    return problems
