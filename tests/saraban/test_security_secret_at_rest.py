"""Secret letters at rest: neither the database nor the storage folder holds readable text of a secret
letter; cleared users get it opened, watermarked with their name and audited; the master key rotates;
a missing key is a clear refusal; backups carry the wrapped keys."""

from __future__ import annotations

import base64
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings

from saraban.audit.models import AuditRecord
from saraban.correspondence import sealing, storage
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.keys import master_key_check
from saraban.correspondence.models import Letter, LetterFile
from saraban.lib.pdf import render_pdf
from saraban.outgoing.models import Delivery
from saraban.outgoing.services import (
    DraftInput,
    RecipientInput,
    draft_check,
    draft_create,
    draft_sign,
    draft_submit,
    letter_dispatch,
)
from saraban.receiving.scans import IncomingFile
from saraban.receiving.services import IncomingFiles, IncomingMetadata, paper_letter_receive
from saraban.records.models import LetterIndex
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast

# Words that appear nowhere else: the subject, the body and the text layer of the scanned PDF.
SUBJECT = "แผนเคลื่อนย้ายคลังพัสดุยุทธภัณฑ์"
BODY = "รายละเอียดเส้นทางลำเลียงผ่านช่องเขาสามยอด"
IN_FILE = "พิกัดจุดนัดพบริมลำน้ำเจ้าพระยาตอนบน"
SECRETS = (SUBJECT, BODY, IN_FILE)


def _pdf(text: str) -> bytes:
    return render_pdf(f'<html lang="th"><body><p>{text}</p></body></html>')


def _secret_paper_letter(cast: Cast) -> Letter:
    pdf = _pdf(f"ที่ กห 0201/55 {IN_FILE}")
    entry = paper_letter_receive(
        actor=cast.clerk, registry=cast.central,
        metadata=IncomingMetadata(subject=SUBJECT, reference_no="กห 0201/55", secrecy=Secrecy.SECRET,
                                  sender_text="กระทรวงกลาโหม", references=BODY),
        files=IncomingFiles(document=IncomingFile(name="scan.pdf", data=pdf, mime_type="application/pdf", pages=1)),
    )
    return entry.letter


def _secret_drafted_letter(cast: Cast) -> Letter:
    unit = cast.officer.memberships.get().unit
    data = DraftInput(kind="external", subject=SUBJECT, body=BODY, recipient_text="ผู้บัญชาการทหารสูงสุด",
                      salutation="เรียน", closing="ขอแสดงความนับถือ", secrecy=Secrecy.CONFIDENTIAL)
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=data)
    draft_submit(actor=cast.officer, draft=draft)
    draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)
    draft = draft_sign(actor=cast.director, draft=draft, password=cast.password)
    letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central,
                    recipients=[RecipientInput("กองบัญชาการกองทัพไทย", Delivery.Channel.MESSENGER)])
    return Letter.objects.get(pk=draft.letter_id)


def _database_text() -> str:
    """Every row of every table, as text (binary columns decoded leniently)."""
    out: list[str] = []
    with connection.cursor() as cur:
        for table in connection.introspection.table_names():
            cur.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            for row in cur.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        out.append(bytes(value).decode("utf-8", "ignore"))
                    elif value is not None:
                        out.append(str(value))
    return "\n".join(out)


def _storage_texts() -> list[tuple[Path, str]]:
    """Every stored file as raw text, and the text layer of those that open as PDF."""
    found: list[tuple[Path, str]] = []
    for path in Path(settings.MEDIA_ROOT).rglob("*"):
        if not path.is_file():
            continue
        data = path.read_bytes()
        found.append((path, data.decode("utf-8", "ignore")))
        if data.startswith(b"%PDF"):
            text = subprocess.run(["pdftotext", "-q", str(path), "-"], capture_output=True, check=False).stdout
            found.append((path, text.decode("utf-8", "ignore")))
    return found


