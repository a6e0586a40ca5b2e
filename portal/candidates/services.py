"""State changes of the candidate pool: add and edit candidates, attach résumés.

Called by the supplier views (and by the demo seeder) with the acting supplier user; each
service validates its invariants, flushes, and records an event stamped with the supplier,
and never commits. Invariants that races could break live in the database: one candidate per
normalised e-mail and per normalised phone within a supplier, one current résumé per
candidate, one candidate per "add candidate" form submission (its request key). When a
flush trips one of them the service rolls the failed transaction back and raises a
`CandidateError` naming what collided.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import phonenumbers
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from portal import clock
from portal.accounts.models import User
from portal.accounts.services import normalise_email
from portal.candidates.models import Candidate, CandidateSkill, Resume, WorkAuthorisation
from portal.errors import Refusal
from portal.events.services import record
from portal.extensions import db
from portal.files.documents import Document
from portal.files.storage import stage

MAX_SKILLS = 30
MAX_SKILL_LENGTH = 50
MAX_YEARS = 70

#: Form field -> what a person calls it, for the "what changed" of an update event.
FIELD_LABELS = {
    "first_name": "first name", "last_name": "last name", "email": "e-mail", "phone": "phone",
    "location": "location", "current_title": "title", "years_experience": "experience",
    "work_authorisation": "work authorisation", "work_authorisation_other": "work authorisation",
    "available_from": "availability", "skills": "skills",
}


class CandidateError(Refusal):
    """A refusal about a candidate; `existing` is the candidate a duplicate collided with (in the
    same supplier's pool)."""

    def __init__(self, message: str, field: str | None = None, status: int = 422,
                 existing: Candidate | None = None):
        super().__init__(message, field, status)
        self.existing = existing


@dataclass
class CandidateData:
    """What a person may set on a candidate; nothing else reaches the row (no mass assignment)."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    location: str | None = None
    current_title: str | None = None
    years_experience: int | None = None
    skills: list[str] = field(default_factory=list)
    work_authorisation: str | None = None
    work_authorisation_other: str | None = None
    available_from: date | None = None


# --- normalisation -------------------------------------------------------------------------

def normalise_phone(raw: str | None, region: str | None = None) -> str | None:
    """E.164 form of a phone number (`+` and digits), read in `region` when it has no country code.

    Raises CandidateError when it cannot be a phone number.
    """
    if raw is None or not raw.strip():
        return None
    region = region or current_app.config.get("PHONE_REGION", "US")
    message = "Enter a phone number such as (312) 555-0142, or with its country code, such as +44 20 7946 0958."
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise CandidateError(message, "phone") from exc
    if not phonenumbers.is_possible_number(number):
        raise CandidateError(message, "phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_SKILL_SPLIT = re.compile(r"[,;\n]+")


def split_skills(raw: str | None) -> list[str]:
    """Skill tags from "Python, SQL; AWS": trimmed, single-spaced, first spelling kept per tag."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in _SKILL_SPLIT.split(raw or ""):
        tag = " ".join(part.split())
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            tags.append(tag)
    return tags


def _clean(data: CandidateData) -> dict:
    """Column values for `data`, or CandidateError for the first field that is not acceptable."""
    first, last = (data.first_name or "").strip(), (data.last_name or "").strip()
    if not first:
        raise CandidateError("Enter the candidate's first name.", "first_name")
    if not last:
        raise CandidateError("Enter the candidate's last name.", "last_name")
    email = normalise_email(data.email or "") or None
    phone_normalised = normalise_phone(data.phone)
    if not email and not phone_normalised:
        raise CandidateError("Enter an e-mail address or a phone number: they tell this candidate apart "
                             "from other people.", "email")
    years = data.years_experience
    if years is not None and not 0 <= years <= MAX_YEARS:
        raise CandidateError(f"Enter years of experience between 0 and {MAX_YEARS}.", "years_experience")
    auth = data.work_authorisation or None
    if auth is not None and auth not in {w.value for w in WorkAuthorisation}:
        raise CandidateError("Choose a work authorisation from the list.", "work_authorisation")
    auth_other = (data.work_authorisation_other or "").strip() or None
    if auth == WorkAuthorisation.OTHER and not auth_other:
        raise CandidateError("Describe the work authorisation.", "work_authorisation_other")
    if auth != WorkAuthorisation.OTHER:
        auth_other = None
    skills = data.skills
    if len(skills) > MAX_SKILLS:
        raise CandidateError(f"Enter at most {MAX_SKILLS} skills.", "skills")
    too_long = next((s for s in skills if len(s) > MAX_SKILL_LENGTH), None)
    if too_long:
        raise CandidateError(f"Keep each skill to {MAX_SKILL_LENGTH} characters or fewer "
                             f"(“{too_long[:20]}…” is longer). Separate skills with commas.", "skills")
    return {
        "first_name": first,
        "last_name": last,
        "email": (data.email or "").strip() or None,
        "email_normalised": email,
        "phone": (data.phone or "").strip() or None,
        "phone_normalised": phone_normalised,
        "location": (data.location or "").strip() or None,
        "current_title": (data.current_title or "").strip() or None,
        "years_experience": years,
        "work_authorisation": auth,
        "work_authorisation_other": auth_other,
        "available_from": data.available_from,
    }


# --- duplicates ----------------------------------------------------------------------------

def _duplicate_of(supplier_org_id: int, values: dict, exclude_id: int | None) -> None:
    """Refuse when another candidate of the same supplier has this e-mail or phone (409)."""
    for column, value, fieldname, what in (
        (Candidate.email_normalised, values["email_normalised"], "email", "e-mail address"),
        (Candidate.phone_normalised, values["phone_normalised"], "phone", "phone number"),
    ):
        if not value:
            continue
        stmt = select(Candidate).where(Candidate.supplier_org_id == supplier_org_id, column == value)
        if exclude_id is not None:
            stmt = stmt.where(Candidate.id != exclude_id)
        existing = db.session.scalars(stmt.limit(1)).first()
        if existing is not None:
            raise CandidateError(f"{existing.full_name} already has this {what} in your candidate pool.",
                                 fieldname, 409, existing=existing)


# --- candidates ----------------------------------------------------------------------------

def _require_supplier(actor: User, candidate: Candidate | None = None) -> None:
    if actor.portal != "supplier":
        raise CandidateError("Only a supplier's people change its candidates.", status=403)
    if candidate is not None and candidate.supplier_org_id != actor.org_id:
        raise CandidateError("This candidate is not in your pool.", status=404)


def _skill_rows(candidate: Candidate, names: list[str]) -> None:
    """Make the candidate's skill rows match `names` (reusing rows by key: no delete-then-insert clash)."""
    by_key = {s.key: s for s in candidate.skills}
    rows = []
    for position, name in enumerate(names):
        key = name.lower()
        row = by_key.pop(key, None)
        if row is None:
            row = CandidateSkill(supplier_org_id=candidate.supplier_org_id, name=name, key=key)
        row.name, row.position = name, position
        rows.append(row)
    candidate.skills = rows


def find_by_request_key(actor: User, request_key: str | None) -> Candidate | None:
    """The candidate an earlier submission of the same "add candidate" form created, if any."""
    if not request_key:
        return None
    return db.session.scalars(select(Candidate).where(
        Candidate.supplier_org_id == actor.org_id, Candidate.request_key == request_key)).first()


def create_candidate(actor: User, data: CandidateData, *, request_key: str | None = None) -> tuple[Candidate, bool]:
    """Add a candidate to the actor's supplier pool; returns (candidate, created).

    A request key already used by this supplier returns that candidate with created=False,
    so a double click or a refreshed POST adds one candidate.
    """
    _require_supplier(actor)
    earlier = find_by_request_key(actor, request_key)
    if earlier is not None:
        return earlier, False
    values = _clean(data)
    _duplicate_of(actor.org_id, values, None)
    candidate = Candidate(supplier_org_id=actor.org_id, created_by_id=actor.id, request_key=request_key or None,
                          **values)
    _skill_rows(candidate, data.skills)
    db.session.add(candidate)
    try:
        db.session.flush()
    except IntegrityError:
        # A concurrent request won: the same form submitted twice, or the same person added twice.
        db.session.rollback()
        earlier = find_by_request_key(actor, request_key)
        if earlier is not None:
            return earlier, False
        _duplicate_of(actor.org_id, values, None)
        raise
    record(actor, "candidate.created", candidate, f"{actor.name} added candidate {candidate.full_name}",
           supplier_org_id=actor.org_id)
    return candidate, True


def update_candidate(actor: User, candidate: Candidate, data: CandidateData) -> list[str]:
    """Change a candidate's details; returns the labels of what changed (nothing recorded if nothing did)."""
    _require_supplier(actor, candidate)
    values = _clean(data)
    _duplicate_of(candidate.supplier_org_id, values, candidate.id)
    changed = [name for name, value in values.items()
               if name in FIELD_LABELS and getattr(candidate, name) != value]
    if candidate.skill_names != data.skills:
        changed.append("skills")
        _skill_rows(candidate, data.skills)
    if not changed:
        return []
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.updated_at = clock.now()
    try:
        db.session.flush()
    except IntegrityError:
        # Someone added a candidate with this e-mail or phone since the check above.
        db.session.rollback()
        _duplicate_of(actor.org_id, values, candidate.id)
        raise
    labels = list(dict.fromkeys(FIELD_LABELS[name] for name in changed))
    record(actor, "candidate.updated", candidate,
           f"{actor.name} updated {candidate.full_name}: {', '.join(labels)}",
           supplier_org_id=candidate.supplier_org_id, data={"changed": labels})
    return labels


# --- résumés -------------------------------------------------------------------------------

def current_resume(candidate: Candidate) -> Resume | None:
    return db.session.scalars(select(Resume).where(
        Resume.candidate_id == candidate.id, Resume.is_current.is_(True))).first()


def attach_resume(actor: User, candidate: Candidate, document: Document, data: bytes) -> tuple[Resume, bool]:
    """Store an inspected résumé as the candidate's current one; returns (resume, created).

    The file is written first under a random key and tied to this transaction (kept only if it
    commits). The same file as the current résumé (same SHA-256) is not stored twice.
    """
    _require_supplier(actor, candidate)
    current = current_resume(candidate)
    if current is not None and current.sha256 == document.sha256:
        return current, False
    key = stage(db.session, data)
    db.session.execute(
        update(Resume).where(Resume.candidate_id == candidate.id, Resume.is_current.is_(True))
        .values(is_current=False).execution_options(synchronize_session="fetch"))
    resume = Resume(candidate_id=candidate.id, supplier_org_id=candidate.supplier_org_id, storage_key=key,
                    original_name=document.name, content_type=document.content_type, size=document.size,
                    sha256=document.sha256, uploaded_by_id=actor.id, text=document.text, is_current=True)
    db.session.add(resume)
    candidate.resume_text = document.text
    candidate.updated_at = clock.now()
    name = candidate.full_name
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise CandidateError(f"Another résumé was uploaded for {name} at the same moment. "
                             "Reload the page to see which one is current.", "resume", 409) from exc
    verb = "replaced the résumé of" if current is not None else "uploaded a résumé for"
    record(actor, "candidate.resume_uploaded", candidate, f"{actor.name} {verb} {name} ({document.name})",
           supplier_org_id=candidate.supplier_org_id,
           data={"resume_id": resume.id, "size": document.size, "content_type": document.content_type,
                 "sha256": document.sha256})
    return resume, True
