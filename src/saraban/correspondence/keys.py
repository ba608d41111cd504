"""Operating the master key of secret letters: checking that every sealed letter opens, and rotating.

Rotation: put the new key first in ``SARABAN_MASTER_KEY_FILE`` (or ``SARABAN_MASTER_KEY``), keep the old
one below it, run ``master_key_rotate``; every letter's data key is then wrapped by the new key and the
old key can be removed (keep a copy as long as backups made before the rotation are kept: a restore
brings back letters wrapped by the key of its day). The letters' own content is not re-encrypted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db import transaction

from saraban.accounts.models import User
from saraban.audit.services import audit_record
from saraban.correspondence import sealing, storage
from saraban.correspondence.models import Letter, LetterFile

BATCH = 500


@dataclass(frozen=True)
class KeyCheck:
    letters: int
    by_key: dict[str, int]
    unopenable: list[int]
    files_checked: int


def master_key_check(*, files: bool = False) -> KeyCheck:
    """Open every sealed letter (and with ``files`` every sealed file) with the configured keys."""
    by_key: Counter[str] = Counter()
    bad: list[int] = []
    count = files_checked = 0
    for letter in Letter.objects.exclude(key_wrapped=None).order_by("pk").iterator(chunk_size=BATCH):
        count += 1
        by_key[letter.key_id] += 1
        try:
            letter.data_key()
            if files:
                for f in LetterFile.objects.filter(letter=letter).exclude(sealed_sha256=""):
                    f.letter = letter
                    storage.letter_file_bytes(f)
                    files_checked += 1
        except (sealing.SealBrokenError, sealing.MasterKeyMissingError, storage.StoredFileCorruptError,
                OSError):
            bad.append(letter.pk)
    return KeyCheck(letters=count, by_key=dict(by_key), unopenable=bad, files_checked=files_checked)


@dataclass(frozen=True)
class Rotation:
    key_id: str
    rewrapped: int
    already: int


def master_key_rotate(*, actor: User | None = None) -> Rotation:
    """Wrap every letter's data key with the current master key, a batch per transaction; audited."""
    current = sealing.key_current()
    rewrapped = 0
    pending = Letter.objects.exclude(key_wrapped=None).exclude(key_id=current.key_id)
    while True:
        with transaction.atomic():
            rows = list(pending.select_for_update().order_by("pk").values_list("pk", "key_wrapped", "key_id")[:BATCH])
            for pk, wrapped, key_id in rows:
                data_key = sealing.data_key_unwrap(bytes(wrapped or b""), key_id)
                Letter.objects.filter(pk=pk).update(key_wrapped=sealing.data_key_wrap(data_key, current),
                                                    key_id=current.key_id)
            rewrapped += len(rows)
        if len(rows) < BATCH:
            break
    already = Letter.objects.filter(key_id=current.key_id).exclude(key_wrapped=None).count() - rewrapped
    with transaction.atomic():
        audit_record(actor=actor, action="security.master_key_rotated", object_type="security.master_key",
                     object_id=current.key_id,
                     summary=f"ห่อกุญแจหนังสือลับด้วยกุญแจหลัก {current.key_id} ใหม่ {rewrapped} ฉบับ",
                     data={"key_id": current.key_id, "rewrapped": rewrapped, "already": already})
    return Rotation(key_id=current.key_id, rewrapped=rewrapped, already=already)
