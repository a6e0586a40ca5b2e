"""Where uploaded files live: one small storage interface, a local-directory implementation,
and the tie between a stored file and the database transaction that records it.

Keys are random (never derived from the uploader's file name), so a name can neither
collide nor traverse. `stage()` writes the file *before* its row and registers the key on the
session: the commit keeps it, anything else (rollback, an error, a request that never
commits) deletes it at the end of the transaction. A crash between the write and the commit
leaves a file with no row; `portal.files.sweep.sweep_orphans` removes those after an hour.

To move to object storage, implement `Storage` (save, open, delete, keys_older_than) and
return it from `get_storage()`; nothing else reads the disk. Several app servers share one store:
a shared directory (NFS/EFS) as UPLOAD_DIR, or a bucket — see docs/deploy.md, "Uploaded files on
shared or object storage".
"""
from __future__ import annotations

import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

_KEY = re.compile(r"^[0-9a-f]{40}$")
_PENDING = "portal_pending_files"


class MissingFile(LookupError):
    """The key is well formed but no file is stored under it."""


class Storage(Protocol):
    """What the portal needs from a file store."""

    def save(self, data: bytes) -> str:
        """Store `data` under a new random key and return the key (durable when it returns)."""

    def open(self, key: str) -> BinaryIO:
        """A readable binary stream of the file; raises MissingFile when it is not there."""

    def delete(self, key: str) -> None:
        """Remove the file; deleting a missing key is not an error."""

    def keys_older_than(self, cutoff: datetime) -> Iterator[str]:
        """Keys of files last written before `cutoff` (for the orphan sweeper)."""


def new_key() -> str:
    return secrets.token_hex(20)


def check_key(key: str) -> str:
    """A storage key is 40 lower-case hex digits; anything else never reaches the file system."""
    if not isinstance(key, str) or not _KEY.match(key):
        raise ValueError("malformed storage key")
    return key


class LocalStorage:
    """Files in a private directory (outside `static/`), fanned out by the key's first two digits."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = new_key()
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{key}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self._path(key), "rb")
        except FileNotFoundError as exc:
            raise MissingFile(key) from exc

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys_older_than(self, cutoff: datetime) -> Iterator[str]:
        if not self.root.is_dir():
            return
        limit = cutoff.timestamp()
        for bucket in self.root.iterdir():
            if not bucket.is_dir() or len(bucket.name) != 2:
                continue
            for entry in bucket.iterdir():
                name = entry.name
                if name.startswith(".") and name.endswith(".tmp"):
                    # A write that never finished: remove it once it is old.
                    if entry.stat().st_mtime < limit:
                        entry.unlink(missing_ok=True)
                    continue
                if _KEY.match(name) and entry.stat().st_mtime < limit:
                    yield name


def get_storage() -> Storage:
    """The application's file store (a local directory: UPLOAD_DIR)."""
    store = current_app.extensions.get("portal_storage")
    if store is None:
        store = LocalStorage(current_app.config["UPLOAD_DIR"])
        current_app.extensions["portal_storage"] = store
    return store


def stage(session: Session | scoped_session, data: bytes) -> str:
    """Store `data` and tie the file to the session's transaction: kept if it commits, else deleted."""
    if isinstance(session, scoped_session):
        session = session()
    if not session.in_transaction():
        session.begin()  # so that the file's fate is decided by this transaction's end
    store = get_storage()
    key = store.save(data)
    session.info.setdefault(_PENDING, []).append((store, key))
    return key


@event.listens_for(Session, "after_commit")
def _keep_staged(session: Session) -> None:
    session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _discard_staged(session: Session, transaction) -> None:
    # after_commit has already emptied the list when the transaction committed; a rollback,
    # or a session closed without committing, leaves the files staged in it to delete.
    if transaction.parent is not None or transaction.nested:
        return
    for store, key in session.info.pop(_PENDING, []):
        store.delete(key)
