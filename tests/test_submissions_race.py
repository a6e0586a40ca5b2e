"""Races, over HTTP as the portal serves them: requests released together by a barrier, each in its
own thread with its own app context and session (SQLite and PostgreSQL, whichever the suite runs
on). One owner per person and job, never more than the limit, one submission per form, one winner
per screening move; every loser a 409 with its message, never a 500, and nothing half-written."""
from __future__ import annotations

import threading

import pytest

from portal.candidates.models import Candidate
from portal.submissions.models import Submission
from tests.conftest import PortalClient
from tests.fixtures import candidates as files
from tests.fixtures.candidates import world_candidate
from tests.test_job_orders_support import released
from tests.test_submissions_support import (
    add_candidate,
    count,
    events,
    form,
    new_person,
    post_submit,
    reload,
    stored_files,
    submissions_of,
)

REPRESENTED = "This candidate is already represented on this job order."


def _race(app, requests: list) -> list:
    """Send requests[i] = (signed-in client, callable(client) -> response) all at once; returns responses."""
    barrier = threading.Barrier(len(requests))
    out: list = [None] * len(requests)

    def worker(i):
        client, send = requests[i]
        with app.app_context():
            barrier.wait(timeout=30)
            try:
                out[i] = send(client)
            except Exception as exc:  # noqa: BLE001 - asserted on below
                out[i] = exc
            finally:
                from portal.extensions import db

                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    assert not [r for r in out if isinstance(r, Exception)], out
    return out


def _signed_in(app, short: str) -> PortalClient:
    c = PortalClient(app)
    c.login(short)
    return c


def test_twenty_submissions_of_one_person_by_both_suppliers_leave_exactly_one(app, world):
    job = released(world, {"talentco": 1, "bluepeak": 1}, title="Contested person")
    tilda = world_candidate("talentco")
    twin = add_candidate(world, "priya", "Tilda", "Worldwide", "tilda.worldwide@example.com")
    before = (stored_files(app), count(Candidate))
    people = ["sam", "ravi", "priya", "bruno"]
    clients = {short: [_signed_in(app, short) for _ in range(5)] for short in people}
    requests = []
    for i in range(20):
        short = people[i % 4]
        c = clients[short][i // 4]
        if short in ("sam", "ravi"):
            requests.append((c, lambda c: post_submit(c, job.id, form(tilda.id))))
        else:
            requests.append((c, lambda c: post_submit(c, job.id, form(twin.id, pdf=files.pdf_bytes("Twin")))))
    responses = _race(app, requests)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] + [409] * 19, codes
    assert all(REPRESENTED in r.get_data(as_text=True) for r in responses if r.status_code == 409)
    [sub] = submissions_of(job.id)
    assert len(events("submission.created", sub.id)) == 1
    assert len([e for e in events("submission.duplicate_refused") if e.subject_id == job.id]) == 19
    # Only the winner's résumé (if it uploaded one) was kept; no candidate was added by anyone.
    new_files = stored_files(app) - before[0]
    assert len(new_files) == (1 if sub.supplier_org_id == world.oid("bluepeak") else 0)
    assert count(Candidate) == before[1]


def test_ten_recruiters_submitting_at_once_never_pass_a_limit_of_three(app, world):
    job = released(world, {"talentco": 1}, title="Limited job", submission_limit=3)
    before = (stored_files(app), count(Candidate))
    requests = []
    for i in range(10):
        c = _signed_in(app, "sam" if i % 2 else "ravi")
        data = form("new", pdf=files.pdf_bytes(f"Person {i}"), **new_person(f"Person{i}", "Racer",
                                                                           f"person{i}.racer@example.com"))
        requests.append((c, lambda c, data=data: post_submit(c, job.id, data)))
    responses = _race(app, requests)
    codes = sorted(r.status_code for r in responses)
    assert codes == [302] * 3 + [409] * 7, codes
    refused = [r.get_data(as_text=True) for r in responses if r.status_code == 409]
    assert all("the most this job order takes from one supplier (3)" in text for text in refused)
    assert len(submissions_of(job.id)) == 3
    # The refused ones left nothing: no candidate, no file.
    assert count(Candidate) == before[1] + 3 and len(stored_files(app) - before[0]) == 3


def test_the_same_form_sent_five_times_at_once_submits_once(app, world):
    job = released(world, {"talentco": 1}, title="Double click")
    requests = [(_signed_in(app, "sam"), lambda c: post_submit(c, job.id, form(
        "new", create_key="double-click-key-0001", pdf=files.pdf_bytes(), **new_person()))) for _ in range(5)]
    responses = _race(app, requests)
    assert {r.status_code for r in responses} == {302}
    assert len({r.headers["Location"] for r in responses}) == 1
    assert len(submissions_of(job.id)) == 1
    assert count(Candidate, Candidate.email_normalised == "nora.newcomer@example.com") == 1


MOVES = {
    "forward": ("morgan", lambda sid: (f"/staff/submissions/{sid}/forward", {}), "client_review"),
    "reject": ("nadia", lambda sid: (f"/staff/submissions/{sid}/reject", {"reason": "skills", "note": "No PLC."}),
               "rejected"),
    "withdraw": ("sam", lambda sid: (f"/supplier/submissions/{sid}/withdraw", {"reason": "Gone"}), "withdrawn"),
}


# Only moves that exclude each other whatever their order: a staff rejection may follow a
# forward legitimately (client review), so forward is raced against itself.
@pytest.mark.parametrize("pair", [("forward", "forward"), ("reject", "withdraw")])
def test_two_moves_that_exclude_each_other_at_once_one_wins(app, world, pair):
    """Two forwards, or reject and withdraw: whichever commits first, the other is refused (409)."""
    job = released(world, {"talentco": 1}, title="Screen race")
    assert post_submit(_signed_in(app, "sam"), job.id, form(world_candidate("talentco").id)).status_code == 302
    [sub] = submissions_of(job.id)

    def move(name):
        who, target, _ = MOVES[name]
        url, data = target(sub.id)
        return _signed_in(app, who), lambda c: c.post(url, data)

    responses = _race(app, [move(name) for name in pair])
    codes = [r.status_code for r in responses]
    assert sorted(codes) == [302, 409], codes
    winner = pair[codes.index(302)]
    assert reload(sub.id).stage == MOVES[winner][2]
    assert len([e for e in events(subject_id=sub.id) if e.verb != "submission.created"]) == 1
    assert count(Submission, Submission.job_order_id == job.id) == 1
