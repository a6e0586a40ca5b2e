"""Review pages: the client's board per job order, the review queue, a candidate's submission page with
its résumé shown in the page, the shortlist and reject decisions; the supplier's decisions panel."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, request, send_file
from flask_login import current_user

from portal.candidates.models import Candidate, Resume
from portal.extensions import db
from portal.files.serve import download_name
from portal.files.storage import MissingFile, get_storage
from portal.job_orders.models import JobOrder
from portal.review import pages, services, supplier
from portal.review.live import no_change, unchanged
from portal.review import permissions as perms
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.submissions.models import Submission
from portal.web import nav
from portal.web.errors import error_response
from portal.web.htmx import is_htmx
from portal.web.render import render

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__)

nav.add("client", "review.queue", "Review queue", perms.CLIENT_VIEW, position=1)

#: The résumé shown in the page: only this origin may frame it, and inside the frame nothing runs.
INLINE_CSP = "sandbox; default-src 'none'; frame-ancestors 'self'"


@bp.app_template_global("review_panel")
def review_panel(sub) -> dict:
    """The decisions panel of a submission for the supplier's and staff's submission pages."""
    return supplier.panel(sub)


@bp.route("/client/job-orders/<int:job_id>/board")
@requires(perms.CLIENT_VIEW)
def board(job_id: int):
    """Show a job order's candidates by stage, new ones marked, each with its decisions."""
    job = load_or_404(JobOrder, job_id)
    ctx = pages.board_context(job)
    if unchanged(ctx["fingerprint"]):
        return no_change()
    return render("review/board.html", fragment="review_board", **ctx)


@bp.route("/client/review")
@requires(perms.CLIENT_VIEW)
def queue():
    """List everything waiting on me across the job orders, oldest first, with its decisions."""
    ctx = pages.queue_context(*pages.queue_args(request.args))
    if unchanged(ctx["fingerprint"]):
        return no_change()
    return render("review/queue.html", fragment="review_queue", **ctx)


@bp.route("/client/submissions/<int:submission_id>")
@requires(perms.CLIENT_VIEW)
def submission(submission_id: int):
    """Show one candidate: details, the supplier's note, the résumé, interviews, offer and history."""
    sub = load_or_404(Submission, submission_id)
    if not is_htmx():
        services.mark_seen(current_user, sub)
        db.session.commit()
    ctx = pages.submission_context(sub)
    if unchanged(ctx["fingerprint"]):
        return no_change()
    return render("review/submission.html", fragment="review_submission", **ctx)


@bp.route("/client/submissions/<int:submission_id>/resume/view")
@requires(perms.CLIENT_VIEW)
def resume_inline(submission_id: int):
    """Serve the PDF résumé of a submission to be shown inside its page (inline, sandboxed)."""
    sub = load_or_404(Submission, submission_id)
    # Through the scope as well: a client sees only the résumé and candidate of a visible submission.
    stored = load_or_404(Resume, sub.resume_id)
    if stored.content_type != "application/pdf":
        abort(404)
    candidate = load_or_404(Candidate, sub.candidate_id)
    try:
        stream = get_storage().open(stored.storage_key)
    except MissingFile:
        log.error("stored file %s is missing", stored.storage_key)
        return error_response(404, "The file is missing from the portal's storage.", "File not found")
    resp = send_file(stream, mimetype="application/pdf", as_attachment=False,
                     download_name=download_name(stored.original_name, ".pdf", f"{candidate.full_name} resume"),
                     conditional=False, etag=False, max_age=0)
    resp.headers["Cache-Control"] = "no-store"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Content-Security-Policy"] = INLINE_CSP
    resp.headers["X-Frame-Options"] = "SAMEORIGIN"
    return resp


@bp.route("/client/submissions/<int:submission_id>/decisions/<any(feedback, interview, propose, offer, reject):kind>")
@requires(perms.CLIENT_DECIDE)
def decision_form(submission_id: int, kind: str):
    """The form of one decision that takes more than a click, loaded into a card when it is opened."""
    sub = load_or_404(Submission, submission_id)
    return pages.decision_form(sub, kind)


@bp.route("/client/submissions/<int:submission_id>/shortlist", methods=["POST"])
@requires(perms.CLIENT_DECIDE)
def shortlist(submission_id: int):
    """Shortlist a candidate in client review."""
    sub = load_or_404(Submission, submission_id)
    return pages.decide(sub, "shortlist", sub.id, lambda form: services.shortlist(current_user, sub),
                        "Shortlisted: the supplier has been told.")


@bp.route("/client/submissions/<int:submission_id>/reject", methods=["POST"])
@requires(perms.CLIENT_DECIDE)
def reject(submission_id: int):
    """Reject a candidate with a reason, a note to the supplier and an internal note."""
    sub = load_or_404(Submission, submission_id)
    return pages.decide(sub, "reject", sub.id, lambda form: services.reject(
        current_user, sub, form.reason.data, form.note.data, form.internal_note.data),
        "Rejected: the supplier has been told the reason.")


@bp.route("/supplier/submissions/<int:submission_id>/review")
@requires(perms.SUPPLIER_VIEW)
def supplier_panel(submission_id: int):
    """Show the client's decisions, interviews and offer on one of my company's submissions."""
    sub = load_or_404(Submission, submission_id)
    panel = supplier.panel(sub)
    if unchanged(panel["fingerprint"]):
        return no_change()
    return supplier.respond(sub, ready=panel)
