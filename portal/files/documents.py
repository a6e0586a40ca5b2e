"""Accept a résumé only if its content is a PDF, DOCX or DOC that agrees with its name,
and extract its text for search.

The type comes from the bytes (magic numbers, through `puremagic`) and must match the
extension; then the format itself is checked: a PDF must open (pypdf) and not be encrypted,
a DOCX (a ZIP) passes `zipguard` before anything is decompressed and must hold a Word
document without macros, a DOC must be an OLE2 file with a Word stream. Each refusal is an
`UploadRejected` with a message the uploader can act on; nothing here touches storage.

Text extraction: pypdf for PDF; for DOCX a streaming read of word/document.xml (and the
headers and footers) with expat, refusing any DTD; for legacy DOC a best-effort scan for
runs of printable characters (8-bit and UTF-16), which finds most of the words but also
some noise, good enough for search and never shown as the document itself.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from dataclasses import dataclass
from xml.parsers import expat

import puremagic

from portal.files.zipguard import ByteBudget, UnsafeZip, check_zip, read_member

PDF, DOCX, DOC = "pdf", "docx", "doc"
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    DOC: "application/msword",
}
LABELS = {PDF: "PDF", DOCX: "Word (DOCX)", DOC: "Word (DOC)"}
EXTENSIONS = {".pdf": PDF, ".docx": DOCX, ".doc": DOC}
ACCEPT = ".pdf,.docx,.doc," + ",".join(CONTENT_TYPES.values())

#: Text kept per document: plenty for any résumé, bounded for the database and search.
TEXT_LIMIT = 100_000
MAX_PDF_PAGES = 50
MAX_NAME_LENGTH = 255

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORD_STREAM = "WordDocument".encode("utf-16-le")
_BIDI = {"\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
         "\u2066", "\u2067", "\u2068", "\u2069"}
_WORDML = {"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
           "http://purl.oclc.org/ooxml/wordprocessingml/main"}
_DOCX_TEXT_PART = re.compile(r"^word/(document|header\d*|footer\d*)\.xml$")


class UploadRejected(ValueError):
    """A file refused for a reason the uploader can act on (status 422, or 413 when too large)."""

    def __init__(self, message: str, status: int = 422):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Document:
    """An accepted document: what it is, its cleaned original name, and its text."""

    kind: str
    name: str
    content_type: str
    size: int
    sha256: str
    text: str


def limit_bytes(max_mb: int) -> int:
    return max_mb * 1024 * 1024


def read_limited(stream, max_bytes: int, max_mb: int) -> bytes:
    """Read an uploaded stream, refusing (413) one byte past the limit."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(f"The file is larger than {max_mb} MB. Upload a smaller file.", 413)
    return data


def clean_name(raw: str | None) -> str:
    """The uploader's file name for display, or UploadRejected if it could not come from a plain file."""
    name = unicodedata.normalize("NFC", (raw or "").strip())
    if not name:
        raise UploadRejected("The file has no name. Choose the file again.")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise UploadRejected("The file name contains a folder path. Rename the file, such as cv.pdf, and upload it again.")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI for ch in name):
        raise UploadRejected("The file name contains control characters. Rename the file, such as cv.pdf, and upload it again.")
    if len(name) > MAX_NAME_LENGTH:
        root, ext = os.path.splitext(name)
        name = root[: MAX_NAME_LENGTH - len(ext)] + ext
    return name


def inspect_document(raw_name: str | None, data: bytes, max_mb: int) -> Document:
    """Check an uploaded résumé and extract its text; raise UploadRejected with the reason."""
    name = clean_name(raw_name)
    kind = EXTENSIONS.get(os.path.splitext(name)[1].lower())
    if kind is None:
        raise UploadRejected("Upload a PDF, DOCX or DOC file: the name should end in .pdf, .docx or .doc.")
    if not data:
        raise UploadRejected("The file is empty. Choose the résumé file again.")
    if len(data) > limit_bytes(max_mb):
        raise UploadRejected(f"The file is larger than {max_mb} MB. Upload a smaller file.", 413)
    _check_magic(name, kind, data)
    if kind == PDF:
        text = _pdf_text(data)
    elif kind == DOCX:
        text = _docx_text(data)
    else:
        text = _doc_text(data)
    return Document(kind=kind, name=name, content_type=CONTENT_TYPES[kind], size=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), text=text)


# --- what the bytes are ------------------------------------------------------------------

def _detected(data: bytes) -> list:
    try:
        matches = puremagic.magic_string(data[:8192] if len(data) > 8192 else data)
    except (puremagic.PureError, ValueError):
        return []
    best = matches[0].confidence
    return [m for m in matches if m.confidence == best]


def _check_magic(name: str, kind: str, data: bytes) -> None:
    top = _detected(data)
    if f".{kind}" in {m.extension for m in top} and _structure_agrees(kind, data):
        return
    what = _describe(data, kind)
    content = f"its content is {what}" if what else f"its content is not a {LABELS[kind]} document"
    raise UploadRejected(f"“{name}” is named like a {LABELS[kind]} file, but {content}. "
                         "Upload the résumé as a PDF, DOCX or DOC file.")


def _describe(data: bytes, claimed: str) -> str | None:
    """What the content looks like, in words a person knows, for the refusal message (None: unsure)."""
    head = data[:1024]
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head[:4] == b"\x7fELF" or head[:2] == b"MZ" or head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        return "a program (an executable file)"
    if b"<svg" in text:
        return "an SVG image"
    if text.startswith((b"<!doctype html", b"<html")) or b"<script" in text or b"<body" in text:
        return "a web page (HTML)"
    if head.startswith(b"%PDF-") and claimed != PDF:
        return "a PDF"
    if head.startswith(b"PK\x03\x04") and claimed != DOCX:
        return "a ZIP archive (such as a DOCX)"
    if head.startswith(_OLE2) and claimed != DOC:
        return "an older Microsoft Office file (such as a DOC)"
    return None


