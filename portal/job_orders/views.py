"""Job order pages of the three portals: lists, the job order form, detail pages and actions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import OrgKind, Organisation
from portal.extensions import db
from portal.job_orders import conversation, display, queries, releases, services, validation
from portal.job_orders import permissions as perms
from portal.job_orders.forms import (
    FIELDSETS,
    AnswerForm,
    CloseForm,
    JobOrderForm,
    NoteForm,
    QuestionForm,
    ReturnForm,
    SettingsForm,
    release_form,
)
from portal.job_orders.models import JobOrder, JobOrderRelease, JobStatus
from portal.job_orders.errors import JobOrderError
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.sla import queries as sla_queries
from portal.web import nav
from portal.web.errors import error_response
from portal.web.pagination import Page, page_arg
from portal.web.htmx import is_partial
from portal.web.render import render

bp = Blueprint("job_orders", __name__)

nav.add("client", "job_orders.client_list", "Job orders", perms.CLIENT_VIEW, position=1)
nav.add("staff", "job_orders.staff_queue", "Review queue", perms.STAFF_VIEW, position=1)
nav.add("staff", "job_orders.staff_list", "Job orders", perms.STAFF_VIEW, position=2)
nav.add("supplier", "job_orders.supplier_list", "Job orders", perms.SUPPLIER_VIEW, position=1)

DETAIL = {"client": "job_orders.client_detail", "staff": "job_orders.staff_detail",
          "supplier": "job_orders.supplier_detail"}
RESULTS = "job_orders_results"


# --- template helpers ------------------------------------------------------------------------------

@bp.app_template_filter("undisclosed")
def undisclosed(value):
    """Show a value the client chose not to give as "Undisclosed", never blank or None."""
    return display.UNDISCLOSED if value is None or value == "" else value


@bp.app_template_global("jo_label")
def jo_label(field: str, value):
    """The label of a choice: jo_label("status", "on_hold") -> "On hold"."""
    if field == "status":
        return display.status_label(value)
    if field == "close_reason":
        return display.close_reason_label(value)
    return display.format_value(display.FIELD_BY_NAME[field], value)


@bp.app_template_global("jo_rate")
def jo_rate(job):
    """A job's rate range with its unit ("70–80 USD/hour"), or None when undisclosed."""
    return display.rate_range(job)


@bp.app_template_global("jo_rate_label")
def jo_rate_label(job):
    return display.rate_label(job)


@bp.app_template_global("jo_change_text")
def jo_change_text(change: dict) -> str:
    return display.change_text(change)


# --- shared pieces ---------------------------------------------------------------------------------

def _list(template: str, endpoint: str, rows, total, f: queries.Filters, *, mine_default=False, **ctx):
    pager = Page(f.page, queries.PAGE_SIZE, total, endpoint, **f.args(mine_default=mine_default))
    return render(template, fragment=RESULTS, rows=rows, pager=pager, f=f, endpoint=endpoint,
                  stages=queries.STAGES, sorts=queries.SORTS, **ctx)


def _job_form(client_org_id: int, **kw) -> JobOrderForm:
    form = JobOrderForm(**kw)
    form.hiring_manager_id.choices = validation.hiring_manager_choices(client_org_id)
    return form


def _attach(form, exc: JobOrderError) -> None:
    """Put a service's refusal next to the fields it names (or on the title when it names none)."""
    for field_name, message in exc.errors:
        field = getattr(form, field_name, None) if field_name else None
        if field is None or not hasattr(field, "errors"):
            field = form.title if hasattr(form, "title") else None
        if field is not None:
            if not isinstance(field.errors, list):
                field.errors = list(field.errors)
            field.errors.append(message)


def _form_page(form, *, job=None, status=200, error=None):
    return render("job_orders/form.html", status=status, form=form, job=job, fieldsets=FIELDSETS, error=error,
                  portal=current_user.portal)


def _refused(exc: JobOrderError, job: JobOrder):
    """Show a refused action: 403 as the error page, anything else on the job's page."""
    db.session.rollback()
    if exc.status == 403:
        return error_response(403, exc.message)
    db.session.expire_all()
    return _detail_page(job, status=exc.status, error=exc.message)


