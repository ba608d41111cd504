"""Content-addressed file store: files live under their SHA-256 and are fsynced before use."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

from django.conf import settings


class ContentStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.tmp_dir = root / "tmp"

    def ensure(self) -> None:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path_for(sha256).exists()

    def put(self, src: Path, sha256: str) -> Path:
        """Move a received temporary file into the store, durably (file and directory fsync)."""
        dest = self.path_for(sha256)
        if dest.exists():
            with contextlib.suppress(FileNotFoundError):
                src.unlink()
            return dest
        created = not dest.parent.exists()
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(src, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(src, dest)
        _fsync_dir(dest.parent)
        if created:
            _fsync_dir(dest.parent.parent)
            _fsync_dir(self.root)
        return dest

    def open(self, sha256: str) -> IO[bytes]:
        return self.path_for(sha256).open("rb")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


_stores: dict[str, ContentStore] = {}


def store() -> ContentStore:
    """The store under ``ECMS_STORAGE_DIR`` (made once per directory and process: every request asks)."""
    key = str(settings.ECMS_STORAGE_DIR)
    content_store = _stores.get(key)
    if content_store is None:
        content_store = ContentStore(Path(key))
        content_store.ensure()
        _stores[key] = content_store
    return content_store
