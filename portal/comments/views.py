"""Comment threads of job orders and submissions, for each portal: read them (a region refreshed when a
comment is added) and add one with its visibility."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.comments import permissions as perms
from portal.comments import queries, services
from portal.comments.forms import CommentForm
from portal.extensions import db
from portal.job_orders.models import JobOrder
from portal.review.live import fingerprint, no_change, unchanged
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.submissions.models import Submission
from portal.submissions.services import SubmissionError
from portal.web.errors import error_response
from portal.web.htmx import is_partial
from portal.web.render import render

bp = Blueprint("comments", __name__)
TRIGGER = ("comment-changed",)
#: Where each portal's job and submission pages are (a thread's "back to" and no-JavaScript answer).
JOB_PAGES = {"client": "job_orders.client_detail", "supplier": "job_orders.supplier_detail",
             "staff": "job_orders.staff_detail"}
SUBMISSION_PAGES = {"client": "review.submission", "supplier": "submissions.supplier_detail",
                    "staff": "submissions.staff_detail"}


@dataclass
class Thread:
    """One comment thread as the current user sees it, with its form."""

    job: JobOrder
    submission: Submission | None
    rows: list
    form: CommentForm
    message: str | None = None
    category: str = "success"
    errors: list = field(default_factory=list)

    @property
    def portal(self) -> str:
        return current_user.portal

    @property
    def post_url(self) -> str:
        if self.submission is not None:
            return url_for(f"comments.{self.portal}_submission", submission_id=self.submission.id)
        return url_for(f"comments.{self.portal}_job", job_id=self.job.id)

    @property
    def page_url(self) -> str:
        if self.submission is not None:
            return url_for(SUBMISSION_PAGES[self.portal], submission_id=self.submission.id)
        return url_for(JOB_PAGES[self.portal], job_id=self.job.id)

    @property
    def refresh_url(self) -> str:
        """The thread's live refresh: 204 while no comment was added (see review.live)."""
        return f"{self.post_url}?seen={self.fingerprint}"

    @property
    def fingerprint(self) -> str:
        return fingerprint([row.id for row in self.rows])

    @property
    def title(self) -> str:
        return "Comments on this candidate" if self.submission is not None else "Comments on this job order"


def build(job: JobOrder, submission: Submission | None = None, *, form: CommentForm | None = None,
          message: str | None = None, category: str = "success") -> Thread:
    rows = queries.thread(current_user, job.id, submission.id if submission else None)
    form = form or CommentForm(formdata=None, portal=current_user.portal)
    return Thread(job, submission, rows, form, message, category)


@bp.app_template_global("comment_thread")
def comment_thread(job, submission=None) -> Thread:
    """The thread shown on a job order's or a submission's page (templates include comments/_thread.html
    with the job order, or its id where the page has only that)."""
    if isinstance(job, int):
        job = load_or_404(JobOrder, job)
    return build(job, submission)


def _thread_page(thread: Thread, status: int = 200, trigger: tuple[str, ...] = ()):
    return render("comments/thread.html", fragment="comments_thread", status=status, trigger=trigger, thread=thread)


def _show_or_add(job: JobOrder, submission: Submission | None, method: str):
    if method == "GET":
        thread = build(job, submission)
        return no_change() if unchanged(thread.fingerprint) else _thread_page(thread)
    form = CommentForm(portal=current_user.portal)
    if not form.validate_on_submit():
        return _thread_page(build(job, submission, form=form), 422)
    try:
        services.add_comment(current_user, job, form.body.data, form.visibility.data, submission=submission,
                             create_key=form.create_key.data or None)
    except SubmissionError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            return error_response(exc.status, exc.message)
        db.session.expire_all()
        for name, message in exc.errors:
            target = getattr(form, name or "", None)
            (target.errors if target is not None else []).append(message)
        message = None if any(getattr(form, n or "", None) is not None for n, _ in exc.errors) else exc.message
        return _thread_page(build(job, submission, form=form, message=message, category="error"), exc.status)
    except IntegrityError:
        db.session.rollback()  # the same comment sent twice at once: the other request wrote it
    else:
        db.session.commit()
    thread = build(job, submission, message="Comment added.")
    if is_partial():
        return _thread_page(thread, trigger=TRIGGER)
    flash("Comment added.", "success")
    return redirect(thread.page_url + "#comments-thread", 303)


def job_thread(job_id: int):
    """Read a job order's comments, or add one with who can read it."""
    return _show_or_add(load_or_404(JobOrder, job_id), None, request.method)


def submission_thread(submission_id: int):
    """Read a submission's comments, or add one with who can read it."""
    sub = load_or_404(Submission, submission_id)
    return _show_or_add(load_or_404(JobOrder, sub.job_order_id), sub, request.method)


for _portal, _perm in (("client", perms.CLIENT), ("supplier", perms.SUPPLIER), ("staff", perms.STAFF)):
    bp.add_url_rule(f"/{_portal}/job-orders/<int:job_id>/comments", f"{_portal}_job", requires(_perm)(job_thread),
                    methods=["GET", "POST"])
    bp.add_url_rule(f"/{_portal}/submissions/<int:submission_id>/comments", f"{_portal}_submission",
                    requires(_perm)(submission_thread), methods=["GET", "POST"])
