"""Races of the review, over HTTP, requests released together by a barrier (SQLite and PostgreSQL):
two placements at once on a one-opening job place one; a double click places once; two people
deciding on one submission at once — one wins, the other gets a 409 naming where it went, and
nothing is half-written."""
from __future__ import annotations

from portal.events.models import Event
from portal.job_orders.models import JobOrder
from portal.offers.models import Placement
from portal.submissions.models import Submission
from tests.test_review_support import (
    count,
    events,
    job_with_candidates,
    placements,
    prefixed,
    reload,
    to_offer_accepted,
)
from tests.test_submissions_race import _race, _signed_in


def test_two_placements_at_once_on_a_one_opening_job_place_one(app, world):
    job, (a, b) = job_with_candidates(world, 2, openings=1)
    for sub in (a, b):
        to_offer_accepted(world, sub)
    hana, olivia = _signed_in(app, "hana"), _signed_in(app, "olivia")
    responses = _race(app, [
        (hana, lambda c: c.post(f"/client/submissions/{a.id}/placement", prefixed("place", a.id))),
        (olivia, lambda c: c.post(f"/client/submissions/{b.id}/placement", prefixed("place", b.id))),
    ])
    assert sorted(r.status_code for r in responses) == [303, 409]
    assert placements(job.id) == 1 and reload(JobOrder, job.id).status == "filled"
    stages = sorted(reload(Submission, s.id).stage for s in (a, b))
    assert stages == ["closed", "placed"]
    assert len([e for e in events("placement.recorded") if e.data["job_order_id"] == job.id]) == 1
    assert count(Event, Event.verb == "job_order.filled", Event.subject_id == job.id) == 3  # the client, each supplier


def test_a_double_click_on_record_the_placement_places_once(app, world):
    job, (sub,) = job_with_candidates(world, 1, openings=2)
    to_offer_accepted(world, sub)
    form = prefixed("place", sub.id, create_key="same-form-key-0123456789")
    clicks = [_signed_in(app, "hana") for _ in range(4)]
    responses = _race(app, [(c, lambda c: c.post(f"/client/submissions/{sub.id}/placement", form)) for c in clicks])
    assert [r.status_code for r in responses] == [303] * 4
    assert count(Placement, Placement.submission_id == sub.id) == 1
    assert len(events("placement.recorded", sub.id)) == 1
    assert reload(JobOrder, job.id).status == "open"


def test_two_people_deciding_at_once_one_wins_the_other_is_told(app, world):
    job, (sub,) = job_with_candidates(world, 1)
    hana, olivia = _signed_in(app, "hana"), _signed_in(app, "olivia")
    responses = _race(app, [
        (hana, lambda c: c.post(f"/client/submissions/{sub.id}/reject",
                                prefixed("reject", sub.id, reason="rate", note="Too expensive."), htmx=True)),
        (olivia, lambda c: c.post(f"/client/submissions/{sub.id}/reject",
                                  prefixed("reject", sub.id, reason="skills", note="No PLC."), htmx=True)),
    ])
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [200, 409], codes
    winner = ("rate", "Too expensive.") if codes[0] == 200 else ("skills", "No PLC.")
    row = reload(Submission, sub.id)
    assert (row.stage, row.reject_reason, row.reject_note) == ("rejected", *winner)
    loser = responses[codes.index(409)].get_data(as_text=True)
    assert "This submission moved to rejected in the meantime" in loser
    # The loser sees what the winner did: the region it gets back shows the new stage.
    assert loser.lstrip().startswith('<div id="review-submission"') and "Rejected" in loser
    assert len(events("submission.rejected", sub.id)) == 1


def test_two_shortlists_at_once_shortlist_once(app, world):
    job, (sub,) = job_with_candidates(world, 1)
    clients = [_signed_in(app, who) for who in ("hana", "olivia", "hana")]
    responses = _race(app, [(c, lambda c: c.post(f"/client/submissions/{sub.id}/shortlist",
                                                 prefixed("shortlist", sub.id))) for c in clients])
    assert sorted(r.status_code for r in responses) == [303, 409, 409]
    assert reload(Submission, sub.id).stage == "shortlisted" and len(events("submission.shortlisted", sub.id)) == 1
