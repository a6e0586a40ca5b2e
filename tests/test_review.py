"""The hiring manager's review: the board of a job order (columns, counts, new marks), the candidate's
page (details, note, résumé in the page, history), shortlist and reject over HTTP (htmx and without
JavaScript), who may decide (404 another company, 403 a colleague's job), bad and forged input, the
events and what the supplier reads of a rejection."""
from __future__ import annotations

import html
import re

from portal.accounts.models import User
from portal.comments.models import Comment
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.job_orders.models import JobOrder
from portal.extensions import db
from portal.review.models import SubmissionView
from portal.submissions.models import Submission
from portal.review.services import shortlist
from tests.test_job_orders_support import as_actor, count_queries
from tests.test_review_support import (
    count,
    events,
    job_with_candidates,
    new_candidate,
    prefixed,
    reload,
    run,
    submit,
    to_offer_accepted,
    world_review,
)
from tests.test_submissions_support import world_submission


def _text(resp) -> str:
    return html.unescape(resp.get_data(as_text=True))


def _column(page: str, label: str) -> str:
    start = page.index(f">{label} <span")
    end = page.find('<section class="review-column"', start)
    return page[start:end if end != -1 else len(page)]


# --- the board -----------------------------------------------------------------------------------

def test_the_board_groups_the_visible_candidates_by_stage_and_marks_new_ones(world, as_user):
    job, (a, b, c) = job_with_candidates(world, 3, people=[("Ana", "Alpha"), ("Ben", "Beta"), ("Cy", "Gamma")])
    hana = as_user("hana")
    assert hana.post(f"/client/submissions/{b.id}/shortlist", prefixed("shortlist", b.id)).status_code == 303
    assert hana.post(f"/client/submissions/{c.id}/reject", prefixed(
        "reject", c.id, reason="rate", note="Above our budget.")).status_code == 303
    page = _text(hana.get(f"/client/job-orders/{job.id}/board"))
    assert "Ana Alpha" in _column(page, "To review") and "Ben Beta" in _column(page, "Shortlisted")
    closed = page[page.index("Closed: rejected"):]
    assert "Cy Gamma" in closed and "Rate too high" in closed
    assert re.search(r'>To review <span class="review-count">1</span>', page)
    assert re.search(r'>Shortlisted <span class="review-count">1</span>', page)
    # The card shows the candidate's supplier-independent facts, the terms and the supplier.
    card = _column(page, "To review")
    for text in ("Controls Engineer · 7 years of experience", "60 USD/hour", "Milwaukee, WI", "PLC", "SCADA",
                 "From TalentCo Search", "New"):
        assert text in card, text
    assert "ana.alpha." not in card  # no contact details for the client
    # Opening the candidate's page marks it seen for this person only.
    assert hana.get(f"/client/submissions/{a.id}").status_code == 200
    card = _column(_text(hana.get(f"/client/job-orders/{job.id}/board")), "To review")
    assert '<span class="badge badge-info">New</span>' not in card
    assert '<span class="badge badge-info">New</span>' in _column(
        _text(as_user("olivia").get(f"/client/job-orders/{job.id}/board")), "To review")
    with system_scope("test"):
        assert db.session.query(SubmissionView).filter_by(submission_id=a.id).count() == 1


def test_the_board_is_a_live_region_and_its_fragment_stands_alone(world, as_user):
    job, _ = job_with_candidates(world, 1)
    hana = as_user("hana")
    frag = hana.get(f"/client/job-orders/{job.id}/board", htmx=True)
    body = _text(frag)
    assert frag.status_code == 200 and body.lstrip().startswith('<div id="review-board"')
    assert "<html" not in body and "Vary" in frag.headers and "HX-Request" in frag.headers["Vary"]
    for name in ("submission", "interview", "offer", "placement", "comment"):
        assert f"{name}-changed from:body" in body


