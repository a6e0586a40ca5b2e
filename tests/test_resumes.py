"""Résumés: upload and replace, the upload fuzz list, downloads and their headers, isolation,
no file without its row and no row without its file, and the orphan sweeper."""
from __future__ import annotations

import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal import clock
from portal.candidates.models import Candidate, Resume
from portal.db.tenancy import system_scope
from portal.events.models import Event
from portal.extensions import db
from portal.files import storage as storage_module
from portal.files.storage import LocalStorage, get_storage, stage
from portal.files.sweep import sweep_orphans
from portal.tick import RULES
from tests.fixtures import candidates as files
from tests.fixtures.candidates import world_candidate


def _stored_files(app) -> set[str]:
    root = Path(app.config["UPLOAD_DIR"])
    return {p.name for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def _resume_rows(candidate_id: int | None = None) -> int:
    with system_scope("test count"):
        stmt = select(func.count(Resume.id))
        if candidate_id is not None:
            stmt = stmt.where(Resume.candidate_id == candidate_id)
        return db.session.scalar(stmt)


def _upload(client, candidate_id: int, data: bytes, name: str = "cv.pdf", **kw):
    return client.post(f"/supplier/candidates/{candidate_id}/resume",
                       {"resume": (io.BytesIO(data), name)}, **kw)


def _current(candidate_id: int) -> Resume | None:
    with system_scope("test"):
        return db.session.scalar(select(Resume).where(Resume.candidate_id == candidate_id,
                                                      Resume.is_current.is_(True)))


# --- accepted files --------------------------------------------------------------------------------

def test_upload_a_pdf_replaces_the_current_resume_and_keeps_the_old_one(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    old = _current(tilda.id)
    pdf = files.pdf_bytes("Tilda knows Rust and Elixir")
    resp = _upload(sam, tilda.id, pdf, "Tilda Résumé 2027.pdf")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/supplier/candidates/{tilda.id}")
    new = _current(tilda.id)
    assert new.id != old.id and _resume_rows(tilda.id) == 2
    assert new.original_name == "Tilda Résumé 2027.pdf" and new.content_type == "application/pdf"
    assert new.size == len(pdf) and new.uploaded_by_id == world.uid("sam")
    assert "Rust and Elixir" in new.text
    assert new.storage_key in _stored_files(app) and old.storage_key in _stored_files(app)
    assert "rust and elixir" in world_candidate("talentco").resume_text.lower()
    with system_scope("test"):
        ev = db.session.scalar(select(Event).where(Event.verb == "candidate.resume_uploaded",
                                                   Event.subject_id == tilda.id).order_by(Event.id.desc()))
    assert ev.supplier_org_id == world.oid("talentco") and ev.data["resume_id"] == new.id
    assert "replaced the résumé of Tilda Worldwide" in ev.summary
    # The new text is searchable; the old version is listed and downloadable.
    assert b"Tilda Worldwide" in sam.get("/supplier/candidates?q=elixir").data
    page = sam.get(f"/supplier/candidates/{tilda.id}").data
    assert b"Earlier versions" in page and f"/resumes/{old.id}".encode() in page
    old_file = sam.get(f"/supplier/candidates/{tilda.id}/resumes/{old.id}")
    assert old_file.status_code == 200 and old_file.data.startswith(b"%PDF-")


def test_the_same_file_twice_is_stored_once(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    pdf = files.pdf_bytes("Twice")
    assert _upload(sam, tilda.id, pdf).status_code == 302
    before = (_resume_rows(), _stored_files(app))
    again = _upload(sam, tilda.id, pdf)
    assert again.status_code == 302
    assert (_resume_rows(), _stored_files(app)) == before
    assert "already" in sam.get(again.headers["Location"]).get_data(as_text=True)


def test_upload_docx_and_doc(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    docx = files.docx_bytes(["Tilda Worldwide", "Kotlin & Go, 8 years"], extra={
        "word/header1.xml": files.document_xml(["Header words Zanzibar"])})
    assert _upload(sam, tilda.id, docx, "cv.DOCX").status_code == 302
    current = _current(tilda.id)
    assert current.content_type.endswith("wordprocessingml.document")
    assert "Kotlin & Go, 8 years" in current.text and "Zanzibar" in current.text
    assert _upload(sam, tilda.id, files.OLE_WORD, "old.doc").status_code == 302
    current = _current(tilda.id)
    assert current.content_type == "application/msword" and "Cobol programmer" in current.text


def test_new_candidate_with_a_resume_through_the_form(app, world, as_user):
    sam = as_user("sam")
    resp = sam.post("/supplier/candidates/new", {
        "first_name": "Nora", "last_name": "Quill", "email": "nora.quill@example.com",
        "resume": (io.BytesIO(files.pdf_bytes("Nora knows Fortran")), "nora.pdf")})
    assert resp.status_code == 302
    with system_scope("test"):
        nora = db.session.scalar(select(Candidate).where(Candidate.email_normalised == "nora.quill@example.com"))
    assert "Fortran" in nora.resume_text and _current(nora.id).original_name == "nora.pdf"


# --- the upload fuzz list: each a clear 4xx, nothing stored ----------------------------------------

FUZZ = [
    ("elf-as-pdf", "cv.pdf", files.ELF, 422, "its content is a program"),
    ("pe-as-pdf", "cv.pdf", files.PE, 422, "its content is a program"),
    ("html-as-pdf", "cv.pdf", files.HTML, 422, "its content is a web page (HTML)"),
    ("svg-as-pdf", "cv.pdf", files.SVG, 422, "its content is an SVG image"),
    ("docx-as-pdf", "cv.pdf", files.docx_bytes(), 422, "named like a PDF file"),
    ("pdf-as-docx", "cv.docx", files.pdf_bytes(), 422, "its content is a PDF"),
    ("excel-as-doc", "cv.doc", files.OLE_EXCEL, 422, "not a Word (DOC) document"),
    ("text-as-pdf", "cv.pdf", b"just some words", 422, "not a PDF document"),
    ("empty", "cv.pdf", b"", 422, "The file is empty"),
    ("exe-name", "setup.exe", files.pdf_bytes(), 422, "name should end in .pdf, .docx or .doc"),
    ("no-extension", "resume", files.pdf_bytes(), 422, "name should end in .pdf, .docx or .doc"),
    ("broken-pdf", "cv.pdf", files.broken_pdf(), 422, "This PDF could not be read"),
    ("encrypted-pdf", "cv.pdf", files.encrypted_pdf(), 422, "protected with a password"),
    ("docx-zip-bomb", "cv.docx", files.docx_bomb(), 422, "compressed more than 100 times"),
    ("docx-traversal", "cv.docx", files.docx_traversal(), 422, "entry name with &#39;..&#39;"),
    ("docx-absolute", "cv.docx", files.docx_absolute(), 422, "an absolute entry name"),
    ("docx-overlapping", "cv.docx", files.docx_overlapping(), 422, "overlapping entries"),
    ("docx-1001-entries", "cv.docx", files.docx_many_entries(), 422, "at most 1000"),
    ("docx-dtd", "cv.docx", files.docx_with_dtd(), 422, "could not be read"),
    ("docx-macros", "cv.docx", files.docx_bytes(extra={"word/vbaProject.bin": b"\x00" * 64}), 422, "contains macros"),
    ("zip-not-word", "cv.docx", files.plain_zip(), 422, "a ZIP archive but not a Word (DOCX) document"),
    ("traversal-name", "../../etc/cv.pdf", files.pdf_bytes(), 422, "folder path"),
    ("control-name", "cv\x1b[31m.pdf", files.pdf_bytes(), 422, "control characters"),
    ("bidi-name", "cv\u202efdp.exe.pdf", files.pdf_bytes(), 422, "control characters"),
]


@pytest.mark.parametrize("label, name, data, status, message", FUZZ, ids=[f[0] for f in FUZZ])
def test_upload_fuzz_is_refused_clearly_and_stores_nothing(app, world, as_user, label, name, data, status, message):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    before = (_stored_files(app), _resume_rows(), world_candidate("talentco").resume_text)
    resp = _upload(sam, tilda.id, data, name)
    assert resp.status_code == status, resp.data[:300]
    assert message in resp.get_data(as_text=True)
    assert b'class="field-error"' in resp.data  # shown next to the file field
    assert (_stored_files(app), _resume_rows(), world_candidate("talentco").resume_text) == before


def test_a_bad_resume_on_the_new_candidate_form_adds_nothing(app, world, as_user):
    sam = as_user("sam")
    with system_scope("test"):
        candidates_before = db.session.scalar(select(func.count(Candidate.id)))
    before = (_stored_files(app), _resume_rows())
    resp = sam.post("/supplier/candidates/new", {
        "first_name": "Eve", "last_name": "Il", "email": "eve@example.com",
        "resume": (io.BytesIO(files.HTML), "eve.pdf")})
    assert resp.status_code == 422 and b"web page (HTML)" in resp.data
    assert b'value="Eve"' in resp.data and b"Choose the file again" in resp.data
    with system_scope("test"):
        assert db.session.scalar(select(func.count(Candidate.id))) == candidates_before
    assert (_stored_files(app), _resume_rows()) == before


def test_one_byte_over_the_limit_is_413_with_the_limit(app, world, as_user):
    app.config["MAX_UPLOAD_MB"] = 1
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    before = (_stored_files(app), _resume_rows())
    pdf = files.pdf_bytes()
    over = pdf + b" " * (1024 * 1024 - len(pdf) + 1)
    resp = _upload(sam, tilda.id, over)
    assert resp.status_code == 413 and b"larger than 1 MB" in resp.data
    assert (_stored_files(app), _resume_rows()) == before
    exactly = pdf + b" " * (1024 * 1024 - len(pdf))
    assert _upload(sam, tilda.id, exactly).status_code == 302


def test_a_body_over_max_content_length_is_413_before_it_is_read(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    before = (_stored_files(app), _resume_rows())
    resp = _upload(sam, tilda.id, b"%PDF-" + b"x" * app.config["MAX_CONTENT_LENGTH"])
    assert resp.status_code == 413
    assert f"a file can be at most {app.config['MAX_UPLOAD_MB']} MB".encode() in resp.data
    assert (_stored_files(app), _resume_rows()) == before


def test_a_5000_part_form_is_refused(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    before = (_stored_files(app), _resume_rows())
    data = {f"f{i}": "x" for i in range(5000)}
    data["resume"] = (io.BytesIO(files.pdf_bytes()), "cv.pdf")
    resp = sam.post(f"/supplier/candidates/{tilda.id}/resume", data)
    assert resp.status_code == 413
    # Werkzeug limits multipart parts only; a 5,000-field urlencoded form is still just a bad form.
    urlencoded = sam.post(f"/supplier/candidates/{tilda.id}/edit", {f"f{i}": "x" for i in range(5000)})
    assert urlencoded.status_code == 422
    assert world_candidate("talentco").first_name == "Tilda"
    assert (_stored_files(app), _resume_rows()) == before


def test_no_file_chosen(world, as_user):
    tilda = world_candidate("talentco")
    resp = as_user("sam").post(f"/supplier/candidates/{tilda.id}/resume", {})
    assert resp.status_code == 422 and b"Choose a r\xc3\xa9sum\xc3\xa9 file to upload." in resp.data


# --- downloads -------------------------------------------------------------------------------------

def test_download_headers(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    pdf = files.pdf_bytes("Header check")
    _upload(sam, tilda.id, pdf, "Tilda <CV> (2027) é;.pdf")
    resp = sam.get(f"/supplier/candidates/{tilda.id}/resume")
    assert resp.status_code == 200 and resp.data == pdf
    assert resp.mimetype == "application/pdf"
    disposition = resp.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and "<" not in disposition and ";.pdf" not in disposition
    assert "filename=Tilda_CV_2027_e.pdf" in disposition
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert resp.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"


def test_download_name_falls_back_when_nothing_ascii_is_left(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    _upload(sam, tilda.id, files.pdf_bytes("Kanji"), "履歴書.pdf")
    resp = sam.get(f"/supplier/candidates/{tilda.id}/resume")
    assert "filename=Tilda_Worldwide_resume.pdf" in resp.headers["Content-Disposition"]


def test_staff_download_any_resume(world, as_user):
    morgan = as_user("morgan")
    for party in ("talentco", "bluepeak"):
        c = world_candidate(party)
        resp = morgan.get(f"/staff/candidates/{c.id}/resume")
        assert resp.status_code == 200 and resp.data.startswith(b"%PDF-")
        assert resp.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
        assert resp.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("principal", ["priya", "bruno", "hana", "leo"])
def test_another_party_cannot_download_a_talentco_resume(world, as_user, principal):
    tilda = world_candidate("talentco")
    resume = _current(tilda.id)
    c = as_user(principal)
    for url in (f"/supplier/candidates/{tilda.id}/resume", f"/supplier/candidates/{tilda.id}/resumes/{resume.id}",
                f"/staff/candidates/{tilda.id}/resume", f"/staff/candidates/{tilda.id}/resumes/{resume.id}"):
        resp = c.get(url)
        assert resp.status_code == 404, (principal, url)
        assert not resp.data.startswith(b"%PDF")


def test_a_resume_id_of_another_candidate_is_not_found(world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    with system_scope("test"):
        ada = db.session.scalar(select(Candidate).where(Candidate.email_normalised == "ada.okonkwo@example.com"))
    other = _current(ada.id)
    assert sam.get(f"/supplier/candidates/{tilda.id}/resumes/{other.id}").status_code == 404
    bastian = _current(world_candidate("bluepeak").id)
    assert sam.get(f"/supplier/candidates/{tilda.id}/resumes/{bastian.id}").status_code == 404


def test_no_resume_yet_and_missing_file_are_clear_404s(app, world, as_user):
    sam = as_user("sam")
    with system_scope("test"):
        samuel = db.session.scalar(select(Candidate).where(Candidate.email_normalised == "samuel.adeyemi@example.net"))
    resp = sam.get(f"/supplier/candidates/{samuel.id}/resume")
    assert resp.status_code == 404 and b"No r\xc3\xa9sum\xc3\xa9 has been uploaded for Samuel Adeyemi" in resp.data
    tilda = world_candidate("talentco")
    get_storage().delete(_current(tilda.id).storage_key)
    resp = sam.get(f"/supplier/candidates/{tilda.id}/resume")
    assert resp.status_code == 404 and b"missing" in resp.data


def test_files_are_stored_outside_static_under_random_names(app, world, as_user):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    _upload(sam, tilda.id, files.pdf_bytes("Random"), "my cv.pdf")
    key = _current(tilda.id).storage_key
    path = Path(app.config["UPLOAD_DIR"]) / key[:2] / key
    assert path.is_file() and "cv" not in key and len(key) == 40
    assert Path(app.static_folder) not in path.parents
    assert oct(path.stat().st_mode & 0o777) == "0o600"


# --- no file without its row, no row without its file ---------------------------------------------

def test_a_failed_commit_leaves_no_file(app, world, as_user, monkeypatch):
    sam = as_user("sam")
    tilda = world_candidate("talentco")
    before = (_stored_files(app), _resume_rows())

    def broken_commit():
        raise RuntimeError("the database went away")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    resp = _upload(sam, tilda.id, files.pdf_bytes("Lost"))
    assert resp.status_code == 500
    monkeypatch.undo()
    assert (_stored_files(app), _resume_rows()) == before


def test_staged_files_follow_their_transaction(app):
    committed = stage(db.session, b"kept")
    db.session.commit()
    rolled_back = stage(db.session, b"dropped")
    db.session.rollback()
    closed = stage(db.session, b"closed without commit")
    db.session.close()
    names = _stored_files(app)
    assert committed in names and rolled_back not in names and closed not in names


def test_storage_keys_cannot_traverse(app):
    store = LocalStorage(app.config["UPLOAD_DIR"])
    for bad in ("../../etc/passwd", "AB" * 20, "a" * 39, ""):
        with pytest.raises(ValueError):
            store.open(bad)
        with pytest.raises(ValueError):
            store.delete(bad)


def test_sweeper_deletes_old_orphans_only(app, world):
    assert sweep_orphans in RULES
    store = get_storage()
    orphan = store.save(b"no row points here")
    tilda_key = _current(world_candidate("talentco").id).storage_key
    # An interrupted write leaves a temporary file too.
    tmp = Path(app.config["UPLOAD_DIR"]) / orphan[:2] / f".{'f' * 40}.tmp"
    tmp.write_bytes(b"partial")
    with system_scope("tick"):
        assert sweep_orphans() == 0  # younger than an hour: could still be committing
    clock.freeze(clock.now() + timedelta(hours=2))
    with system_scope("tick"):
        removed = sweep_orphans()
    names = _stored_files(app)
    assert removed == 1 and orphan not in names and tilda_key in names and not tmp.exists()
    assert all(_current(world_candidate(p).id).storage_key in names for p in ("talentco", "bluepeak"))


def test_storage_is_one_small_interface(app):
    store = get_storage()
    key = store.save(b"hello")
    with store.open(key) as fh:
        assert fh.read() == b"hello"
    store.delete(key)
    store.delete(key)  # idempotent
    with pytest.raises(storage_module.MissingFile):
        store.open(key)
    assert not any(name.endswith(".tmp") for name in os.listdir(Path(app.config["UPLOAD_DIR"]) / key[:2]))
