"""Demo candidates: realistic pools with real PDF résumés, idempotent, and a bulk pool per --scale step."""
from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy import func, select

from portal.candidates.demo import BULK_PER_STEP, PEOPLE, make_pdf
from portal.candidates.models import Candidate, CandidateSkill, Resume
from portal.db.tenancy import system_scope
from portal.demo import seed_demo
from portal.events.models import Event
from portal.extensions import db
from portal.files.storage import get_storage


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_demo_pools_have_real_resumes(app, world):
    with system_scope("test"):
        for org in ("talentco", "bluepeak"):
            emails = {p[3] for p in PEOPLE if p[0].endswith(f"@{org}.example")}
            assert _count(Candidate, Candidate.supplier_org_id == world.oid(org),
                          Candidate.email_normalised.in_(emails)) == len(emails)
        resumes = list(db.session.scalars(select(Resume).join(Candidate).where(
            Candidate.email_normalised.in_({p[3] for p in PEOPLE}))))
        assert len(resumes) == sum(1 for p in PEOPLE if p[-1])
        for r in resumes:
            with get_storage().open(r.storage_key) as fh:
                data = fh.read()
            reader = PdfReader(io.BytesIO(data))
            assert r.candidate.first_name in reader.pages[0].extract_text()
            assert r.candidate.last_name in r.text and r.size == len(data)


def test_seed_demo_twice_adds_no_candidate(app, world):
    with system_scope("test"):
        before = (_count(Candidate), _count(Resume), _count(CandidateSkill))
        made = seed_demo()
        assert made["candidates"] == 0
        assert (_count(Candidate), _count(Resume), _count(CandidateSkill)) == before


def test_scale_adds_a_bulk_pool_per_step_once(app, world):
    with system_scope("test"):
        before = _count(Candidate)
        created_events = _count(Event, Event.verb == "candidate.created")
        made = seed_demo(scale=2)
        assert made["candidates"] == BULK_PER_STEP
        assert _count(Candidate) == before + BULK_PER_STEP
        assert _count(Event, Event.verb == "candidate.created") == created_events + BULK_PER_STEP
        assert seed_demo(scale=2)["candidates"] == 0
        assert _count(Candidate) == before + BULK_PER_STEP
        bulk = db.session.scalars(select(Candidate).where(Candidate.email_normalised.like("%@candidates.example"))).all()
        assert {c.supplier.name for c in bulk} >= {"TalentCo Search", "BluePeak Partners", "Supplier 0002-0"}
        assert all(c.skills and c.current_title for c in bulk)


def test_make_pdf_escapes_and_encodes():
    pdf = make_pdf("Zoë (CV) \\ test", ["Line with (parentheses) and é"])
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Zoë (CV) \\ test" in text and "Line with (parentheses) and é" in text
