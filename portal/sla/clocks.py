"""The SLA clocks: what each measures, its state now, and who may see it (pure computation).

A clock runs from a start to a stop (or to now), counting only the time its job order was not
on hold, against a target in hours. Running: on track, at risk (past 75 %), breached. Stopped:
met, or met late. The rows they are computed from are read in `queries.py`, in batches.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

AT_RISK_SHARE = 0.75


class Kind(StrEnum):
    #: Release → first submission. Per supplier (from its own tier's release, to its first
    #: submission), and for the job as a whole (first release → anyone's first submission).
    FIRST_SUBMISSION = "first_submission"
    #: First release → the N-th live submission (N and the hours from the client's policy).
    COVERAGE = "coverage"
    #: Submission visible to the client → the client's first decision on it.
    CLIENT_REVIEW = "client_review"
    #: Interview end → feedback recorded.
    FEEDBACK = "interview_feedback"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    Kind.FIRST_SUBMISSION: "Time to first submission",
    Kind.COVERAGE: "Coverage",
    Kind.CLIENT_REVIEW: "Client review",
    Kind.FEEDBACK: "Interview feedback",
}


class Status(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    MET = "met"
    MET_LATE = "met_late"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    Status.ON_TRACK: "On track",
    Status.AT_RISK: "At risk",
    Status.BREACHED: "Breached",
    Status.MET: "Met",
    Status.MET_LATE: "Met late",
}
BADGES = {
    Status.ON_TRACK: "badge-success",
    Status.AT_RISK: "badge-warning",
    Status.BREACHED: "badge-danger",
    Status.MET: "badge-muted",
    Status.MET_LATE: "badge-muted",
}


@dataclass(frozen=True)
class Policy:
    """A client's targets, defaults filled in."""

    first_submission_hours: int
    coverage_count: int
    coverage_hours: int
    review_hours: int
    feedback_hours: int


Interval = tuple[datetime, datetime | None]


def counted(start: datetime, end: datetime, holds: list[Interval]) -> timedelta:
    """Time from `start` to `end` minus the time on hold in between (an open hold lasts to `end`)."""
    if end <= start:
        return timedelta(0)
    total = end - start
    for h0, h1 in holds:
        h1 = end if h1 is None else min(h1, end)
        overlap = h1 - max(h0, start)
        if overlap > timedelta(0):
            total -= overlap
    return max(total, timedelta(0))


def duration(delta: timedelta) -> str:
    """"40 min", "5 h", "3 d 2 h" (hours up to three days: targets are counted in hours)."""
    seconds = int(abs(delta.total_seconds()))
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    hours = seconds // 3600
    if hours < 72:
        return f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


@dataclass
class Clock:
    kind: Kind
    #: The job order (first submission, coverage), the submission (client review) or the interview (feedback).
    subject_id: int
    job_id: int
    client_org_id: int
    #: The supplier of a per-supplier first-submission clock, or of the submission; None for the job's own.
    supplier_org_id: int | None
    started_at: datetime
    target_hours: int
    #: Time counted so far (to the stop, or to now), time on hold excluded.
    elapsed: timedelta
    stopped_at: datetime | None = None
    #: The job order is on hold now: the clock does not move.
    paused: bool = False
    #: "1 of 3 submissions" for coverage.
    progress: str = ""
    submission_id: int | None = None
    #: The moment the clock was read at.
    now: datetime | None = None
    #: What the page shows next to the clock (job reference, candidate name...), filled by queries.
    info: dict = field(default_factory=dict)

    @property
    def per_supplier(self) -> bool:
        return self.kind == Kind.FIRST_SUBMISSION and self.supplier_org_id is not None

    @property
    def party_key(self) -> int:
        """The third part of a crossing's unique key: the supplier of a per-supplier clock, else 0."""
        return self.supplier_org_id if self.per_supplier else 0

    @property
    def running(self) -> bool:
        return self.stopped_at is None

    @property
    def target(self) -> timedelta:
        return timedelta(hours=self.target_hours)

    @property
    def left(self) -> timedelta:
        """Time left before the target (negative: overdue)."""
        return self.target - self.elapsed

    @property
    def status(self) -> Status:
        if not self.running:
            return Status.MET if self.elapsed <= self.target else Status.MET_LATE
        if self.elapsed >= self.target:
            return Status.BREACHED
        if self.elapsed >= self.target * AT_RISK_SHARE:
            return Status.AT_RISK
        return Status.ON_TRACK

    @property
    def label(self) -> str:
        return self.status.label

    @property
    def badge(self) -> str:
        return BADGES[self.status]

    @property
    def text(self) -> str:
        """"5 h left", "3 h overdue", "met in 5 h", "met 3 h late" (", paused: on hold" while held)."""
        if not self.running:
            if self.status == Status.MET:
                return f"met in {duration(self.elapsed)}"
            return f"met {duration(self.elapsed - self.target)} late"
        left = self.left
        words = f"{duration(left)} left" if left > timedelta(0) else f"{duration(left)} overdue"
        return words + (" · paused: on hold" if self.paused else "")

    @property
    def deadline(self) -> datetime | None:
        """When a running clock reaches its target if nothing pauses it (None when paused or stopped)."""
        if not self.running or self.paused or self.now is None:
            return None
        return self.now + self.left

    def sort_key(self):
        return (self.left, self.job_id, self.subject_id)


def visible_to(clock: Clock, viewer) -> bool:
    """Who sees which clock: staff all; a supplier its own first-submission clocks and those of its
    submissions; a client the clocks that wait on it (review and feedback of its submissions)."""
    portal = getattr(viewer, "portal", None)
    if portal == "staff":
        return True
    if portal == "supplier":
        if clock.kind == Kind.FIRST_SUBMISSION:
            return clock.per_supplier and clock.supplier_org_id == viewer.org_id
        if clock.kind in (Kind.CLIENT_REVIEW, Kind.FEEDBACK):
            return clock.supplier_org_id == viewer.org_id
        return False
    if portal == "client":
        return clock.kind in (Kind.CLIENT_REVIEW, Kind.FEEDBACK) and clock.client_org_id == viewer.org_id
    return False
