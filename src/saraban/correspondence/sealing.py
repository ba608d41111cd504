"""Secret letters (ลับ, ลับมาก, ลับที่สุด) at rest.

Each secret letter has its own 256-bit data key. AES-256-GCM under that key seals the letter's text
(เรื่อง, ข้อความ, อ้างถึง, สิ่งที่ส่งมาด้วย, สำเนาส่ง) into ``Letter.sealed_fields`` and every file of the letter
into a sealed blob, stored content-addressed by the blob's own SHA-256 like any other file (so backups
and restores carry it unchanged). The data key is stored only wrapped (AES-256-GCM) by a **master key**
that never enters the database: ``SARABAN_MASTER_KEY`` (base64; several keys separated by commas) or the
file ``SARABAN_MASTER_KEY_FILE`` (one base64 key per line). The first key is current: new letters use
it; the others open letters wrapped before a rotation (``master_key_rotate`` re-wraps them).

Losing every copy of the master key loses the secret letters: there is no other way to open them.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from govcommon.errors import AppError, ConflictError

log = logging.getLogger(__name__)

SEALED_FIELDS = ("subject", "body", "references", "enclosures", "copies_to")
# What the database columns hold for a secret letter; the real text is in ``sealed_fields``.
MASKS = {"subject": "(หนังสือลับ)", "body": "", "references": "", "enclosures": "", "copies_to": ""}

KEY_BYTES = 32
NONCE_BYTES = 12
FILE_MAGIC = b"SRBSEAL1"
_WRAP_AAD = b"saraban-letter-key|"
_FIELDS_AAD = b"saraban-letter-fields"
_FILE_AAD = b"saraban-letter-file|"
_SEARCH_AAD = b"saraban-letter-search|"


class MasterKeyMissingError(ConflictError):
    code = "SEC-KEY-001"
    default_message = ("ไม่พบกุญแจหลักสำหรับหนังสือลับ (SARABAN_MASTER_KEY หรือ SARABAN_MASTER_KEY_FILE): "
                       "เปิดหรือบันทึกหนังสือลับไม่ได้")


class MasterKeyInvalidError(ConflictError):
    code = "SEC-KEY-002"
    default_message = "กุญแจหลักไม่ถูกต้อง: ต้องเป็นกุญแจ 256 บิตเข้ารหัส base64"


class SealBrokenError(AppError):
    code = "SEC-KEY-003"
    http_status = 500
    default_message = "เปิดหนังสือลับไม่ได้: ข้อมูลที่เข้ารหัสไว้ไม่ตรงกับกุญแจ (กุญแจผิดหรือข้อมูลถูกแก้ไข)"


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    key: bytes


def key_id_of(key: bytes) -> str:
    return hashlib.sha256(b"saraban-master-key|" + key).hexdigest()[:16]


def _decode(text: str) -> MasterKey:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise MasterKeyInvalidError() from exc
    if len(key) != KEY_BYTES:
        raise MasterKeyInvalidError()
    return MasterKey(key_id=key_id_of(key), key=key)


def key_text_new() -> str:
    """A new master key as the text kept in the environment or the key file."""
    return base64.b64encode(os.urandom(KEY_BYTES)).decode()


def key_file_path() -> Path:
    return Path(settings.SARABAN_MASTER_KEY_FILE)


def key_file_create(path: Path, *, text: str | None = None) -> MasterKey:
    """Write a new key file (mode 0600); refuses to overwrite one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = text or key_text_new()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(text + "\n")
    return _decode(text)


_cache: dict[tuple[str, str, float], list[MasterKey]] = {}


