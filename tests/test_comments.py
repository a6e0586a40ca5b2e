"""Comments and their visibility: who may write which (422 otherwise), who reads which — on a
submission and on a job order, for staff, both clients and both suppliers — through the pages, the
ORM (the tenancy layer) and the events; a supplier never learns which other supplier or which
person at the client wrote."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from portal.comments.models import Comment
from portal.db.tenancy import scope_for_user, scoped, system_scope
from portal.events.models import Event
from portal.extensions import db
from tests.test_review_support import count, job_with_candidates


def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _post(c, url: str, body: str, visibility: str, **kw):
    return c.post(url, {"body": body, "visibility": visibility, **kw})


PORTAL = {"morgan": "staff", "hana": "client", "olivia": "client", "leo": "client", "sam": "supplier",
          "ravi": "supplier", "priya": "supplier", "bruno": "supplier"}


@pytest.fixture
def thread(world, as_user):
    """A job released to TalentCo and BluePeak with a TalentCo candidate, and a comment of every kind."""
    job, (sub,) = job_with_candidates(world, 1)
    writes = [
        # (who, on, visibility, marker)
        ("morgan", "sub", "staff", "S-STAFF"), ("morgan", "sub", "staff_client", "S-STAFFCLIENT"),
        ("morgan", "sub", "staff_supplier", "S-STAFFSUPPLIER"), ("morgan", "sub", "everyone", "S-EVERYONE"),
        ("hana", "sub", "staff", "S-HANA-STAFF"), ("hana", "sub", "everyone", "S-HANA-EVERYONE"),
        ("sam", "sub", "staff_supplier", "S-SAM-STAFFSUPPLIER"), ("sam", "sub", "everyone", "S-SAM-EVERYONE"),
        ("morgan", "job", "staff", "J-STAFF"), ("morgan", "job", "staff_client", "J-STAFFCLIENT"),
        ("morgan", "job", "staff_supplier", "J-STAFFSUPPLIER"), ("hana", "job", "everyone", "J-HANA-EVERYONE"),
        ("priya", "job", "staff_supplier", "J-PRIYA-STAFFSUPPLIER"), ("priya", "job", "everyone", "J-PRIYA-EVERYONE"),
    ]
    for who, on, visibility, marker in writes:
        portal = PORTAL[who]
        url = (f"/{portal}/submissions/{sub.id}/comments" if on == "sub" else f"/{portal}/job-orders/{job.id}/comments")
        resp = _post(as_user(who), url, f"{marker} says hello", visibility)
        assert resp.status_code == 303, (who, marker, resp.status_code)
    return job, sub


READS = {
    # who: (markers read on the submission, markers read on the job)
    "morgan": ({"S-STAFF", "S-STAFFCLIENT", "S-STAFFSUPPLIER", "S-EVERYONE", "S-HANA-STAFF", "S-HANA-EVERYONE",
                "S-SAM-STAFFSUPPLIER", "S-SAM-EVERYONE"},
               {"J-STAFF", "J-STAFFCLIENT", "J-STAFFSUPPLIER", "J-HANA-EVERYONE", "J-PRIYA-STAFFSUPPLIER",
                "J-PRIYA-EVERYONE"}),
    "hana": ({"S-STAFFCLIENT", "S-EVERYONE", "S-HANA-STAFF", "S-HANA-EVERYONE", "S-SAM-EVERYONE"},
             {"J-STAFFCLIENT", "J-HANA-EVERYONE", "J-PRIYA-EVERYONE"}),
    "olivia": ({"S-STAFFCLIENT", "S-EVERYONE", "S-HANA-STAFF", "S-HANA-EVERYONE", "S-SAM-EVERYONE"},
               {"J-STAFFCLIENT", "J-HANA-EVERYONE", "J-PRIYA-EVERYONE"}),
    "sam": ({"S-STAFFSUPPLIER", "S-EVERYONE", "S-HANA-EVERYONE", "S-SAM-STAFFSUPPLIER", "S-SAM-EVERYONE"},
            {"J-STAFFSUPPLIER", "J-HANA-EVERYONE", "J-PRIYA-EVERYONE"}),
    "ravi": ({"S-STAFFSUPPLIER", "S-EVERYONE", "S-HANA-EVERYONE", "S-SAM-STAFFSUPPLIER", "S-SAM-EVERYONE"},
             {"J-STAFFSUPPLIER", "J-HANA-EVERYONE", "J-PRIYA-EVERYONE"}),
    "priya": (None, {"J-STAFFSUPPLIER", "J-HANA-EVERYONE", "J-PRIYA-STAFFSUPPLIER", "J-PRIYA-EVERYONE"}),
    "bruno": (None, {"J-STAFFSUPPLIER", "J-HANA-EVERYONE", "J-PRIYA-STAFFSUPPLIER", "J-PRIYA-EVERYONE"}),
    "leo": (None, None),
}
ALL = set().union(*(s for pair in READS.values() for s in pair if s))


@pytest.mark.parametrize("who", sorted(READS))
def test_each_person_reads_exactly_the_comments_addressed_to_them(world, as_user, thread, who):
    job, sub = thread
    c, portal = as_user(who), PORTAL[who]
    on_sub, on_job = READS[who]
    for url, expected in ((f"/{portal}/submissions/{sub.id}/comments", on_sub),
                          (f"/{portal}/job-orders/{job.id}/comments", on_job)):
        resp = c.get(url)
        if expected is None:
            assert resp.status_code == 404, (who, url)
            continue
        page = _text(resp)
        seen = {m for m in ALL if f"{m} says hello" in page}
        assert seen == expected, (who, url, seen ^ expected)
    # The same rule holds in the ORM, whatever the query (the tenancy layer applies it).
    user = world.user(who)
    with scoped(scope_for_user(user)):
        rows = db.session.scalars(select(Comment.body).where(Comment.job_order_id == job.id))
        bodies = {b.split(" ")[0] for b in rows}
    assert bodies == (on_sub or set()) | (on_job or set())


def test_a_supplier_never_learns_who_else_wrote(world, as_user, thread):
    job, sub = thread
    page = _text(as_user("sam").get(f"/supplier/job-orders/{job.id}/comments"))
    item = page[page.index("J-PRIYA-EVERYONE") - 400:page.index("J-PRIYA-EVERYONE")]
    assert "Another supplier" in item and "Priya" not in page and "BluePeak" not in page
    assert "Hana" not in page and "Acme Manufacturing" in page
    client_view = _text(as_user("hana").get(f"/client/job-orders/{job.id}/comments"))
    assert "Priya Natarajan (BluePeak Partners)" in client_view
    with system_scope("test"):
        told = db.session.scalars(select(Event).where(Event.verb == "comment.added",
                                                      Event.summary.contains("J-PRIYA-EVERYONE"))).all()
    to_talentco = [e for e in told if e.supplier_org_id == world.oid("talentco")]
    assert to_talentco and all("Priya" not in e.summary and "BluePeak" not in e.summary for e in to_talentco)


def test_events_are_stamped_for_exactly_the_parties_a_comment_names(world, as_user, thread):
    job, sub = thread

    def stamps(marker):
        with system_scope("test"):
            return {(e.client_org_id, e.supplier_org_id, e.internal) for e in db.session.scalars(
                select(Event).where(Event.verb == "comment.added", Event.summary.contains(marker)))}

    acme, talentco, bluepeak = world.oid("acme"), world.oid("talentco"), world.oid("bluepeak")
    assert all(internal for _, _, internal in stamps("S-STAFF says"))
    assert stamps("S-STAFFCLIENT") == {(acme, None, False)}
    assert stamps("S-STAFFSUPPLIER") == {(None, talentco, False)}
    assert stamps("S-EVERYONE") == {(acme, talentco, False)}
    assert stamps("J-STAFFSUPPLIER") == {(None, talentco, False), (None, bluepeak, False)}
    assert stamps("J-PRIYA-STAFFSUPPLIER") == {(None, bluepeak, False)}
    assert stamps("J-PRIYA-EVERYONE") == {(acme, None, False), (None, talentco, False), (None, bluepeak, False)}


@pytest.mark.parametrize("who, visibility", [("hana", "staff_supplier"), ("sam", "staff_client"), ("sam", "staff"),
                                             ("hana", "bogus"), ("morgan", "")])
def test_nobody_writes_a_visibility_their_portal_may_not_choose(world, as_user, who, visibility):
    job, (sub,) = job_with_candidates(world, 1)
    before = (count(Comment), count(Event))
    portal = PORTAL[who]
    resp = _post(as_user(who), f"/{portal}/submissions/{sub.id}/comments", "Forged audience", visibility, )
    assert resp.status_code == 422 and "You can't write a comment for" in _text(resp)
    assert (count(Comment), count(Event)) == before


def test_a_comment_needs_words_within_the_limit_and_a_double_click_posts_one(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    url = f"/client/submissions/{sub.id}/comments"
    assert "Write the comment." in _text(_post(hana, url, "  ", "everyone"))
    assert "Use 2000 characters or fewer." in _text(_post(hana, url, "x" * 2001, "everyone"))
    key = "double-click-key-0123456789"
    for _ in range(2):
        assert _post(hana, url, "Once only", "everyone", create_key=key).status_code == 303
    assert count(Comment, Comment.body == "Once only") == 1


def test_htmx_answers_the_thread_region_and_announces_it(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    resp = as_user("sam").post(f"/supplier/submissions/{sub.id}/comments",
                               {"body": "Tilda can start earlier.", "visibility": "everyone"}, htmx=True)
    body = _text(resp)
    assert resp.status_code == 200 and body.lstrip().startswith('<section class="card" id="comments-thread"')
    assert "comment-changed" in resp.headers["HX-Trigger"] and "Tilda can start earlier." in body
    bad = as_user("sam").post(f"/supplier/submissions/{sub.id}/comments", {"body": "", "visibility": "everyone"},
                              htmx=True)
    assert bad.status_code == 422 and _text(bad).lstrip().startswith('<section class="card" id="comments-thread"')


def test_comments_show_on_the_job_and_submission_pages_of_each_portal(world, as_user, thread):
    job, sub = thread
    pages = {"hana": [f"/client/job-orders/{job.id}", f"/client/submissions/{sub.id}"],
             "sam": [f"/supplier/job-orders/{job.id}", f"/supplier/submissions/{sub.id}"],
             "morgan": [f"/staff/job-orders/{job.id}", f"/staff/submissions/{sub.id}"]}
    for who, urls in pages.items():
        for url in urls:
            page = _text(as_user(who).get(url))
            assert 'id="comments-thread"' in page and "comment-changed from:body" in page, (who, url)
    assert "S-STAFF says" not in _text(as_user("hana").get(f"/client/submissions/{sub.id}"))
    assert "J-STAFFSUPPLIER" in _text(as_user("sam").get(f"/supplier/job-orders/{job.id}"))
