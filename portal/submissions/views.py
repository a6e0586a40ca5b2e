"""Submission pages: the supplier's submit form, list and detail (withdraw); the staff's list and
detail (screen); résumé downloads for the three portals; a client's screening setting."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import OrgKind, Organisation
from portal.admin.queries import suppliers as supplier_orgs
from portal.candidates import queries as candidate_queries
from portal.candidates.forms import RESUME_HINT
from portal.candidates.models import Candidate, Resume
from portal.candidates.services import current_resume
from portal.extensions import db
from portal.files.documents import UploadRejected, inspect_document, limit_bytes, read_limited
from portal.files.serve import send_attachment
from portal.job_orders import queries as job_queries
from portal.job_orders.display import money, rate_range as display_rate
from portal.job_orders.models import JobOrder
from portal.job_orders.services import accepts_submissions
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.security.session import is_live_refresh
from portal.submissions import permissions as perms
from portal.submissions import queries, services
from portal.submissions.forms import RejectForm, ScreeningForm, SubmitForm, WithdrawForm, new_candidate_form
from portal.submissions.models import REJECT_LABELS, Submission
from portal.submissions.services import SubmissionError
from portal.web import nav
from portal.web.errors import error_response
from portal.web.pagination import Page, page_arg
from portal.web.htmx import is_partial, push_url
from portal.web.render import render

bp = Blueprint("submissions", __name__)

nav.add("supplier", "submissions.supplier_list", "Submissions", perms.SUPPLIER_VIEW, position=2)
nav.add("staff", "submissions.staff_list", "Submissions", perms.STAFF_VIEW, position=3)

RESULTS = "submissions_results"


@bp.app_template_global("sub_stage_label")
def sub_stage_label(stage: str) -> str:
    """A stage's words: sub_stage_label("client_review") -> "Client review"."""
    return queries.STAGE_LABELS.get(stage, stage)


@bp.app_template_global("sub_reject_label")
def sub_reject_label(reason: str | None) -> str | None:
    return REJECT_LABELS.get(reason) if reason else None


@bp.app_template_global("sub_rate")
def sub_rate(sub) -> str:
    """A submission's rate with its unit: "75 USD/hour", "92,000 USD/year"."""
    return f"{money(sub.rate)} {sub.currency}/{sub.rate_unit}"


@bp.app_template_global("sub_job_rows")
def sub_job_rows(job):
    """A job order's submissions as the viewer's scope sees them (the client's and staff's job pages)."""
    return queries.job_submissions(job)


@bp.app_template_global("sub_screening")
def sub_screening(client_org_id: int) -> bool:
    """Whether staff screen a client's submissions (the staff's release settings page shows it)."""
    return services.screens_submissions(client_org_id)


def _resume_hint() -> str:
    return RESUME_HINT.format(mb=current_app.config["MAX_UPLOAD_MB"])


def _read_upload(field):
    """The inspected file of a FileField, or UploadRejected (also when no file was chosen)."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", None):
        raise UploadRejected("Choose the résumé file to send (PDF, DOCX or DOC).")
    max_mb = current_app.config["MAX_UPLOAD_MB"]
    data = read_limited(upload.stream, limit_bytes(max_mb), max_mb)
    return inspect_document(upload.filename, data, max_mb), data


def _attach(forms, exc: SubmissionError) -> bool:
    """Put a refusal next to the fields it names; False when it names none (shown as a banner)."""
    placed = False
    for name, message in exc.errors:
        for form in forms:
            if form is None or not name:
                continue
            short = name.removeprefix("candidate-") if form._prefix == "candidate-" else name
            if form._prefix == "candidate-" and not name.startswith("candidate-"):
                continue
            field = getattr(form, short, None)
            if field is not None and hasattr(field, "errors"):
                if not isinstance(field.errors, list):
                    field.errors = list(field.errors)
                field.errors.append(message)
                placed = True
                break
    return placed


# --- the supplier: submit ----------------------------------------------------------------------

def _chosen_candidate(value) -> tuple[str | None, Candidate | None]:
    """("new", None), ("existing", candidate) or (None, None) from the form's `candidate` value;
    another supplier's candidate id is a 404."""
    if value == "new":
        return "new", None
    try:
        candidate_id = int(value or 0)
    except (TypeError, ValueError):
        candidate_id = 0
    if candidate_id <= 0:
        return None, None
    return "existing", load_or_404(Candidate, candidate_id)


class _Summary:
    """The submit form and its new-candidate section as one error summary (fields in page order)."""

    def __init__(self, *forms):
        self.forms = [f for f in forms if f is not None]

    def error_items(self):
        return [item for form in self.forms for item in form.error_items()]


