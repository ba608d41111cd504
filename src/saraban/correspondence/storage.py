"""Content-addressed file storage: files live under MEDIA_ROOT by their SHA-256 and are
written once (temporary file, fsync, atomic rename), so a stored original never changes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings

from govcommon.errors import AppError

CHUNK = 1024 * 1024


class StoredFileCorruptError(AppError):
    code = "FILE-500"
    http_status = 500
    default_message = "ไฟล์ในคลังเสียหาย: ค่าแฮชไม่ตรงกับที่บันทึกไว้"


def _root() -> Path:
    return Path(settings.MEDIA_ROOT) / "sha256"


def path_for(sha256: str) -> Path:
    return _root() / sha256[:2] / sha256[2:4] / sha256


def store_chunks(chunks: Iterable[bytes]) -> tuple[str, int]:
    """Store a stream of bytes; return (sha256, size). Storing the same content twice is a no-op."""
    root = _root()
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".incoming-")
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        final = path_for(sha)
        if final.exists():
            os.unlink(tmp_name)
        else:
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp_name, final)
            final.chmod(0o440)
        return sha, size
    except BaseException:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise


def store_bytes(data: bytes) -> tuple[str, int]:
    return store_chunks([data])


def read_bytes(sha256: str, *, verify: bool = True) -> bytes:
    data = path_for(sha256).read_bytes()
    if verify and hashlib.sha256(data).hexdigest() != sha256:
        raise StoredFileCorruptError(sha256=sha256)
    return data


def open_file(sha256: str) -> Path:
    return path_for(sha256)
