"""Shared fixtures: one demo agency with a named cast of users of every role."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client

from saraban.accounts.demo import DEMO_PASSWORD, demo_agency_load
from saraban.accounts.models import AgencyProfile, User
from saraban.correspondence.models import Registry


@dataclass(frozen=True)
class Cast:
    profile: AgencyProfile
    admin: User
    clerk: User
    unitclerk: User
    officer: User
    director: User
    secretary: User
    auditor: User
    central: Registry
    unit_registry: Registry
    password: str = DEMO_PASSWORD


@pytest.fixture
def cast(db: None) -> Cast:
    profile = demo_agency_load(key="a")
    users = {u.username: u for u in User.objects.all()}
    return Cast(
        profile=profile,
        admin=users["admin"],
        clerk=users["clerk"],
        unitclerk=users["unitclerk"],
        officer=users["officer"],
        director=users["director"],
        secretary=users["secretary"],
        auditor=users["auditor"],
        central=Registry.objects.get(is_central=True),
        unit_registry=Registry.objects.get(is_central=False),
    )


@pytest.fixture
def client_for(cast: Cast) -> Iterator[object]:
    """``client_for(user)`` returns a Django test client signed in as that user."""

    def make(user: User) -> Client:
        c = Client()
        c.force_login(user)
        return c

    yield make


@pytest.fixture(autouse=True, scope="session")
def _flush_past_audit_triggers() -> Iterator[None]:
    """Transactional tests end with ``flush``; on SQLite that is a DELETE, which the append-only
    triggers refuse. Lift them for the flush only, as a DBA restoring a test database would."""
    from django.core.management.commands import flush
    from django.db import connection

    from saraban.audit import triggers

    original = flush.Command.handle

    def handle(self: flush.Command, *args: object, **options: object) -> None:
        vendor = connection.vendor
        with connection.cursor() as cur:
            for sql in triggers.DROP.get(vendor, []) if vendor == "sqlite" else []:
                cur.execute(sql)
        try:
            original(self, *args, **options)
        finally:
            with connection.cursor() as cur:
                for sql in triggers.CREATE.get(vendor, []) if vendor == "sqlite" else []:
                    cur.execute(sql)

    flush.Command.handle = handle  # type: ignore[method-assign]
    yield
    flush.Command.handle = original  # type: ignore[method-assign]


# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous, so Django's async-safety check must be lifted for tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(locale="th-TH")  # type: ignore[attr-defined]
    p = context.new_page()
    p.set_default_timeout(15000)
    yield p
    context.close()


def browser_login(page: object, live_server_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(f"{live_server_url}/accounts/login/")  # type: ignore[attr-defined]
    page.fill("#id_username", username)  # type: ignore[attr-defined]
    page.fill("#id_password", password)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server_url}/")  # type: ignore[attr-defined]
