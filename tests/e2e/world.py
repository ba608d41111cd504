"""The processes of end-to-end tests: the hub and two agency systems, each a separate process with its own database.

The hub runs ``python -m ecms.manage runserver`` on loopback (its database: a SQLite file, or a fresh
PostgreSQL database when ``TEST_DATABASE_URL`` is set). Each agency has its own SQLite file and var
dir; its worker runs as ``python -m saraban.manage run_exchange_worker`` and a clerk's actions run as
``python -m saraban.manage shell -c`` calling the agency's services (``tests/e2e/ops.py``).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from tests.ecms.live import REPO, LiveHub

_HUB_SETUP = """
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

# The hub's directory publishes an agency's public key (the column exists, no command sets it yet).
_HUB_PUBLISH_KEY = """
import base64, os
from ecms.hub.models import Organization
n = Organization.objects.filter(org_id=os.environ["E2E_ORG"]).update(
    public_key_der=base64.b64decode(os.environ["E2E_KEY"]), public_key_algorithm="RSA-OAEP-SHA256")
assert n == 1
"""


@dataclass(frozen=True)
class AgencySpec:
    key: str
    org_id: str
    username: str
    password: str


A = AgencySpec("a", "2101000000", "saraban-a", "agency-a-hub-password")
B = AgencySpec("b", "1503000000", "saraban-b", "agency-b-hub-password")


class ExchangeHub(LiveHub):
    def setup(self) -> None:
        agencies = json.dumps([[s.org_id, s.username, s.password] for s in (A, B)])
        subprocess.run([sys.executable, "-c", _HUB_SETUP, agencies], env=self.env, check=True, cwd=REPO,
                       timeout=120)

    def publish_key(self, org_id: str, public_key: str) -> None:
        env = {**self.env, "E2E_ORG": org_id, "E2E_KEY": public_key}
        subprocess.run([sys.executable, "-m", "ecms.manage", "shell", "-c", _HUB_PUBLISH_KEY], env=env, check=True,
                       cwd=REPO, timeout=60)


    def texts(self) -> list[bytes]:
        """Everything the hub keeps: its database (every table, as text) and every stored file."""
        out = [f.read_bytes() for f in (self.tmp / "files").rglob("*") if f.is_file()]
        if self.database_url.startswith("sqlite:///"):
            db = Path(self.database_url.removeprefix("sqlite:///"))
            out += [f.read_bytes() for f in db.parent.glob(db.name + "*")]  # with the WAL
            return out
        with psycopg.connect(self.database_url) as conn:
            tables = [r[0] for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()]
            for table in tables:
                rows = conn.execute(f'SELECT row_to_json(t)::text FROM "{table}" t').fetchall()  # noqa: S608
                out += [r[0].encode() for r in rows]
        return out

    def letters_with_subject(self, subject: str) -> int:
        query = "SELECT COUNT(*) FROM hub_letter WHERE subject = %s"
        if self.database_url.startswith("sqlite:///"):
            with sqlite3.connect(self.database_url.removeprefix("sqlite:///")) as conn:
                return int(conn.execute(query.replace("%s", "?"), (subject,)).fetchone()[0])
        with psycopg.connect(self.database_url) as conn:
            row = conn.execute(query, (subject,)).fetchone()
            assert row is not None
            return int(row[0])


class Agency:
    """One agency system: its own SQLite database and var dir, driven through its own processes."""

    def __init__(self, spec: AgencySpec, tmp: Path, hub_url: str) -> None:
        self.spec = spec
        self.var = tmp / f"agency-{spec.key}"
        self.var.mkdir()
        (self.var / "hub-password").write_text(spec.password, encoding="utf-8")
        src = str(REPO / "src")
        self.env = {
            **{k: v for k, v in os.environ.items()
               if not k.startswith(("DJANGO_", "SARABAN_", "ECMS_", "TEST_DATABASE"))},
            "PYTHONPATH": os.pathsep.join([src, str(REPO), os.environ.get("PYTHONPATH", "")]),
            "DJANGO_SETTINGS_MODULE": "saraban.config.settings",
            "SARABAN_VAR_DIR": str(self.var),
            "SARABAN_DATABASE_URL": f"sqlite:///{self.var / 'db.sqlite3'}",
            "SARABAN_SECRET_KEY": f"e2e-{spec.key}",
            "SARABAN_HUB_URL": hub_url,
            "SARABAN_HUB_USERNAME": spec.username,
            "SARABAN_HUB_PASSWORD_FILE": str(self.var / "hub-password"),
            "SARABAN_HUB_TIMEOUT": "10",
            "SARABAN_HUB_RETRY_BASE_SECONDS": "1",
            "SARABAN_HUB_LEASE_SECONDS": "2",
            "SARABAN_HUB_PULL_SECONDS": "1",
        }

        self.log = self.var / "worker.log"
        self.worker: subprocess.Popen[bytes] | None = None
        self.driver = subprocess.Popen(
            [sys.executable, "-m", "saraban.manage", "shell", "-c", "from tests.e2e.ops import serve; serve()"],
            env=self.env, cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=(self.var / "driver.log").open("ab"), text=True, bufsize=1)

    # ----- a clerk's actions, in the agency's own process -----

    def ask(self, name: str, **args: Any) -> None:
        assert self.driver.stdin is not None
        self.driver.stdin.write(json.dumps({"op": name, "args": args}, ensure_ascii=False) + "\n")
        self.driver.stdin.flush()

    def answer(self) -> dict[str, Any]:
        assert self.driver.stdout is not None
        for line in self.driver.stdout:
            if line.startswith("E2E-RESULT "):
                result = json.loads(line.removeprefix("E2E-RESULT "))
                if "error" in result:
                    raise AssertionError(f"agency {self.spec.key}: {result['error']}")
                answer: dict[str, Any] = result["ok"]
                return answer
        raise AssertionError(f"agency {self.spec.key}: driver exited ({(self.var / 'driver.log').read_text()[-3000:]})")

    def op(self, name: str, **args: Any) -> dict[str, Any]:
        self.ask(name, **args)
        return self.answer()

    def wait_for(self, name: str, check: Callable[[dict[str, Any]], bool], timeout: float = 30,
                 **args: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            result = self.op(name, **args)
            if check(result):
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"agency {self.spec.key}: {name} still {result} after {timeout} s; "
                                     f"worker log: {self.log.read_text()[-3000:] if self.log.exists() else ''}")
            time.sleep(0.3)

    # ----- the worker, its own process -----

    def start_worker(self, **extra: str) -> subprocess.Popen[bytes]:
        assert self.worker is None or self.worker.poll() is not None
        with self.log.open("ab") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "saraban.manage", "run_exchange_worker", "--interval", "0.3"],
                env={**self.env, **extra}, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        return self.worker

    def stop_worker(self) -> int | None:
        if self.worker is None:
            return None
        if self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
        try:
            return self.worker.wait(timeout=20)
        finally:
            self.worker = None

    def close(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.kill()
            self.worker.wait()
        if self.driver.stdin is not None:
            self.driver.stdin.close()
        try:
            self.driver.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.driver.kill()
            self.driver.wait()
