"""Load test of the agency web application: 50 users at once against gunicorn and PostgreSQL.

One command (PostgreSQL at 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python bench/web_load.py [--users 50] [--letters 3000] [--seconds 60] [--workers 4]

It creates (and afterwards drops) a dedicated database ``saraban_bench_web``, migrates it, loads
demo agency "a", adds the users (half central clerks, half officers of the second unit, all with
the right to receive) and LETTERS letters registered at the central registry through
``incoming_letters_register`` and sent to the second unit, then serves the application with
gunicorn on 127.0.0.1 and runs one client thread per user (a ``requests.Session`` each) for SECONDS.

Each round of a client: sign in (GET the login page for the CSRF token, POST the password), open
the inbox, open a letter it may see, open the receive register; central clerks also register a
paper letter through the receive form in one round out of ``--receive-every`` (GET the form, POST a
multipart upload of a small PDF). Every response must be the expected status (200, or 302 to the
expected page); anything else is an error. At the end it prints requests/s, median and p95 latency
per page and the error count, and checks that the central registry's receive numbers are 1..n.

Sign-in throttling (SARABAN_LOGIN_RATE_PER_IP) counts per client address and every client here
is 127.0.0.1, so the server is started with generous limits (SARABAN_LOGIN_RATE_PER_IP and
_PER_USER = 1,000,000); the limits count failed attempts only, and the run expects none.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
DB_NAME = "saraban_bench_web"
BASE_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "Bench-Passw0rd-2569"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _env(var_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DJANGO_SETTINGS_MODULE": "saraban.config.settings",
        "SARABAN_DATABASE_URL": f"{BASE_URL}/{DB_NAME}",
        "SARABAN_VAR_DIR": var_dir,
        "SARABAN_LOGIN_RATE_PER_IP": "1000000",
        "SARABAN_LOGIN_RATE_PER_USER": "1000000",
        "SARABAN_LOGIN_MAX_FAILURES": "1000000",
    })
    return env


def _database(action: str) -> None:
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        if action == "create":
            conn.execute(f"CREATE DATABASE {DB_NAME}")


def _prepare(users: int, letters: int) -> tuple[list[tuple[str, str]], dict[str, list[int]], int, bytes]:
    """Migrate, load the agency, add users and letters. Returns (username, kind) pairs, the letter
    ids each kind may open, the central registry's id and a small PDF."""
    import django
    from django.contrib.auth.hashers import make_password

    django.setup()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from saraban.accounts.demo import demo_agency_load
    from saraban.accounts.models import Membership, Role, User
    from saraban.correspondence.models import Letter, Registry
    from saraban.lib.pdf import render_pdf
    from saraban.receiving.models import Holding, Reception
    from saraban.receiving.services import incoming_letters_register

    demo_agency_load(key="a")
    central = Registry.objects.get(is_central=True)
    unit = Registry.objects.get(is_central=False).unit
    clerk = User.objects.get(username="clerk")

    # One password hash for all (PBKDF2 costs 0.19 s of CPU here; each sign-in still verifies it).
    hashed = make_password(PASSWORD)
    made: list[tuple[str, str]] = []
    rows = []
    for i in range(users):
        kind = "clerk" if i % 2 == 0 else "officer"
        username = f"{kind}{i:03d}"
        made.append((username, kind))
        rows.append(User(username=username, password=hashed, first_name=f"ผู้ใช้{i}", last_name="ทดสอบภาระ",
                         can_open=True, can_receive=True, can_send=kind == "clerk"))
    created = User.objects.bulk_create(rows)
    Membership.objects.bulk_create([
        Membership(user=u, unit=central.unit if kind == "clerk" else unit,
                   role=Role.CENTRAL_CLERK if kind == "clerk" else Role.OFFICER)
        for u, (_, kind) in zip(created, made, strict=True)
    ])

    now = timezone.now()
    batch = Letter.objects.bulk_create([
        Letter(direction=Letter.Direction.INCOMING, source=Letter.Source.PAPER, subject=f"หนังสือทดสอบภาระที่ {i}",
               reference_no=f"มท 0301/{i}", sender_text="กรมการปกครอง", created_by=clerk, received_at=now)
        for i in range(letters)
    ])
    Reception.objects.bulk_create([Reception(letter=letter, registry=central) for letter in batch])
    for i in range(0, len(batch), 500):
        incoming_letters_register(actor=clerk, registry=central, letters=batch[i:i + 500])
    # Sent on to the second unit, as letter_forward does from the registry.
    Holding.objects.bulk_create([
        Holding(letter=letter, unit=unit, sent_by=clerk, sent_at=now, state_at=now, instruction="เพื่อทราบ")
        for letter in batch
    ])
    ids = [letter.pk for letter in batch]
    pdf = render_pdf("<p>หนังสือทดสอบภาระ</p>")
    connections.close_all()
    return made, {"clerk": ids, "officer": ids}, central.pk, pdf


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Client:
    def __init__(self, base: str, username: str, kind: str, letters: list[int], registry_id: int, pdf: bytes,
                 receive_every: int, stop_at: float, seed: int) -> None:
        import requests

        self.requests = requests
        self.base, self.username, self.kind = base, username, kind
        self.letters, self.registry_id, self.pdf = letters, registry_id, pdf
        self.receive_every, self.stop_at = receive_every, stop_at
        self.rng = random.Random(seed)
        self.timings: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.received = 0

    def _call(self, session: object, page: str, method: str, path: str, expect: tuple[int, str | None],
              **kwargs: object) -> object:
        t0 = time.perf_counter()
        try:
            r = session.request(method, self.base + path, allow_redirects=False, timeout=60, **kwargs)  # type: ignore[attr-defined]
        except self.requests.RequestException as exc:
            self.errors.append(f"{page}: {exc!r}")
            return None
        self.timings[page].append(time.perf_counter() - t0)
        status, location = expect
        if r.status_code != status or (location is not None and not r.headers.get("Location", "").startswith(location)):
            self.errors.append(f"{page}: {r.status_code} {r.headers.get('Location', '')}")
            return None
        return r

    def run(self) -> None:
        rounds = 0
        while time.monotonic() < self.stop_at:
            rounds += 1
            s = self.requests.Session()
            r = self._call(s, "login (GET)", "GET", "/accounts/login/", (200, None))
            if r is None:
                continue
            token = CSRF_RE.search(r.text)  # type: ignore[attr-defined]
            if token is None:
                self.errors.append("login (GET): no CSRF token")
                continue
            if self._call(s, "login (POST)", "POST", "/accounts/login/", (302, "/"),
                          data={"csrfmiddlewaretoken": token.group(1), "username": self.username,
                                "password": PASSWORD, "next": ""},
                          headers={"Referer": self.base + "/accounts/login/"}) is None:
                continue
            self._call(s, "inbox", "GET", "/receiving/", (200, None))
            self._call(s, "letter", "GET", f"/receiving/letter/{self.rng.choice(self.letters)}/", (200, None))
            self._call(s, "register", "GET", "/letters/register/receive/", (200, None))
            if self.kind == "clerk" and rounds % self.receive_every == 0 and time.monotonic() < self.stop_at:
                form = self._call(s, "receive form (GET)", "GET", "/receiving/new/", (200, None))
                token = CSRF_RE.search(form.text) if form is not None else None  # type: ignore[attr-defined]
                if token is not None:
                    done = self._call(
                        s, "receive (POST)", "POST", "/receiving/new/", (302, "/receiving/letter/"),
                        data={"csrfmiddlewaretoken": token.group(1), "registry": str(self.registry_id),
                              "subject": f"หนังสือกระดาษจาก {self.username} รอบ {rounds}",
                              "reference_no": f"ศธ 0201/{rounds}", "sender_text": "สำนักงานจังหวัด",
                              "kind": "external", "speed": "0", "secrecy": "0"},
                        files={"document": ("scan.pdf", self.pdf, "application/pdf")},
                        headers={"Referer": self.base + "/receiving/new/"},
                    )
                    if done is not None:
                        self.received += 1
            s.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--letters", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync worker processes")
    parser.add_argument("--receive-every", type=int, default=3,
                        help="a central clerk registers a paper letter every this many rounds")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not 0 < args.seconds <= 600:
        parser.error("--seconds must be between 1 and 600")

    var_dir = tempfile.mkdtemp(prefix="saraban-bench-web-")
    env = _env(var_dir)
    os.environ.update({k: env[k] for k in env if k.startswith(("SARABAN_", "DJANGO_"))})
    _database("create")
    server: subprocess.Popen[bytes] | None = None
    server_log = open(Path(var_dir) / "gunicorn.log", "wb")  # noqa: SIM115 (closed in finally)
    errors: list[str] = ["not run"]
    ok = False
    try:
        t_setup = time.perf_counter()
        users, visible, registry_id, pdf = _prepare(args.users, args.letters)
        print(f"setup: {args.users} users, {args.letters} letters in {time.perf_counter() - t_setup:.1f} s")

        import requests

        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}",
             "--timeout", "120", "--pythonpath", str(REPO / "src"), "saraban.config.wsgi:application"],
            env=env, cwd=REPO, stdout=server_log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/accounts/login/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("gunicorn did not start")
            time.sleep(0.3)

        # Warm every worker (imports, templates, database connection) before the clock starts.
        warm = [threading.Thread(target=requests.get, args=(base + "/accounts/login/",), kwargs={"timeout": 60})
                for _ in range(4 * args.workers)]
        for t in warm:
            t.start()
        for t in warm:
            t.join()

        load_before = os.getloadavg()
        stop_at = time.monotonic() + args.seconds
        clients = [
            Client(base, name, kind, visible[kind], registry_id, pdf, args.receive_every, stop_at, seed=i)
            for i, (name, kind) in enumerate(users)
        ]
        threads = [threading.Thread(target=c.run, daemon=True) for c in clients]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 180)
        wall = time.perf_counter() - t0
        load_after = os.getloadavg()
        if any(t.is_alive() for t in threads):
            print("some client threads did not finish")

        timings: dict[str, list[float]] = defaultdict(list)
        errors = []
        for c in clients:
            for page, values in c.timings.items():
                timings[page].extend(values)
            errors.extend(c.errors)
        total = sum(len(v) for v in timings.values())
        print(f"{args.users} users, {args.workers} gunicorn workers, {wall:.1f} s: {total} requests = "
              f"{total / wall:.1f} requests/s; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
        print(f"{'page':<20} {'requests':>8} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
        for page, values in timings.items():
            values.sort()
            p95 = values[min(len(values) - 1, int(0.95 * len(values)))]
            print(f"{page:<20} {len(values):>8} {statistics.median(values) * 1000:>10.0f} {p95 * 1000:>8.0f} "
                  f"{values[-1] * 1000:>8.0f}")
        print(f"errors: {len(errors)}")
        for e in errors[:20]:
            print("  ", e)

        from django.db import connections

        from saraban.correspondence.models import Book, RegisterEntry

        numbers = sorted(RegisterEntry.objects.filter(registry_id=registry_id, book=Book.RECEIVE)
                         .values_list("number", flat=True))
        received = sum(c.received for c in clients)
        ok = numbers == list(range(1, len(numbers) + 1)) and len(numbers) == args.letters + received
        print(f"paper letters registered through the form: {received}; receive numbers 1..{len(numbers)} "
              f"without gap or repeat: {ok}")
        connections.close_all()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
        server_log.close()
        log = (Path(var_dir) / "gunicorn.log").read_text(errors="replace")
        if "Traceback" in log or "[CRITICAL]" in log:
            print("gunicorn log (tail):", *log.strip().splitlines()[-10:], sep="\n  ")
        if not args.keep:
            _database("drop")
    if errors or not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