def _assert_nothing_readable() -> None:
    db = _database_text()
    files = _storage_texts()
    for secret in SECRETS:
        assert secret not in db, f"the database holds {secret!r}"
        holders = [str(p) for p, text in files if secret in text]
        assert not holders, f"storage holds {secret!r} in {holders}"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_no_readable_text_of_secret_letters_in_the_database_or_storage(cast: Cast) -> None:
    paper = _secret_paper_letter(cast)
    drafted = _secret_drafted_letter(cast)
    for letter in (paper, drafted):
        letter_index(letter=letter)

    _assert_nothing_readable()

    # The positive control: the same words are readable when the letter is not secret.
    normal = paper_letter_receive(
        actor=cast.clerk, registry=cast.central,
        metadata=IncomingMetadata(subject=f"สำเนา {SUBJECT}", reference_no="กห 0201/56"),
        files=IncomingFiles(document=IncomingFile(name="n.pdf", data=_pdf(IN_FILE), mime_type="application/pdf")),
    ).letter
    assert SUBJECT in _database_text()
    assert any(IN_FILE in text for _, text in _storage_texts())

    # In the application the secret letters read as written, files included.
    again = Letter.objects.get(pk=paper.pk)
    assert again.subject == SUBJECT and again.references == BODY
    assert Letter.objects.values_list("subject", flat=True).get(pk=paper.pk) == sealing.MASKS["subject"]
    sealed_files = LetterFile.objects.filter(letter=paper)
    assert sealed_files and all(f.sealed_sha256 for f in sealed_files)
    original = sealed_files.get(role=LetterFile.Role.ORIGINAL)
    assert IN_FILE in subprocess.run(["pdftotext", "-", "-"], input=storage.letter_file_bytes(original),
                                     capture_output=True, check=True).stdout.decode()
    assert Letter.objects.get(pk=drafted.pk).body == BODY
    assert not LetterFile.objects.filter(letter=normal).exclude(sealed_sha256="").exists()
    for f in LetterFile.objects.filter(letter=normal):  # the control's plain files do not outlive the test
        storage.path_for(f.sha256).unlink(missing_ok=True)


@pytest.mark.django_db(transaction=True)
def test_it_watermarks_and_audits_every_opening_of_a_secret_letter(cast: Cast) -> None:
    letter = _secret_paper_letter(cast)
    original = letter.files.get(role=LetterFile.Role.ORIGINAL)
    client = Client()
    client.force_login(cast.clerk)

    page = client.get(f"/receiving/letter/{letter.pk}/")
    assert page.status_code == 200 and SUBJECT in page.content.decode()
    assert "secret-watermark" in page.content.decode() and cast.clerk.get_full_name() in page.content.decode()
    opened = client.get(f"/receiving/letter/{letter.pk}/file/{original.pk}/")
    downloaded = client.get(f"/receiving/letter/{letter.pk}/file/{original.pk}/?download=1")

    assert opened["Content-Disposition"].startswith("inline")
    assert downloaded["Content-Disposition"].startswith("attachment")
    for response in (opened, downloaded):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True,
                              check=True).stdout.decode()
        assert IN_FILE in text  # the letter itself
        assert cast.clerk.get_full_name() in text and "clerk" in text and "ลับมาก" in text  # the watermark
    actions = list(AuditRecord.objects.filter(object_id=str(letter.pk), action__startswith="letter.secret_")
                   .values_list("action", "actor_id"))
    assert ("letter.secret_viewed", cast.clerk.pk) in actions
    assert ("letter.secret_file_opened", cast.clerk.pk) in actions
    assert ("letter.secret_file_downloaded", cast.clerk.pk) in actions
    # The audit trail names the letter but never repeats its sealed text.
    assert not AuditRecord.objects.filter(summary__contains=SUBJECT).exists()
    assert AuditRecord.objects.filter(summary__contains=sealing.MASKS["subject"]).exists() or \
        AuditRecord.objects.filter(summary__contains="(ข้อความลับ)").exists()

    # A user without the clearance gets neither the page nor the file, and nothing is recorded for them.
    other = Client()
    other.force_login(cast.officer)
    assert other.get(f"/receiving/letter/{letter.pk}/").status_code == 404
    assert other.get(f"/receiving/letter/{letter.pk}/file/{original.pk}/").status_code == 404
    assert not AuditRecord.objects.filter(actor_id=cast.officer.pk, action__startswith="letter.secret_").exists()


