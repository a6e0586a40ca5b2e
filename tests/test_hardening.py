"""Regressions found in review: odd input never makes a 500, audit names the real actor,
unanswered questions stay with the supplier that asked."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from portal.candidates.models import Candidate
from portal.db.tenancy import Scope, scoped, system_scope
from portal.extensions import db
from portal.job_orders.models import JobOrderQuestion
from tests.fixtures.candidates import W_NS, docx_bytes

BIG = "9" * 25


@pytest.mark.parametrize("who,url", [
    ("morgan", "/staff/leads?owner=%C2%B2"),
    ("morgan", f"/staff/leads?owner={BIG}"),
    ("morgan", "/staff/opportunities?owner=%C2%B2"),
    ("morgan", f"/staff/job-orders?client={BIG}"),
    ("morgan", f"/staff/job-orders/review?client={BIG}"),
    ("sam", f"/supplier/job-orders?client={BIG}"),
    ("sam", "/supplier/job-orders?client=%C2%B2"),
    ("morgan", f"/staff/candidates?supplier={BIG}"),
    ("morgan", f"/staff/sales?owner={BIG}"),
])
def test_odd_filter_arguments_are_ignored_not_500(as_user, who, url):
    assert as_user(who).get(url).status_code == 200


@pytest.mark.parametrize("encoding", ["x-bogus", "UTF-7"])
def test_docx_with_an_odd_xml_encoding_is_refused_cleanly(world, as_user, encoding):
    document = f'<?xml version="1.0" encoding="{encoding}"?><w:document xmlns:w="{W_NS}"/>'
    with system_scope("test"):
        cand_id = db.session.scalar(select(Candidate.id).where(Candidate.supplier_org_id == world.oid("talentco")))
    resp = as_user("sam").post(f"/supplier/candidates/{cand_id}/resume",
                               data={"resume": (io.BytesIO(docx_bytes(document=document)), "cv.docx")},
                               content_type="multipart/form-data")
    assert resp.status_code == 422


def test_public_form_key_reused_by_someone_else_reveals_nothing(app):
    from tests.conftest import PortalClient

    data = {"company_name": "Victim Corp", "contact_name": "Vera Victim", "email": "vera@victim.example",
            "phone": "", "roles": "Welders", "headcount": "3", "location": "Chicago", "start_date": "",
            "details": "", "create_key": "abc"}
    PortalClient(app).post("/request-talent", data)
    attacker = PortalClient(app)
    attacker.post("/request-talent", dict(data, company_name="Evil", contact_name="Eve", email="eve@evil.example"))
    page = attacker.get("/request-talent/thanks").get_data(as_text=True)
    assert "vera@victim.example" not in page and "Victim Corp" not in page


def test_unanswered_questions_stay_with_the_supplier_that_asked(app, world):
    with system_scope("test"):
        questions = list(db.session.scalars(select(JobOrderQuestion)))
    unanswered = [q for q in questions if q.answer is None]
    assert unanswered, "the world should hold an unanswered question"
    for question in unanswered:
        for party in ("talentco", "bluepeak"):
            with scoped(Scope("supplier", world.oid(party))):
                seen = db.session.scalar(select(JobOrderQuestion.id).where(JobOrderQuestion.id == question.id))
            assert (seen is not None) == (question.supplier_org_id == world.oid(party))