def _act(job: JobOrder, action, done: str):
    """Run one state change on `job`: commit and redirect to its page, or show the refusal."""
    try:
        action()
    except JobOrderError as exc:
        return _refused(exc, job)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for(DETAIL[current_user.portal], job_id=job.id))


def _detail_page(job: JobOrder, *, status=200, error=None, **forms):
    portal = current_user.portal
    if portal == "supplier":
        return _supplier_detail(job, status=status, error=error, **forms)
    ctx = dict(
        job=job, error=error,
        rows=display.detail_rows(job, audience=portal, hiring_manager=queries.hiring_manager_name(job)),
        rate_label=display.rate_label(job), releases=queries.releases_of(job),
        questions=queries.questions_for_party(job, with_author=portal == "staff"),
        events=queries.activity(job, staff=portal == "staff"),
        actions=services.allowed_actions(current_user, job), editable=services.can_edit(current_user, job),
        can_answer=portal == "staff" or services.owns(current_user, job),
        missing=validation.missing_for_review(job) if job.status == JobStatus.DRAFT.value else [],
        close_form=forms.get("close_form") or CloseForm(formdata=None),
        answer_form=forms.get("answer_form") or AnswerForm(formdata=None), answer_for=forms.get("answer_for"),
        counts=queries.job_stage_counts(job), stages=queries.STAGES,
    )
    if portal == "staff":
        ctx.update(client_name=queries.client_name(job), notes=queries.notes_of(job),
                   note_form=forms.get("note_form") or NoteForm(formdata=None),
                   return_form=forms.get("return_form") or ReturnForm(formdata=None),
                   settings=releases.settings_for(job.client_org_id),
                   clocks=sla_queries.for_jobs([job.id], current_user)[job.id])
    return render(f"job_orders/{portal}_detail.html", status=status, **ctx)


# --- client portal ---------------------------------------------------------------------------------

@bp.route("/client/job-orders")
@requires(perms.CLIENT_VIEW)
def client_list():
    """List the company's job orders: search, filters, sorting, and "only mine"."""
    f = queries.Filters.from_args(request.args, page=page_arg())
    rows, total = queries.job_page(f, viewer=current_user)
    return _list("job_orders/client_list.html", "job_orders.client_list", rows, total, f)


@bp.route("/client/job-orders/new", methods=["GET", "POST"])
@requires(perms.CLIENT_WRITE)
def client_new():
    """Write a job order: save it as a draft or submit it for review."""
    form = _job_form(current_user.org_id)
    if not form.is_submitted():
        form.hiring_manager_id.data = current_user.id
    if form.validate_on_submit():
        try:
            job, created = services.create_job_order(current_user, form.values(), create_key=form.create_key.data)
            if created and request.form.get("action") == "submit":
                services.submit(current_user, job)
        except JobOrderError as exc:
            db.session.rollback()
            _attach(form, exc)
            return _form_page(form, status=exc.status)
        except IntegrityError:
            # Two identical submits at the same moment: the other one created it.
            db.session.rollback()
            job = db.session.scalar(select(JobOrder).where(JobOrder.client_org_id == current_user.org_id,
                                                           JobOrder.create_key == form.create_key.data))
            if job is None:
                raise
            created = False
        else:
            db.session.commit()
        if created:
            flash(f"{job.reference} was {'submitted for review' if job.status != 'draft' else 'saved as a draft'}.",
                  "success")
        return redirect(url_for("job_orders.client_detail", job_id=job.id))
    return _form_page(form, status=422 if form.errors else 200)


@bp.route("/client/job-orders/<int:job_id>")
@requires(perms.CLIENT_VIEW)
def client_detail(job_id: int):
    """One of the company's job orders: its fields, suppliers, questions and activity."""
    return _detail_page(load_or_404(JobOrder, job_id))


