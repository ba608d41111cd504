"""A real hub server process for tests: its own database (SQLite file or a fresh PostgreSQL database)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import requests

from tests.ecms.helpers import AGENCIES

REPO = Path(__file__).resolve().parents[2]
_SETUP = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from ecms.hub.services import agency_system_create
call_command("migrate", verbosity=0)
call_command("load_directory", verbosity=0)
for org_id, username, password in json.loads(sys.argv[1]):
    agency_system_create(org_id=org_id, username=username, password=password)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def hub_database(tmp: Path) -> Iterator[str]:
    """A database URL for a hub process; PostgreSQL when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp / 'hub.sqlite3'}"
        return
    name = f"ecms_live_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class LiveHub:
    """Start, kill and restart ``python -m ecms.manage runserver`` on one database and file store."""

    def __init__(self, tmp: Path, database_url: str) -> None:
        self.tmp = tmp
        self.database_url = database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/ecms/service"
        self.process: subprocess.Popen[bytes] | None = None
        self.log = tmp / "hub.log"
        src = str(REPO / "src")
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ECMS_", "TEST_DATABASE"))},
            "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", ""),
            "DJANGO_SETTINGS_MODULE": "ecms.config.settings",
            "ECMS_ENVIRONMENT": "testing",
            "ECMS_DATABASE_URL": database_url,
            "ECMS_VAR_DIR": str(tmp / "var"),
            "ECMS_STORAGE_DIR": str(tmp / "files"),
            "ECMS_SECRET_KEY": "live-hub-test-key",
            "ECMS_TEST_HOOKS": "1",
        }

    def setup(self) -> None:
        agencies = json.dumps([[a.department_id, a.username, a.password] for a in AGENCIES])
        subprocess.run([sys.executable, "-c", _SETUP, agencies], env=self.env, check=True, cwd=REPO, timeout=120)

    def start(self, **extra_env: str) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ecms.manage", "runserver", "--noreload", f"127.0.0.1:{self.port}"],
                env={**self.env, **extra_env},
                cwd=REPO,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"hub exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "?wsdl", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("hub did not start")

    def wait_exit(self, timeout: float = 10) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def count(self, table: str) -> int:
        """Rows in one of the hub's tables, read straight from its database."""
        query = f"SELECT COUNT(*) FROM {table}"  # noqa: S608 - table names are fixed by the tests
        if self.database_url.startswith("sqlite:///"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as conn:
                return int(conn.execute(query).fetchone()[0])
        with psycopg.connect(self.database_url) as conn:
            row = conn.execute(query).fetchone()
            assert row is not None
            return int(row[0])