def _submit_form(job: JobOrder, candidate: Candidate | None, **kw) -> SubmitForm:
    terms = services.terms_of(job)
    form = SubmitForm(terms=terms, confirm_text=_confirm_text(candidate), **kw)
    if job.rate_type == "pay_rate":
        range_text = display_rate(job)
        form.rate.description = (f"This job's pay rate is {range_text}: what the worker earns. Enter what you will "
                                 "bill." if range_text else "Enter what you will bill.")
    return form


def _confirm_text(candidate: Candidate | None) -> str:
    who = candidate.full_name if candidate is not None else "this candidate"
    return (f"{current_user.org.name} has {who}'s permission to represent them for this job order, and has not "
            "agreed to let another supplier do so.")


def _submit_page(job: JobOrder, *, mode=None, candidate=None, form=None, new_form=None, status=200, error=None,
                 duplicate=None):
    ctx = dict(job=job_queries.supplier_job(job), mode=mode, candidate=candidate, error=error,
               duplicate=duplicate, accepting=accepts_submissions(job, current_user.org_id),
               live=services.live_submission_count(job.id, current_user.org_id), limit=job.submission_limit,
               resume_hint=_resume_hint())
    if mode is None:
        q, page = (request.args.get("q") or "").strip()[:200] or None, page_arg()
        rows, total = candidate_queries.candidate_page(q=q, page=page)
        ctx.update(rows=rows, q=q, pager=Page(page, candidate_queries.PAGE_SIZE, total, "submissions.new",
                                              job_id=job.id, q=q),
                   submitted=queries.submitted_candidate_ids(job.id, current_user.org_id))
    else:
        current = current_resume(candidate) if candidate is not None else None
        form = form or _submit_form(job, candidate, formdata=None)
        ctx.update(form=form, new_form=new_form, current=current, summary=_Summary(new_form, form))
    return render("submissions/new.html", fragment="submissions_candidates", status=status, **ctx)


@bp.route("/supplier/job-orders/<int:job_id>/submit", methods=["GET", "POST"])
@requires(perms.SUBMIT)
def new(job_id: int):
    """Submit a candidate to a job order: choose one of ours (or a new one), then the résumé, rate,
    availability, note and the right-to-represent confirmation."""
    job = load_or_404(JobOrder, job_id)
    source = request.form if request.method == "POST" else request.args
    mode, candidate = _chosen_candidate(source.get("candidate"))
    if request.method == "GET":
        if not accepts_submissions(job, current_user.org_id):
            return _submit_page(job, status=409, error=_closed_message(job))
        return _submit_page(job, mode=mode, candidate=candidate,
                            new_form=new_candidate_form() if mode == "new" else None)
    if mode is None:
        return _submit_page(job, status=422, error="Choose the candidate to submit.")
    form = _submit_form(job, candidate)
    new_form = new_candidate_form() if mode == "new" else None
    valid = form.validate_on_submit()
    valid = (new_form.validate() if new_form is not None else True) and valid
    has_current = candidate is not None and current_resume(candidate) is not None
    if not valid:
        return _submit_page(job, mode=mode, candidate=candidate, form=form, new_form=new_form, status=422)
    try:
        upload = _read_upload(form.resume_file) if form.uploading(has_current) else None
        sub, created = services.submit(current_user, job, form.to_data(), candidate=candidate,
                                       new_candidate=_new_candidate(new_form, form), upload=upload)
    except UploadRejected as exc:
        db.session.rollback()
        form.resume_file.errors.append(exc.message)
        return _submit_page(job, mode=mode, candidate=candidate, form=form, new_form=new_form, status=exc.status)
    except SubmissionError as exc:
        db.session.rollback()
        if exc.duplicate is not None:
            services.note_duplicate_refused(current_user, job, exc.duplicate)
            db.session.commit()
        if exc.status in (403, 404):
            return error_response(exc.status, exc.message)
        db.session.expire_all()
        placed = _attach((form, new_form), exc)
        own = exc.duplicate.existing_id if exc.duplicate is not None and exc.duplicate.own else None
        return _submit_page(job, mode=mode, candidate=candidate, form=form, new_form=new_form, status=exc.status,
                            error=None if placed else exc.message, duplicate=own)
    except IntegrityError:
        # The same form sent twice at the same moment: the other request made the submission.
        db.session.rollback()
        sub, created = services.existing_for_key(current_user.org_id, form.create_key.data), False
        if sub is None:
            raise
    else:
        db.session.commit()
    if created:
        where = "the agency screens it before the client sees it" if sub.stage == "submitted" else "the client can review it now"
        flash(f"Submitted to {job.reference}: {where}.", "success")
    else:
        flash("This form was already sent: here is the submission it made.", "info")
    return redirect(url_for("submissions.supplier_detail", submission_id=sub.id))


