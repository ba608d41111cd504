"""The deposit list (บัญชีฝากหนังสือ, ข้อ 60): chosen stored letters deposited with the National
Archives, printed with the receive number, subject, remarks and the two signature columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from govcommon.errors import ConflictError, PermissionDeniedError, ValidationError
from saraban.audit.models import AuditRecord
from saraban.correspondence.enums import Secrecy
from saraban.correspondence.models import Book, Letter, RegisterEntry
from saraban.records.deposit import DepositLine, deposit_candidates, deposit_list_create
from saraban.records.models import DepositList, StorageRecord
from saraban.records.printing import deposit_list_pdf
from tests.saraban.conftest import Cast
from tests.saraban.test_records_lifecycle_destruction import stored
from tests.saraban.test_records_lifecycle_storage import pdf_text


def registered(cast: Cast, record: StorageRecord, number: int, *, cancelled: bool = False) -> None:
    RegisterEntry.objects.create(registry=cast.central, book=Book.RECEIVE, year=2024, number=number,
                                 letter=record.letter, registered_at=timezone.now(), registered_by=cast.clerk,
                                 cancelled=cancelled)


def test_it_lists_chosen_stored_letters_with_their_receive_numbers(cast: Cast) -> None:
    first, second, secret = stored(cast), stored(cast), stored(cast)
    registered(cast, first, 40, cancelled=True)
    registered(cast, first, 41)
    Letter.objects.filter(pk=secret.letter_id).update(secrecy=Secrecy.SECRET)
    assert set(deposit_candidates()) == {first, second}

    deposit = deposit_list_create(actor=cast.clerk, depositor_name="นางสาวสมใจ ใจดี", depositor_position="นักจดหมายเหตุ",
                                  lines=[DepositLine(first, remarks="ต้นฉบับ"), DepositLine(second)])

    items = list(deposit.items.order_by("id"))
    assert [(i.record, i.receive_number, i.remarks) for i in items] == [(first, "41/2567", "ต้นฉบับ"), (second, "", "")]
    assert list(deposit_candidates()) == []
    audit = AuditRecord.objects.get(action="records.deposit_listed")
    assert audit.data["records"] == [first.pk, second.pk]


def test_it_refuses_secret_letters_letters_already_deposited_and_people_outside_the_storage_unit(cast: Cast) -> None:
    record, secret = stored(cast), stored(cast)
    Letter.objects.filter(pk=secret.letter_id).update(secrecy=Secrecy.SECRET)
    with pytest.raises(PermissionDeniedError):
        deposit_list_create(actor=cast.officer, depositor_name="ก", lines=[DepositLine(record)])
    with pytest.raises(ValidationError):
        deposit_list_create(actor=cast.clerk, depositor_name="ก", lines=[])
    with pytest.raises(ValidationError):
        deposit_list_create(actor=cast.clerk, depositor_name=" ", lines=[DepositLine(record)])
    with pytest.raises(ConflictError):
        deposit_list_create(actor=cast.clerk, depositor_name="ก", lines=[DepositLine(secret)])
    with pytest.raises(ConflictError):
        deposit_list_create(actor=cast.clerk, depositor_name="ก", lines=[DepositLine(record), DepositLine(record)])
    assert not DepositList.objects.exists()
    deposit_list_create(actor=cast.clerk, depositor_name="ก", lines=[DepositLine(record)])
    with pytest.raises(ConflictError):
        deposit_list_create(actor=cast.clerk, depositor_name="ก", lines=[DepositLine(record)])
    assert DepositList.objects.count() == 1


def test_it_prints_the_list_with_its_columns_and_signatures(cast: Cast, tmp_path: Path) -> None:
    record = stored(cast)
    registered(cast, record, 123)
    deposit = deposit_list_create(actor=cast.clerk, depositor_name="นางสาวสมใจ ใจดี",
                                  lines=[DepositLine(record, remarks="ฉบับจริง 3 แผ่น")])
    text = pdf_text(deposit_list_pdf(deposit=deposit, profile=cast.profile), tmp_path)
    for expected in ("บัญชีฝากหนังสือ", "เลขทะเบียนรับ", "เรื่อง", "หมายเหตุ", "ลงชื่อผู้ฝาก", "ลงชื่อผู้รับฝาก",
                     "ขอเชิญประชุมประจำเดือน", "ฉบับจริง 3 แผ่น", "๑๒๓/๒๕๖๗", "นางสาวสมใจ ใจดี",
                     "หอจดหมายเหตุแห่งชาติ"):
        assert expected in text, expected


def test_it_makes_and_prints_a_list_from_the_page(cast: Cast, client_for: object) -> None:
    record = stored(cast)
    client: Client = client_for(cast.clerk)  # type: ignore[operator]
    page = client.get(reverse("records-deposits"))
    assert page.status_code == 200 and "ขอเชิญประชุมประจำเดือน" in page.content.decode()
    response = client.post(reverse("records-deposits"), {"record": [record.pk], "depositor_name": "นายสมชาย",
                                                        f"remarks_{record.pk}": "ฝากชั่วคราว"})
    deposit = DepositList.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?list={deposit.pk}")
    assert deposit.items.get().remarks == "ฝากชั่วคราว" and deposit.created_by == cast.clerk
    pdf = client.get(reverse("records-deposit-pdf", args=[deposit.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    officer: Client = client_for(cast.officer)  # type: ignore[operator]
    assert officer.get(reverse("records-deposit-pdf", args=[deposit.pk])).status_code == 403