def test_a_live_refresh_of_an_unchanged_region_swaps_nothing(world, as_user):
    """The refresh that follows one's own action (or a change the region does not show) answers 204,
    so a form being filled in, or a refused one with its messages, stays as it is."""
    job, (a, b) = job_with_candidates(world, 2)
    hana, olivia = as_user("hana"), as_user("olivia")

    def refresh_of(url, region="review-[a-z]+"):
        page = _text(hana.get(url))
        return re.search(rf'id="{region}" hx-get="([^"]+)"', page).group(1)

    page = refresh_of(f"/client/submissions/{a.id}")  # opening it marks it seen: first
    board, queue = refresh_of(f"/client/job-orders/{job.id}/board"), refresh_of("/client/review")
    for refresh in (board, queue, page):
        assert "seen=" in refresh
        unchanged = hana.get(refresh, htmx=True)
        assert unchanged.status_code == 204 and unchanged.data == b"", refresh
        assert hana.get(refresh).status_code == 200  # a full page load always renders
    olivia.post(f"/client/submissions/{b.id}/shortlist", prefixed("shortlist", b.id))
    assert hana.get(board, htmx=True).status_code == 200 and hana.get(queue, htmx=True).status_code == 200
    assert hana.get(page, htmx=True).status_code == 204  # b's move is not on a's page
    olivia.post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id))
    assert hana.get(page, htmx=True).status_code == 200
    thread = refresh_of(f"/client/submissions/{a.id}/comments", "comments-thread")
    assert hana.get(thread, htmx=True).status_code == 204
    as_user("sam").post(f"/supplier/submissions/{a.id}/comments", {"body": "New!", "visibility": "everyone"})
    assert hana.get(thread, htmx=True).status_code == 200


def _more_candidates(world, job, n: int, start: int = 0) -> list[Submission]:
    """n more TalentCo candidates in client review on `job` (its per-supplier limit raised first)."""
    with system_scope("raise the limit"):
        db.session.get(JobOrder, job.id).submission_limit = 100
        db.session.commit()
    sam, out = world.user("sam"), []
    for i in range(start, start + n):
        with as_actor(sam):
            candidate = new_candidate(sam, "More", f"Person{i}", f"more{i}.{job.id}@example.com")
            db.session.commit()
        with system_scope("forward"):
            out.append(submit(world.user("sam"), job, candidate))
            db.session.commit()
    return out


def test_the_board_and_the_queue_cost_at_most_ten_queries_whatever_their_size(world, as_user):
    """3 cards or 20 — in every stage, with interviews (and their times), offers and placements —
    the same number of queries, at most ten (the layout's and the SLA clocks' included)."""
    from portal.interviews import services as interviews
    from tests.test_review_support import future, request

    job, subs = job_with_candidates(world, 3)
    hana = as_user("hana")
    urls = (f"/client/job-orders/{job.id}/board", "/client/review?mine=0", "/client/review?mine=1")
    for url in urls:
        hana.get(url)  # warm up

    def measure():
        out = []
        for url in urls:
            with count_queries() as n:
                assert hana.get(url).status_code == 200
            out.append(n[0])
            with count_queries() as n:
                assert hana.get(url, htmx=True).status_code == 200
            out.append(n[0])
        return out

    small = measure()
    extra = _more_candidates(world, job, 17)
    to_offer_accepted(world, extra[0])
    run(world.user("hana"), shortlist, extra[1])
    interview = run(world.user("hana"), request, extra[2], future(2, 10), future(3, 11))
    run(world.user("sam"), interviews.supplier_propose, interview, [interviews.Slot(future(5, 9), 60)])
    run(world.user("hana"), request, extra[3], future(4, 10))
    page = _text(hana.get(urls[0]))
    assert page.count('<article class="review-card') == 20 and "Confirm " in _text(hana.get(urls[1]))
    large = measure()
    assert small == large, f"{small} queries with 3 cards, {large} with 20"
    assert max(large) <= 10, large


def test_a_card_lists_the_candidates_skills_in_their_own_order(world, as_user):
    job, _ = job_with_candidates(world, 0)
    sam = world.user("sam")
    with as_actor(sam):
        candidate = new_candidate(sam, "Skill", "Order", f"skill.order.{job.id}@example.com",
                                  skills=["Zeta", "Alpha", "Mid"])
        db.session.commit()
    with system_scope("forward"):
        submit(world.user("sam"), job, candidate)
        db.session.commit()
    card = _column(_text(as_user("hana").get(f"/client/job-orders/{job.id}/board")), "To review")
    assert '<li class="tag">Zeta</li><li class="tag">Alpha</li><li class="tag">Mid</li>' in card


# --- decisions that take more than a click: their forms load on demand ----------------------------

