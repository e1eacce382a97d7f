"""Where uploaded files (report photos) live, behind one small interface.

``FILE_STORAGE`` chooses: ``"database"`` (the default: the bytes in the ``stored_file`` table, so several app
machines share them and every backup holds them) or ``"folder"`` (files under ``FILE_STORAGE_FOLDER``, for a
single machine that prefers the file system). Both take and give plain bytes under a key made here:
callers keep the key and never build paths.
"""

import os
import re
import secrets
from datetime import datetime
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from core.timeutil import UTCDateTime, utcnow
from extensions import db

KEY_NAME = re.compile(r"[A-Za-z0-9_-]{1,100}")  # what new_key makes after the prefix (token_urlsafe)


class StoredFile(db.Model):
    """One file kept in the database: ``key`` (random, URL-safe), its media type, size in bytes and data."""

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    content_type: Mapped[str] = mapped_column(sa.String(50))
    size: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FileStore(Protocol):
    """Keeps bytes under a key. ``put`` returns the new key; ``get`` raises ``KeyError`` for an unknown one."""

    def put(self, data: bytes, *, content_type: str, prefix: str) -> str: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


def new_key(prefix: str) -> str:
    """A fresh random key such as ``report/3k9…`` (``prefix`` names what it holds; letters only)."""
    return f"{prefix}/{secrets.token_urlsafe(24)}"


class DatabaseStore:
    """Files in the ``stored_file`` table, written in the caller's transaction (a rolled-back report leaves
    no orphan photo)."""

    def put(self, data: bytes, *, content_type: str, prefix: str) -> str:
        key = new_key(prefix)
        db.session.add(StoredFile(key=key, content_type=content_type, size=len(data), data=data))
        return key

    def get(self, key: str) -> bytes:
        row = db.session.get(StoredFile, key)
        if row is None:
            raise KeyError(key)
        return row.data

    def delete(self, key: str) -> None:
        db.session.execute(sa.delete(StoredFile).where(StoredFile.key == key))


class FolderStore:
    """Files under ``root`` (one file per key; the key's ``/`` becomes a sub-folder). A file written for a
    transaction that later rolls back stays on disk unreferenced: harmless, and cleaned by hand if ever."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        prefix, _, name = key.partition("/")
        if not (prefix.isascii() and prefix.isalpha()) or not KEY_NAME.fullmatch(name) or name.startswith("."):
            raise KeyError(key)
        return self.root / prefix / name

    def put(self, data: bytes, *, content_type: str, prefix: str) -> str:
        key = new_key(prefix)
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".part")
        temporary.write_bytes(data)
        temporary.replace(path)
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


def file_store() -> FileStore:
    """The store the configuration names (``FILE_STORAGE``: ``database`` or ``folder``).

    Raises ``RuntimeError`` for another value, or ``folder`` without ``FILE_STORAGE_FOLDER``.
    """
    kind = current_app.config.get("FILE_STORAGE", "database")
    if kind == "database":
        return DatabaseStore()
    if kind == "folder":
        folder = current_app.config.get("FILE_STORAGE_FOLDER")
        if not folder:
            raise RuntimeError("FILE_STORAGE=folder needs FILE_STORAGE_FOLDER")
        return FolderStore(folder)
    raise RuntimeError(f"unknown FILE_STORAGE {kind!r}")
