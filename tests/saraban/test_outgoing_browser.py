"""An external letter from draft to send register in the browser: the officer drafts, the unit clerk
returns it once, the officer fixes it, the clerk passes it, the director signs with the password,
the central clerk dispatches it to two recipients and finds it in the send register."""

from __future__ import annotations

import time
from typing import Any

import pyotp
import pytest
from django.db import transaction
from django.utils import timezone

from govcommon import thaidate
from saraban.accounts import totp
from saraban.accounts.demo import DEMO_PASSWORD
from saraban.correspondence.models import Book, Letter, RegisterEntry
from saraban.correspondence.services import register_entry_create
from saraban.outgoing.models import Delivery, Draft, SalutationPair
from tests.saraban.conftest import Cast, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SUBJECT = "ขอความอนุเคราะห์ข้อมูลสถิติการใช้หนังสือราชการอิเล็กทรอนิกส์"


def _as(p: Any, url: str, username: str) -> None:
    p.context.clear_cookies()
    browser_login(p, url, username)


def _as_signer(p: Any, url: str, username: str, app: pyotp.TOTP) -> None:
    """Signers sign in with the password and the second factor the agency's policy requires."""
    p.context.clear_cookies()
    p.goto(f"{url}/accounts/login/")
    p.fill("#id_username", username)
    p.fill("#id_password", DEMO_PASSWORD)
    p.click("main button[type=submit]")
    p.wait_for_url(f"{url}/accounts/2fa/verify/")
    p.fill("#id_code", app.now())
    p.click("main button[type=submit]")
    p.wait_for_url(f"{url}/")


def _open(p: Any, url: str, table: str) -> None:
    p.goto(f"{url}/outgoing/")
    p.click(f"main [data-testid={table}] >> text={SUBJECT}")


def test_it_drafts_checks_signs_and_dispatches_an_external_letter(cast: Cast, live_server: Any, page: Any) -> None:
    url, p = live_server.url, page
    # The director uses an authenticator app; enrolment used the previous step's code.
    app = pyotp.TOTP(totp.totp_enrolment_start(user=cast.director).secret)
    totp.totp_enrolment_confirm(user=cast.director, code=app.at(int(time.time()) - 30))
    # The official pairs come from a data migration, which an earlier transactional test may have flushed.
    SalutationPair.objects.get_or_create(salutation="เรียน", closing="ขอแสดงความนับถือ")
    # An earlier letter already took number 1 of this year's send register.
    with transaction.atomic():
        earlier = Letter.objects.create(direction=Letter.Direction.OUTGOING, subject="หนังสือก่อนหน้า",
                                        owner_unit=cast.central.unit)
        register_entry_create(actor=cast.clerk, registry=cast.central, book=Book.SEND, letter=earlier)

    # The officer drafts the letter with two recipients and submits it.
    _as(p, url, "officer")
    p.click("nav [data-testid=nav-outgoing]")
    p.click("main [data-testid=draft-new]")
    p.fill("#id_subject", "ขอความอนุเคราะห์ข้อมูล")
    p.fill("#id_recipient_text", "ผู้อำนวยการสำนักงานสถิติแห่งชาติ")
    p.select_option("#id_pair", label="เรียน / ขอแสดงความนับถือ")
    p.fill("#id_body", "ด้วยกองยุทธศาสตร์และแผนงานขอความอนุเคราะห์ข้อมูลสถิติ\nจึงเรียนมาเพื่อโปรดพิจารณา")
    p.fill("#id_rcpt-0-name", "สำนักงานสถิติแห่งชาติ")
    p.select_option("#id_rcpt-0-channel", "hub")
    p.fill("#id_rcpt-0-address", "0601000000")
    p.fill("#id_rcpt-1-name", "กรมการปกครอง")
    p.select_option("#id_rcpt-1-channel", "post")
    p.fill("#id_rcpt-1-address", "ถนนอัษฎางค์ กรุงเทพมหานคร 10200")
    p.click("main [data-testid=draft-save]")
    p.wait_for_selector("main [data-testid=submit]")
    p.click("main [data-testid=submit]")
    p.wait_for_selector("text=เสนอร่างหนังสือให้ตรวจแล้ว")

    # The unit clerk returns it once with a reason.
    _as(p, url, "unitclerk")
    p.goto(f"{url}/outgoing/")
    p.click("main [data-testid=drafts-check] >> text=ขอความอนุเคราะห์ข้อมูล")
    p.fill("main [data-testid=return] textarea[name=comment]", "โปรดระบุเรื่องให้ชัดเจน")
    p.click("main [data-testid=return-submit]")
    p.wait_for_selector("text=ส่งกลับให้ผู้ร่างแก้ไขแล้ว")

    # The officer sees the reason, fixes the subject and resubmits.
    _as(p, url, "officer")
    p.goto(f"{url}/outgoing/")
    p.click("main [data-testid=drafts-mine] >> text=ขอความอนุเคราะห์ข้อมูล")
    assert "โปรดระบุเรื่องให้ชัดเจน" in p.inner_text("main [data-testid=steps]")
    p.click("main [data-testid=edit]")
    assert p.input_value("#id_rcpt-1-name") == "กรมการปกครอง"
    p.fill("#id_subject", SUBJECT)
    p.click("main [data-testid=draft-save]")
    p.click("main [data-testid=submit]")
    p.wait_for_selector("text=เสนอร่างหนังสือให้ตรวจแล้ว")

    # The unit clerk passes it to the director.
    _as(p, url, "unitclerk")
    _open(p, url, "drafts-check")
    p.select_option("main [data-testid=check] select[name=signer]", str(cast.director.pk))
    p.click("main [data-testid=check-pass]")
    p.wait_for_selector("text=ตรวจแล้ว เสนอผู้ลงนาม")

    # The director previews and signs with the password.
    _as_signer(p, url, "director", app)
    _open(p, url, "drafts-sign")
    href = p.get_attribute("main [data-testid=preview]", "href")
    preview = p.request.get(f"{url}{href}")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    p.fill("main [data-testid=sign] input[name=password]", cast.password)
    p.click("main [data-testid=sign-submit]")
    p.wait_for_selector("main [data-testid=draft-state] >> text=ลงนามแล้ว")

    # The central clerk sees the plan and dispatches to both recipients in one action.
    _as(p, url, "clerk")
    _open(p, url, "drafts-dispatch")
    p.click("main [data-testid=dispatch]")
    year_be = timezone.localdate().year + 543
    plan = p.inner_text("main [data-testid=dispatch-plan]")
    assert thaidate.thai_digits(f"2/{year_be}") in plan
    p.click("main [data-testid=dispatch-submit]")
    p.wait_for_selector("main [data-testid=deliveries]")
    deliveries = p.inner_text("main [data-testid=deliveries]")
    assert "สำนักงานสถิติแห่งชาติ" in deliveries and "รอส่ง" in deliveries
    assert "กรมการปกครอง" in deliveries and "ทางไปรษณีย์" in deliveries

    # The send register shows it with the next number.
    p.goto(f"{url}/letters/register/send/")
    row = p.locator("table.sb-register tr", has_text=SUBJECT)
    assert row.locator("td").first.inner_text() == thaidate.thai_digits("2")
    draft = Draft.objects.get(letter__subject=SUBJECT)
    assert draft.state == Draft.State.DISPATCHED and draft.checker == cast.unitclerk
    assert RegisterEntry.objects.get(letter=draft.letter).number == 2
    assert Delivery.objects.filter(letter=draft.letter).count() == 2
