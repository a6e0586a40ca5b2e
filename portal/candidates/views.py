"""Candidate pages: a supplier's pool (search, add, edit, résumés) and the staff's view of every pool."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.admin.queries import suppliers as supplier_orgs
from portal.candidates import permissions, queries, services
from portal.candidates.forms import RESUME_HINT, CandidateForm, ResumeForm
from portal.candidates.models import Candidate, Resume
from portal.extensions import db
from portal.files.documents import Document, UploadRejected, inspect_document, limit_bytes, read_limited
from portal.files.serve import send_attachment
from portal.security.loaders import load_or_404
from portal.security.permissions import requires
from portal.web import nav
from portal.web.errors import error_response
from portal.web.pagination import Page, id_arg, page_arg
from portal.web.render import render

bp = Blueprint("candidates", __name__)

nav.add("supplier", "candidates.index", "Candidates", permissions.MANAGE, position=1)
nav.add("staff", "candidates.staff_index", "Candidates", permissions.VIEW_ALL, position=2)


def _q() -> str | None:
    return (request.args.get("q") or "").strip()[:200] or None


def _resume_hint() -> str:
    return RESUME_HINT.format(mb=current_app.config["MAX_UPLOAD_MB"])


def _read_document(field) -> tuple[Document, bytes] | None:
    """The inspected file of a FileField, None when no file was chosen, or UploadRejected."""
    upload = field.data
    if upload is None or not getattr(upload, "filename", None):
        return None
    max_mb = current_app.config["MAX_UPLOAD_MB"]
    data = read_limited(upload.stream, limit_bytes(max_mb), max_mb)
    return inspect_document(upload.filename, data, max_mb), data


def _refused(form, exc: services.CandidateError) -> None:
    db.session.rollback()
    getattr(form, exc.field or "first_name").errors.append(exc.message)


# --- the supplier's pool ---------------------------------------------------------------------

@bp.route("/supplier/candidates")
@requires(permissions.MANAGE)
def index():
    """List and search the supplier's candidates (search as you type)."""
    q, page = _q(), page_arg()
    rows, total = queries.candidate_page(q=q, page=page)
    pager = Page(page, queries.PAGE_SIZE, total, "candidates.index", q=q)
    return render("candidates/index.html", fragment="candidates_results", rows=rows, pager=pager, q=q)


