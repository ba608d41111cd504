from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from pytest_django import Settings as SettingsWrapper

from ecms.hub import services
from tests.ecms.helpers import AGENCIES


@pytest.fixture(autouse=True)
def _fresh_auth_cache() -> Iterator[None]:
    services._auth_cache_clear()
    yield
    services._auth_cache_clear()


@pytest.fixture
def hub(db: None, settings: SettingsWrapper, tmp_path: Path) -> Path:
    """The directory, three agency systems, and an empty file store (returned)."""
    settings.ECMS_STORAGE_DIR = tmp_path / "files"
    call_command("load_directory", stdout=io.StringIO())
    for agency in AGENCIES:
        services.agency_system_create(org_id=agency.department_id, username=agency.username, password=agency.password)
    return tmp_path / "files"
