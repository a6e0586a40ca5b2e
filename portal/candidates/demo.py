"""Demo candidates: a realistic pool with small PDF résumés for TalentCo and BluePeak, and a
fast bulk pool (no files) for each `seed-demo --scale` step.

Idempotent: a candidate is looked up by supplier and normalised e-mail before it is made.
The PDFs are written here, in code (a minimal PDF with Helvetica text that pypdf reads back);
nothing is downloaded.
"""
from __future__ import annotations

import random
import textwrap
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal import clock
from portal.accounts.models import Organisation, User
from portal.candidates.models import Candidate, CandidateSkill, WorkAuthorisation
from portal.candidates.services import CandidateData, attach_resume, create_candidate
from portal.db.bulk import bulk_insert
from portal.events.models import Event
from portal.extensions import db
from portal.files.documents import inspect_document

# (recruiter e-mail, first, last, e-mail, phone, location, title, years, skills, authorisation, résumé?)
PEOPLE = [
    ("sam@talentco.example", "Ada", "Okonkwo", "ada.okonkwo@example.com", "(312) 555-0142", "Chicago, IL",
     "Senior Software Engineer", 9, ["Python", "Django", "PostgreSQL", "AWS", "Docker"], "citizen", True),
    ("sam@talentco.example", "Marcus", "Feld", "marcus.feld@example.net", "(414) 555-0187", "Milwaukee, WI",
     "Controls Engineer", 12, ["PLC", "Allen-Bradley", "SCADA", "AutoCAD Electrical"], "permanent_resident", True),
    ("sam@talentco.example", "Priscilla", "Tan", "priscilla.tan@example.com", "(313) 555-0119", "Detroit, MI",
     "Quality Engineer", 6, ["Six Sigma", "ISO 9001", "SPC", "Minitab"], "work_visa", True),
    ("sam@talentco.example", "Diego", "Ramírez", "diego.ramirez@example.org", "(815) 555-0163", "Rockford, IL",
     "CNC Machinist", 8, ["CNC", "G-code", "Mastercam", "GD&T"], "citizen", True),
    ("sam@talentco.example", "Hannah", "Lindqvist", "hannah.lindqvist@example.com", "(612) 555-0178",
     "Minneapolis, MN (remote)", "Data Analyst", 4, ["SQL", "Power BI", "Python", "Excel"], "work_permit", True),
    ("sam@talentco.example", "Samuel", "Adeyemi", "samuel.adeyemi@example.net", "(317) 555-0131", "Indianapolis, IN",
     "Mechanical Design Engineer", 5, ["SolidWorks", "FEA", "DFM"], "citizen", False),
    ("priya@bluepeak.example", "Grace", "Whitfield", "grace.whitfield@example.com", "(860) 555-0124", "Hartford, CT",
     "Senior Claims Adjuster", 7, ["Property claims", "Xactimate", "Guidewire ClaimCenter"], "citizen", True),
    ("priya@bluepeak.example", "Rohan", "Mehta", "rohan.mehta@example.org", "(646) 555-0193", "New York, NY",
     "Actuarial Analyst", 3, ["SAS", "R", "Excel VBA", "Prophet"], "work_visa", True),
    ("priya@bluepeak.example", "Elena", "Popescu", "elena.popescu@example.com", "(773) 555-0158", "Chicago, IL",
     "Senior Software Engineer", 10, ["Java", "Spring Boot", "Kafka", "AWS"], "permanent_resident", True),
    ("priya@bluepeak.example", "Tomás", "Novák", "tomas.novak@example.net", "(614) 555-0116", "Columbus, OH",
     "Underwriting Assistant", 2, ["Commercial lines", "Excel", "Duck Creek"], "citizen", True),
    ("priya@bluepeak.example", "Keisha", "Brown", "keisha.brown@example.com", "(602) 555-0171", "Phoenix, AZ",
     "Customer Service Representative", 5, ["Spanish", "Salesforce", "Call centre"], "citizen", True),
    ("priya@bluepeak.example", "Wei", "Zhang", "wei.zhang@example.org", "+1 206 555 0135", "Seattle, WA (remote)",
     "QA Automation Engineer", 6, ["Selenium", "Cypress", "Python", "CI/CD"], "needs_sponsorship", False),
]

_EMPLOYERS = ["Lakeshore Industrial", "Meridian Systems", "Harbor Mutual", "Crescent Analytics",
              "Northfield Components", "Summit Health Partners", "Redwood Logistics", "Bayview Software"]
