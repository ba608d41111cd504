"""A clerk registers a 3-page scan in the browser, sees the stamped copy, and forwards it to a unit."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from govcommon import thaidate
from saraban.correspondence.models import RegisterEntry
from tests.saraban.conftest import Cast, browser_login
from tests.saraban.test_receiving_upload import pdf_text, scanned_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_receives_a_scan_stamps_it_and_forwards_it_to_a_unit(cast: Cast, live_server: object,
                                                                page: object) -> None:
    url = live_server.url  # type: ignore[attr-defined]
    p = page  # Playwright page (untyped fixture)
    with tempfile.TemporaryDirectory() as tmp:
        scans = []
        for i in (1, 2, 3):
            path = Path(tmp) / f"scan-{i}.png"
            path.write_bytes(scanned_page(f"Scanned letter page {i}"))
            scans.append(str(path))
        browser_login(p, url, "clerk")
        p.click("text=ลงรับหนังสือ")  # type: ignore[attr-defined]
        p.set_input_files("#id_document", scans)  # type: ignore[attr-defined]
        p.fill("#id_reference_no", "นร 0104/77")  # type: ignore[attr-defined]
        p.fill("#id_sender_text", "สำนักเลขาธิการนายกรัฐมนตรี")  # type: ignore[attr-defined]
        p.fill("#id_subject", "ขอเชิญประชุมคณะทำงาน")  # type: ignore[attr-defined]
        p.select_option("#id_speed", "2")  # type: ignore[attr-defined]
        p.click("main [data-testid=receive-submit]")  # type: ignore[attr-defined]
        p.wait_for_selector("[data-testid=receive-number]")  # type: ignore[attr-defined]
    entry = RegisterEntry.objects.get()
    number = thaidate.thai_digits(f"{entry.number}/{entry.year + 543}")
    assert number in p.inner_text("[data-testid=receive-number]")  # type: ignore[attr-defined]
    # Open the stamped copy as the browser gets it, and read its text layer.
    href = p.get_attribute("[data-testid=file-stamped]", "href")  # type: ignore[attr-defined]
    response = p.request.get(f"{url}{href}")  # type: ignore[attr-defined]
    assert response.ok and response.headers["content-type"] == "application/pdf"
    stamped = response.body()
    assert len(PdfReader(io.BytesIO(stamped)).pages) == 3
    assert number in pdf_text(stamped)
    # Forward to the unit กยผ.
    p.select_option("main [data-testid=forward] select[name=units]", label="กองยุทธศาสตร์และแผนงาน")  # type: ignore[attr-defined]
    p.fill("#id_instruction", "โปรดพิจารณาดำเนินการ")  # type: ignore[attr-defined]
    p.click("main [data-testid=forward-submit]")  # type: ignore[attr-defined]
    p.wait_for_selector("text=ส่งต่อแล้ว")  # type: ignore[attr-defined]
    # The unit's officer sees it in the unit inbox and the timeline.
    p.context.clear_cookies()  # type: ignore[attr-defined]
    browser_login(p, url, "officer")
    p.click("text=กล่องหนังสือ")  # type: ignore[attr-defined]
    unit_inbox = p.inner_text("[data-testid=inbox-unit]")  # type: ignore[attr-defined]
    assert "ขอเชิญประชุมคณะทำงาน" in unit_inbox
    p.click("[data-testid=inbox-unit] >> text=ขอเชิญประชุมคณะทำงาน")  # type: ignore[attr-defined]
    timeline = p.inner_text("[data-testid=timeline]")  # type: ignore[attr-defined]
    assert "ลงทะเบียนหนังสือรับ เลขที่ " + f"{entry.number}/{entry.year + 543}" in timeline
    assert "ส่งต่อถึง กยผ." in timeline and "โปรดพิจารณาดำเนินการ" in timeline
    p.click("main [data-testid=acknowledge]")  # type: ignore[attr-defined]
    p.wait_for_selector("[data-testid=holdings] >> text=รับทราบแล้ว")  # type: ignore[attr-defined]