@pytest.mark.django_db(transaction=True)
def test_it_rotates_the_master_key_and_then_opens_letters_without_the_old_one(cast: Cast, tmp_path: Path) -> None:
    letter = _secret_paper_letter(cast)
    old = sealing.key_current()
    new_text = sealing.key_text_new()
    key_file = tmp_path / "master.key"
    key_file.write_text(f"{new_text}\n{base64.b64encode(old.key).decode()}\n")
    with override_settings(SARABAN_MASTER_KEY_FILE=str(key_file)):
        new = sealing.key_current()
        assert new.key_id != old.key_id
        call_command("master_key_rotate")
        assert Letter.objects.get(pk=letter.pk).key_id == new.key_id
        assert AuditRecord.objects.filter(action="security.master_key_rotated", object_id=new.key_id).exists()
        key_file.write_text(f"{new_text}\n")  # the old key is gone
        fresh = Letter.objects.get(pk=letter.pk)
        assert fresh.subject == SUBJECT
        assert master_key_check(files=True).unopenable == []
    # With only the old key, the letter cannot be opened: a clear refusal, not garbage.
    with pytest.raises(sealing.MasterKeyMissingError) as exc:
        Letter.objects.get(pk=letter.pk)
    assert exc.value.code == "SEC-KEY-004"


@pytest.mark.django_db(transaction=True)
def test_it_refuses_clearly_without_a_master_key(cast: Cast, tmp_path: Path) -> None:
    with override_settings(SARABAN_MASTER_KEY_FILE=str(tmp_path / "none.key"), SARABAN_MASTER_KEY_AUTOCREATE=False):
        with pytest.raises(sealing.MasterKeyMissingError) as exc:
            _secret_paper_letter(cast)
        assert exc.value.code == "SEC-KEY-001"
    assert not Letter.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_declassified_letter_back_in_the_clear(cast: Cast) -> None:
    letter = _secret_paper_letter(cast)
    sealed = list(letter.files.values_list("sealed_sha256", flat=True))
    with transaction.atomic():
        letter.secrecy = Secrecy.NORMAL
        letter.save(update_fields=["secrecy"])
    row = Letter.objects.values("subject", "sealed_fields", "key_wrapped").get(pk=letter.pk)
    assert row == {"subject": SUBJECT, "sealed_fields": None, "key_wrapped": None}
    for f in letter.files.all():
        assert not f.sealed_sha256 and storage.path_for(f.sha256).exists()
        assert storage.letter_file_bytes(f)
    assert not any(storage.path_for(s).exists() for s in sealed)