def _colleague(world, client):
    """Kim, another Acme hiring manager (not the world job's), signed in."""
    with system_scope("another hiring manager"):
        hana = world.user("hana")
        db.session.add(User(org_id=hana.org_id, portal="client", email="kim@acme.example", name="Kim Colleague",
                            role="hiring_manager", status="active", password_hash=hana.password_hash))
        db.session.commit()
    client.login("kim@acme.example", "client")
    return client


def test_the_board_renders_buttons_and_loads_the_reject_form_when_it_is_opened(world, as_user):
    job, (a, b) = job_with_candidates(world, 2)
    hana = as_user("hana")
    board = _text(hana.get(f"/client/job-orders/{job.id}/board"))
    card = _column(board, "To review")
    assert "Shortlist</button>" in card and "Reject…" in card and "Request an interview…" in card
    # No multi-field form in the page: each <details> fetches its own once, and links to the candidate's page.
    assert "Reject candidate" not in board and "-reason" not in board and "Send the interview request" not in board
    url = f"/client/submissions/{a.id}/decisions/reject?view=board"
    assert f'hx-get="{url}" hx-trigger="toggle once"' in card
    assert f'<a href="/client/submissions/{a.id}">Open the candidate\'s page</a> to reject them.' in card
    frag = hana.get(url, htmx=True)
    body = _text(frag)
    assert frag.status_code == 200 and body.lstrip().startswith(f'<div id="review-decision-reject{a.id}"')
    assert "<html" not in body and "HX-Request" in frag.headers["Vary"]
    for label in ("Reason", "Note to the supplier (optional)", "Internal note (optional)", "Reject candidate"):
        assert label in body, label
    assert f'hx-post="/client/submissions/{a.id}/reject" hx-target="#review-board"' in body
    assert f'name="reject{a.id}-view" type="hidden" value="board"' in body
    # Refused: the board again (422) with that form open in place and its messages; the others stay on demand.
    resp = hana.post(f"/client/submissions/{a.id}/reject", prefixed("reject", a.id, view="board", reason=""),
                     htmx=True)
    body = _text(resp)
    assert resp.status_code == 422 and body.lstrip().startswith('<div id="review-board"')
    assert "Choose the reason from the list." in body
    assert re.search(r'<details class="review-decision" open>\s*<summary>Reject…</summary>', body)
    assert f'/client/submissions/{b.id}/decisions/reject?view=board' in body
    assert reload(Submission, a.id).stage == "client_review"
    resp = hana.post(f"/client/submissions/{a.id}/reject", prefixed("reject", a.id, view="board", reason="rate"),
                     htmx=True)
    assert resp.status_code == 200 and "Rejected: the supplier has been told the reason." in _text(resp)
    assert reload(Submission, a.id).stage == "rejected"
    # Opened after it moved on: 409 with a message in place of the form, nothing else.
    gone = hana.get(url, htmx=True)
    assert gone.status_code == 409 and "this decision is no longer offered" in _text(gone)
    assert "Reject candidate" not in _text(gone)


