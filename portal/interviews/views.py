"""Interview actions: the client requests one, either side confirms a proposed time or proposes
others, the client records feedback; the confirmed interview's invitation (.ics) for each portal."""
from __future__ import annotations

from flask import Blueprint, make_response
from flask_login import current_user

from portal.interviews import ics, services
from portal.interviews import permissions as perms
from portal.interviews.models import Interview, InterviewStatus
from portal.review import pages, supplier
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.submissions.models import Submission
from portal.web.errors import error_response

bp = Blueprint("interviews", __name__)


def _interview(interview_id: int) -> tuple[Interview, Submission]:
    interview = load_or_404(Interview, interview_id)
    return interview, load_or_404(Submission, interview.submission_id)


@bp.route("/client/submissions/<int:submission_id>/interviews", methods=["POST"])
@requires(perms.CLIENT_SCHEDULE)
def request_interview(submission_id: int):
    """Ask for an interview, proposing one to three times."""
    sub = load_or_404(Submission, submission_id)
    return pages.decide(sub, "interview", sub.id, lambda form: services.request_interview(
        current_user, sub, form.to_data()), "Interview requested: the supplier confirms a time or proposes others.")


@bp.route("/client/interviews/<int:interview_id>/confirm", methods=["POST"])
@requires(perms.CLIENT_SCHEDULE)
def client_confirm(interview_id: int):
    """Confirm one of the times the supplier proposed."""
    interview, sub = _interview(interview_id)
    return pages.decide(sub, "confirm", interview.id, lambda form: services.client_confirm(
        current_user, interview, form.slot_id.data), "Interview confirmed: the supplier has been told.")


@bp.route("/client/interviews/<int:interview_id>/propose", methods=["POST"])
@requires(perms.CLIENT_SCHEDULE)
def client_propose(interview_id: int):
    """Propose new times for an interview (back with the supplier)."""
    interview, sub = _interview(interview_id)
    return pages.decide(sub, "propose", interview.id, lambda form: services.client_propose(
        current_user, interview, form.times(), form.message.data), "New times sent to the supplier.")


@bp.route("/client/interviews/<int:interview_id>/feedback", methods=["POST"])
@requires(perms.CLIENT_SCHEDULE)
def feedback(interview_id: int):
    """Record the rating and notes of an interview that took place."""
    interview, sub = _interview(interview_id)
    return pages.decide(sub, "feedback", interview.id, lambda form: services.record_feedback(
        current_user, interview, form.rating.data, form.notes.data), "Feedback recorded.")


@bp.route("/supplier/interviews/<int:interview_id>/confirm", methods=["POST"])
@requires(perms.SUPPLIER_ANSWER)
def supplier_confirm(interview_id: int):
    """Confirm one of the times the client proposed, on the candidate's behalf."""
    interview, sub = _interview(interview_id)
    return supplier.answer(sub, "confirm", interview.id, lambda form: services.supplier_confirm(
        current_user, interview, form.slot_id.data), "Interview confirmed: download the invitation for the candidate.")


@bp.route("/supplier/interviews/<int:interview_id>/propose", methods=["POST"])
@requires(perms.SUPPLIER_ANSWER)
def supplier_propose(interview_id: int):
    """Propose other times instead of the client's (back with the hiring manager)."""
    interview, sub = _interview(interview_id)
    return supplier.answer(sub, "propose", interview.id, lambda form: services.supplier_propose(
        current_user, interview, form.times(), form.message.data), "Other times sent to the hiring manager.")


def invite(interview_id: int):
    """Download the confirmed interview's invitation as an .ics file."""
    interview, sub = _interview(interview_id)
    if interview.status not in (InterviewStatus.CONFIRMED.value, InterviewStatus.COMPLETED.value):
        return error_response(409, "This interview has no confirmed time yet: the invitation can be downloaded "
                                   "once a time is confirmed.")
    body, filename = ics.invitation(interview, sub, audience=current_user.portal)
    resp = make_response(body)
    resp.headers["Content-Type"] = "text/calendar; charset=utf-8"
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


for _portal, _perm in (("client", perms.CLIENT_INVITE), ("supplier", perms.SUPPLIER_INVITE),
                       ("staff", perms.STAFF_INVITE)):
    bp.add_url_rule(f"/{_portal}/interviews/<int:interview_id>/invite.ics", f"{_portal}_invite",
                    requires(_perm)(invite))
