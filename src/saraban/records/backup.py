"""Encrypted, checksummed backups of the database and the stored files, and their restore.

A backup is a folder ``saraban-<instance>-<time>/`` holding:

- ``database.sqlite3.enc`` (SQLite online backup API) or ``database.pgdump.enc`` (pg_dump -Fc);
- ``files.tar.enc``: every stored file (``MEDIA_ROOT/sha256``), a tar stream;
- ``manifest.json``: what is inside, the SHA-256 of every encrypted and decrypted artifact,
  and an HMAC over the manifest made with the backup key.

Artifacts are encrypted with AES-256-GCM in 1 MiB chunks; each chunk's nonce carries its
number and its associated data names the artifact and says whether it is the last chunk, so
chunks cannot be swapped, reordered, moved between artifacts or cut off unnoticed.
Restore checks the manifest, every checksum and every chunk, and stages the whole backup
before it replaces anything.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from govcommon.errors import AppError
from saraban.audit.services import audit_record

MAGIC = b"SBK1"
CHUNK = 1024 * 1024
FORMAT = 1
KEY_ENV = "SARABAN_BACKUP_KEY"
KEY_FILE_ENV = "SARABAN_BACKUP_KEY_FILE"


class BackupError(AppError):
    code = "BACKUP-400"
    default_message = "สำรองหรือกู้คืนข้อมูลไม่สำเร็จ"


class BackupCorruptError(BackupError):
    code = "BACKUP-422"
    default_message = "ชุดสำรองข้อมูลเสียหายหรือถูกแก้ไข ไม่ได้กู้คืนและไม่ได้เปลี่ยนแปลงข้อมูลใด"


# ---------------------------------------------------------------------------- key

def key_generate() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def key_load(key_file: str | None = None) -> bytes:
    """The 32-byte key: from a key file (argument or SARABAN_BACKUP_KEY_FILE) or SARABAN_BACKUP_KEY."""
    path = key_file or os.environ.get(KEY_FILE_ENV, "")
    raw = Path(path).read_text().strip() if path else os.environ.get(KEY_ENV, "").strip()
    if not raw:
        raise BackupError(f"ไม่พบกุญแจสำรองข้อมูล: ตั้งค่า {KEY_ENV} หรือ {KEY_FILE_ENV}", code="BACKUP-401")
    try:
        key = base64.b64decode(raw, validate=True)
    except binascii.Error as exc:
        raise BackupError("กุญแจสำรองข้อมูลไม่ใช่ base64", code="BACKUP-401") from exc
    if len(key) != 32:
        raise BackupError("กุญแจสำรองข้อมูลต้องยาว 32 ไบต์ (AES-256)", code="BACKUP-401")
    return key


# ---------------------------------------------------------------------------- chunked AES-GCM

def _aad(name: str, index: int, last: bool) -> bytes:
    return f"{name}\x00{index}\x00{int(last)}".encode()


class EncryptingWriter:
    """A write-only file object that encrypts what it is given into ``path``."""

    def __init__(self, path: Path, key: bytes, name: str) -> None:
        self.name = name
        self._aes = AESGCM(key)
        self._prefix = os.urandom(8)
        self._out = path.open("wb")
        self._buf = bytearray()
        self._index = 0
        self.plain_sha = hashlib.sha256()
        self.cipher_sha = hashlib.sha256()
        self._emit(MAGIC + self._prefix)

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self.cipher_sha.update(data)

    def _chunk(self, data: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">I", self._index)
        ct = self._aes.encrypt(nonce, data, _aad(self.name, self._index, last))
        self._emit(struct.pack(">IB", len(ct), int(last)) + ct)
        self._index += 1

    def write(self, data: bytes) -> int:
        self.plain_sha.update(data)
        self._buf += data
        while len(self._buf) > CHUNK:
            self._chunk(bytes(self._buf[:CHUNK]), last=False)
            del self._buf[:CHUNK]
        return len(data)

    def close(self) -> None:
        self._chunk(bytes(self._buf), last=True)
        self._buf.clear()
        self._out.flush()
        os.fsync(self._out.fileno())
        self._out.close()


def decrypt_chunks(path: Path, key: bytes, name: str) -> Iterator[bytes]:
    """Plaintext chunks; raises BackupCorruptError on any tampering, reordering or truncation."""
    aes = AESGCM(key)
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) != 12 or head[:4] != MAGIC:
            raise BackupCorruptError(f"{name}: ไม่ใช่ไฟล์สำรองข้อมูลของระบบ")
        prefix = head[4:]
        index = 0
        while True:
            header = f.read(5)
            if len(header) != 5:
                raise BackupCorruptError(f"{name}: ไฟล์ถูกตัดทอน")
            size, last = struct.unpack(">IB", header)
            ct = f.read(size)
            if len(ct) != size or last not in (0, 1):
                raise BackupCorruptError(f"{name}: ไฟล์ถูกตัดทอน")
            try:
                yield aes.decrypt(prefix + struct.pack(">I", index), ct, _aad(name, index, bool(last)))
            except InvalidTag as exc:
                raise BackupCorruptError(f"{name}: ถอดรหัสไม่ได้ (กุญแจไม่ถูกต้องหรือข้อมูลถูกแก้ไข)") from exc
            index += 1
            if last:
                if f.read(1):
                    raise BackupCorruptError(f"{name}: มีข้อมูลเกินท้ายไฟล์")
                return


# ---------------------------------------------------------------------------- manifest

def _manifest_mac(key: bytes, body: dict[str, Any]) -> str:
    mac_key = hashlib.sha256(b"saraban-backup-manifest\x00" + key).digest()
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(mac_key, canonical, hashlib.sha256).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


# ---------------------------------------------------------------------------- create

def _files_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "sha256"


def _stored_files() -> list[Path]:
    root = _files_root()
    if not root.exists():
        return []
    return sorted(p for p in root.glob("??/??/*") if p.is_file() and not p.name.startswith("."))


def _pg_args(tool: str) -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    args = [tool, "-h", str(s.get("HOST") or "127.0.0.1"), "-p", str(s.get("PORT") or 5432),
            "-U", str(s.get("USER") or "postgres")]
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return args, env


def _db_name() -> str:
    return str(connection.settings_dict["NAME"])


def _backup_database(dest: Path, key: bytes, progress: bool) -> dict[str, Any]:
    if connection.vendor == "sqlite":
        name = "database.sqlite3.enc"
        connection.ensure_connection()
        with tempfile.TemporaryDirectory(dir=dest) as tmp:
            snapshot = Path(tmp) / "db.sqlite3"
            target = sqlite3.connect(snapshot)
            # One step copies every page under one read lock: a consistent snapshot while
            # the system keeps running (WAL lets writers continue).
            connection.connection.backup(target)
            target.close()
            writer = EncryptingWriter(dest / name, key, name)
            with snapshot.open("rb") as f, tqdm(total=snapshot.stat().st_size, unit="B", unit_scale=True,
                                                desc="ฐานข้อมูล", disable=not progress) as bar:
                while block := f.read(CHUNK):
                    writer.write(block)
                    bar.update(len(block))
            writer.close()
    elif connection.vendor == "postgresql":
        name = "database.pgdump.enc"
        args, env = _pg_args("pg_dump")
        writer = EncryptingWriter(dest / name, key, name)
        # pg_dump runs in one repeatable-read transaction: a consistent snapshot.
        with subprocess.Popen([*args, "-Fc", "--no-owner", _db_name()], stdout=subprocess.PIPE,
                              env=env) as proc, tqdm(unit="B", unit_scale=True, desc="ฐานข้อมูล",
                                                     disable=not progress) as bar:
            assert proc.stdout is not None
            while block := proc.stdout.read(CHUNK):
                writer.write(block)
                bar.update(len(block))
        if proc.returncode != 0:
            raise BackupError(f"pg_dump ล้มเหลว (รหัส {proc.returncode})")
        writer.close()
    else:
        raise BackupError(f"ไม่รองรับฐานข้อมูล {connection.vendor}")
    return {"name": name, "sha256": writer.cipher_sha.hexdigest(), "plain_sha256": writer.plain_sha.hexdigest(),
            "size": (dest / name).stat().st_size}


def _backup_files(dest: Path, key: bytes, progress: bool) -> tuple[dict[str, Any], int]:
    name = "files.tar.enc"
    files = _stored_files()
    root = _files_root()
    writer = EncryptingWriter(dest / name, key, name)
    with tarfile.open(fileobj=writer, mode="w|") as tar:  # type: ignore[call-overload]
        for path in tqdm(files, unit="ไฟล์", desc="ไฟล์", disable=not progress):
            tar.add(path, arcname=str(path.relative_to(root)), recursive=False)
    writer.close()
    entry = {"name": name, "sha256": writer.cipher_sha.hexdigest(), "plain_sha256": writer.plain_sha.hexdigest(),
             "size": (dest / name).stat().st_size}
    return entry, len(files)


def backup_create(*, out: Path, key: bytes, progress: bool = False) -> Path:
    """Write a backup folder into ``out`` and return it. The database snapshot is taken first:
    stored files are written once and never changed, so every file the snapshot refers to is
    already on disk when the files are copied."""
    from saraban.correspondence.models import Letter, RegisterEntry

    stamp = timezone.localtime().strftime("%Y%m%dT%H%M%S")
    final = out / f"saraban-{settings.INSTANCE}-{stamp}"
    partial = out / f".{final.name}.partial"
    out.mkdir(parents=True, exist_ok=True)
    partial.mkdir()
    try:
        db_entry = _backup_database(partial, key, progress)
        files_entry, file_count = _backup_files(partial, key, progress)
        body: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "instance": settings.INSTANCE,
            "vendor": connection.vendor,
            "artifacts": [db_entry, files_entry],
            "file_count": file_count,
            "letters": Letter.objects.count(),
            "register_entries": RegisterEntry.objects.count(),
        }
        manifest = {**body, "hmac": _manifest_mac(key, body)}
        (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        os.replace(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    with transaction.atomic():
        audit_record(actor=None, action="backup.created", object_type="backup", object_id=final.name,
                     summary=f"สำรองข้อมูล {final.name}",
                     data={"letters": body["letters"], "files": file_count, "vendor": connection.vendor})
    return final


# ---------------------------------------------------------------------------- verify and restore

@dataclass(frozen=True)
class Staged:
    manifest: dict[str, Any]
    database: Path
    files_root: Path


def _manifest_read(src: Path, key: bytes) -> dict[str, Any]:
    try:
        manifest: dict[str, Any] = json.loads((src / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupCorruptError("อ่านบัญชีรายการ (manifest.json) ไม่ได้") from exc
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    if not hmac.compare_digest(str(manifest.get("hmac", "")), _manifest_mac(key, body)):
        raise BackupCorruptError("บัญชีรายการ (manifest.json) ถูกแก้ไข หรือกุญแจไม่ตรงกับชุดสำรองนี้")
    if manifest.get("format") != FORMAT:
        raise BackupCorruptError(f"รูปแบบชุดสำรอง {manifest.get('format')} ไม่รองรับ")
    if manifest.get("vendor") != connection.vendor:
        raise BackupError(f"ชุดสำรองนี้เป็นของฐานข้อมูล {manifest.get('vendor')} แต่ระบบใช้ {connection.vendor}")
    return manifest


def _decrypt_to(path: Path, key: bytes, entry: dict[str, Any], out: IO[bytes]) -> None:
    digest = hashlib.sha256()
    for block in decrypt_chunks(path, key, entry["name"]):
        digest.update(block)
        out.write(block)
    if digest.hexdigest() != entry["plain_sha256"]:
        raise BackupCorruptError(f"{entry['name']}: ข้อมูลหลังถอดรหัสไม่ตรงกับค่าแฮชในบัญชีรายการ")


def backup_verify_and_stage(*, src: Path, key: bytes, staging: Path, progress: bool = False) -> Staged:
    """Check everything and unpack into ``staging``; touches nothing else."""
    manifest = _manifest_read(src, key)
    artifacts = {a["name"]: a for a in manifest["artifacts"]}
    for entry in tqdm(artifacts.values(), desc="ตรวจค่าแฮช", disable=not progress):
        path = src / entry["name"]
        if not path.is_file():
            raise BackupCorruptError(f"ไม่พบไฟล์ {entry['name']} ในชุดสำรอง")
        if path.stat().st_size != entry["size"] or _file_sha256(path) != entry["sha256"]:
            raise BackupCorruptError(f"{entry['name']}: ค่าแฮช SHA-256 ไม่ตรงกับบัญชีรายการ (ไฟล์เสียหาย)")
    db_entry = next(a for n, a in artifacts.items() if n.startswith("database."))
    database = staging / db_entry["name"].removesuffix(".enc")
    with database.open("wb") as out:
        _decrypt_to(src / db_entry["name"], key, db_entry, out)
    if connection.vendor == "sqlite":
        check = sqlite3.connect(database)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            check.close()
        if not ok:
            raise BackupCorruptError("ฐานข้อมูลในชุดสำรองไม่ผ่านการตรวจความถูกต้อง")
    files_root = staging / "sha256"
    files_root.mkdir()
    tar_path = staging / "files.tar"
    with tar_path.open("wb") as out:
        _decrypt_to(src / "files.tar.enc", key, artifacts["files.tar.enc"], out)
    with tarfile.open(tar_path, mode="r:") as tar:
        tar.extractall(files_root, filter="data")
    tar_path.unlink()
    count = 0
    for path in files_root.glob("??/??/*"):
        if _file_sha256(path) != path.name:
            raise BackupCorruptError(f"ไฟล์ {path.name} ในชุดสำรองไม่ตรงกับค่าแฮชของตัวเอง")
        count += 1
    if count != manifest["file_count"]:
        raise BackupCorruptError(f"จำนวนไฟล์ในชุดสำรอง ({count}) ไม่ตรงกับบัญชีรายการ ({manifest['file_count']})")
    return Staged(manifest=manifest, database=database, files_root=files_root)


def _restore_database(staged: Staged) -> None:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(staged.database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        connection.close()
        args, env = _pg_args("pg_restore")
        subprocess.run([*args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
                        "-d", _db_name(), str(staged.database)], check=True, env=env, capture_output=True)


def _restore_files(staged: Staged) -> None:
    root = _files_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    aside = root.parent / f".sha256-before-restore-{os.getpid()}"
    if root.exists():
        os.replace(root, aside)
    shutil.move(str(staged.files_root), str(root))
    shutil.rmtree(aside, ignore_errors=True)


def backup_restore(*, src: Path, key: bytes, progress: bool = False) -> dict[str, Any]:
    """Verify the whole backup, then replace the database and the stored files with it."""
    if connection.in_atomic_block:
        raise BackupError("ไม่สามารถกู้คืนภายในธุรกรรมที่เปิดอยู่")
    staging_parent = Path(settings.MEDIA_ROOT).parent
    staging_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging_parent, prefix=".restore-") as tmp:
        staged = backup_verify_and_stage(src=src, key=key, staging=Path(tmp), progress=progress)
        _restore_database(staged)
        _restore_files(staged)
    with transaction.atomic():
        audit_record(actor=None, action="backup.restored", object_type="backup", object_id=src.name,
                     summary=f"กู้คืนข้อมูลจากชุดสำรอง {src.name}",
                     data={"letters": staged.manifest["letters"], "files": staged.manifest["file_count"]})
    return staged.manifest
