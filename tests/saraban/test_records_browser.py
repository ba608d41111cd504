"""The records pages in a browser: a search by a Thai word, a loan from request to approval, and a
destruction list."""

from __future__ import annotations

import time

import pyotp
import pytest

from saraban.accounts import totp
from saraban.correspondence.models import Letter
from saraban.records.models import Loan
from saraban.records.services import letter_index
from tests.saraban.conftest import Cast, browser_login
from tests.saraban.test_records_lifecycle_destruction import batch_for, stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_finds_a_letter_by_a_thai_word_inside_its_subject(cast: Cast, live_server: object, page: object) -> None:
    for subject in ("ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ", "ขอส่งรายงานผลการดำเนินงานประจำปี"):
        letter_index(letter=Letter.objects.create(subject=subject, owner_unit=cast.central.unit, direction="in",
                                                  created_by=cast.clerk))
    p = page  # Playwright page (untyped fixture)
    browser_login(p, live_server.url, "clerk")  # type: ignore[attr-defined]
    p.click("nav >> text=ค้นหาหนังสือ")  # type: ignore[attr-defined]
    p.fill("#id_q", "งบประมาณ")  # type: ignore[attr-defined]
    p.click("main button[type=submit]")  # type: ignore[attr-defined]
    results = p.inner_text("[data-testid=results]")  # type: ignore[attr-defined]
    assert "ขอเชิญประชุมคณะกรรมการพิจารณางบประมาณ" in results
    assert "รายงานผลการดำเนินงาน" not in results


def test_it_lends_a_stored_letter_after_the_storage_heads_approval(cast: Cast, live_server: object,
                                                                    page: object) -> None:
    record = stored(cast)
    # The director (head of the storage unit) signs in with an authenticator app, as policy requires.
    app = pyotp.TOTP(totp.totp_enrolment_start(user=cast.director).secret)
    totp.totp_enrolment_confirm(user=cast.director, code=app.at(int(time.time()) - 30))
    url = live_server.url  # type: ignore[attr-defined]
    p = page
    browser_login(p, url, "clerk")
    p.click("nav >> text=ทะเบียนหนังสือเก็บ")  # type: ignore[attr-defined]
    p.click("[data-testid=register] >> text=ขอยืม")  # type: ignore[attr-defined]
    p.fill("#purpose", "ประกอบการตรวจสอบของ สตง.")  # type: ignore[attr-defined]
    p.click("main button[type=submit]")  # type: ignore[attr-defined]
    assert "รออนุมัติ" in p.inner_text("[data-testid=loans]")  # type: ignore[attr-defined]
    p.context.clear_cookies()  # type: ignore[attr-defined]
    p.goto(f"{url}/accounts/login/")  # type: ignore[attr-defined]
    p.fill("#id_username", "director")  # type: ignore[attr-defined]
    p.fill("#id_password", cast.password)  # type: ignore[attr-defined]
    p.click("main button[type=submit]")  # type: ignore[attr-defined]
    p.fill("#id_code", app.now())  # type: ignore[attr-defined]
    p.click("main button[type=submit]")  # type: ignore[attr-defined]
    p.wait_for_url(f"{url}/")  # type: ignore[attr-defined]
    p.click("nav >> text=การยืมหนังสือ")  # type: ignore[attr-defined]
    p.click("[data-testid=loans] button[name=approve][value='1']")  # type: ignore[attr-defined]
    p.wait_for_selector("[data-testid=loans] >> text=ยืมอยู่")  # type: ignore[attr-defined]
    loan = Loan.objects.get()
    assert (loan.record, loan.status, loan.decided_by) == (record, Loan.Status.ON_LOAN, cast.director)


def test_it_shows_a_destruction_list_with_its_committee_and_letters(cast: Cast, live_server: object,
                                                                    page: object) -> None:
    batch = batch_for(cast, stored(cast), stored(cast))
    p = page
    browser_login(p, live_server.url, "clerk")  # type: ignore[attr-defined]
    p.click("nav >> text=การทำลายหนังสือ")  # type: ignore[attr-defined]
    p.click(f"[data-testid=batches] >> text={batch}")  # type: ignore[attr-defined]
    heading = p.inner_text("main h1")  # type: ignore[attr-defined]
    assert "บัญชีหนังสือขอทำลาย" in heading
    assert "นายประธาน กรรมการ (ประธานกรรมการ)" in p.inner_text("main")  # type: ignore[attr-defined]
    rows = p.locator("[data-testid=items] tbody tr")  # type: ignore[attr-defined]
    assert rows.count() == 2
    assert "ขอเชิญประชุมประจำเดือน" in rows.first.inner_text()
