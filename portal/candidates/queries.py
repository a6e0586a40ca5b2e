"""Reads of the candidate pool, always through the caller's tenancy scope.

List pages cost a fixed number of queries whatever the pool's size: one count, one page of
candidates, one for their skills, one for their current résumés (without the résumé text).
"""
from __future__ import annotations

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import defer, joinedload, selectinload

from portal.candidates.models import Candidate, CandidateSkill, Resume
from portal.events.models import Event
from portal.extensions import db

PAGE_SIZE = 25
MAX_TERMS = 6
MAX_TERM_LENGTH = 60


def search_terms(q: str | None) -> list[str]:
    """Lower-case words of a search; every word must match somewhere ("python chicago")."""
    words = (q or "").lower().split()
    return [w[:MAX_TERM_LENGTH] for w in words[:MAX_TERMS]]


def _term_matches(term: str):
    skill = exists(select(CandidateSkill.id).where(
        CandidateSkill.candidate_id == Candidate.id, CandidateSkill.key.contains(term, autoescape=True)))
    return or_(
        func.lower(Candidate.first_name).contains(term, autoescape=True),
        func.lower(Candidate.last_name).contains(term, autoescape=True),
        Candidate.email_normalised.contains(term, autoescape=True),
        func.lower(Candidate.current_title).contains(term, autoescape=True),
        func.lower(Candidate.location).contains(term, autoescape=True),
        func.lower(Candidate.resume_text).contains(term, autoescape=True),
        skill,
    )


def candidate_page(*, q: str | None, page: int, supplier_org_id: int | None = None, with_supplier: bool = False):
    """(candidates, total) of one page, newest change first, matching every word of `q`."""
    stmt = select(Candidate)
    for term in search_terms(q):
        stmt = stmt.where(_term_matches(term))
    if supplier_org_id:
        stmt = stmt.where(Candidate.supplier_org_id == supplier_org_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.with_only_columns(Candidate.id).subquery()))
    options = [
        defer(Candidate.resume_text),
        selectinload(Candidate.skills),
        selectinload(Candidate.current_resume).load_only(
            Resume.id, Resume.candidate_id, Resume.original_name, Resume.content_type, Resume.uploaded_at),
    ]
    if with_supplier:
        options.append(joinedload(Candidate.supplier))
    rows = list(db.session.scalars(
        stmt.options(*options).order_by(Candidate.updated_at.desc(), Candidate.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)))
    return rows, total


def candidate_options():
    """Loader options for one candidate's page."""
    return (selectinload(Candidate.skills), joinedload(Candidate.supplier), joinedload(Candidate.created_by))


def resume_history(candidate: Candidate) -> list[Resume]:
    """Every résumé of a candidate, newest first (without their text)."""
    return list(db.session.scalars(
        select(Resume).options(defer(Resume.text), joinedload(Resume.uploaded_by))
        .where(Resume.candidate_id == candidate.id).order_by(Resume.id.desc())))


def candidate_events(candidate: Candidate, limit: int = 20) -> list[Event]:
    """What happened to a candidate, newest first, as the caller may see it."""
    return list(db.session.scalars(
        select(Event).where(Event.subject_type == Candidate.__tablename__, Event.subject_id == candidate.id)
        .order_by(Event.id.desc()).limit(limit)))