def edit(job_id: int):
    """Edit a job order's fields (the client's drafts; staff while it is reviewed or open)."""
    job = load_or_404(JobOrder, job_id)
    if not services.can_edit(current_user, job):
        if current_user.portal == "client" and not services.owns(current_user, job):
            return error_response(403, "Only the job order's hiring manager or a client administrator can edit it.")
        return _detail_page(job, status=409, error=f"{job.reference} is {JobStatus(job.status).label.lower()}: "
                                                   "it can't be edited now.")
    if request.method == "GET":
        form = _job_form(job.client_org_id, obj=job, original_start_date=job.start_date)
        form.version.data = str(job.version)
        return _form_page(form, job=job)
    form = _job_form(job.client_org_id, original_start_date=job.start_date)
    if not form.validate_on_submit():
        return _form_page(form, job=job, status=422)
    submitting = current_user.portal == "client" and request.form.get("action") == "submit"
    try:
        changes = services.update_job_order(current_user, job, form.values(), expected_version=form.expected_version())
        if submitting:
            services.submit(current_user, job)
    except JobOrderError as exc:
        db.session.rollback()
        if exc.status == 403:
            return error_response(403, exc.message)
        if exc.status == 409:
            db.session.expire_all()
            return _form_page(form, job=job, status=409, error=exc.message)
        _attach(form, exc)
        return _form_page(form, job=job, status=exc.status)
    db.session.commit()
    if submitting:
        flash(f"{job.reference} was submitted for review.", "success")
    else:
        flash(f"{job.reference} was saved." if changes else "Nothing was changed.", "success" if changes else "info")
    return redirect(url_for(DETAIL[current_user.portal], job_id=job.id))


@bp.route("/client/job-orders/<int:job_id>/submit", methods=["POST"])
@requires(perms.CLIENT_WRITE)
def client_submit(job_id: int):
    """Submit a draft to the agency for review."""
    job = load_or_404(JobOrder, job_id)
    return _act(job, lambda: services.submit(current_user, job), f"{job.reference} was submitted for review.")


def hold(job_id: int):
    """Put an open job order on hold."""
    job = load_or_404(JobOrder, job_id)
    return _act(job, lambda: services.hold(current_user, job), f"{job.reference} is on hold.")


def reopen(job_id: int):
    """Take a job order off hold."""
    job = load_or_404(JobOrder, job_id)
    return _act(job, lambda: services.reopen(current_user, job), f"{job.reference} is open again.")


def close(job_id: int):
    """Close a job order with a reason."""
    job = load_or_404(JobOrder, job_id)
    form = CloseForm()
    if not form.validate_on_submit():
        return _detail_page(job, status=422, close_form=form)
    return _act(job, lambda: services.close(current_user, job, form.reason.data, form.note.data),
                f"{job.reference} is closed.")


def answer(job_id: int, question_id: int):
    """Answer a supplier's question on a job order (once)."""
    job = load_or_404(JobOrder, job_id)
    question = queries.pending_question(job, question_id)
    if question is None:
        abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _detail_page(job, status=422, answer_form=form, answer_for=question.id)
    return _act(job, lambda: conversation.answer_question(current_user, job, question, form.answer.data),
                "Your answer is published to every supplier working on the job.")


for _portal, _perm, _answer_perm in (("client", perms.CLIENT_WRITE, perms.CLIENT_ANSWER),
                                     ("staff", perms.STAFF_QUALIFY, perms.STAFF_QUALIFY)):
    _base = f"/{_portal}/job-orders/<int:job_id>"
    bp.add_url_rule(f"{_base}/edit", f"{_portal}_edit", requires(_perm)(edit), methods=["GET", "POST"])
    bp.add_url_rule(f"{_base}/hold", f"{_portal}_hold", requires(_perm)(hold), methods=["POST"])
    bp.add_url_rule(f"{_base}/reopen", f"{_portal}_reopen", requires(_perm)(reopen), methods=["POST"])
    bp.add_url_rule(f"{_base}/close", f"{_portal}_close", requires(_perm)(close), methods=["POST"])
    bp.add_url_rule(f"{_base}/questions/<int:question_id>/answer", f"{_portal}_answer",
                    requires(_answer_perm)(answer), methods=["POST"])


# --- staff portal ----------------------------------------------------------------------------------

@bp.route("/staff/job-orders")
@requires(perms.STAFF_VIEW)
def staff_list():
    """Every client's job orders: search, filters (client too), sorting."""
    f = queries.Filters.from_args(request.args, page=page_arg())
    rows, total = queries.job_page(f, viewer=current_user)
    return _list("job_orders/staff_list.html", "job_orders.staff_list", rows, total, f,
                 clients=queries.client_choices(), clocks=sla_queries.for_jobs([r.job.id for r in rows], current_user))


