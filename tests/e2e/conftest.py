"""End-to-end world: the hub and two agency systems, each a separate process with its own database
(see ``tests/e2e/world.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.e2e.world import A, Agency, B, ExchangeHub
from tests.ecms.live import hub_database


@dataclass
class World:
    hub: ExchangeHub
    a: Agency
    b: Agency


@pytest.fixture(scope="session")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("exchange-e2e")
    with hub_database(tmp) as url:
        hub = ExchangeHub(tmp, url)
        hub.env["ECMS_AUTH_CACHE_SECONDS"] = "300"
        a, b = Agency(A, tmp, hub.url), Agency(B, tmp, hub.url)
        try:
            a.ask("setup", key="a")
            b.ask("setup", key="b")
            hub.setup()
            for agency in (a, b):
                hub.publish_key(agency.spec.org_id, agency.answer()["public_key"])
            hub.start()
            a.start_worker()
            b.start_worker()
            yield World(hub=hub, a=a, b=b)
        finally:
            for agency in (a, b):
                agency.close()
            hub.stop()

