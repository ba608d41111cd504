from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from govcommon import thaidate
from tests.saraban.conftest import Cast, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_person_sign_in_and_see_thai_dates(
    cast: Cast, live_server: object, page: object, tmp_path: Path
) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    page.goto(f"{url}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", "clerk")  # type: ignore[attr-defined]
    page.fill("#id_password", "wrong-password-1")  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector(".alert-danger")  # type: ignore[attr-defined]
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in page.inner_text("main")  # type: ignore[attr-defined]
    browser_login(page, url, "clerk")
    today = page.inner_text("[data-testid=today]")  # type: ignore[attr-defined]
    assert today == thaidate.format_date(timezone.localdate(), style="full", thai=True)
    page.click("text=ทะเบียนหนังสือรับ")  # type: ignore[attr-defined]
    assert "ทะเบียนหนังสือรับ" in page.inner_text("h1")  # type: ignore[attr-defined]
    # The Thai web font is served locally (no CDN) and used.
    family = page.evaluate("getComputedStyle(document.body).fontFamily")  # type: ignore[attr-defined]
    assert "Sarabun" in family
    page.screenshot(path=str(tmp_path / "register.png"))  # type: ignore[attr-defined]