@bp.route("/staff/job-orders/review")
@requires(perms.STAFF_VIEW)
def staff_queue():
    """The review queue: job orders pending review, oldest first, of my clients (or all)."""
    f = queries.Filters.from_args(request.args, page=page_arg(), default_sort="oldest", mine_default=True)
    f.status = JobStatus.PENDING_REVIEW.value
    rows, total = queries.job_page(f, viewer=current_user, my_clients=f.mine)
    return _list("job_orders/staff_queue.html", "job_orders.staff_queue", rows, total, f, mine_default=True,
                 clients=queries.client_choices())


@bp.route("/staff/job-orders/<int:job_id>")
@requires(perms.STAFF_VIEW)
def staff_detail(job_id: int):
    """Qualify a job order: its fields, releases, questions, internal notes and activity."""
    return _detail_page(load_or_404(JobOrder, job_id))


@bp.route("/staff/job-orders/<int:job_id>/return", methods=["POST"])
@requires(perms.STAFF_QUALIFY)
def staff_return(job_id: int):
    """Return a job order under review to its hiring manager with a comment."""
    job = load_or_404(JobOrder, job_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _detail_page(job, status=422, return_form=form)
    return _act(job, lambda: services.return_to_client(current_user, job, form.comment.data),
                f"{job.reference} was returned to the hiring manager.")


def _release_page(job: JobOrder, form=None, candidates=None, status=200, error=None):
    candidates = candidates if candidates is not None else queries.release_candidates(job)
    form = form or release_form([s for s, _ in candidates], {s.id: tier for s, tier in candidates})
    delay, first = releases.settings_for(job.client_org_id)
    return render("job_orders/release.html", status=status, job=job, form=form, candidates=candidates,
                  releases=queries.releases_of(job), delay=delay, first=first, error=error,
                  client_name=queries.client_name(job))


@bp.route("/staff/job-orders/<int:job_id>/release", methods=["GET", "POST"])
@requires(perms.STAFF_QUALIFY)
def staff_release(job_id: int):
    """Approve and release a job order to suppliers in tiers, or release it to more suppliers."""
    job = load_or_404(JobOrder, job_id)
    if job.status not in (JobStatus.PENDING_REVIEW.value, JobStatus.OPEN.value, JobStatus.ON_HOLD.value):
        return _detail_page(job, status=409, error=f"{job.reference} is {JobStatus(job.status).label.lower()}: "
                                                   "it can't be released.")
    candidates = queries.release_candidates(job)
    if request.method == "GET":
        return _release_page(job, candidates=candidates)
    form = release_form([s for s, _ in candidates], {}, submitted=True)
    if not form.validate_on_submit():
        return _release_page(job, form, candidates, status=422)
    approving = job.status == JobStatus.PENDING_REVIEW.value
    try:
        if approving:
            releases.approve_and_release(current_user, job, form.tiers())
        else:
            releases.add_suppliers(current_user, job, form.tiers())
    except JobOrderError as exc:
        db.session.rollback()
        if exc.status == 403:
            return error_response(403, exc.message)
        db.session.expire_all()
        return _release_page(job, form, candidates, status=exc.status, error=exc.message)
    except IntegrityError:
        db.session.rollback()
        return _release_page(job, status=409, error="Someone else released this job order at the same moment. "
                                                    "Check the suppliers below.")
    db.session.commit()
    flash(f"{job.reference} was {'approved and ' if approving else ''}released.", "success")
    return redirect(url_for("job_orders.staff_detail", job_id=job.id))


@bp.route("/staff/job-orders/<int:job_id>/releases/<int:release_id>/pull", methods=["POST"])
@requires(perms.STAFF_QUALIFY)
def staff_pull(job_id: int, release_id: int):
    """Pull a supplier from a job order (its submissions stay; the job closes to it)."""
    job = load_or_404(JobOrder, job_id)
    release = load_or_404(JobOrderRelease, release_id)
    if release.job_order_id != job.id:
        abort(404)
    return _act(job, lambda: releases.pull_supplier(current_user, job, release),
                "The supplier was pulled from the job order.")


@bp.route("/staff/job-orders/<int:job_id>/notes", methods=["POST"])
@requires(perms.STAFF_NOTES)
def staff_note(job_id: int):
    """Add an internal note (staff only) to a job order."""
    job = load_or_404(JobOrder, job_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail_page(job, status=422, note_form=form)
    return _act(job, lambda: conversation.add_note(current_user, job, form.body.data), "Note added.")


@bp.route("/staff/job-orders/clients/<int:org_id>/settings", methods=["GET", "POST"])
@requires(perms.STAFF_SETTINGS)
def staff_settings(org_id: int):
    """Set a client's tier-2 delay and time to first submission."""
    client = load_or_404(Organisation, org_id)
    if client.kind != OrgKind.CLIENT.value:
        abort(404)
    delay, first = releases.settings_for(client.id)
    row = queries.client_settings_row(client.id)
    form = SettingsForm(obj=row) if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        try:
            releases.set_client_settings(current_user, client, tier2_delay_hours=form.tier2_delay_hours.data,
                                         first_submission_hours=form.first_submission_hours.data)
        except JobOrderError as exc:
            db.session.rollback()
            _attach(form, exc)
        else:
            db.session.commit()
            flash(f"Release settings of {client.name} saved.", "success")
            return redirect(url_for("job_orders.staff_settings", org_id=client.id))
    return render("job_orders/settings.html", status=422 if form.errors else 200, form=form, client=client,
                  delay=delay, first=first)


# --- supplier portal -------------------------------------------------------------------------------

@bp.route("/supplier/job-orders")
@requires(perms.SUPPLIER_VIEW)
def supplier_list():
    """The job orders released to my company, newest first, what is new since my last visit marked."""
    f = queries.Filters.from_args(request.args, page=page_arg())
    rows, total = queries.supplier_page(f, viewer=current_user)
    return _list("job_orders/supplier_list.html", "job_orders.supplier_list", rows, total, f,
                 clients=queries.supplier_client_choices(current_user),
                 clocks=sla_queries.for_jobs([r.id for r in rows], current_user))


def _supplier_detail(job: JobOrder, *, status=200, error=None, question_form=None, **_):
    release = queries.own_release(job, current_user.org_id)
    # A live refresh of one region is not a visit: the "new since your last visit" marks stay.
    previous = None if is_partial() else conversation.record_visit(current_user, job)
    db.session.commit()
    closed_to_us = release is None or release.withdrawn_at is not None
    changes = queries.spec_changes(job)
    return render(
        "job_orders/supplier_detail.html", status=status, error=error,
        job=queries.supplier_job(job), rows=display.detail_rows(job, audience="supplier"),
        rate_label=display.rate_label(job), closed_to_us=closed_to_us,
        accepting=services.accepts_submissions(job, current_user.org_id),
        can_ask=not closed_to_us and job.status in (JobStatus.OPEN.value, JobStatus.ON_HOLD.value),
        questions=queries.questions_for_supplier(job, current_user.org_id), changes=changes,
        previous_visit=previous, released_at=release.released_at if release else None,
        question_form=question_form or QuestionForm(formdata=None), events=queries.activity(job, staff=False),
        clocks=sla_queries.for_jobs([job.id], current_user)[job.id],
        submission_clocks=sla_queries.supplier_submission_clocks(job.id, current_user),
    )


@bp.route("/supplier/job-orders/<int:job_id>")
@requires(perms.SUPPLIER_VIEW)
def supplier_detail(job_id: int):
    """A job order released to my company: what a supplier may see, its changes and Q&A."""
    return _supplier_detail(load_or_404(JobOrder, job_id))


@bp.route("/supplier/job-orders/<int:job_id>/questions", methods=["POST"])
@requires(perms.SUPPLIER_ASK)
def supplier_ask(job_id: int):
    """Ask a question about a job order released to my company."""
    job = load_or_404(JobOrder, job_id)
    form = QuestionForm()
    if not form.validate_on_submit():
        return _supplier_detail(job, status=422, question_form=form)
    try:
        conversation.ask_question(current_user, job, form.body.data, create_key=form.create_key.data)
    except JobOrderError as exc:
        db.session.rollback()
        if exc.status == 403:
            return error_response(403, exc.message)
        return _supplier_detail(job, status=exc.status, error=exc.message, question_form=form)
    except IntegrityError:
        db.session.rollback()  # the same question sent twice at once: the first one stands
    else:
        db.session.commit()
    flash("Your question was sent. Its answer will appear here for every supplier working on the job.", "success")
    return redirect(url_for("job_orders.supplier_detail", job_id=job.id))