def test_the_queue_loads_its_forms_on_demand_and_keeps_its_filter_and_page(world, as_user):
    job, (a,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    queue = _text(hana.get("/client/review?mine=0"))
    item = _queue_item(queue, a.id)
    url = f"/client/submissions/{a.id}/decisions/reject?view=queue&mine=0&page=1"
    assert f'hx-get="{url}"' in item and "Reject candidate" not in item and "Shortlist</button>" in item
    body = _text(hana.get(url, htmx=True))
    assert f'hx-post="/client/submissions/{a.id}/reject?mine=0&page=1" hx-target="#review-queue"' in body
    resp = hana.post(f"/client/submissions/{a.id}/reject?mine=0&page=1",
                     prefixed("reject", a.id, view="queue", reason="fit"), htmx=True)
    assert resp.status_code == 422 and _text(resp).lstrip().startswith('<div id="review-queue"')


def test_without_javascript_a_decision_form_is_a_page_of_its_own(world, as_user):
    """The <details> links to the candidate's page; the form's URL itself answers a plain page too."""
    job, (a,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    resp = hana.get(f"/client/submissions/{a.id}/decisions/interview?view=board")
    page = _text(resp)
    assert resp.status_code == 200 and "<html" in page and "Request an interview: Cara Candidate0" in page
    assert f'action="/client/submissions/{a.id}/interviews"' in page and "Send the interview request" in page
    assert f'hx-post="/client/submissions/{a.id}/interviews"' not in page  # a plain form
    resp = hana.post(f"/client/submissions/{a.id}/reject", prefixed("reject", a.id, view="board", reason="rate"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/board#card-{a.id}")


def test_decision_forms_are_for_the_job_orders_deciders_of_its_company_only(world, as_user, client):
    job, (a,) = job_with_candidates(world, 1)
    url = f"/client/submissions/{a.id}/decisions/reject?view=board"
    assert as_user("olivia").get(url, htmx=True).status_code == 200  # a client administrator
    kim = _colleague(world, client)
    assert kim.get(url, htmx=True).status_code == 403 and kim.get(url).status_code == 403  # a colleague's job
    for other in ("leo", "sam", "morgan"):  # another company, a supplier, the agency: not theirs to see
        c = as_user(other)
        assert c.get(url, htmx=True).status_code == 404 and c.get(url).status_code == 404, other
    hana = as_user("hana")
    assert hana.get(f"/client/submissions/{a.id}/decisions/shortlist").status_code == 404  # not a form's name
    assert hana.get(f"/client/submissions/{a.id}/decisions/feedback", htmx=True).status_code == 409  # no interview
    with system_scope("test"):
        hidden = db.session.query(Submission).filter_by(stage="submitted", client_org_id=world.oid("acme")).first()
    assert hana.get(f"/client/submissions/{hidden.id}/decisions/reject", htmx=True).status_code == 404


def test_another_company_and_suppliers_never_reach_the_board(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    assert as_user("leo").get(f"/client/job-orders/{job.id}/board").status_code == 404
    assert as_user("leo").get(f"/client/submissions/{sub.id}").status_code == 404
    assert as_user("sam").get(f"/client/job-orders/{job.id}/board").status_code == 404


# --- the candidate's page -------------------------------------------------------------------------

def test_the_submission_page_shows_details_note_resume_and_history(world, as_user):
    sub = world_review("acme")
    page = _text(as_user("hana").get(f"/client/submissions/{sub.id}"))
    for text in ("Rosa Review", "Ready to start soon.", "Download the résumé", f"/client/submissions/{sub.id}/resume",
                 f'src="/client/submissions/{sub.id}/resume/view"', "<iframe", "History",
                 "Acme Manufacturing shortlisted Rosa Review", "recorded feedback", "4 of 5",
                 "Strong on PLC migrations.",
                 "Download the invitation (.ics)", "62 USD/hour", "Comments on this candidate"):
        assert text in page, text


def test_the_resume_is_served_inline_sandboxed_and_only_to_its_client(world, as_user, client):
    sub = world_review("acme")
    resp = as_user("hana").get(f"/client/submissions/{sub.id}/resume/view")
    assert resp.status_code == 200 and resp.data.startswith(b"%PDF")
    assert resp.headers["Content-Type"] == "application/pdf"
    assert resp.headers["Content-Disposition"].startswith("inline;")
    assert resp.headers["Content-Security-Policy"].startswith("sandbox")
    assert "frame-ancestors 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff" and resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = as_user("hana").get(f"/client/submissions/{sub.id}")
    assert "frame-src 'self'" in page.headers["Content-Security-Policy"]  # the page may frame it
    assert as_user("leo").get(f"/client/submissions/{sub.id}/resume/view").status_code == 404
    assert client.get(f"/client/submissions/{sub.id}/resume/view").status_code == 302


# --- shortlist and reject ---------------------------------------------------------------------------

def test_shortlist_from_the_board_with_htmx_answers_the_board_and_announces_it(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/shortlist", prefixed("shortlist", sub.id, view="board"),
                                htmx=True)
    body = _text(resp)
    assert resp.status_code == 200 and body.lstrip().startswith('<div id="review-board"')
    assert "submission-changed" in resp.headers["HX-Trigger"]
    assert "Shortlisted: the supplier has been told." in body
    assert reload(Submission, sub.id).stage == "shortlisted"
    (ev,) = events("submission.shortlisted", sub.id)
    assert ev.supplier_org_id == world.oid("talentco") and ev.client_org_id == world.oid("acme")
    assert "Hana" not in ev.summary and "Acme Manufacturing shortlisted" in ev.summary


def test_without_javascript_a_decision_redirects_to_the_page_it_came_from(world, as_user):
    job, (a, b) = job_with_candidates(world, 2)
    hana = as_user("hana")
    resp = hana.post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id, view="board"))
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/client/job-orders/{job.id}/board#card-{a.id}")
    resp = hana.post(f"/client/submissions/{b.id}/shortlist", prefixed("shortlist", b.id, view="queue"))
    assert "/client/review" in resp.headers["Location"]
    follow = hana.get(resp.headers["Location"])
    assert "Shortlisted: the supplier has been told." in _text(follow)


def test_reject_tells_the_supplier_the_reason_and_note_but_never_the_internal_note(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/reject", prefixed(
        "reject", sub.id, reason="experience", note="We need five years on Rockwell.",
        internal_note="INTERNAL-7c1 cheaper than the others but too junior."))
    assert resp.status_code == 303
    row = reload(Submission, sub.id)
    assert (row.stage, row.reject_reason, row.reject_note, row.rejected_by_id) == (
        "rejected", "experience", "We need five years on Rockwell.", world.uid("hana"))
    sam_page = _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))
    assert "Not enough experience" in sam_page and "We need five years on Rockwell." in sam_page
    assert "INTERNAL-7c1" not in sam_page
    assert "INTERNAL-7c1" not in _text(as_user("sam").get(f"/supplier/submissions/{sub.id}/comments"))
    assert "INTERNAL-7c1" in _text(as_user("hana").get(f"/client/submissions/{sub.id}"))
    assert "INTERNAL-7c1" in _text(as_user("morgan").get(f"/staff/submissions/{sub.id}"))
    with system_scope("test"):
        note = db.session.query(Comment).filter_by(submission_id=sub.id).one()
        assert note.visibility == "staff_client" and note.supplier_org_id == world.oid("talentco")
        leaks = db.session.query(Event).filter(Event.summary.contains("INTERNAL-7c1")).all()
    assert leaks and all(e.supplier_org_id is None for e in leaks)
    (ev,) = events("submission.rejected", sub.id)
    assert "Not enough experience" in ev.summary and "five years" in ev.summary and ev.data["by"] == "client"


