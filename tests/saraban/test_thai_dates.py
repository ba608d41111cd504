from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from govcommon import thaidate
from tests.saraban.conftest import Cast


def test_it_formats_dates_in_the_buddhist_era() -> None:
    day = dt.date(2021, 5, 25)
    assert thaidate.format_date(day) == "25 พฤษภาคม 2564"
    assert thaidate.format_date(day, style="short") == "25 พ.ค. 2564"
    assert thaidate.format_date(day, thai=True) == "๒๕ พฤษภาคม ๒๕๖๔"
    assert thaidate.format_time(dt.time(10, 30), thai=True) == "๑๐.๓๐ น."
    assert thaidate.arabic_digits("๐๑๒๓๔๕๖๗๘๙") == "0123456789"


@pytest.mark.django_db
def test_it_shows_pages_with_buddhist_era_dates_and_the_agency_digit_style(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    be = today.year + 543
    full_thai = thaidate.format_date(today, style="full", thai=True)
    client = client_for(cast.clerk)
    body = client.get(reverse("web-home")).content.decode()
    assert full_thai in body
    assert thaidate.thai_digits(be) in body
    cast.profile.use_thai_digits = False
    cast.profile.save()
    body = client.get(reverse("web-home")).content.decode()
    assert thaidate.format_date(today, style="full") in body
    assert f"{thaidate.MONTHS_FULL[today.month - 1]} {be}" in body
    assert str(today.year) not in body.split("<main")[1].split("</main>")[0]


@pytest.mark.django_db
def test_it_speaks_english_as_the_second_language(cast: Cast, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.clerk)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("web-home")).content.decode()
    assert 'lang="en"' in body
    assert "Sign out" in body