_SCHOOLS = ["University of Illinois", "Purdue University", "University of Michigan", "Ohio State University",
            "Arizona State University", "University of Washington", "Rutgers University"]


# --- a minimal, valid PDF ------------------------------------------------------------------

def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def make_pdf(heading: str, lines: list[str]) -> bytes:
    """A one-page Letter PDF: `heading` in bold, then `lines` (wrapped, at most 45 printed) in Helvetica."""
    ops = [b"BT", b"/F2 18 Tf", b"72 720 Td", _pdf_string(heading) + b" Tj", b"/F1 11 Tf", b"15 TL", b"0 -10 Td"]
    wrapped = [part for line in lines for part in (textwrap.wrap(line, 90, subsequent_indent="    ") or [""])]
    for line in wrapped[:45]:
        ops.append(b"T* " + _pdf_string(line) + b" Tj")
    ops.append(b"ET")
    content = b"\n".join(ops)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def resume_pdf(first: str, last: str, email: str, phone: str, location: str, title: str, years: int,
               skills: list[str], seed: int = 0) -> bytes:
    """A plausible one-page résumé for a demo candidate."""
    rnd = random.Random(f"{first} {last} {seed}")
    now_year = clock.now().year
    employers = rnd.sample(_EMPLOYERS, 2)
    split = max(1, years // 2)
    lines = [
        f"{title} · {location}",
        f"{email} · {phone}",
        "",
        "SUMMARY",
        f"{title} with {years} years of experience. Strengths: {', '.join(skills[:3])}.",
        "",
        "SKILLS",
        ", ".join(skills),
        "",
        "EXPERIENCE",
        f"{title}, {employers[0]} ({now_year - split}–present)",
        f"  - Delivered projects using {skills[0]} and {skills[-1]} with cross-functional teams.",
        "  - Mentored colleagues and improved the team's processes and documentation.",
        f"{title.replace('Senior ', '')}, {employers[1]} ({now_year - years}–{now_year - split})",
        f"  - Worked daily with {', '.join(skills[1:3]) or skills[0]}.",
        "",
        "EDUCATION",
        f"{rnd.choice(_SCHOOLS)}, {now_year - years - 4}",
    ]
    return make_pdf(f"{first} {last}", lines)


# --- the demo pool -------------------------------------------------------------------------

def seed_candidates(made: dict) -> None:
    """Create the demo candidates (with résumés) that are missing. Runs inside seed_demo (system scope)."""
    made.setdefault("candidates", 0)
    max_mb = current_app.config["MAX_UPLOAD_MB"]
    recruiters = {u.email: u for u in db.session.scalars(
        select(User).where(User.email.in_({p[0] for p in PEOPLE})))}
    for index, (recruiter_email, first, last, email, phone, location, title, years, skills, auth, with_resume) \
            in enumerate(PEOPLE):
        actor = recruiters.get(recruiter_email)
        if actor is None:
            continue
        exists = db.session.scalar(select(Candidate.id).where(
            Candidate.supplier_org_id == actor.org_id, Candidate.email_normalised == email.lower()))
        if exists:
            continue
        data = CandidateData(first_name=first, last_name=last, email=email, phone=phone, location=location,
                             current_title=title, years_experience=years, skills=list(skills),
                             work_authorisation=auth,
                             available_from=clock.now().date() + timedelta(days=7 * (index % 5)))
        candidate, _ = create_candidate(actor, data)
        if with_resume:
            pdf = resume_pdf(first, last, email, phone, location, title, years, skills)
            name = f"{first} {last} - Resume.pdf"
            attach_resume(actor, candidate, inspect_document(name, pdf, max_mb), pdf)
        made["candidates"] += 1


def seed_demo_candidates(made: dict, scale: int = 1) -> None:
    """The demo pool, plus BULK_PER_STEP candidates per `--scale` step (called once by portal.demo.seed_demo)."""
    seed_candidates(made)
    for step in range(2, scale + 1):
        # The suppliers portal.demo makes for this step, and the two demo suppliers (their lists grow).
        names = [f"Supplier {step:04d}-{k}" for k in range(3)] + ["TalentCo Search", "BluePeak Partners"]
        seed_bulk_candidates(step, names, made)


# --- the bulk pool of `--scale` -----------------------------------------------------------------

_FIRST = ["James", "Maria", "Wei", "Fatima", "Liam", "Sofia", "Noah", "Aisha", "Lucas", "Mei", "Omar", "Emma",
          "Mateo", "Zara", "Ethan", "Priya", "Kofi", "Chloe", "Ivan", "Yuki"]
_LAST = ["Smith", "Garcia", "Chen", "Khan", "Johnson", "Rossi", "Kim", "Okafor", "Müller", "Silva", "Novak",
         "Haddad", "Nguyen", "Brown", "Kowalski", "Patel", "Larsen", "Mensah", "Ivanova", "Tanaka"]
_ROLES = [("Software Engineer", ["Python", "Java", "SQL", "AWS", "React"]),
          ("Data Analyst", ["SQL", "Excel", "Tableau", "Python"]),
          ("Claims Adjuster", ["Property claims", "Xactimate", "Customer service"]),
          ("Maintenance Technician", ["PLC", "Hydraulics", "Electrical"]),
          ("Project Manager", ["PMP", "Agile", "Jira", "Budgeting"]),
          ("Accountant", ["GAAP", "SAP", "Excel", "Reconciliation"])]
_CITIES = ["Chicago, IL", "Dallas, TX", "Atlanta, GA", "Denver, CO", "Boston, MA", "Phoenix, AZ", "Remote"]
#: 30 per supplier of the step (and 30 more for each demo supplier): each scale supplier has a pool
#: large enough to fill its limit on every job order released to it.
BULK_PER_STEP = 150


def seed_bulk_candidates(step: int, supplier_names: list[str], made: dict) -> None:
    """Add BULK_PER_STEP candidates (no résumé files) for scale step `step`, spread over the suppliers named.

    Bulk inserts: a few statements per step whatever its size; idempotent by supplier + e-mail.
    """
    made.setdefault("candidates", 0)
    suppliers = list(db.session.scalars(select(Organisation).where(Organisation.name.in_(supplier_names))
                                        .order_by(Organisation.name)))
    if not suppliers:
        return
    actors = {u.org_id: u for u in db.session.scalars(
        select(User).where(User.org_id.in_([s.id for s in suppliers])).order_by(User.id))}
    rnd = random.Random(step)
    now = clock.now()
    wanted = []
    for i in range(BULK_PER_STEP):
        supplier = suppliers[i % len(suppliers)]
        first, last = rnd.choice(_FIRST), rnd.choice(_LAST)
        title, skills = rnd.choice(_ROLES)
        email = f"{first}.{last}.{step}-{i}@candidates.example".lower()
        wanted.append((supplier, first, last, email, title, rnd.sample(skills, k=min(3, len(skills)))))
    have = set(db.session.execute(select(Candidate.supplier_org_id, Candidate.email_normalised).where(
        Candidate.email_normalised.in_([w[3] for w in wanted]))).all())
    rows, skills_of = [], {}
    for supplier, first, last, email, title, skills in wanted:
        if (supplier.id, email) in have:
            continue
        actor = actors.get(supplier.id)
        rows.append({
            "supplier_org_id": supplier.id, "first_name": first, "last_name": last, "email": email,
            "email_normalised": email, "location": rnd.choice(_CITIES), "current_title": title,
            "years_experience": rnd.randint(1, 20), "work_authorisation": rnd.choice(list(WorkAuthorisation)[:5]).value,
            "available_from": now.date() + timedelta(days=rnd.randint(0, 60)),
            "created_by_id": actor.id if actor else None, "created_at": now, "updated_at": now,
        })
        skills_of[(supplier.id, email)] = skills
    if not rows:
        return
    ids = bulk_insert(Candidate, rows)
    created = [(cid, r["supplier_org_id"], r["email_normalised"], r["first_name"], r["last_name"], r["created_by_id"])
               for cid, r in zip(ids, rows)]
    skill_rows, events = [], []
    for cid, supplier_id, email, first, last, actor_id in created:
        for position, name in enumerate(skills_of[(supplier_id, email)]):
            skill_rows.append({"candidate_id": cid, "supplier_org_id": supplier_id, "name": name,
                               "key": name.lower(), "position": position})
        events.append({"verb": "candidate.created", "actor_user_id": actor_id,
                       "actor_org_id": supplier_id if actor_id else None,
                       "subject_type": "candidate", "subject_id": cid, "supplier_org_id": supplier_id,
                       "internal": False, "summary": f"Demo data added candidate {first} {last}",
                       "data": {}, "occurred_at": now})
    bulk_insert(CandidateSkill, skill_rows)
    bulk_insert(Event, events)
    made["candidates"] += len(created)
