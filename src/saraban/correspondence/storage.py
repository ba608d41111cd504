"""Content-addressed file storage: files live under MEDIA_ROOT by their SHA-256 and are
written once (temporary file, fsync, atomic rename), so a stored original never changes.

Files of secret letters are kept only sealed (sealing.py): the sealed blob is stored like any other
file, under its own digest (``LetterFile.sealed_sha256``), and the plain copy is removed once the
transaction that sealed it commits, unless something else still refers to it in the clear."""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import transaction

from govcommon.errors import AppError
from saraban.correspondence import sealing

if TYPE_CHECKING:
    from saraban.correspondence.models import LetterFile

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


# Other records that keep a stored file in the clear by its digest: (model label, field).
PLAIN_REFERENCES = (("exchange.HubInbound", "evidence_sha256"), ("mail.InboundMail", "sha256"))


def plain_still_referenced(sha256: str) -> bool:
    model = apps.get_model("correspondence", "LetterFile")
    if model.objects.filter(sha256=sha256, sealed_sha256="").exists():
        return True
    return any(apps.get_model(label).objects.filter(**{field: sha256}).exists() for label, field in PLAIN_REFERENCES)


def unreferenced_remove(digests: Iterable[str]) -> list[str]:
    """Delete each stored file (plain or sealed) that no record refers to any more; return those deleted."""
    model = apps.get_model("correspondence", "LetterFile")
    removed = []
    for digest in set(digests):
        if plain_still_referenced(digest) or model.objects.filter(sealed_sha256=digest).exists():
            continue
        path_for(digest).unlink(missing_ok=True)
        removed.append(digest)
    return removed


def letter_file_seal(f: LetterFile) -> None:
    """Seal a file of a secret letter under the letter's key; the plain copy goes after commit."""
    data = read_bytes(f.sha256)
    sealed_sha, _ = store_bytes(sealing.file_seal(f.letter.data_key(), data, f.sha256))
    f.sealed_sha256 = sealed_sha
    plain = f.sha256
    transaction.on_commit(lambda: unreferenced_remove([plain]))


def letter_files_unseal(letter: object) -> None:
    """A declassified letter: its files are written back in the clear."""
    model = apps.get_model("correspondence", "LetterFile")
    for f in model.objects.filter(letter=letter).exclude(sealed_sha256=""):
        f.letter = letter
        data = letter_file_bytes(f)
        store_bytes(data)
        model.objects.filter(pk=f.pk).update(sealed_sha256="")
        transaction.on_commit(functools.partial(unreferenced_remove, [f.sealed_sha256]))


def letter_file_bytes(f: LetterFile) -> bytes:
    """The content of a letter's file, opened with the letter's key if it is sealed; verified."""
    if not f.sealed_sha256:
        return read_bytes(f.sha256)
    data = sealing.file_open(f.letter.data_key(), read_bytes(f.sealed_sha256), f.sha256)
    if hashlib.sha256(data).hexdigest() != f.sha256:
        raise StoredFileCorruptError(sha256=f.sha256)
    return data