def _new_candidate(new_form, form: SubmitForm):
    """The new candidate typed into the section, available from the submission's date."""
    if new_form is None:
        return None
    data = new_form.to_data()
    data.available_from = form.available_from.data
    return data


def _closed_message(job: JobOrder) -> str:
    return f"{job.reference} is not taking submissions from your company now (it is on hold, closed, filled, or closed to you)."


@bp.route("/supplier/candidates/<int:candidate_id>/submit")
@requires(perms.SUBMIT)
def choose_job(candidate_id: int):
    """Choose the open job order to submit one of our candidates to."""
    candidate = load_or_404(Candidate, candidate_id)
    q, page = (request.args.get("q") or "").strip()[:100] or None, page_arg()
    rows, total = queries.open_jobs_for(current_user, candidate, q=q, page=page)
    pager = Page(page, queries.PAGE_SIZE, total, "submissions.choose_job", candidate_id=candidate.id, q=q)
    return render("submissions/choose_job.html", fragment="submissions_jobs", candidate=candidate, rows=rows,
                  pager=pager, q=q)


# --- the supplier: list, detail, withdraw ---------------------------------------------------------

def _toolbar_request() -> bool:
    """A request of the list's toolbar (not the live refresh): it gets the job filter again, out of
    band, since the job orders it lists follow the client chosen."""
    return is_partial() and not is_live_refresh()


def _results(template: str, endpoint: str, rows, total, f: queries.Filters, *, mine_default=False, **ctx):
    pager = Page(f.page, queries.PAGE_SIZE, total, endpoint, **f.args(mine_default=mine_default))
    resp = render(template, fragment=RESULTS, rows=rows, pager=pager, f=f, endpoint=endpoint,
                  refresh=url_for(endpoint, page=f.page, **pager.args), stages=queries.STAGE_CHOICES, **ctx)
    if _toolbar_request():
        # The address bar shows the filters as applied (a job the new client does not have dropped).
        push_url(resp, url_for(endpoint, page=f.page if f.page > 1 else None, **pager.args))
    return resp


@bp.route("/supplier/submissions")
@requires(perms.SUPPLIER_VIEW)
def supplier_list():
    """My company's submissions: their job, candidate, stage, last change and what to do next."""
    f = queries.Filters.from_args(request.args, page=page_arg())
    f, clients, jobs = queries.supplier_filters(f, current_user, client_sent="client" in request.args)
    rows, total = queries.supplier_page(f, viewer=current_user)
    return _results("submissions/supplier_list.html", "submissions.supplier_list", rows, total, f,
                    clients=clients, jobs=jobs, job_filter_oob=_toolbar_request())


def _supplier_page(sub: Submission, *, form=None, status=200, error=None):
    return render("submissions/supplier_detail.html", status=status, view=queries.for_supplier(sub), error=error,
                  events=queries.events_of(sub), actions=services.allowed_actions(current_user, sub),
                  next_step=queries.NEXT_STEP[sub.stage][0], form=form or WithdrawForm(formdata=None))


@bp.route("/supplier/submissions/<int:submission_id>")
@requires(perms.SUPPLIER_VIEW)
def supplier_detail(submission_id: int):
    """One of my company's submissions: its stage, what was sent, and its history."""
    return _supplier_page(load_or_404(Submission, submission_id))


def _act(sub: Submission, action, done: str, page, form):
    """Run one move: commit and redirect to the submission's page, or show the refusal (nothing changed)."""
    try:
        action()
    except SubmissionError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            return error_response(exc.status, exc.message)
        db.session.expire_all()
        placed = _attach((form,), exc) if exc.status == 422 else False
        return page(sub, form=form, status=exc.status, error=None if placed else exc.message)
    db.session.commit()
    flash(done, "success")
    endpoint = "submissions.staff_detail" if current_user.portal == "staff" else "submissions.supplier_detail"
    return redirect(url_for(endpoint, submission_id=sub.id))


