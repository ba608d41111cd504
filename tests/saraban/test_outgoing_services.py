"""Workflow, signing, numbering, dispatch and delivery outcomes of outgoing letters."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from django.db import close_old_connections, connection, transaction
from django.test import override_settings
from django.utils import timezone

from govcommon.errors import AppError, ValidationError
from saraban.correspondence.enums import LetterKind, Secrecy
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry
from saraban.correspondence.services import register_entry_create
from saraban.correspondence.storage import read_bytes
from saraban.outgoing.models import Delivery, Draft
from saraban.outgoing.services import (
    DraftFrozenError,
    DraftInput,
    RecipientInput,
    TopSecretElectronicError,
    WrongPasswordError,
    delivery_record_outcome,
    delivery_resolve,
    draft_check,
    draft_create,
    draft_return,
    draft_sign,
    draft_submit,
    draft_update,
    letter_dispatch,
)
from tests.saraban.conftest import Cast

TWO = [RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, "0601000000"),
       RecipientInput("กรมการปกครอง", Delivery.Channel.POST, "ถนนอัษฎางค์ กรุงเทพมหานคร")]


def _data(**kw: object) -> DraftInput:
    base: dict[str, object] = {"kind": LetterKind.EXTERNAL, "subject": "ขอความอนุเคราะห์ข้อมูล",
                                   "body": "ด้วยกองยุทธศาสตร์ขอความอนุเคราะห์ข้อมูล\nจึงเรียนมาเพื่อโปรดพิจารณา",
                                   "recipient_text": "อธิบดีกรมการปกครอง", "salutation": "เรียน",
                                   "closing": "ขอแสดงความนับถือ"}
    base.update(kw)
    return DraftInput(**base)  # type: ignore[arg-type]


def _signed(cast: Cast, **kw: object) -> Draft:
    unit = cast.officer.memberships.get().unit
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=_data(**kw))
    draft_submit(actor=cast.officer, draft=draft)
    draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)
    return draft_sign(actor=cast.director, draft=draft, password=cast.password)


def test_it_goes_from_drafter_through_return_to_signer(cast: Cast) -> None:
    unit = cast.officer.memberships.get().unit
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=_data())
    draft_submit(actor=cast.officer, draft=draft)
    draft = draft_return(actor=cast.unitclerk, draft=draft, comment="แก้คำขึ้นต้น")
    assert draft.state == Draft.State.RETURNED
    draft_update(actor=cast.officer, draft=draft, data=_data(subject="ขอความอนุเคราะห์ข้อมูลสถิติ"))
    draft_submit(actor=cast.officer, draft=draft)
    draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)
    draft = draft_sign(actor=cast.director, draft=draft, password=cast.password)
    assert draft.state == Draft.State.SIGNED and draft.checker == cast.unitclerk
    assert [s.action for s in draft.steps.all()] == [
        "created", "submitted", "returned", "updated", "submitted", "checked", "signed"]
    assert draft.letter.files.filter(role=LetterFile.Role.RENDERED).exists()


def test_it_refuses_a_wrong_password_and_changes_nothing(cast: Cast) -> None:
    unit = cast.officer.memberships.get().unit
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=_data())
    draft_submit(actor=cast.officer, draft=draft)
    draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)
    with pytest.raises(WrongPasswordError) as exc:
        draft_sign(actor=cast.director, draft=draft, password="wrong")
    assert "รหัสผ่านไม่ถูกต้อง" in exc.value.message
    draft.refresh_from_db()
    assert draft.state == Draft.State.SIGNING and draft.signed_at is None
    assert not draft.letter.files.exists()


@pytest.mark.parametrize(("field", "message"), [("subject", "เรื่อง"), ("recipient_text", "ผู้รับ")])
def test_it_refuses_a_letter_without_subject_or_recipient(cast: Cast, field: str, message: str) -> None:
    unit = cast.officer.memberships.get().unit
    before = Letter.objects.count()
    with pytest.raises(ValidationError) as exc:
        draft_create(actor=cast.officer, owner_unit=unit, data=_data(**{field: "  "}))
    assert message in exc.value.message
    assert Letter.objects.count() == before


def test_it_refuses_to_change_a_signed_letter(cast: Cast) -> None:
    draft = _signed(cast)
    with pytest.raises(DraftFrozenError) as exc:
        draft_update(actor=cast.officer, draft=draft, data=_data(subject="เปลี่ยนเรื่อง"))
    assert "ฉบับใหม่" in exc.value.message
    with pytest.raises(DraftFrozenError):
        draft_sign(actor=cast.director, draft=draft, password=cast.password)
    draft.letter.refresh_from_db()
    assert draft.letter.subject == "ขอความอนุเคราะห์ข้อมูล"


def test_it_dispatches_with_number_register_line_cover_and_deliveries(cast: Cast) -> None:
    draft = _signed(cast)
    draft = letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central, recipients=TWO)
    letter = draft.letter
    entry = RegisterEntry.objects.get(letter=letter)
    assert entry.book == Book.SEND and entry.number == 1
    assert letter.reference_no == f"{letter.owner_unit.reference_prefix}/1"
    assert "สำนักงานสถิติแห่งชาติ" in entry.action_text and "ทางไปรษณีย์" in entry.action_text
    assert letter.files.filter(role=LetterFile.Role.COVER).count() == 1  # only the electronic one
    assert letter.files.filter(role=LetterFile.Role.FILE_COPY).count() == 1
    hub, post = letter.deliveries.all()
    assert hub.state == Delivery.State.QUEUED and post.state == Delivery.State.SENT and post.delivery_book_no == 1
    from saraban.lib.pdf import pdf_text

    copy = read_bytes(letter.files.get(role=LetterFile.Role.FILE_COPY).sha256)
    text = pdf_text(copy)
    assert "สำเนาคู่ฉบับ" in text and "ร่าง วิชัย ตั้งใจ" in " ".join(text.split())
    assert "ตรวจ สมหมาย ใจดี" in " ".join(text.split())


def test_it_numbers_circulars_and_orders_in_their_own_series(cast: Cast) -> None:
    circ = letter_dispatch(actor=cast.clerk, draft=_signed(cast, series=Draft.Series.CIRCULAR),
                           registry=cast.central, recipients=TWO[1:])
    order = letter_dispatch(actor=cast.clerk, draft=_signed(cast, kind=LetterKind.DIRECTIVE, subkind="order",
                                                            series=Draft.Series.ORDER),
                            registry=cast.central, recipients=TWO[1:])
    year_be = timezone.localdate().year + 543
    assert circ.letter.reference_no.endswith("/ว 1")
    assert order.letter.reference_no == f"1/{year_be}"


def test_it_refuses_a_top_secret_letter_to_the_hub_and_changes_nothing(cast: Cast) -> None:
    draft = _signed(cast, secrecy=Secrecy.TOP_SECRET)
    with pytest.raises(TopSecretElectronicError) as exc:
        letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central, recipients=TWO)
    assert "ลับที่สุด" in exc.value.message
    draft.refresh_from_db()
    assert draft.state == Draft.State.SIGNED
    assert not RegisterEntry.objects.exists() and not Delivery.objects.exists()
    # On paper by messenger it goes, into the secret send register.
    letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central,
                    recipients=[RecipientInput("กรมการปกครอง", Delivery.Channel.MESSENGER)])
    assert RegisterEntry.objects.get().book == Book.SECRET_SEND


def test_it_refuses_a_secret_letter_by_email_and_sends_it_through_the_hub(cast: Cast) -> None:
    from saraban.outgoing.services import SecretByEmailError

    draft = _signed(cast, secrecy=Secrecy.CONFIDENTIAL)
    by_email = [RecipientInput("กรมการปกครอง", Delivery.Channel.EMAIL, "saraban@dopa.example.go.th")]
    with pytest.raises(SecretByEmailError):
        letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central, recipients=by_email)
    assert not RegisterEntry.objects.exists() and not Delivery.objects.exists()
    by_hub = [RecipientInput("กรมการปกครอง", Delivery.Channel.HUB, "1503000000")]
    letter_dispatch(actor=cast.clerk, draft=draft, registry=cast.central, recipients=by_hub)
    assert RegisterEntry.objects.get().book == Book.SECRET_SEND


def test_it_records_outcomes_and_lists_problems_until_handled(cast: Cast) -> None:
    draft = letter_dispatch(actor=cast.clerk, draft=_signed(cast), registry=cast.central, recipients=TWO)
    hub = draft.letter.deliveries.get(channel=Delivery.Channel.HUB)
    delivery_record_outcome(delivery_id=hub.pk, state=Delivery.State.ACCEPTED, receive_number="4567")
    hub.refresh_from_db()
    assert hub.receive_number == "4567" and not hub.is_problem
    with pytest.raises(ValidationError):
        delivery_record_outcome(delivery_id=hub.pk, state=Delivery.State.REJECTED)
    hub = delivery_record_outcome(delivery_id=hub.pk, state=Delivery.State.REJECTED, reason="ส่งผิดหน่วยงาน")
    assert hub.is_problem
    hub = delivery_resolve(actor=cast.clerk, delivery=hub, note="ส่งใหม่ทางไปรษณีย์")
    assert not hub.is_problem


def _make_ca(tmp: Path) -> tuple[Path, object]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Saraban Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(1).not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "สำนักงานปลัดกระทรวง")]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_cert_sign=False,
                                         crl_sign=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .sign(ca_key, hashes.SHA256()))
    p12 = tmp / "agency.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"agency", key, cert, [ca], serialization.BestAvailableEncryption(b"secret")))
    return p12, ca


def test_it_adds_a_pades_signature_that_validates(cast: Cast, tmp_path: Path) -> None:
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    p12, ca = _make_ca(tmp_path)
    with override_settings(SARABAN_SIGNING_P12=str(p12), SARABAN_SIGNING_P12_PASSWORD="secret"):
        draft = _signed(cast)
    signed = read_bytes(draft.letter.files.get(role=LetterFile.Role.SIGNED).sha256)
    root = asn1_x509.Certificate.load(ca.public_bytes(serialization.Encoding.DER))  # type: ignore[attr-defined]
    reader = PdfFileReader(io.BytesIO(signed))
    status = validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    # The text layer survives signing.
    from saraban.lib.pdf import pdf_text

    assert "ขอความอนุเคราะห์ข้อมูล" in pdf_text(signed)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("book", [Book.SEND, Book.CIRCULAR])
def test_it_numbers_without_gaps_or_repeats_under_concurrency(cast: Cast, book: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locking is exercised on PostgreSQL; SQLite serialises writers")
    unit = cast.officer.memberships.get().unit
    letter = Letter.objects.create(direction=Letter.Direction.OUTGOING, subject="ทดสอบเลข", owner_unit=unit)
    threads_n, per_thread = 16, 100
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(per_thread):
                with transaction.atomic():
                    register_entry_create(actor=cast.clerk, registry=cast.central, book=book, letter=letter)
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=work) for _ in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    numbers = sorted(RegisterEntry.objects.filter(book=book).values_list("number", flat=True))
    assert numbers == list(range(1, threads_n * per_thread + 1))


def test_it_raises_app_errors_with_stable_codes(cast: Cast) -> None:
    with pytest.raises(AppError) as exc:
        letter_dispatch(actor=cast.clerk, draft=_signed(cast), registry=cast.central, recipients=[])
    assert exc.value.code == "OUT-420"