@pytest.mark.django_db(transaction=True)
def test_it_restores_a_backup_whose_secret_letters_open_with_the_master_key(cast: Cast, tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from saraban.records.backup import backup_create, backup_restore, key_load

    monkeypatch.setenv("SARABAN_BACKUP_KEY", base64.b64encode(bytes(range(32))).decode())
    letter = _secret_paper_letter(cast)
    backup = backup_create(out=tmp_path, key=key_load())
    Letter.objects.filter(pk=letter.pk).update(key_wrapped=b"lost")
    for f in LetterFile.objects.filter(letter=letter):
        path = storage.path_for(f.sealed_sha256)
        path.chmod(0o640)
        path.unlink()

    backup_restore(src=backup, key=key_load())

    restored = Letter.objects.get(pk=letter.pk)
    assert restored.subject == SUBJECT
    original = restored.files.get(role=LetterFile.Role.ORIGINAL)
    assert IN_FILE in subprocess.run(["pdftotext", "-", "-"], input=storage.letter_file_bytes(original),
                                     capture_output=True, check=True).stdout.decode()
    _assert_nothing_readable()


@pytest.mark.django_db(transaction=True)
def test_it_finds_a_secret_letter_by_its_sealed_subject_only_for_cleared_users(cast: Cast) -> None:
    from saraban.records.selectors import SearchQuery, letters_search

    letter = _secret_paper_letter(cast)
    letter_index(letter=letter)

    def found(user: object, text: str) -> set[int]:
        return {x.pk for x in letters_search(user=user, query=SearchQuery(text=text))}  # type: ignore[arg-type]

    assert found(cast.clerk, "คลังพัสดุ") == {letter.pk}  # a word inside the sealed subject
    assert found(cast.clerk, "ช่องเขาสามยอด") == {letter.pk}  # in the sealed อ้างถึง
    assert found(cast.clerk, "กห 0201/55") == {letter.pk}  # ที่ stays searchable through the index
    assert found(cast.officer, "คลังพัสดุ") == set() and found(cast.officer, "กห 0201/55") == set()
    index = LetterIndex.objects.get(letter=letter)  # the index row's copy is sealed under the letter's key
    assert index.sealed_text is not None and "คลังพัสดุ".encode() not in bytes(index.sealed_text)
    LetterIndex.objects.filter(letter=letter).update(sealed_text=None)  # as indexed before it existed
    assert found(cast.clerk, "คลังพัสดุ") == {letter.pk}  # read from the letter's sealed fields
    # Cleared, but of a unit the letter has no connection with: the scan of sealed letters skips it.
    cast.officer.clearance = Secrecy.TOP_SECRET
    cast.officer.save(update_fields=["clearance"])
    assert found(cast.officer, "คลังพัสดุ") == set() and found(cast.officer, "กห 0201/55") == set()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_the_viewer_watermark_over_a_secret_letter_page_in_the_browser(cast: Cast, live_server: object,
                                                                               page: object, tmp_path: Path) -> None:
    from tests.saraban.conftest import browser_login

    letter = _secret_paper_letter(cast)
    url = live_server.url  # type: ignore[attr-defined]
    p = page  # Playwright page (untyped fixture)
    browser_login(p, url, "clerk")
    p.goto(f"{url}/receiving/letter/{letter.pk}/")  # type: ignore[attr-defined]
    mark = p.locator(".secret-watermark")  # type: ignore[attr-defined]
    assert mark.is_visible() and cast.clerk.get_full_name() in mark.inner_text()
    assert SUBJECT not in p.title()  # type: ignore[attr-defined]
    p.screenshot(path=str(tmp_path / "secret-letter-page.png"))  # type: ignore[attr-defined]
    # The mark lies over the page without taking its clicks: the stamped copy's link is still the target.
    link = p.locator("[data-testid=file-stamped]")  # type: ignore[attr-defined]
    link.click(trial=True)  # fails if another element would receive the click
    response = p.request.get(f"{url}{link.get_attribute('href')}")  # type: ignore[attr-defined]
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert AuditRecord.objects.filter(action="letter.secret_file_opened", actor_id=cast.clerk.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_it_refuses_a_malformed_master_key_and_a_tampered_sealed_file_clearly(cast: Cast, tmp_path: Path) -> None:
    letter = _secret_paper_letter(cast)
    original = letter.files.get(role=LetterFile.Role.ORIGINAL)
    bad = tmp_path / "bad.key"
    bad.write_text("not base64 at all!\n")
    with override_settings(SARABAN_MASTER_KEY_FILE=str(bad)):
        with pytest.raises(sealing.MasterKeyInvalidError) as exc:
            Letter.objects.get(pk=letter.pk)
        assert exc.value.code == "SEC-KEY-002"
    with override_settings(SARABAN_MASTER_KEY=base64.b64encode(b"short").decode()), \
            pytest.raises(sealing.MasterKeyInvalidError):
        Letter.objects.get(pk=letter.pk)

    # One byte of the sealed blob changed on disk: opening it is refused, nothing is returned.
    path = storage.path_for(original.sealed_sha256)
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0x01
    path.chmod(0o640)
    path.write_bytes(bytes(blob))
    with pytest.raises(storage.StoredFileCorruptError):
        storage.letter_file_bytes(LetterFile.objects.get(pk=original.pk))
    client = Client(raise_request_exception=False)
    client.force_login(cast.clerk)
    assert client.get(f"/receiving/letter/{letter.pk}/file/{original.pk}/").status_code == 500
    assert not AuditRecord.objects.filter(action="letter.secret_file_opened").exists()


@pytest.mark.django_db(transaction=True)
def test_a_sealed_search_text_moved_to_another_letters_index_row_does_not_match_there(cast: Cast) -> None:
    """The sealed search text is bound to its letter: copied onto another secret letter's index row it
    does not open, and that letter is matched on its own sealed fields instead."""
    from saraban.records.selectors import SearchQuery, letters_search

    letter = _secret_paper_letter(cast)
    other = Letter.objects.create(direction=Letter.Direction.INCOMING, subject="แผนป้องกันชายแดนด้านตะวันออก",
                                  secrecy=Secrecy.SECRET, owner_unit=cast.central.unit, created_by=cast.clerk)
    letter_index(letter=letter)
    letter_index(letter=other)
    moved = LetterIndex.objects.get(letter=other).sealed_text
    LetterIndex.objects.filter(letter=letter).update(sealed_text=moved)

    def found(text: str) -> set[int]:
        return {x.pk for x in letters_search(user=cast.clerk, query=SearchQuery(text=text))}

    assert found("ป้องกันชายแดน") == {other.pk}
    assert found("คลังพัสดุ") == {letter.pk}