@bp.route("/supplier/candidates/new", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def new():
    """Add a candidate to the pool, with a résumé when one is chosen."""
    form = CandidateForm()
    status, existing = 200, None
    if not form.is_submitted():
        form.new_request_key()
    elif form.validate():
        request_key = form.clean_request_key()
        earlier = services.find_by_request_key(current_user, request_key)
        if earlier is not None:
            flash(f"{earlier.full_name} was already added.", "info")
            return redirect(url_for("candidates.detail", candidate_id=earlier.id))
        try:
            upload = _read_document(form.resume)
            candidate, created = services.create_candidate(current_user, form.to_data(), request_key=request_key)
            if upload is not None and created:
                services.attach_resume(current_user, candidate, *upload)
        except UploadRejected as exc:
            db.session.rollback()
            form.resume.errors.append(exc.message)
            status = exc.status
        except services.CandidateError as exc:
            _refused(form, exc)
            status, existing = exc.status, exc.existing
        else:
            db.session.commit()
            flash(f"{candidate.full_name} has been added to your candidates.", "success")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    else:
        status = 422
    return render("candidates/new.html", status=status, form=form, existing=existing,
                  resume_hint=_resume_hint(), refill=status != 200 and bool(request.files.get("resume")))


def _load(candidate_id: int) -> Candidate:
    return load_or_404(Candidate, candidate_id, *queries.candidate_options())


def _detail_page(candidate: Candidate, *, staff: bool = False, resume_form: ResumeForm | None = None,
                 status: int = 200):
    """The candidate's page; staff get it read only (no forms are even built)."""
    if not staff:
        resume_form = resume_form or ResumeForm(formdata=None)
    return render("candidates/detail.html", status=status, candidate=candidate, staff=staff,
                  history=queries.resume_history(candidate), events=queries.candidate_events(candidate),
                  resume_form=resume_form, resume_hint=_resume_hint())


@bp.route("/supplier/candidates/<int:candidate_id>")
@requires(permissions.MANAGE)
def detail(candidate_id: int):
    """Show a candidate: details, current résumé and its text, earlier résumés, history."""
    return _detail_page(_load(candidate_id))


@bp.route("/supplier/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@requires(permissions.MANAGE)
def edit(candidate_id: int):
    """Edit a candidate's details (and replace the résumé when a file is chosen)."""
    candidate = _load(candidate_id)
    form = CandidateForm()
    status, existing = 200, None
    if not form.is_submitted():
        form.fill_from(candidate)
    elif form.validate():
        try:
            upload = _read_document(form.resume)
            changed = services.update_candidate(current_user, candidate, form.to_data())
            replaced = upload is not None and services.attach_resume(current_user, candidate, *upload)[1]
        except UploadRejected as exc:
            db.session.rollback()
            form.resume.errors.append(exc.message)
            status = exc.status
        except services.CandidateError as exc:
            _refused(form, exc)
            status, existing = exc.status, exc.existing
        else:
            db.session.commit()
            flash(_saved_message(candidate, changed, replaced), "success" if changed or replaced else "info")
            return redirect(url_for("candidates.detail", candidate_id=candidate.id))
    else:
        status = 422
    return render("candidates/edit.html", status=status, form=form, candidate=candidate, existing=existing,
                  resume_hint=_resume_hint(), refill=status != 200 and bool(request.files.get("resume")))


def _saved_message(candidate: Candidate, changed: list[str], replaced: bool) -> str:
    if not changed and not replaced:
        return f"Nothing was changed for {candidate.full_name}."
    parts = []
    if changed:
        parts.append(", ".join(changed))
    if replaced:
        parts.append("résumé")
    return f"{candidate.full_name} has been updated: {', '.join(parts)}."


@bp.post("/supplier/candidates/<int:candidate_id>/resume")
@requires(permissions.MANAGE)
def upload_resume(candidate_id: int):
    """Upload a résumé for a candidate; it becomes the current one, earlier ones are kept."""
    candidate = _load(candidate_id)
    form = ResumeForm()
    if form.validate_on_submit() and form.resume.data is None:
        form.resume.errors.append("Choose a résumé file to upload.")
    if form.errors:
        return _detail_page(candidate, resume_form=form, status=422)
    try:
        upload = _read_document(form.resume)
        resume, created = services.attach_resume(current_user, candidate, *upload)
    except UploadRejected as exc:
        db.session.rollback()
        form.resume.errors.append(exc.message)
        return _detail_page(_load(candidate_id), resume_form=form, status=exc.status)
    except services.CandidateError as exc:
        db.session.rollback()
        form.resume.errors.append(exc.message)
        return _detail_page(_load(candidate_id), resume_form=form, status=exc.status)
    db.session.commit()
    if created:
        flash(f"The résumé “{resume.original_name}” is now {candidate.full_name}'s current résumé.", "success")
    else:
        flash(f"This file is already {candidate.full_name}'s current résumé.", "info")
    return redirect(url_for("candidates.detail", candidate_id=candidate.id))


def _download(candidate_id: int, resume_id: int | None = None):
    """The current résumé (or the one named) of a candidate the caller may see, as an attachment."""
    candidate = _load(candidate_id)
    if resume_id is None:
        resume = services.current_resume(candidate)
        if resume is None:
            return error_response(404, f"No résumé has been uploaded for {candidate.full_name} yet.", "No résumé")
    else:
        # Through the scope, and only a résumé of this candidate: any other id is a 404.
        resume = db.session.scalars(select(Resume).where(
            Resume.id == resume_id, Resume.candidate_id == candidate.id)).first()
        if resume is None:
            abort(404)
    return send_attachment(resume.storage_key, resume.content_type, resume.original_name,
                           f"{candidate.full_name} resume")


@bp.get("/supplier/candidates/<int:candidate_id>/resume")
@requires(permissions.MANAGE)
def download_resume(candidate_id: int):
    """Download the candidate's current résumé (as an attachment)."""
    return _download(candidate_id)


@bp.get("/supplier/candidates/<int:candidate_id>/resumes/<int:resume_id>")
@requires(permissions.MANAGE)
def download_resume_version(candidate_id: int, resume_id: int):
    """Download one résumé of the candidate, current or earlier."""
    return _download(candidate_id, resume_id)


# --- staff: every pool, read only ---------------------------------------------------------------

@bp.route("/staff/candidates")
@requires(permissions.VIEW_ALL)
def staff_index():
    """Search every supplier's candidates, including their résumés' text."""
    q, page = _q(), page_arg()
    supplier = id_arg("supplier")
    rows, total = queries.candidate_page(q=q, page=page, supplier_org_id=supplier, with_supplier=True)
    pager = Page(page, queries.PAGE_SIZE, total, "candidates.staff_index", q=q, supplier=supplier)
    return render("candidates/staff_index.html", fragment="candidates_results", rows=rows, pager=pager, q=q,
                  supplier=supplier, suppliers=supplier_orgs())


@bp.route("/staff/candidates/<int:candidate_id>")
@requires(permissions.VIEW_ALL)
def staff_detail(candidate_id: int):
    """Show any supplier's candidate with its résumés and history."""
    return _detail_page(_load(candidate_id), staff=True)


@bp.get("/staff/candidates/<int:candidate_id>/resume")
@requires(permissions.VIEW_ALL)
def staff_download_resume(candidate_id: int):
    """Download any candidate's current résumé."""
    return _download(candidate_id)


@bp.get("/staff/candidates/<int:candidate_id>/resumes/<int:resume_id>")
@requires(permissions.VIEW_ALL)
def staff_download_resume_version(candidate_id: int, resume_id: int):
    """Download one résumé of any candidate, current or earlier."""
    return _download(candidate_id, resume_id)
