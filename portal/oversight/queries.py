"""The coverage board's worklists, read in a fixed number of queries whatever the data's size.

Staff only (the view's permission): the rows span every client in the chosen scope — the
account manager's own clients by default, or all clients.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from portal import clock as portal_clock
from portal.extensions import db
from portal.job_orders.models import JobOrder, JobOrderRelease, JobStatus
from portal.offers.models import Offer, OfferStatus
from portal.oversight.models import Nudge
from portal.sla import queries as sla
from portal.sla.clocks import AT_RISK_SHARE, Clock, Status
from portal.submissions.models import Submission

#: An extended offer without an answer after this long is on the board.
OFFER_STALE_HOURS = 48
#: Tier-2 releases whose time has come, or will within this long.
TIER2_AHEAD_HOURS = 24
#: A nudge about the same item is refused for this long after the last one.
QUIET_HOURS = 4
#: Rows shown per worklist (the longest waiting); the rest are counted ("and 312 more"). Twenty
#: fill a screen or two; six worklists of 50 made a 185 KB page that took ~60 ms to build at scale.
ROWS_SHOWN = 20
#: Rows of the one worklist opened with "Show more" (`?list=<key>`).
LIST_ROWS = 200
#: Rows read past those shown, so that rows that time on hold keeps within target can be left out.
FETCH_SLACK = 25
#: Worklists are counted no further than this ("more than 200"): counting stops there. As many as the
#: opened worklist shows: counting to 500 cost ~2 ms of the database's time on every view at scale.
COUNT_CAP = LIST_ROWS

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
    #: Rows of each worklist in all (the first ROWS_SHOWN are in `lists`); past COUNT_CAP, COUNT_CAP + 1.
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.totals.get(key, len(rows)) for key, rows in self.lists.items())

    @property
    def capped(self) -> bool:
        """Some worklist has more rows than counted: `total` is a lower bound."""
        return any(n > COUNT_CAP for n in self.totals.values())

    def count_label(self, key: str) -> str:
        n = self.totals.get(key, len(self.lists.get(key, [])))
        return f"more than {COUNT_CAP:,}" if n > COUNT_CAP else f"{n:,}"

    def more(self, key: str) -> int:
        """Rows of the worklist past those shown (0: all shown)."""
        return max(self.totals.get(key, 0) - len(self.lists.get(key, [])), 0)

    def all_fit(self, key: str, rows: int) -> bool:
        """The whole worklist (counted exactly, not past the cap) fits in `rows` rows."""
        n = self.totals.get(key, 0)
        return n <= rows and n <= COUNT_CAP

    def more_label(self, key: str) -> str:
        """How many more than those shown ("312", "more than 180"); "" when the count stopped at or
        before the rows shown (an opened worklist of 200 past a cap of 200: nothing true to add)."""
        n = self.totals.get(key, 0)
        if n <= COUNT_CAP:
            return f"{self.more(key):,}"
        rest = COUNT_CAP - len(self.lists.get(key, []))
        return f"more than {rest:,}" if rest > 0 else ""


def _selects(scope: sla.PolicyScope, now: datetime) -> dict:
    """Each worklist as one ordered select (the oldest first), the selection made in SQL."""
    return {
        "no_submission": sla.first_submission_select(scope, now, 1.0),
        "below_coverage": sla.coverage_select(scope, now, AT_RISK_SHARE),
        "review": sla.review_select(scope, now, 1.0),
        "feedback": sla.feedback_select(scope, now, 0.0),
        "offers": _stale_offers(scope, now),
        "tier2": _tier2_due(scope, now),
    }


def board(viewer, *, everyone: bool = False, now: datetime | None = None, rows: int | None = None,
          nudges: bool = True, scope: sla.PolicyScope | None = None, expand: str | None = None) -> Board:
    """The worklists across the viewer's clients (or all clients): each one's first `rows` rows (the
    longest waiting) and its count; the worklist `expand` (a key of LISTS) its first LIST_ROWS. At most
    five queries whatever the data (four without `nudges`): the clients and their targets, the capped
    counts of every worklist, the first rows of those that have some (UNION ALL), their jobs' holds,
    the recent nudges."""
    now = now or portal_clock.now()
    shown = ROWS_SHOWN if rows is None else rows
    limits = {key: LIST_ROWS if key == expand and shown else shown for key, _, _ in LISTS}
    if scope is None:
        scope = sla.all_clients_scope() if everyone else sla.manager_scope(viewer.id)
    out = Board(mine=not everyone, client_count=len(scope.client_ids) if scope.client_ids is not None else 0,
                lists={key: [] for key, _, _ in LISTS}, totals={key: 0 for key, _, _ in LISTS})
    if scope.client_ids is not None and not scope.client_ids:
        return out

    stmts = _selects(scope, now)
    counts = sla.capped_counts(stmts, COUNT_CAP)
    # Rows only of the worklists that have some (an empty one is not scanned twice).
    fetched = {k: [] for k in stmts}
    if shown:
        fetched.update(sla.first_rows({k: st for k, st in stmts.items() if counts[k]},
                                      {k: limits[k] + FETCH_SLACK for k in stmts}))
    held = sla.holds({r["job_id"] for rs in fetched.values() for r in rs
                      if r["key"] in sla.ROW_KINDS}) if any(fetched.values()) else {}
    nudged = _nudges(now) if nudges and any(fetched.values()) else {}

    def row(r, detail, when, clock=None, target=None, subject_id=None, sort=()):
        return Row(r["job_id"], r["reference"], r["title"], r["client_name"], detail, when, clock, target,
                   subject_id, nudged.get((target, subject_id)), sort)

    for key, rs in fetched.items():
        kept: list[Row] = []
        for r in rs:
            who = f"{r['candidate']} · {r['supplier']}"
            if key in sla.ROW_KINDS:
                c = sla.clock_of_row(r, scope.policy(r["client_id"]), held.get(r["job_id"], []), now)
                wanted = (Status.BREACHED,) if key in ("no_submission", "review") else \
                    (Status.AT_RISK, Status.BREACHED) if key == "below_coverage" else tuple(Status)
                if c.status not in wanted:
                    continue  # time on hold keeps it within the target
                detail = "" if key == "no_submission" else c.progress if key == "below_coverage" else who
                kept.append(row(r, detail, c.text, c, NUDGE_TARGET[key], c.subject_id, (c.left,)))
            elif key == "offers":
                waited = now - r["at"]
                kept.append(row(r, who, f"waiting {_hours(waited)}", None, "offer", r["subject_id"], (-waited,)))
            else:
                at = r["at"]
                when = "due now" if at <= now else f"due in {_hours(at - now)}"
                kept.append(row(r, r["supplier"], when, sort=(at,)))
        kept.sort(key=lambda x: (x.sort, x.reference))
        # Rows fetched but dropped (time on hold) leave the count; rows past those fetched are counted
        # by the SQL's threshold.
        total = counts[key] if counts[key] > COUNT_CAP else len(kept) + max(counts[key] - len(rs), 0)
        out.lists[key] = kept[:limits[key]]
        out.totals[key] = total
    return out


def _hours(delta: timedelta) -> str:
    from portal.sla.clocks import duration

    return duration(delta)


def _stale_offers(scope: sla.PolicyScope, now: datetime):
    """Offers extended before the stale time and still unanswered, on open or on-hold jobs."""
    o, jo, sub = Offer.__table__, JobOrder.__table__, Submission.__table__
    return (sla._shape("offers", jo, o.c.id, o.c.submission_id, o.c.extended_at, sub.c.supplier_org_id)
            .select_from(o.join(jo, jo.c.id == o.c.job_order_id).join(sub, sub.c.id == o.c.submission_id))
            .where(o.c.status == OfferStatus.EXTENDED.value,
                   o.c.extended_at <= now - timedelta(hours=OFFER_STALE_HOURS),
                   jo.c.status.in_(sla.ACTIVE), sla._client_in(o.c.client_org_id, scope))
            .order_by(o.c.extended_at, o.c.id))


def _tier2_due(scope: sla.PolicyScope, now: datetime):
    """Pending releases due now or within the look-ahead, on open jobs (the row's supplier: the release's)."""
    r, jo = JobOrderRelease.__table__, JobOrder.__table__
    return (sla._shape("tier2", jo, r.c.id, None, r.c.scheduled_at, r.c.supplier_org_id)
            .select_from(r.join(jo, jo.c.id == r.c.job_order_id))
            .where(r.c.released_at.is_(None), r.c.withdrawn_at.is_(None), jo.c.status == JobStatus.OPEN.value,
                   r.c.scheduled_at <= now + timedelta(hours=TIER2_AHEAD_HOURS),
                   sla._client_in(r.c.client_org_id, scope))
            .order_by(r.c.scheduled_at, r.c.id))


def _nudges(now: datetime) -> dict[tuple[str, int], datetime]:
    """(target, subject id) -> when last nudged, for the nudges of the last day (older ones don't show)."""
    n = Nudge.__table__.c
    return {(t, s): at for t, s, at in db.session.execute(
        select(n.target, n.subject_id, n.last_sent_at).where(n.last_sent_at > now - timedelta(days=1)))}



def summary(viewer, top: int = 3, scope: sla.PolicyScope | None = None) -> Board:
    """The staff dashboard's panel: the viewer's worklists, each one's count and its first `top` rows
    (four queries whatever the data; three given the viewer's `sla.manager_scope`)."""
    return board(viewer, rows=top, nudges=False, scope=scope)
