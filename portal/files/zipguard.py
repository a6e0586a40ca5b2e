"""Check a ZIP archive (a DOCX) from its directory *before* anything in it is decompressed,
then read members with a hard byte counter.

Python 3.11.7 lacks the fix for overlapping-entry zip bombs (CVE-2024-0450, 3.11.8), so the
checks do not rely on `zipfile` noticing: the end-of-directory record is read by hand first
(entry count, directory size, no data before or after the archive), then every entry is
checked: at most 1,000 entries, declared total at most 50 MB, a compression ratio of at most
100 per entry, no `..`, absolute, backslash or control-character names, no duplicates, no
encryption, only stored or deflated data, and no entry overlapping the next one.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Iterator

MAX_ENTRIES = 1_000
MAX_TOTAL_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100
MAX_NAME_LENGTH = 512
MAX_DIRECTORY_BYTES = MAX_ENTRIES * (46 + MAX_NAME_LENGTH + 1024)

_EOCD = b"PK\x05\x06"
_EOCD_SIZE = 22
_LOCAL = b"PK\x03\x04"
_LOCAL_SIZE = 30


class UnsafeZip(ValueError):
    """The archive is malformed, or shaped like a zip bomb; `reason` says which check failed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _end_of_directory(data: bytes) -> tuple[int, int, int]:
    """(entries, directory size, directory offset) from the end-of-central-directory record."""
    search_from = max(0, len(data) - (_EOCD_SIZE + 65535))
    pos = data.rfind(_EOCD, search_from)
    if pos < 0 or pos + _EOCD_SIZE > len(data):
        raise UnsafeZip("no end-of-directory record")
    (_sig, disk, cd_disk, entries_here, entries, cd_size, cd_offset, comment_len) = struct.unpack(
        "<4sHHHHIIH", data[pos:pos + _EOCD_SIZE])
    if disk != 0 or cd_disk != 0 or entries_here != entries:
        raise UnsafeZip("multi-disk archive")
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF or cd_offset == 0xFFFFFFFF:
        raise UnsafeZip("ZIP64 archive")
    if pos + _EOCD_SIZE + comment_len != len(data):
        raise UnsafeZip("data after the archive")
    if cd_offset + cd_size != pos:
        raise UnsafeZip("data before the archive or a misplaced directory")
    return entries, cd_size, cd_offset


def _unsafe_name(name: str) -> str | None:
    if not name or len(name) > MAX_NAME_LENGTH:
        return "an empty or over-long entry name"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return "a control character in an entry name"
    if "\\" in name:
        return "a backslash in an entry name"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return "an absolute entry name"
    if ".." in name.split("/"):
        return "an entry name with '..'"
    return None


def check_zip(data: bytes) -> zipfile.ZipFile:
    """Return an opened-for-reading ZipFile of `data` once every check has passed (or raise UnsafeZip)."""
    entries, cd_size, cd_offset = _end_of_directory(data)
    if entries > MAX_ENTRIES:
        raise UnsafeZip(f"{entries} entries (at most {MAX_ENTRIES})")
    if cd_size > MAX_DIRECTORY_BYTES:
        raise UnsafeZip("an oversized directory")
    try:
        # Reads the central directory only (checked above); nothing is decompressed here.
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, struct.error) as exc:
        raise UnsafeZip(f"unreadable directory ({exc})") from exc
    infos = zf.infolist()
    if len(infos) != entries:
        raise UnsafeZip("the directory does not match its entry count")
    names: set[str] = set()
    total = 0
    for info in infos:
        problem = _unsafe_name(info.orig_filename)
        if problem:
            raise UnsafeZip(problem)
        if info.filename in names:
            raise UnsafeZip("a duplicate entry name")
        names.add(info.filename)
        if info.flag_bits & 0x1:
            raise UnsafeZip("an encrypted entry")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafeZip("an unsupported compression method")
        if info.file_size and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise UnsafeZip(f"an entry compressed more than {MAX_RATIO} times")
        total += info.file_size
        if total > MAX_TOTAL_UNCOMPRESSED:
            raise UnsafeZip("more than 50 MB once uncompressed")
    _check_no_overlap(data, infos, cd_offset)
    return zf


def _check_no_overlap(data: bytes, infos: list[zipfile.ZipInfo], cd_offset: int) -> None:
    """Each entry's local header and data must end before the next entry (or the directory) starts."""
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for index, info in enumerate(ordered):
        start = info.header_offset
        if start + _LOCAL_SIZE > cd_offset or data[start:start + 4] != _LOCAL:
            raise UnsafeZip("an entry without its local header")
        name_len, extra_len = struct.unpack("<HH", data[start + 26:start + 30])
        end = start + _LOCAL_SIZE + name_len + extra_len + info.compress_size
        limit = ordered[index + 1].header_offset if index + 1 < len(ordered) else cd_offset
        if end > limit:
            raise UnsafeZip("overlapping entries")


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: "ByteBudget", chunk: int = 64 * 1024) -> Iterator[bytes]:
    """Yield the member's bytes in chunks, counting every byte against `budget` and its declared size."""
    seen = 0
    try:
        with zf.open(info) as fh:
            while True:
                block = fh.read(chunk)
                if not block:
                    break
                seen += len(block)
                if seen > info.file_size:
                    raise UnsafeZip("an entry larger than it declares")
                budget.take(len(block))
                yield block
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UnsafeZip(f"damaged entry data ({exc})") from exc


class ByteBudget:
    """A hard ceiling on bytes read out of an archive, whatever its directory claims."""

    def __init__(self, limit: int = MAX_TOTAL_UNCOMPRESSED):
        self.left = limit

    def take(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise UnsafeZip("more data than the archive declares")