def _structure_agrees(kind: str, data: bytes) -> bool:
    if kind == PDF:
        return data.startswith(b"%PDF-")
    if kind == DOC:
        return data.startswith(_OLE2) and _WORD_STREAM in data
    return data.startswith(b"PK\x03\x04")


# --- text ------------------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")


def tidy_text(text: str) -> str:
    """Printable text with single spaces and no blank runs, at most TEXT_LIMIT characters.

    NUL and other control characters are dropped: PostgreSQL refuses NUL in text.
    """
    text = "".join(ch if ch in "\n\t" or unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.splitlines())
    text = _BLANK_LINES.sub("\n\n", text).strip()
    return text[:TEXT_LIMIT]


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected("This PDF is protected with a password. Save a copy without the password "
                                 "and upload that.")
        pages = reader.pages
        if len(pages) == 0:
            raise ValueError("no pages")
        parts: list[str] = []
        size = 0
        for page in list(pages)[:MAX_PDF_PAGES]:
            part = page.extract_text() or ""
            parts.append(part)
            size += len(part)
            if size > TEXT_LIMIT:
                break
    except UploadRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure inside a hostile PDF is "damaged", never a 500
        raise UploadRejected("This PDF could not be read: it may be damaged. Open it, save it again "
                             "as a PDF, and upload the new file.") from exc
    return tidy_text("\n".join(parts))


def _docx_text(data: bytes) -> str:
    damaged = ("This Word (DOCX) file could not be read: it may be damaged. Open it in Word, save it "
               "again, and upload the new file.")
    try:
        zf = check_zip(data)
    except UnsafeZip as exc:
        raise UploadRejected("This Word (DOCX) file is not acceptable: it is not a well-formed document "
                             f"({exc.reason}). Save it again from Word and upload the new file.") from exc
    names = {info.filename for info in zf.infolist()}
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise UploadRejected("This file is a ZIP archive but not a Word (DOCX) document. "
                             "Upload the résumé as a PDF, DOCX or DOC file.")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise UploadRejected("This Word file contains macros. Save it as a plain .docx (without macros) "
                             "and upload that.")
    parts = sorted((i for i in zf.infolist() if _DOCX_TEXT_PART.match(i.filename)),
                   key=lambda i: (i.filename != "word/document.xml", i.filename))
    budget = ByteBudget()
    out: list[str] = []
    try:
        for info in parts:
            _wordml_text(read_member(zf, info, budget), out)
    except UnsafeZip as exc:
        raise UploadRejected(damaged) from exc
    except (expat.ExpatError, LookupError, ValueError) as exc:
        # LookupError/ValueError: an unknown or unsupported encoding declared by the XML.
        raise UploadRejected(damaged) from exc
    return tidy_text("".join(out))


class _Refused(expat.ExpatError):
    pass


def _wordml_text(chunks, out: list[str]) -> None:
    """Append the text of one WordprocessingML part to `out` (paragraphs end with a newline)."""
    parser = expat.ParserCreate(namespace_separator=" ")
    state = {"in_text": False, "size": sum(len(s) for s in out)}

    def local(tag: str) -> str | None:
        ns, _, name = tag.rpartition(" ")
        return name if ns in _WORDML else None

    def start(tag, _attrs):
        name = local(tag)
        if name == "t":
            state["in_text"] = True
        elif name == "tab":
            out.append("\t")
        elif name in ("br", "cr"):
            out.append("\n")

    def end(tag):
        name = local(tag)
        if name == "t":
            state["in_text"] = False
        elif name == "p":
            out.append("\n")

    def chars(text):
        if state["in_text"] and state["size"] < TEXT_LIMIT:
            out.append(text)
            state["size"] += len(text)

    def refuse(*_args):
        # DOCX never declares a DTD or entities; refusing them rules out entity expansion bombs.
        raise _Refused("DTD or entity declaration in a Word part")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    for chunk in chunks:
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


_RUN8 = re.compile(rb"[\x20-\x7e\xa0-\xff]{4,}")
_RUN16 = re.compile(rb"(?:[\x20-\x7e\xa0-\xff]\x00){4,}")
_OLE_NAMES = {"Root Entry", "WordDocument", "SummaryInformation", "DocumentSummaryInformation", "CompObj",
              "0Table", "1Table", "Data", "ObjectPool", "Microsoft Word-Dokument", "MSWordDoc", "Word.Document.8"}
_WORDY = re.compile(r"[A-Za-z\u00c0-\u00ff]{2,}")


def _doc_text(data: bytes) -> str:
    """Best effort for legacy Word: runs of printable characters, 8-bit and UTF-16LE, that look like words."""
    runs: list[str] = []
    seen: set[str] = set()
    for raw in _RUN16.findall(data):
        runs.append(raw.decode("utf-16-le", "ignore"))
    for raw in _RUN8.findall(data):
        runs.append(raw.decode("cp1252", "ignore"))
    kept = []
    for run in runs:
        run = run.strip()
        if run in _OLE_NAMES:
            continue
        letters = sum(ch.isalpha() or ch.isspace() for ch in run)
        if len(run) < 4 or letters < 0.7 * len(run) or not _WORDY.search(run) or run in seen:
            continue
        seen.add(run)
        kept.append(run)
    return tidy_text("\n".join(kept))