def keyring() -> list[MasterKey]:
    """The configured master keys, current first. Without any, a key file is created once (like the
    secret key) when ``SARABAN_MASTER_KEY_AUTOCREATE`` is on, so a new installation works; it is logged
    because that file must then be kept safe and apart from the backups."""
    env_value: str = settings.SARABAN_MASTER_KEY
    path = key_file_path()
    if not env_value and not path.exists():
        if not settings.SARABAN_MASTER_KEY_AUTOCREATE:
            raise MasterKeyMissingError()
        try:
            key_file_create(path)
            log.warning("created the master key for secret letters at %s: back it up apart from the backups", path)
        except FileExistsError:
            pass
    mtime = path.stat().st_mtime if not env_value else 0.0
    cache_key = (env_value, str(path), mtime)
    if cache_key not in _cache:
        texts = env_value.split(",") if env_value else path.read_text(encoding="ascii").splitlines()
        keys = [_decode(t) for t in texts if t.strip() and not t.strip().startswith("#")]
        if not keys:
            raise MasterKeyMissingError()
        _cache.clear()
        _cache[cache_key] = keys
    return _cache[cache_key]


def key_current() -> MasterKey:
    return keyring()[0]


def key_by_id(key_id: str, keys: list[MasterKey] | None = None) -> MasterKey:
    for k in keyring() if keys is None else keys:
        if k.key_id == key_id:
            return k
    raise MasterKeyMissingError(f"ไม่พบกุญแจหลักรหัส {key_id} ที่ใช้ห่อกุญแจของหนังสือลับนี้", code="SEC-KEY-004")


def _seal(key: bytes, data: bytes, aad: bytes) -> bytes:
    """Nonce, then ciphertext and tag. The nonce is random for every sealing, so the first
    ``NONCE_BYTES`` of a blob name that one sealing (records.openedtexts keeps opened texts by it)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, aad)


def _open(key: bytes, blob: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise SealBrokenError() from exc


def data_key_new() -> bytes:
    return os.urandom(KEY_BYTES)


def data_key_wrap(data_key: bytes, master: MasterKey) -> bytes:
    return _seal(master.key, data_key, _WRAP_AAD + master.key_id.encode())


def data_key_unwrap(wrapped: bytes, key_id: str, keys: list[MasterKey] | None = None) -> bytes:
    """``keys``: the keyring read once by a caller that unwraps many letters' keys (reading it costs
    more than the unwrapping)."""
    master = key_by_id(key_id, keys)
    return _open(master.key, wrapped, _WRAP_AAD + master.key_id.encode())


def fields_seal(data_key: bytes, values: dict[str, str]) -> bytes:
    return _seal(data_key, json.dumps(values, ensure_ascii=False).encode(), _FIELDS_AAD)


def fields_open(data_key: bytes, blob: bytes) -> dict[str, str]:
    values: dict[str, str] = json.loads(_open(data_key, blob, _FIELDS_AAD))
    return values


def search_text_seal(data_key: bytes, text: str, letter_id: int) -> bytes:
    """A secret letter's normalised search text, for its index row (bound to the letter). Thai text is
    packed one byte a character (cp874) where it can be, a third of UTF-8: the row then stays out of
    PostgreSQL's TOAST table, and a search reads and opens 2,000 of them."""
    try:
        packed = b"T" + text.encode("cp874")
    except UnicodeEncodeError:
        packed = b"U" + text.encode()
    return _seal(data_key, packed, _SEARCH_AAD + str(letter_id).encode())


def search_text_open(data_key: bytes, blob: bytes, letter_id: int) -> str:
    packed = _open(data_key, blob, _SEARCH_AAD + str(letter_id).encode())
    return packed[1:].decode("cp874" if packed[:1] == b"T" else "utf-8")


def file_seal(data_key: bytes, data: bytes, plain_sha256: str) -> bytes:
    """A sealed file: magic, nonce, ciphertext; bound to the plain file's digest."""
    return FILE_MAGIC + _seal(data_key, data, _FILE_AAD + plain_sha256.encode())


def file_open(data_key: bytes, blob: bytes, plain_sha256: str) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise SealBrokenError()
    return _open(data_key, blob[len(FILE_MAGIC):], _FILE_AAD + plain_sha256.encode())
