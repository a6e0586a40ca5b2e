"""Each job order's tally of its submissions (first submission time, live count): kept by every write
that adds or moves a submission, recounted by `rebuild`, and what the coverage board reads."""
from __future__ import annotations

from sqlalchemy import select, update

from portal.db.tenancy import system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.review import services as review
from portal.submissions import services as submissions, tally
from portal.submissions.models import Submission
from tests.test_review_support import job_with_candidates, prefixed, run, to_offer_accepted


def _tally(job_id: int) -> tuple:
    with system_scope("test read"):
        db.session.expire_all()
        return tuple(db.session.execute(select(JobOrder.live_submissions, JobOrder.first_submitted_at)
                                        .where(JobOrder.id == job_id)).one())


def _mismatches() -> list:
    with system_scope("test check"):
        return tally.mismatches()


def _first_submitted(job_id: int):
    with system_scope("test read"):
        return db.session.scalar(select(Submission.submitted_at).where(Submission.job_order_id == job_id)
                                 .order_by(Submission.submitted_at).limit(1))


def test_the_tally_follows_every_submission_made_and_moved(world, as_user):
    assert _mismatches() == []
    job, (a, b, c, d) = job_with_candidates(world, 4, openings=1)
    assert _tally(job.id) == (4, _first_submitted(job.id))
    run(world.user("sam"), submissions.withdraw, d, "Took another role")
    assert _tally(job.id)[0] == 3
    run(world.user("hana"), review.reject, c, "skills")
    assert _tally(job.id)[0] == 2
    # Shortlist, offer, accept and place `a`: the job fills and `b` closes (position filled).
    to_offer_accepted(world, a)
    assert _tally(job.id)[0] == 2
    resp = as_user("hana").post(f"/client/submissions/{a.id}/placement", prefixed("place", a.id))
    assert resp.status_code == 303
    assert _tally(job.id)[0] == 1  # the placed one stays live; the closed one does not
    assert _mismatches() == []


def test_a_refused_move_leaves_the_tally_alone(world, as_user):
    job, (a,) = job_with_candidates(world, 1)
    run(world.user("sam"), submissions.withdraw, a, "Took another role")
    before = _tally(job.id)
    resp = as_user("sam").post(f"/supplier/submissions/{a.id}/withdraw", {"reason": "again"})
    assert resp.status_code == 409
    assert _tally(job.id) == before == (0, _first_submitted(job.id))  # the first submission time stays


def test_rebuild_recounts_a_tally_that_went_wrong(world):
    job, _ = job_with_candidates(world, 2)
    with system_scope("test damage"):
        db.session.execute(update(JobOrder).where(JobOrder.id == job.id)
                           .values(live_submissions=7, first_submitted_at=None))
        db.session.commit()
    found = _mismatches()
    assert [row[:3] for row in found] == [(job.id, 7, 2)]
    with system_scope("test repair"):
        tally.rebuild([job.id])
        db.session.commit()
    assert _mismatches() == [] and _tally(job.id) == (2, _first_submitted(job.id))