def test_reject_needs_a_reason_and_refuses_over_long_notes(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    hana = as_user("hana")
    before = len(events("submission.", sub.id))
    resp = hana.post(f"/client/submissions/{sub.id}/reject", prefixed("reject", sub.id, reason=""), htmx=True)
    assert resp.status_code == 422 and "Choose the reason from the list." in _text(resp)
    assert _text(resp).lstrip().startswith('<div id="review-submission"')
    resp = hana.post(f"/client/submissions/{sub.id}/reject", prefixed("reject", sub.id, reason="fit"))
    assert resp.status_code == 422 and "Choose the reason from the list." in _text(resp)
    resp = hana.post(f"/client/submissions/{sub.id}/reject", prefixed(
        "reject", sub.id, reason="rate", note="x" * 1001, internal_note="y" * 2001))
    page = _text(resp)
    assert resp.status_code == 422
    assert "Use 1000 characters or fewer." in page and "Use 2000 characters or fewer." in page
    assert "<html" in page  # without JavaScript: the whole page again, the form open with its messages
    assert reload(Submission, sub.id).stage == "client_review" and len(events("submission.", sub.id)) == before


def test_forged_fields_change_nothing_but_what_the_form_says(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    data = prefixed("shortlist", sub.id, view="../../admin", stage="placed", client_org_id=str(world.oid("globex")))
    data.update({"stage": "placed", "supplier_org_id": str(world.oid("bluepeak")), "rate": "1"})
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/shortlist", data)
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/client/submissions/{sub.id}")
    row = reload(Submission, sub.id)
    assert (row.stage, row.client_org_id, row.supplier_org_id, str(row.rate)) == (
        "shortlisted", world.oid("acme"), world.oid("talentco"), "60.00")


def test_only_the_hiring_manager_of_the_job_or_a_client_admin_decides(world, as_user, client):
    job, (a, b) = job_with_candidates(world, 2)
    kim = _colleague(world, client)
    assert kim.get(f"/client/job-orders/{job.id}/board").status_code == 200  # may follow it
    before = count(Event)
    resp = kim.post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id))
    assert resp.status_code == 403 and reload(Submission, a.id).stage == "client_review" and count(Event) == before
    assert "Shortlist</button>" not in _text(kim.get(f"/client/job-orders/{job.id}/board"))
    olivia = as_user("olivia")
    assert olivia.post(f"/client/submissions/{b.id}/shortlist", prefixed("shortlist", b.id)).status_code == 303
    assert as_user("leo").post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id)).status_code == 404
    assert as_user("sam").post(f"/client/submissions/{a.id}/shortlist", prefixed("shortlist", a.id)).status_code == 404


