"""The invitation of a confirmed interview as an iCalendar file (RFC 5545), per audience.

One VEVENT with a stable UID (the same interview keeps its UID when re-downloaded; SEQUENCE grows
with each new proposal), DTSTART/DTEND in UTC, the place as LOCATION (and a video link as URL too),
the agency as ORGANIZER (the portal arranges interviews between the parties) and the interviewers
as ATTENDEEs; the supplier's and staff's files add the candidate, whose e-mail a client never gets.
"""
from __future__ import annotations

import re
from email.utils import parseaddr

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import select

from portal import clock
from portal.candidates.models import Candidate
from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.interviews.models import Interview, InterviewKind
from portal.job_orders.models import JobOrder
from portal.submissions.models import Submission


def _address(email: str, name: str | None, role: str | None = None) -> vCalAddress:
    addr = vCalAddress(f"mailto:{email}")
    if name:
        addr.params["cn"] = vText(name)
    if role:
        addr.params["role"] = vText(role)
    return addr


def _host() -> str:
    base = current_app.config.get("BASE_URL") or "portal.invalid"
    return re.sub(r"^https?://", "", base).split("/")[0] or "portal.invalid"


def invitation(interview: Interview, sub: Submission, *, audience: str) -> tuple[bytes, str]:
    """(the .ics bytes, a file name) for a confirmed interview, as `audience` may read it."""
    with system_scope("names for an interview invitation"):
        row = db.session.execute(
            select(Candidate.first_name, Candidate.last_name, Candidate.email, JobOrder.reference, JobOrder.title)
            .select_from(Submission).join(Candidate, Candidate.id == Submission.candidate_id)
            .join(JobOrder, JobOrder.id == Submission.job_order_id).where(Submission.id == sub.id)).one()
    candidate = f"{row.first_name} {row.last_name}"
    kind = InterviewKind(interview.kind)
    cal = Calendar()
    cal.add("prodid", "-//Northwind Staffing//Staffing portal//EN")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    ev = Event()
    ev.add("uid", f"interview-{interview.id}@{_host()}")
    ev.add("sequence", interview.proposal)
    ev.add("dtstamp", clock.now())
    ev.add("dtstart", interview.starts_at)
    ev.add("dtend", interview.ends_at)
    ev.add("summary", f"Interview: {candidate} for {row.reference} {row.title}")
    ev.add("location", interview.location)
    if kind == InterviewKind.VIDEO:
        ev.add("url", interview.location)
    lines = [f"{kind.label} interview of {candidate} for {row.reference} {row.title}."]
    people = interview.interviewers or []
    if people:
        lines.append("Interviewers: " + "; ".join(p.get("name") or p.get("email") for p in people) + ".")
    if interview.note:
        lines.append(interview.note)
    ev.add("description", "\n".join(lines))
    ev.add("status", "CONFIRMED")
    sender_name, sender = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    ev.add("organizer", _address(sender, sender_name or None))
    for person in people:
        if person.get("email"):
            ev.add("attendee", _address(person["email"], person.get("name"), "REQ-PARTICIPANT"), encode=0)
    if audience in ("supplier", "staff") and row.email:
        ev.add("attendee", _address(row.email, candidate, "REQ-PARTICIPANT"), encode=0)
    cal.add_component(ev)
    filename = re.sub(r"[^A-Za-z0-9_-]+", "-", f"interview-{row.reference}-{candidate}").strip("-") + ".ics"
    return cal.to_ical(), filename
