"""The coverage board's worklists, read in a fixed number of queries whatever the data's size.

Staff only (the view's permission): the rows span every client in the chosen scope — the
account manager's own clients by default, or all clients.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from portal import clock as portal_clock
from portal.accounts.models import ClientAccountManager, Organisation
from portal.candidates.models import Candidate
from portal.extensions import db
from portal.job_orders.models import JobOrder, JobOrderRelease, JobStatus
from portal.offers.models import Offer, OfferStatus
from portal.oversight.models import Nudge
from portal.sla import queries as sla
from portal.sla.clocks import Clock, Kind, Status
from portal.submissions.models import Submission

#: An extended offer without an answer after this long is on the board.
OFFER_STALE_HOURS = 48
#: Tier-2 releases whose time has come, or will within this long.
TIER2_AHEAD_HOURS = 24
#: A nudge about the same item is refused for this long after the last one.
QUIET_HOURS = 4

LISTS = (
    ("no_submission", "No submission yet",
     "Released job orders past their time to first submission with no candidate from any supplier."),
    ("below_coverage", "Below coverage",
     "Job orders short of their coverage target, at risk or past it."),
    ("review", "Waiting on the client",
     "Candidates the client has not decided on within its review target."),
    ("feedback", "Interviews without feedback",
     "Interviews that have ended with no feedback recorded yet."),
    ("offers", "Offers without an answer",
     f"Offers extended more than {OFFER_STALE_HOURS} h ago that the candidate has neither accepted nor declined."),
    ("tier2", "Tier-2 releases due",
     f"Scheduled tier-2 releases whose time has come or comes within {TIER2_AHEAD_HOURS} h."),
)
#: Which nudge target each worklist's rows use (tier-2 releases have none: release them instead).
NUDGE_TARGET = {"no_submission": "first_submission", "below_coverage": "coverage", "review": "client_review",
                "feedback": "feedback", "offers": "offer"}
NUDGE_WHO = {"first_submission": "the suppliers without a submission", "coverage": "the released suppliers",
             "client_review": "the hiring manager", "feedback": "the hiring manager", "offer": "the supplier"}


@dataclass
class Row:
    job_id: int
    reference: str
    title: str
    client_name: str
    #: The candidate, supplier, or release the row is about (empty for a job's own row).
    detail: str
    #: "5 h overdue", "due in 3 h"...
    when: str
    clock: Clock | None = None
    target: str | None = None
    subject_id: int | None = None
    last_nudged_at: datetime | None = None
    sort: tuple = ()

    @property
    def nudge_open_at(self) -> datetime | None:
        return self.last_nudged_at + timedelta(hours=QUIET_HOURS) if self.last_nudged_at else None

    @property
    def nudge_who(self) -> str:
        return NUDGE_WHO.get(self.target or "", "")


@dataclass
class Board:
    mine: bool
    client_count: int
    lists: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(len(rows) for rows in self.lists.values())


def my_client_ids(user_id: int) -> list[int]:
    return list(db.session.scalars(select(ClientAccountManager.client_org_id)
                                   .where(ClientAccountManager.user_id == user_id)))


def board(viewer, *, everyone: bool = False, now: datetime | None = None) -> Board:
    """The worklists across the viewer's clients (or all clients). A fixed number of queries."""
    now = now or portal_clock.now()
    client_ids = None if everyone else my_client_ids(viewer.id)
    out = Board(mine=not everyone, client_count=len(client_ids) if client_ids is not None else 0,
                lists={key: [] for key, _, _ in LISTS})
    if client_ids is not None and not client_ids:
        return out

    job_clocks = sla.job_clocks(sla.active_job_ids(client_ids), now=now, per_supplier=False)
    sub_clocks = sla.submission_clocks(sla.waiting_submission_ids(client_ids), now=now)

    offers = _stale_offers(client_ids, now)
    due = _tier2_due(client_ids, now)
    sub_ids = {c.submission_id for cs in sub_clocks.values() for c in cs} | {o[1] for o in offers}
    names = _submission_names(sub_ids)
    job_ids = ({c.job_id for cs in job_clocks.values() for c in cs}
               | {c.job_id for cs in sub_clocks.values() for c in cs}
               | {o[2] for o in offers} | {d[1] for d in due})
    jobs = _job_info(job_ids)
    nudged = _nudges(now)

    def row(job_id, detail, when, clock=None, target=None, subject_id=None, sort=()):
        ref, title, client = jobs[job_id]
        return Row(job_id, ref, title, client, detail, when, clock, target, subject_id,
                   nudged.get((target, subject_id)), sort)

    for clocks in job_clocks.values():
        for c in clocks:
            if not c.running or c.paused:
                continue
            if c.kind == Kind.FIRST_SUBMISSION and c.status == Status.BREACHED:
                out.lists["no_submission"].append(row(c.job_id, "", c.text, c, "first_submission", c.job_id,
                                                      (c.left,)))
            elif c.kind == Kind.COVERAGE and c.status in (Status.AT_RISK, Status.BREACHED):
                out.lists["below_coverage"].append(row(c.job_id, c.progress, c.text, c, "coverage", c.job_id,
                                                       (c.left,)))
    for clocks in sub_clocks.values():
        for c in clocks:
            if not c.running or c.paused:
                continue
            candidate, supplier = names.get(c.submission_id, ("", ""))
            if c.kind == Kind.CLIENT_REVIEW and c.status == Status.BREACHED:
                out.lists["review"].append(row(c.job_id, f"{candidate} · {supplier}", c.text, c, "client_review",
                                               c.subject_id, (c.left,)))
            elif c.kind == Kind.FEEDBACK:
                out.lists["feedback"].append(row(c.job_id, f"{candidate} · {supplier}", c.text, c, "feedback",
                                                 c.subject_id, (c.left,)))
    for offer_id, sub_id, job_id, extended_at in offers:
        candidate, supplier = names.get(sub_id, ("", ""))
        waited = now - extended_at
        out.lists["offers"].append(row(job_id, f"{candidate} · {supplier}", f"waiting {_hours(waited)}", None,
                                       "offer", offer_id, (-waited,)))
    for release_id, job_id, supplier, scheduled_at in due:
        when = "due now" if scheduled_at <= now else f"due in {_hours(scheduled_at - now)}"
        out.lists["tier2"].append(row(job_id, supplier, when, sort=(scheduled_at,)))
    for rows in out.lists.values():
        rows.sort(key=lambda r: (r.sort, r.reference))
    return out