def test_a_stage_the_life_cycle_does_not_allow_is_a_409_naming_where_it_is(world, as_user):
    sub = world_review("acme")  # an offer is waiting: it can't be shortlisted
    before = count(Event)
    resp = as_user("hana").post(f"/client/submissions/{sub.id}/shortlist", prefixed("shortlist", sub.id), htmx=True)
    assert resp.status_code == 409
    assert "This submission moved to offer in the meantime" in _text(resp)
    assert reload(Submission, sub.id).stage == "offer" and count(Event) == before


def test_a_submission_awaiting_screening_is_not_the_clients(world, as_user):
    with system_scope("test"):
        hidden = db.session.query(Submission).filter_by(stage="submitted", client_org_id=world.oid("acme")).first()
    assert hidden is not None
    assert as_user("hana").post(f"/client/submissions/{hidden.id}/shortlist",
                                prefixed("shortlist", hidden.id)).status_code == 404
    assert world_submission("acme") is not None


# --- the review queue -----------------------------------------------------------------------------

def _queue_item(page: str, sub_id: int) -> str:
    start = page.index(f'id="card-{sub_id}"')
    end = page.find('class="card review-queue-item"', start)
    return page[start:end if end != -1 else len(page)]


def test_the_queue_lists_what_waits_oldest_first_with_each_rows_decisions(world, as_user):
    from datetime import timedelta

    from portal import clock
    from portal.interviews import services as interviews
    from tests.test_job_orders_support import frozen
    from tests.test_review_support import future, request, slot_id

    job, (review_me, to_feedback, times_back, to_place) = job_with_candidates(
        world, 4, people=[("Rev", "Iew"), ("Feed", "Back"), ("Ti", "Mes"), ("Pla", "Ce")])
    hana, sam = world.user("hana"), world.user("sam")
    with frozen(clock.now() - timedelta(days=5)):
        interview = run(hana, request, to_feedback, future(1, 10))
        with system_scope("the time proposed"):
            first = slot_id(db.session.get(type(interview), interview.id))
        run(sam, interviews.supplier_confirm, interview, first)
    other = run(hana, request, times_back, future(4, 10))
    run(sam, interviews.supplier_propose, other, [interviews.Slot(future(6, 11), 60)])
    to_offer_accepted(world, to_place)
    page = _text(as_user("hana").get("/client/review"))
    rows = re.findall(r'<li class="card review-queue-item" id="card-(\d+)">', page)
    order = [int(r) for r in rows]
    for sub in (review_me, to_feedback, times_back, to_place):
        assert sub.id in order, sub.id
    assert order.index(to_feedback.id) < order.index(review_me.id)  # its interview ended days ago
    item = _queue_item(page, to_place.id)
    assert "record the placement" in item and "Record the placement</button>" in item and "Shortlist" not in item
    item = _queue_item(page, times_back.id)
    assert "The supplier proposed other times" in item and "Confirm " in item
    assert "Record feedback…" in _queue_item(page, to_feedback.id)
    assert "Permanent resident (e.g. green card)" in _text(as_user("hana").get("/client/review?mine=0"))  # the demo's
    # Another company sees none of it.
    assert f'id="card-{review_me.id}"' not in _text(as_user("leo").get("/client/review?mine=0"))


def test_the_queue_is_mine_by_default_for_a_hiring_manager_and_company_wide_for_an_admin(world, as_user):
    job, (sub,) = job_with_candidates(world, 1)
    with system_scope("hand the job to olivia"):
        row = db.session.get(type(job), job.id)
        row.hiring_manager_id = world.uid("olivia")
        row.created_by_id = world.uid("olivia")
        db.session.commit()
    assert f'id="card-{sub.id}"' not in _text(as_user("hana").get("/client/review"))
    theirs = _text(as_user("hana").get("/client/review?mine=0"))
    assert f'id="card-{sub.id}"' in theirs and "The job order's hiring manager decides on this one." in theirs
    assert f'id="card-{sub.id}"' in _text(as_user("olivia").get("/client/review"))