@bp.route("/supplier/submissions/<int:submission_id>/withdraw", methods=["POST"])
@requires(perms.WITHDRAW)
def supplier_withdraw(submission_id: int):
    """Withdraw one of my company's candidates, with a reason (not once placed, rejected or withdrawn)."""
    sub = load_or_404(Submission, submission_id)
    form = WithdrawForm()
    if not form.validate_on_submit():
        return _supplier_page(sub, form=form, status=422)
    return _act(sub, lambda: services.withdraw(current_user, sub, form.reason.data),
                "The candidate was withdrawn.", _supplier_page, form)


# --- résumés: through the submission, for each portal ----------------------------------------------

def resume(submission_id: int):
    """Download the résumé sent with a submission (as an attachment)."""
    sub = load_or_404(Submission, submission_id)
    # Through the scope as well: a client sees only the résumé and candidate of a visible submission.
    sent = load_or_404(Resume, sub.resume_id)
    candidate = load_or_404(Candidate, sub.candidate_id)
    return send_attachment(sent.storage_key, sent.content_type, sent.original_name, f"{candidate.full_name} resume")


for _portal, _perm in (("supplier", perms.SUPPLIER_VIEW), ("client", perms.CLIENT_VIEW), ("staff", perms.STAFF_VIEW)):
    bp.add_url_rule(f"/{_portal}/submissions/<int:submission_id>/resume", f"{_portal}_resume",
                    requires(_perm)(resume))


# --- staff: list, detail, screening ----------------------------------------------------------------

@bp.route("/staff/submissions")
@requires(perms.STAFF_VIEW)
def staff_list():
    """Every submission of my clients (or all): filters by client, job, stage, supplier, duplicates."""
    f = queries.Filters.from_args(request.args, page=page_arg(), mine_default=True)
    f, jobs = queries.staff_job_filter(f, client_sent="client" in request.args)
    rows, total = queries.staff_page(f, viewer=current_user)
    return _results("submissions/staff_list.html", "submissions.staff_list", rows, total, f, mine_default=True,
                    clients=job_queries.client_choices(), suppliers=supplier_orgs(), jobs=jobs,
                    job_filter_oob=_toolbar_request())


def _staff_page(sub: Submission, *, form=None, status=200, error=None):
    full = queries.for_staff(sub.id)
    return render("submissions/staff_detail.html", status=status, sub=full, error=error,
                  client_name=queries.org_name(full.client_org_id), supplier_name=queries.org_name(full.supplier_org_id),
                  matches=queries.cross_job_matches(full), events=queries.events_of(full),
                  actions=services.allowed_actions(current_user, full),
                  reject_form=form or RejectForm(formdata=None), next_step=queries.NEXT_STEP[full.stage][0])


@bp.route("/staff/submissions/<int:submission_id>")
@requires(perms.STAFF_VIEW)
def staff_detail(submission_id: int):
    """One submission: candidate, what was sent, other submissions of the same person, screening."""
    return _staff_page(load_or_404(Submission, submission_id))


@bp.route("/staff/submissions/<int:submission_id>/forward", methods=["POST"])
@requires(perms.STAFF_SCREEN)
def staff_forward(submission_id: int):
    """Forward a screened submission to the client."""
    sub = load_or_404(Submission, submission_id)
    return _act(sub, lambda: services.forward(current_user, sub), "Forwarded: the client can review it now.",
                _staff_page, None)


@bp.route("/staff/submissions/<int:submission_id>/reject", methods=["POST"])
@requires(perms.STAFF_SCREEN)
def staff_reject(submission_id: int):
    """Reject a submission at screening, with a reason code and a note to the supplier."""
    sub = load_or_404(Submission, submission_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _staff_page(sub, form=form, status=422)
    return _act(sub, lambda: services.screen_reject(current_user, sub, form.reason.data, form.note.data),
                "Rejected: the supplier has been told why.", _staff_page, form)


@bp.route("/staff/submissions/clients/<int:org_id>/screening", methods=["POST"])
@requires(perms.STAFF_SETTINGS)
def staff_screening(org_id: int):
    """Turn staff screening of a client's submissions on or off."""
    client = load_or_404(Organisation, org_id)
    if client.kind != OrgKind.CLIENT.value:
        abort(404)
    form = ScreeningForm()
    if not form.validate_on_submit():
        return error_response(400)
    try:
        changed = services.set_screening(current_user, client, bool(form.screen.data))
    except SubmissionError as exc:
        db.session.rollback()
        return error_response(exc.status, exc.message)
    db.session.commit()
    state = "now screen" if form.screen.data else "no longer screen"
    flash(f"Staff {state} {client.name}'s submissions." if changed else "Nothing was changed.",
          "success" if changed else "info")
    return redirect(url_for("job_orders.staff_settings", org_id=client.id))
