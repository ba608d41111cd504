"""Backup and restore: a corrupt backup changes nothing; a restore drill gives back the registers
and the files exactly."""

from __future__ import annotations

import base64
import hashlib
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from saraban.correspondence import storage
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry
from saraban.records.backup import BackupCorruptError, backup_create, backup_restore, key_load
from tests.saraban.conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True)
KEY = base64.b64encode(bytes(range(32))).decode()


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setenv("SARABAN_BACKUP_KEY", KEY)
    return key_load()


def letters_create(cast: Cast, count: int, *, start: int = 1) -> None:
    now = timezone.now()
    with transaction.atomic():
        letters = Letter.objects.bulk_create(
            Letter(direction="in", subject=f"หนังสือทดสอบการสำรองข้อมูล ฉบับที่ {i}", owner_unit=cast.central.unit,
                   created_by=cast.clerk)
            for i in range(start, start + count)
        )
        RegisterEntry.objects.bulk_create(
            RegisterEntry(registry=cast.central, book=Book.RECEIVE, year=2025, number=start + i, letter=letter,
                          registered_at=now, registered_by=cast.clerk)
            for i, letter in enumerate(letters)
        )
        for i, letter in enumerate(letters[:20]):
            sha, size = storage.store_bytes(f"%PDF-1.4 ไฟล์ทดสอบ {start + i}".encode())
            LetterFile.objects.create(letter=letter, role=LetterFile.Role.ORIGINAL, name=f"{i}.pdf",
                                      mime_type="application/pdf", size=size, sha256=sha)


def register_lines() -> list[tuple[object, ...]]:
    return list(RegisterEntry.objects.order_by("pk").values_list(
        "pk", "registry_id", "book", "year", "number", "letter_id", "letter__subject", "registered_at", "cancelled"))


def stored_files() -> dict[str, str]:
    root = storage.path_for("0" * 64).parents[2]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in root.glob("??/??/*")}


def test_it_restores_identical_registers_and_files_after_1000_letters(cast: Cast, key: bytes, tmp_path: Path) -> None:
    letters_create(cast, 1000)
    lines, files = register_lines(), stored_files()
    assert len(lines) == 1000 and len(files) >= 20  # earlier tests of the session may have stored files

    backup = backup_create(out=tmp_path, key=key)
    # Life goes on after the backup: more letters and files, a cancelled number, a lost file.
    letters_create(cast, 50, start=1001)
    RegisterEntry.objects.filter(number=7).update(cancelled=True)
    lost = next(iter(files))
    storage.path_for(lost).chmod(0o640)
    storage.path_for(lost).unlink()
    assert register_lines() != lines

    manifest = backup_restore(src=backup, key=key)

    assert manifest["letters"] == 1000
    assert register_lines() == lines
    assert stored_files() == files


def test_it_refuses_a_backup_with_one_corrupt_byte_and_changes_nothing(cast: Cast, key: bytes, tmp_path: Path) -> None:
    letters_create(cast, 30)
    backup = backup_create(out=tmp_path, key=key)
    letters_create(cast, 5, start=31)
    lines, files = register_lines(), stored_files()
    target = backup / "files.tar.enc"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01
    target.write_bytes(bytes(data))

    with pytest.raises(CommandError, match="ค่าแฮช SHA-256 ไม่ตรง"):
        call_command("restore_backup", str(backup), "--yes", "--no-progress", stdout=io.StringIO())

    assert register_lines() == lines
    assert stored_files() == files


def test_it_refuses_a_tampered_chunk_even_with_a_recomputed_checksum(cast: Cast, key: bytes, tmp_path: Path) -> None:
    """GIVEN someone who edits a byte and also fixes the SHA-256 in the manifest
    THEN the manifest's HMAC (made with the key) no longer matches, and restore refuses."""
    import json

    letters_create(cast, 10)
    backup = backup_create(out=tmp_path, key=key)
    target = backup / "database.sqlite3.enc" if (backup / "database.sqlite3.enc").exists() else \
        backup / "database.pgdump.enc"
    data = bytearray(target.read_bytes())
    data[-3] ^= 0x80
    target.write_bytes(bytes(data))
    manifest = json.loads((backup / "manifest.json").read_text())
    for a in manifest["artifacts"]:
        if a["name"] == target.name:
            a["sha256"] = hashlib.sha256(bytes(data)).hexdigest()
    (backup / "manifest.json").write_text(json.dumps(manifest))
    before = register_lines()

    with pytest.raises(BackupCorruptError, match="manifest"):
        backup_restore(src=backup, key=key)
    assert register_lines() == before


def test_it_refuses_a_backup_made_with_another_key(cast: Cast, key: bytes, tmp_path: Path) -> None:
    letters_create(cast, 3)
    backup = backup_create(out=tmp_path, key=key)
    with pytest.raises(BackupCorruptError, match="กุญแจ"):
        backup_restore(src=backup, key=bytes(32))


def test_it_creates_a_backup_from_the_command_line_with_a_key_file(cast: Cast, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SARABAN_BACKUP_KEY", raising=False)
    key_file = tmp_path / "backup.key"
    call_command("backup_key_create", "--out", str(key_file), stdout=io.StringIO())
    assert key_file.stat().st_mode & 0o777 == 0o600
    out = io.StringIO()
    call_command("backup_create", "--out", str(tmp_path / "b"), "--key-file", str(key_file), "--no-progress",
                 stdout=out)
    backup = Path(out.getvalue().strip())
    assert (backup / "manifest.json").is_file()
    assert (backup / "files.tar.enc").read_bytes()[:4] == b"SBK1"
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore_backup", str(backup), "--key-file", str(key_file))
