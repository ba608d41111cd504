"""An officer registers, the administrator approves, the e-mailed password signs in, the letter is found."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from pytest_django import Settings as SettingsWrapper
from pytest_django.live_server_helper import LiveServer

from tests.ecms.helpers import DOPA, SOC
from tests.ecms.monitor_cast import letter_accepted, password_in, smtp_server

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_lets_an_approved_officer_find_its_letter_with_the_receive_number(
    hub: Path, live_server: LiveServer, browser: object, settings: SettingsWrapper
) -> None:
    """GIVEN a letter from SOC to DOPA accepted with receive number "รับ 7788"
    WHEN a SOC officer registers, is approved, signs in with the e-mailed password and changes it
    THEN the officer finds the letter and its receive number on the Monitor site."""
    letter_id = letter_accepted(
        Client(), SOC, DOPA, doc_id="นร 0105/4455", subject="ขอเชิญประชุมติดตามงาน", accept_id="รับ 7788"
    )
    get_user_model().objects.create_user(
        username="admin@hub.go.th", email="admin@hub.go.th", password="admin-pass-1234", is_staff=True
    )
    page = browser.new_context(locale="th-TH").new_page()  # type: ignore[attr-defined]
    page.set_default_timeout(15000)
    url = live_server.url
    with smtp_server() as (mailbox, port):
        # pytest-django switches to the in-memory backend; these tests want the real SMTP one
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        page.goto(f"{url}/monitor/register/")
        page.fill("#id_full_name", "สมหญิง ใจดี")
        page.select_option("#id_organization", SOC.department_id)
        page.fill("#id_position", "เจ้าพนักงานธุรการ")
        page.fill("#id_email", "somying@soc.go.th")
        page.click("main button[type=submit]")
        page.wait_for_selector("#register-done")

        page.goto(f"{url}/monitor/login/")
        page.fill("#id_username", "admin@hub.go.th")
        page.fill("#id_password", "admin-pass-1234")
        page.click("main button[type=submit]")
        page.goto(f"{url}/monitor/admin/registrations/")
        page.click("tr[data-email='somying@soc.go.th'] button.btn-success")
        page.wait_for_selector(".alert-success")
        page.click("nav button[type=submit]")  # sign out
        assert mailbox.arrived.wait(10)
        password = password_in(mailbox.messages[-1])
        assert mailbox.messages[-1]["To"] == "somying@soc.go.th"

    page.goto(f"{url}/monitor/login/")
    page.fill("#id_username", "somying@soc.go.th")
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/monitor/password/")
    page.fill("#id_old_password", password)
    page.fill("#id_new_password1", "Somying-new-pass-2025")
    page.fill("#id_new_password2", "Somying-new-pass-2025")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/monitor/")
    page.fill("#id_reference", "0105/4455")
    page.click("#letter-filter button[type=submit]")
    row = page.locator("#letters tbody tr", has_text="ขอเชิญประชุมติดตามงาน")
    assert row.locator(".accept-id").inner_text() == "รับ 7788"
    row.locator("a").click()
    page.wait_for_url(f"{url}/monitor/letters/{letter_id}/")
    assert page.inner_text("#accept-id") == "รับ 7788"
    timeline = page.inner_text("#timeline")
    assert "ส่งเข้าระบบกลาง" in timeline and "ผู้รับแจ้งเลขรับ" in timeline and "รับ 7788" in timeline
    page.context.close()
