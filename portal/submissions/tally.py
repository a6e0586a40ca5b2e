"""Each job order's tally of its submissions: `job_order.first_submitted_at` and `.live_submissions`.

The coverage board and the SLA tick ask, of every open job order, "has any supplier submitted
yet?" and "are fewer than N submissions live?". Answered from the submissions themselves that
is one probe per open job (~15,000 at the benchmark's scale 100, ~130 ms per page view); from
the tally it is an index range scan.

The tally is kept in the same transaction as the change, by the only three writes that add a
submission or move its stage (`submissions.services.submit` and `_move`, `offers.services.fill`),
with relative updates (`live_submissions + 1`, the earlier of two times) so that two transactions
changing one job's submissions at once both count: each waits for the other's row lock and adds
to what it committed. Bulk loads (the scale seed) and the migration that added the columns call
`rebuild`, which recounts from the submissions; `mismatches` is the check the tests run.
"""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from sqlalchemy import case, func, select, update

from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.submissions.models import LIVE_VALUES, Submission

_jo = JobOrder.__table__
_sub = Submission.__table__


def _live(stage: str | None) -> int:
    return 1 if stage in LIVE_VALUES else 0


def added(job_order_id: int, stage: str, submitted_at: datetime) -> None:
    """A submission was made to the job in `stage` at `submitted_at`."""
    first = _jo.c.first_submitted_at
    db.session.execute(
        update(_jo).where(_jo.c.id == job_order_id)
        .values(live_submissions=_jo.c.live_submissions + _live(stage),
                first_submitted_at=case((first.is_(None), submitted_at), (first > submitted_at, submitted_at),
                                        else_=first)))


def moved(job_order_id: int, source: str, target: str) -> None:
    """A submission of the job moved from stage `source` to `target`."""
    delta = _live(target) - _live(source)
    if delta:
        db.session.execute(update(_jo).where(_jo.c.id == job_order_id)
                           .values(live_submissions=_jo.c.live_submissions + delta))


def _recount():
    live = (select(func.count()).select_from(_sub)
            .where(_sub.c.job_order_id == _jo.c.id, _sub.c.stage.in_(LIVE_VALUES)).scalar_subquery())
    first = select(func.min(_sub.c.submitted_at)).where(_sub.c.job_order_id == _jo.c.id).scalar_subquery()
    return live, first


def rebuild(job_order_ids: Iterable[int] | None = None) -> None:
    """Recount the tally from the submissions (of the given job orders, or of all)."""
    live, first = _recount()
    stmt = update(_jo).values(live_submissions=live, first_submitted_at=first)
    if job_order_ids is not None:
        stmt = stmt.where(_jo.c.id.in_(sorted(set(job_order_ids))))
    db.session.execute(stmt)


def mismatches(limit: int = 20) -> list[tuple[int, int, int, datetime | None, datetime | None]]:
    """Job orders whose tally differs from a recount: (id, kept live, counted live, kept first, counted first)."""
    live, first = _recount()
    kept_first = _jo.c.first_submitted_at
    stmt = (select(_jo.c.id, _jo.c.live_submissions, live, kept_first, first)
            .where((_jo.c.live_submissions != live)
                   | (kept_first.is_(None) != first.is_(None))
                   | (kept_first != first))
            .order_by(_jo.c.id).limit(limit))
    return [tuple(r) for r in db.session.execute(stmt)]
