"""Drafting and sending pages: the workflow through the views, access (404/403), and bad input that
comes back as a form error with nothing changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from saraban.accounts.models import OrgUnit
from saraban.correspondence.enums import LetterKind, Secrecy
from saraban.correspondence.models import Book, Letter, LetterFile, RegisterEntry
from saraban.outgoing.models import Delivery, Draft, DraftRecipient, SalutationPair
from saraban.outgoing.services import (
    DraftInput,
    RecipientInput,
    delivery_record_outcome,
    draft_check,
    draft_create,
    draft_sign,
    draft_submit,
)
from tests.saraban.conftest import Cast
from tests.saraban.factories import MembershipFactory
from tests.saraban.test_receiving_upload import scanned_page

HUB_AGENCY = "0601000000"


def _rows(*rows: tuple[str, str, str]) -> dict[str, object]:
    data: dict[str, object] = {"rcpt-TOTAL_FORMS": str(max(len(rows), 1)), "rcpt-INITIAL_FORMS": "0",
                               "rcpt-MIN_NUM_FORMS": "0", "rcpt-MAX_NUM_FORMS": "50"}
    for i, (name, channel, address) in enumerate(rows):
        data.update({f"rcpt-{i}-name": name, f"rcpt-{i}-channel": channel, f"rcpt-{i}-address": address})
    if not rows:
        data.update({"rcpt-0-name": "", "rcpt-0-channel": Delivery.Channel.HUB, "rcpt-0-address": ""})
    return data


def _form(**kw: object) -> dict[str, object]:
    # get_or_create: a transactional test elsewhere in the session flushes the migration's pairs.
    pair, _ = SalutationPair.objects.get_or_create(salutation="เรียน", closing="ขอแสดงความนับถือ")
    data: dict[str, object] = {
        "kind": LetterKind.EXTERNAL, "subkind": "", "series": Draft.Series.SEND, "speed": "0", "secrecy": "0",
        "subject": "ขอความอนุเคราะห์ข้อมูลสถิติ", "recipient_text": "ผู้อำนวยการสำนักงานสถิติแห่งชาติ",
        "pair": str(pair.pk), "body": "ด้วยกองยุทธศาสตร์และแผนงานขอความอนุเคราะห์ข้อมูล\nจึงเรียนมาเพื่อโปรดพิจารณา",
        **_rows(("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY),
                ("กรมการปกครอง", Delivery.Channel.POST, "ถนนอัษฎางค์ กรุงเทพมหานคร")),
    }
    data.update(kw)
    return data


def _draft(cast: Cast, **kw: Any) -> Draft:
    base: dict[str, Any] = {"kind": LetterKind.EXTERNAL, "subject": "ขอความอนุเคราะห์ข้อมูล", "body": "ด้วย",
                            "recipient_text": "อธิบดีกรมการปกครอง", "salutation": "เรียน",
                            "closing": "ขอแสดงความนับถือ",
                            "recipients": (RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY),
                                           RecipientInput("กรมการปกครอง", Delivery.Channel.POST, "กรุงเทพมหานคร"))}
    base.update(kw)
    unit = cast.officer.memberships.get().unit
    return draft_create(actor=cast.officer, owner_unit=unit, data=DraftInput(**base))


def _signing(cast: Cast, **kw: Any) -> Draft:
    draft = _draft(cast, **kw)
    draft_submit(actor=cast.officer, draft=draft)
    return draft_check(actor=cast.unitclerk, draft=draft, signer=cast.director)


def _signed(cast: Cast, **kw: Any) -> Draft:
    return draft_sign(actor=cast.director, draft=_signing(cast, **kw), password=cast.password)


def _url(name: str, draft: Draft) -> str:
    return reverse(name, args=[draft.pk])


def test_it_creates_a_draft_with_its_recipients(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.officer).post(reverse("out-draft-create"), _form())
    draft = Draft.objects.get()
    assert response.status_code == 302 and response["Location"] == _url("out-draft-detail", draft)
    assert draft.salutation == "เรียน" and draft.closing == "ขอแสดงความนับถือ"
    assert draft.letter.owner_unit == cast.officer.memberships.get().unit
    assert [(r.name, r.channel, r.address) for r in draft.recipients.all()] == [
        ("สำนักงานสถิติแห่งชาติ", "hub", HUB_AGENCY), ("กรมการปกครอง", "post", "ถนนอัษฎางค์ กรุงเทพมหานคร")]


def test_it_fills_a_hub_recipient_from_the_chosen_agency(cast: Cast, client_for: Any) -> None:
    agency = OrgUnit.objects.create(kind=OrgUnit.Kind.EXTERNAL, name="กรมการปกครอง", ecms_code="1503000000")
    data = _form(**_rows(("", Delivery.Channel.HUB, "")))
    data["rcpt-0-agency"] = str(agency.pk)
    page = client_for(cast.officer).get(reverse("out-draft-create"))
    assert "กรมการปกครอง" in page.content.decode()
    assert client_for(cast.officer).post(reverse("out-draft-create"), data).status_code == 302
    assert DraftRecipient.objects.get().address == "1503000000"


@pytest.mark.parametrize(("field", "message"), [("subject", "กรุณาระบุเรื่อง"),
                                                ("recipient_text", "กรุณาระบุผู้รับ")])
def test_it_refuses_a_letter_without_subject_or_recipient(cast: Cast, client_for: Any, field: str,
                                                          message: str) -> None:
    response = client_for(cast.officer).post(reverse("out-draft-create"), _form(**{field: "  "}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert f'data-testid="error-{field}"' in response.content.decode()
    assert not Letter.objects.exists() and not Draft.objects.exists()


def test_it_refuses_an_electronic_recipient_without_address(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.officer).post(reverse("out-draft-create"),
                                             _form(**_rows(("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, ""))))
    assert response.status_code == 400
    assert "กรุณาระบุรหัสหน่วยงาน" in response.content.decode()
    assert not Draft.objects.exists()


def test_it_refuses_a_top_secret_draft_to_the_hub(cast: Cast, client_for: Any) -> None:
    response = client_for(cast.director).post(reverse("out-draft-create"), _form(secrecy=str(Secrecy.TOP_SECRET)))
    assert response.status_code == 400
    body = response.content.decode()
    assert "ส่งทางระบบอิเล็กทรอนิกส์ไม่ได้" in body and 'data-testid="error-secrecy"' in body
    assert not Draft.objects.exists()


def test_it_goes_through_return_check_sign_and_dispatch(cast: Cast, client_for: Any) -> None:
    draft = _draft(cast)
    officer, checker, director, clerk = (client_for(u) for u in (cast.officer, cast.unitclerk, cast.director,
                                                                 cast.clerk))
    assert officer.post(_url("out-draft-submit", draft)).status_code == 302
    assert "ขอความอนุเคราะห์ข้อมูล" in checker.get(reverse("out-inbox")).content.decode()
    # A return needs a reason.
    assert checker.post(_url("out-draft-return", draft), {"comment": " "}).status_code == 400
    assert checker.post(_url("out-draft-return", draft), {"comment": "แก้คำลงท้าย"}).status_code == 302
    draft.refresh_from_db()
    assert draft.state == Draft.State.RETURNED
    assert "แก้คำลงท้าย" in officer.get(_url("out-draft-detail", draft)).content.decode()
    edit = officer.post(_url("out-draft-edit", draft), _form(subject="ขอความอนุเคราะห์ข้อมูล (แก้ไข)"))
    assert edit.status_code == 302
    officer.post(_url("out-draft-submit", draft))
    assert checker.post(_url("out-draft-check", draft), {"signer": cast.director.pk}).status_code == 302
    draft.refresh_from_db()
    assert draft.state == Draft.State.SIGNING and draft.signer == cast.director
    assert "ขอความอนุเคราะห์ข้อมูล (แก้ไข)" in director.get(reverse("out-inbox")).content.decode()
    preview = director.get(_url("out-draft-preview", draft))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview.content.startswith(b"%PDF") and "inline" in preview["Content-Disposition"]
    assert director.post(_url("out-draft-sign", draft), {"password": cast.password}).status_code == 302
    # The clerk sees what will happen, then dispatches in one action.
    plan = clerk.get(_url("out-letter-dispatch", draft))
    assert plan.status_code == 200 and "เลขถัดไป" in plan.content.decode()
    response = clerk.post(_url("out-letter-dispatch", draft), {
        "registry": cast.central.pk,
        **_rows(("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY),
                ("กรมการปกครอง", Delivery.Channel.MESSENGER, "")),
    })
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.state == Draft.State.DISPATCHED
    entry = RegisterEntry.objects.get(letter=draft.letter)
    assert entry.book == Book.SEND and entry.number == 1
    page = clerk.get(_url("out-draft-detail", draft)).content.decode()
    assert 'data-testid="delivery-queued"' in page and 'data-testid="delivery-sent"' in page
    assert "พนักงานเดินหนังสือ" in page


def test_it_refuses_a_wrong_password_and_signs_nothing(cast: Cast, client_for: Any) -> None:
    draft = _signing(cast)
    response = client_for(cast.director).post(_url("out-draft-sign", draft), {"password": "wrong"})
    assert response.status_code == 400
    assert "รหัสผ่านไม่ถูกต้อง" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Draft.State.SIGNING and draft.signed_at is None
    assert not draft.letter.files.exists()


def test_it_refuses_to_dispatch_a_top_secret_letter_to_the_hub(cast: Cast, client_for: Any) -> None:
    draft = _signed(cast, secrecy=Secrecy.TOP_SECRET,
                    recipients=(RecipientInput("กรมการปกครอง", Delivery.Channel.MESSENGER),))
    response = client_for(cast.clerk).post(_url("out-letter-dispatch", draft), {
        "registry": cast.central.pk, **_rows(("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY))})
    # The clerk's clearance is below top secret: the letter is not even visible to them.
    assert response.status_code == 404
    cast.clerk.clearance = Secrecy.TOP_SECRET
    cast.clerk.save(update_fields=["clearance"])
    response = client_for(cast.clerk).post(_url("out-letter-dispatch", draft), {
        "registry": cast.central.pk, **_rows(("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY))})
    assert response.status_code == 400
    assert "ส่งทางระบบอิเล็กทรอนิกส์ไม่ได้" in response.content.decode()
    draft.refresh_from_db()
    assert draft.state == Draft.State.SIGNED
    assert not RegisterEntry.objects.exists() and not Delivery.objects.exists()


def test_it_hides_drafts_from_users_outside_the_workflow(cast: Cast, client_for: Any) -> None:
    draft = _draft(cast)
    draft_submit(actor=cast.officer, draft=draft)
    outsider = MembershipFactory().user
    for user in (cast.secretary, outsider):
        client = client_for(user)
        for name in ("out-draft-detail", "out-draft-preview", "out-draft-edit"):
            assert client.get(_url(name, draft)).status_code == 404, (user, name)
        assert client.post(_url("out-draft-check", draft), {"signer": cast.director.pk}).status_code == 404
    draft.refresh_from_db()
    assert draft.state == Draft.State.CHECKING


def test_it_forbids_sending_pages_without_the_send_right(cast: Cast, client_for: Any) -> None:
    auditor = client_for(cast.auditor)
    assert auditor.get(reverse("out-draft-create")).status_code == 403
    assert auditor.get(reverse("out-problems")).status_code == 403
    draft = _signed(cast)
    assert auditor.get(_url("out-letter-dispatch", draft)).status_code == 403
    # The drafter has the send right but keeps no registry: not theirs to dispatch.
    assert client_for(cast.officer).get(_url("out-letter-dispatch", draft)).status_code == 403
    # The checker may not sign for the signer.
    assert client_for(cast.unitclerk).post(_url("out-draft-sign", draft),
                                           {"password": cast.password}).status_code == 403


def test_it_asks_anonymous_users_to_sign_in_and_refuses_get_on_actions(cast: Cast, client_for: Any) -> None:
    draft = _draft(cast)
    response = Client().get(reverse("out-inbox"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(cast.officer).get(_url("out-draft-submit", draft)).status_code == 405


def test_it_attaches_a_scanned_paper_letter_checked_by_content(cast: Cast, client_for: Any) -> None:
    client = client_for(cast.officer)
    fake = SimpleUploadedFile("letter.pdf", b"this is not a pdf", content_type="application/pdf")
    response = client.post(reverse("out-draft-scan"), {**_form(), "document": fake})
    assert response.status_code == 400 and "ไม่ใช่ PDF" in response.content.decode()
    assert not Draft.objects.exists()
    scan = SimpleUploadedFile("page1.png", scanned_page("Signed paper letter"), content_type="image/png")
    assert client.post(reverse("out-draft-scan"), {**_form(), "document": scan}).status_code == 302
    draft = Draft.objects.get()
    assert draft.scanned
    original = draft.letter.files.get(role=LetterFile.Role.ORIGINAL)
    preview = client.get(_url("out-draft-preview", draft))
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
    assert original.size == len(preview.content)


def test_it_lists_problem_deliveries_until_resolved(cast: Cast, client_for: Any) -> None:
    from saraban.outgoing.services import letter_dispatch

    draft = letter_dispatch(actor=cast.clerk, draft=_signed(cast), registry=cast.central,
                            recipients=[RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY)])
    delivery = draft.letter.deliveries.get()
    delivery_record_outcome(delivery_id=delivery.pk, state=Delivery.State.REJECTED, reason="ส่งผิดหน่วยงาน")
    clerk = client_for(cast.clerk)
    page = clerk.get(reverse("out-problems")).content.decode()
    assert f'data-testid="problem-{delivery.pk}"' in page and "table-danger" in page and "ส่งผิดหน่วยงาน" in page
    assert "ผู้รับปฏิเสธ" in clerk.get(_url("out-draft-detail", draft)).content.decode()
    url = reverse("out-delivery-resolve", args=[delivery.pk])
    clerk.post(url, {"note": ""})
    delivery.refresh_from_db()
    assert delivery.is_problem
    assert clerk.post(url, {"note": "ส่งใหม่ทางไปรษณีย์"}).status_code == 302
    delivery.refresh_from_db()
    assert not delivery.is_problem
    assert f'data-testid="problem-{delivery.pk}"' not in clerk.get(reverse("out-problems")).content.decode()


def test_it_shows_the_accepted_receive_number(cast: Cast, client_for: Any) -> None:
    from saraban.outgoing.services import letter_dispatch

    draft = letter_dispatch(actor=cast.clerk, draft=_signed(cast), registry=cast.central,
                            recipients=[RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, HUB_AGENCY)])
    delivery_record_outcome(delivery_id=draft.letter.deliveries.get().pk, state=Delivery.State.ACCEPTED,
                            receive_number="4567")
    page = client_for(cast.officer).get(_url("out-draft-detail", draft)).content.decode()
    assert 'data-testid="delivery-accepted"' in page and "๔๕๖๗" in page
