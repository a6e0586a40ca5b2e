"""The life cycle of this issue — screening (forward, reject), withdrawal — as guarded moves of one
transitions table; the per-client screening setting; who sees a submission, its candidate, its
résumé and its events (a client only once it is visible to it)."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from portal.candidates.models import Candidate, Resume
from portal.db.tenancy import Scope, scoped, system_scope
from portal.extensions import db
from portal.submissions import services
from portal.submissions.models import Stage, Submission
from portal.submissions.services import TRANSITIONS, SubmissionError
from tests.fixtures import candidates as files
from tests.fixtures.candidates import world_candidate
from tests.test_job_orders_support import released
from tests.test_submissions_support import (
    add_candidate,
    count,
    event_count,
    events,
    form,
    post_submit,
    reload,
    submissions_of,
    world_submission,
)


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _screened(world, as_user, **kw):
    """A fresh Acme job (Acme screens) with Tilda submitted by Sam: (job, submission)."""
    job = released(world, {"talentco": 1}, **kw)
    assert post_submit(as_user("sam"), job.id, form(world_candidate("talentco").id)).status_code == 302
    return job, submissions_of(job.id)[0]


def test_the_transitions_table_is_one_move_per_stage_and_action():
    keys = [(t.source, t.action) for t in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert {t.target for t in TRANSITIONS if t.source is None} == {Stage.SUBMITTED, Stage.CLIENT_REVIEW}
    withdrawable = {t.source for t in TRANSITIONS if t.action == "withdraw"}
    assert Stage.PLACED not in withdrawable and Stage.REJECTED not in withdrawable
    assert Stage.WITHDRAWN not in withdrawable and Stage.SUBMITTED in withdrawable and Stage.OFFER in withdrawable
    assert set(Stage) >= {t.target for t in TRANSITIONS}


def test_a_screened_submission_is_invisible_to_the_client_until_forwarded(app, world, as_user):
    job, sub = _screened(world, as_user)
    hana, leo = as_user("hana"), as_user("leo")
    assert "Tilda Worldwide" not in _text(hana.get(f"/client/job-orders/{job.id}"))
    assert hana.get(f"/client/submissions/{sub.id}/resume").status_code == 404
    with scoped(Scope("client", world.oid("acme"))):
        assert db.session.scalar(select(Submission.id).where(Submission.id == sub.id)) is None
    morgan = as_user("morgan")
    resp = morgan.post(f"/staff/submissions/{sub.id}/forward")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/staff/submissions/{sub.id}")
    sub = reload(sub.id)
    assert sub.stage == "client_review" and sub.client_visible_at is not None and sub.forwarded_by_id == world.uid("morgan")
    [ev] = events("submission.forwarded", sub.id)
    assert (ev.client_org_id, ev.supplier_org_id, ev.internal) == (world.oid("acme"), world.oid("talentco"), False)
    page = _text(hana.get(f"/client/job-orders/{job.id}"))
    assert "Tilda Worldwide" in page and f"/client/submissions/{sub.id}/resume" in page and "TalentCo Search" in page
    assert "tilda.worldwide@example.com" not in page  # contact details stay with the supplier and the agency
    download = hana.get(f"/client/submissions/{sub.id}/resume")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and download.headers["Cache-Control"] == "no-store"
    assert "sandbox" in download.headers["Content-Security-Policy"]
    # Globex's hiring manager and BluePeak never reach it.
    assert leo.get(f"/client/submissions/{sub.id}/resume").status_code == 404
    assert as_user("priya").get(f"/supplier/submissions/{sub.id}/resume").status_code == 404
    assert as_user("priya").get(f"/supplier/submissions/{sub.id}").status_code == 404
    assert as_user("sam").get(f"/supplier/submissions/{sub.id}/resume").status_code == 200
    assert morgan.get(f"/staff/submissions/{sub.id}/resume").status_code == 200


def test_a_client_never_reads_an_event_about_a_submission_it_cannot_see(world, as_user):
    hana = as_user("hana")
    job = released(world, {"talentco": 1})
    quiet = add_candidate(world, "sam", "Quinn", "Quiet", "quinn.quiet@example.com")
    cursor = _cursor(hana)
    assert post_submit(as_user("sam"), job.id, form(quiet.id, pdf=files.pdf_bytes())).status_code == 302
    [sub] = submissions_of(job.id)
    assert hana.get(f"/live?after={cursor}").status_code == 204  # nothing it may see happened
    assert "Quinn" not in _text(hana.get("/client/"))
    as_user("morgan").post(f"/staff/submissions/{sub.id}/forward")
    live = hana.get(f"/live?after={cursor}", htmx=True)
    assert live.status_code == 200 and "submission-changed" in live.headers["HX-Trigger"]
    assert "forwarded Quinn Quiet" in _text(hana.get("/client/"))
    # The supplier was told at every step.
    assert "submitted Quinn Quiet" in _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))


def _cursor(client) -> int:
    with system_scope("test"):
        from sqlalchemy import func

        from portal.events.models import Event

        return db.session.scalar(select(func.max(Event.id))) or 0


def test_reject_at_screening_needs_a_reason_and_a_note_and_tells_only_the_supplier(world, as_user):
    job, sub = _screened(world, as_user)
    morgan = as_user("morgan")
    before = event_count()
    bad = morgan.post(f"/staff/submissions/{sub.id}/reject", {"reason": "", "note": ""})
    assert bad.status_code == 422 and "Choose the reason from the list." in _text(bad)
    assert morgan.post(f"/staff/submissions/{sub.id}/reject", {"reason": "bogus", "note": "x"}).status_code == 422
    assert morgan.post(f"/staff/submissions/{sub.id}/reject", {"reason": "rate", "note": "x" * 1001}).status_code == 422
    assert reload(sub.id).stage == "submitted" and event_count() == before
    ok = morgan.post(f"/staff/submissions/{sub.id}/reject", {"reason": "experience", "note": "Needs five years of PLC work."})
    assert ok.status_code == 302
    sub = reload(sub.id)
    assert (sub.stage, sub.reject_reason, sub.reject_note, sub.client_visible_at) == (
        "rejected", "experience", "Needs five years of PLC work.", None)
    [ev] = events("submission.rejected", sub.id)
    assert ev.client_org_id is None and ev.supplier_org_id == world.oid("talentco")
    detail = _text(as_user("sam").get(f"/supplier/submissions/{sub.id}"))
    assert "Not enough experience" in detail and "Needs five years of PLC work." in detail
    assert "Tilda" not in _text(as_user("hana").get(f"/client/job-orders/{job.id}"))
    # A refused move changes nothing and says why.
    again = morgan.post(f"/staff/submissions/{sub.id}/forward")
    assert again.status_code == 409 and "is rejected: it can&#39;t be forwarded to the client" in _text(again)
    assert as_user("sam").post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "x"}).status_code == 409
    assert reload(sub.id).stage == "rejected" and len(events(subject_id=sub.id)) == 2


def test_withdraw_with_a_reason_while_not_placed(world, as_user):
    sub = world_submission("talentco")  # visible to Acme
    sam = as_user("sam")
    assert sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": ""}).status_code == 422
    assert sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "y" * 501}).status_code == 422
    assert reload(sub.id).stage == "client_review"
    resp = sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "She took another offer."})
    assert resp.status_code == 302
    sub = reload(sub.id)
    assert (sub.stage, sub.withdraw_reason, sub.withdrawn_by_id) == ("withdrawn", "She took another offer.", world.uid("sam"))
    [ev] = events("submission.withdrawn", sub.id)
    assert (ev.client_org_id, ev.supplier_org_id) == (world.oid("acme"), world.oid("talentco"))  # it saw it
    second = sam.post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "again"})
    assert second.status_code == 409 and "is withdrawn: it can&#39;t be withdrawn" in _text(second)
    assert len(events("submission.withdrawn", sub.id)) == 1


def test_a_placed_candidate_cannot_be_withdrawn(world, as_user):
    sub = world_submission("bluepeak")
    with system_scope("test: the next issue places candidates"):
        db.session.execute(update(Submission).where(Submission.id == sub.id).values(stage="placed"))
        db.session.commit()
    resp = as_user("bruno").post(f"/supplier/submissions/{sub.id}/withdraw", {"reason": "Too late"})
    assert resp.status_code == 409 and reload(sub.id).stage == "placed"
    assert b"Withdraw candidate" not in as_user("priya").get(f"/supplier/submissions/{sub.id}").data


def test_roles_and_portals_are_checked_by_the_services_too(world):
    sub = world_submission("talentco")
    sam, morgan = world.user("sam"), world.user("morgan")
    with scoped(Scope("supplier", sam.org_id)):
        with pytest.raises(SubmissionError) as exc:
            services.forward(sam, reload(sub.id))
        assert exc.value.status == 403
    db.session.rollback()
    with scoped(Scope("staff", morgan.org_id)):
        with pytest.raises(SubmissionError) as exc:
            services.withdraw(morgan, reload(sub.id), "staff may not")
        assert exc.value.status == 403
    db.session.rollback()
    priya = world.user("priya")
    with system_scope("test"), pytest.raises(SubmissionError) as exc:
        services.withdraw(priya, reload(sub.id), "not ours")
    assert exc.value.status == 404
    db.session.rollback()
    assert reload(sub.id).stage == "client_review"


def test_staff_turn_screening_on_and_off_per_client(world, as_user):
    morgan = as_user("morgan")
    globex = world.oid("globex")
    page = _text(morgan.get(f"/staff/job-orders/clients/{globex}/settings"))
    assert "Screening of submissions" in page and "sees each submission as soon as a supplier makes it" in page
    resp = morgan.post(f"/staff/submissions/clients/{globex}/screening", {"screen": "y"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/staff/job-orders/clients/{globex}/settings")
    assert services.screens_submissions(globex)
    [ev] = [e for e in events("submission.screening_changed") if e.client_org_id == globex]
    assert ev.internal and ev.data == {"screen_submissions": True}
    job = released(world, {"bluepeak": 1}, hm="leo")
    bastian = world_candidate("bluepeak")
    assert post_submit(as_user("priya"), job.id, form(bastian.id)).status_code == 302
    assert submissions_of(job.id)[0].stage == "submitted"
    assert morgan.post(f"/staff/submissions/clients/{globex}/screening", {}).status_code == 302
    assert not services.screens_submissions(globex)
    assert morgan.post(f"/staff/submissions/clients/{globex}/screening", {}).status_code == 302  # no change
    assert len([e for e in events("submission.screening_changed") if e.client_org_id == globex]) == 2
    assert morgan.post(f"/staff/submissions/clients/{world.oid('talentco')}/screening", {"screen": "y"}).status_code == 404
    assert as_user("leo").post(f"/staff/submissions/clients/{globex}/screening", {}).status_code == 404


def test_a_client_sees_candidates_and_resumes_only_through_visible_submissions(world, as_user):
    job = released(world, {"talentco": 1})
    nobody = add_candidate(world, "sam", "Screened", "Only", "screened.only@example.com")
    assert post_submit(as_user("sam"), job.id, form(nobody.id, pdf=files.pdf_bytes())).status_code == 302
    [screened] = submissions_of(job.id)
    visible = world_submission("acme")
    with system_scope("test"):
        older = Resume(candidate_id=visible.candidate_id, supplier_org_id=visible.supplier_org_id,
                       storage_key="f" * 40, original_name="old.pdf", content_type="application/pdf", size=1,
                       sha256="0" * 64, text="", is_current=False)
        db.session.add(older)
        db.session.commit()
    with scoped(Scope("client", world.oid("acme"))):
        subs = set(db.session.scalars(select(Submission.id)))
        assert visible.id in subs and screened.id not in subs
        seen = set(db.session.scalars(select(Candidate.id)))
        assert seen == set(db.session.scalars(select(Submission.candidate_id))) and nobody.id not in seen
        resumes = set(db.session.scalars(select(Resume.id)))
        assert resumes == set(db.session.scalars(select(Submission.resume_id))) and older.id not in resumes
    with scoped(Scope("client", world.oid("globex"))):
        assert visible.candidate_id not in set(db.session.scalars(select(Candidate.id)))
    with scoped(Scope("supplier", world.oid("bluepeak"))):
        assert set(db.session.scalars(select(Submission.supplier_org_id))) == {world.oid("bluepeak")}


def test_a_supplier_never_reaches_another_suppliers_submissions(world, as_user):
    theirs = world_submission("talentco")
    priya = as_user("priya")
    for url in (f"/supplier/submissions/{theirs.id}", f"/supplier/submissions/{theirs.id}/resume"):
        assert priya.get(url).status_code == 404
    before = event_count()
    assert priya.post(f"/supplier/submissions/{theirs.id}/withdraw", {"reason": "hostile"}).status_code == 404
    assert reload(theirs.id).stage == "client_review" and event_count() == before
    listing = _text(priya.get("/supplier/submissions"))
    assert "Tilda" not in listing and "Bastian Worldwide" in listing
    assert count(Submission) >= 2