def _hours(delta: timedelta) -> str:
    from portal.sla.clocks import duration

    return duration(delta)


def _client_filter(column, client_ids):
    return column.in_(client_ids) if client_ids is not None else True


def _stale_offers(client_ids, now) -> list[tuple]:
    """(offer id, submission id, job id, extended at) of offers waiting past the stale time on active jobs."""
    o, jo = Offer.__table__.c, JobOrder.__table__.c
    return db.session.execute(
        select(o.id, o.submission_id, o.job_order_id, o.extended_at)
        .join(JobOrder.__table__, jo.id == o.job_order_id)
        .where(o.status == OfferStatus.EXTENDED.value, o.extended_at <= now - timedelta(hours=OFFER_STALE_HOURS),
               jo.status.in_(sla.ACTIVE), _client_filter(o.client_org_id, client_ids))
        .order_by(o.extended_at)).all()


def _tier2_due(client_ids, now) -> list[tuple]:
    """(release id, job id, supplier name, scheduled at) of pending releases due within the look-ahead."""
    r, jo, org = JobOrderRelease.__table__.c, JobOrder.__table__.c, Organisation.__table__.c
    return db.session.execute(
        select(r.id, r.job_order_id, org.name, r.scheduled_at)
        .join(JobOrder.__table__, jo.id == r.job_order_id)
        .join(Organisation.__table__, org.id == r.supplier_org_id)
        .where(r.released_at.is_(None), r.withdrawn_at.is_(None), jo.status == JobStatus.OPEN.value,
               r.scheduled_at <= now + timedelta(hours=TIER2_AHEAD_HOURS),
               _client_filter(r.client_org_id, client_ids))
        .order_by(r.scheduled_at)).all()


def _submission_names(sub_ids) -> dict[int, tuple[str, str]]:
    """submission id -> (candidate's name, supplier's name)."""
    if not sub_ids:
        return {}
    s, cand, org = Submission.__table__.c, Candidate.__table__.c, Organisation.__table__.c
    rows = db.session.execute(
        select(s.id, cand.first_name, cand.last_name, org.name)
        .join(Candidate.__table__, cand.id == s.candidate_id)
        .join(Organisation.__table__, org.id == s.supplier_org_id)
        .where(s.id.in_(sorted(sub_ids)))).all()
    return {sid: (f"{first} {last}", supplier) for sid, first, last, supplier in rows}


def _job_info(job_ids) -> dict[int, tuple[str, str, str]]:
    if not job_ids:
        return {}
    jo, org = JobOrder.__table__.c, Organisation.__table__.c
    rows = db.session.execute(select(jo.id, jo.reference, jo.title, org.name)
                              .join(Organisation.__table__, org.id == jo.client_org_id)
                              .where(jo.id.in_(sorted(job_ids)))).all()
    return {jid: (ref, title, client) for jid, ref, title, client in rows}


def _nudges(now: datetime) -> dict[tuple[str, int], datetime]:
    """(target, subject id) -> when last nudged, for the nudges of the last day (older ones don't show)."""
    n = Nudge.__table__.c
    return {(t, s): at for t, s, at in db.session.execute(
        select(n.target, n.subject_id, n.last_sent_at).where(n.last_sent_at > now - timedelta(days=1)))}



def summary(viewer) -> list[tuple[str, str, int]]:
    """(worklist key, heading, rows) of the viewer's board (the staff dashboard's panel)."""
    b = board(viewer)
    return [(key, heading, len(b.lists[key])) for key, heading, _ in LISTS]
