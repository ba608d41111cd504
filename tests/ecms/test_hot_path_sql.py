"""The hub's hot-path SQL runs on Django's connection and, on PostgreSQL, as prepared statements."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from ecms.config import settings as hub_settings
from tests.ecms.helpers import DOPA, call
from thegif import messages as m


def test_it_prepares_the_hot_statements_on_postgresql(hub: Path, client: Client) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL feature")
    for _ in range(7):  # psycopg prepares a statement on its sixth run (prepare_threshold 5)
        assert isinstance(call(client, DOPA, m.InboundRequest()), m.InboundResponse)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("FROM hub_queueitem q JOIN hub_letter l" in statement for statement in prepared), prepared


def test_it_leaves_statements_unprepared_when_told(monkeypatch: pytest.MonkeyPatch) -> None:
    postgres = {"ENGINE": "django.db.backends.postgresql", "OPTIONS": {"sslmode": "disable"}}
    monkeypatch.setattr(hub_settings, "ECMS_DB_PREPARED", True)
    assert hub_settings.db_options(postgres) == {"sslmode": "disable", "prepare_threshold": 5}
    assert hub_settings.db_options({"ENGINE": "django.db.backends.sqlite3"}) == {}
    monkeypatch.setattr(hub_settings, "ECMS_DB_PREPARED", False)
    assert hub_settings.db_options(postgres) == {"sslmode": "disable"}
