"""Pages of the hub channel: who may see them and what they refuse."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from saraban.correspondence.storage import store_bytes
from saraban.exchange.models import HubInbound
from tests.saraban.conftest import Cast


def _quarantined() -> HubInbound:
    xml = b"<?xml version='1.0'?><broken/>"
    sha, size = store_bytes(xml)
    return HubInbound.objects.create(process_id="P-1", item_type="GovernmentDocument", hub_letter_id="L-1",
                                     sender_department="1503000000", accept_department="2101000000",
                                     state=HubInbound.State.QUARANTINED, reason="เปิดหนังสือลับไม่ได้",
                                     evidence_sha256=sha, evidence_size=size, delete_message_id="urn:uuid:x",
                                     pulled_at=timezone.now())


def test_it_shows_the_channel_to_the_central_clerk_with_what_was_kept_aside(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    row = _quarantined()
    with override_settings(SARABAN_HUB_URL="http://127.0.0.1:9/ecms/service", SARABAN_HUB_USERNAME="a",
                           SARABAN_HUB_PASSWORD="p"):
        page = client_for(cast.clerk).get(reverse("exchange-home"))
    assert page.status_code == 200
    assert "เปิดหนังสือลับไม่ได้" in page.text and 'data-testid="exchange-pull"' in page.text
    xml = client_for(cast.clerk).get(reverse("exchange-inbound-xml", args=[row.pk]))
    assert xml.status_code == 200 and xml.content == b"<?xml version='1.0'?><broken/>"


def test_it_refuses_other_users_strangers_and_get_on_the_pull_button(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    row = _quarantined()
    assert Client().get(reverse("exchange-home")).status_code == 302
    assert client_for(cast.officer).get(reverse("exchange-home")).status_code == 403
    assert client_for(cast.unitclerk).get(reverse("exchange-inbound-xml", args=[row.pk])).status_code == 403
    assert client_for(cast.clerk).get(reverse("exchange-pull")).status_code == 405
    assert client_for(cast.clerk).get(reverse("exchange-inbound-xml", args=[row.pk + 1])).status_code == 404


def test_it_tells_the_clerk_when_the_hub_is_not_configured(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    with override_settings(SARABAN_HUB_URL="", SARABAN_HUB_USERNAME="", SARABAN_HUB_PASSWORD=""):
        page = client_for(cast.clerk).post(reverse("exchange-pull"), follow=True)
    assert "ยังไม่ได้ตั้งค่าการเชื่อมต่อระบบกลาง" in page.text
    assert not HubInbound.objects.exists()
