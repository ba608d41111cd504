#!/usr/bin/env python
"""Full e-CMS cycles per second through the hub, on PostgreSQL by default.

One cycle is six SOAP requests, each checked: A sends a letter with a ~100 KB cover PDF (different
bytes every cycle, so every cycle stores and fsyncs a new file), B pulls it, B deletes it from its
queue, B sends AcceptLetterNotifier with a receive number, A pulls the notification, A deletes it.

Modes:
  inprocess  N worker processes call Django's WSGI handler directly (no HTTP), each with its own
             agency pair; measures the hub's code + database + file store, plus the client-side
             building and parsing of the XML in the same process.
  http       gunicorn with M sync worker processes (``ecms.config.wsgi``, as in production) and N
             client processes using plain HTTP keep-alive; clients and servers share the machine's
             cores.

    .venv/bin/python bench/hub_cycle.py                       # both modes, PostgreSQL ecms_bench
    .venv/bin/python bench/hub_cycle.py --mode inprocess --workers 2 --cycles 300
    .venv/bin/python bench/hub_cycle.py --database-url sqlite:////tmp/ecms-bench.sqlite3
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from thegif import messages as m  # noqa: E402
from thegif import soap  # noqa: E402

STEPS = ("send", "pull letter", "delete letter", "accept", "pull notice", "delete notice")


@dataclass(frozen=True)
class Pair:
    sender: tuple[str, str, str, str]  # username, password, ministry, department
    receiver: tuple[str, str, str, str]


def pair(k: int) -> Pair:
    return Pair(
        sender=(f"bench-a{k}", "bench-password-a", "2100000000", f"2190{k:02d}00001"),
        receiver=(f"bench-b{k}", "bench-password-b", "2100000000", f"2190{k:02d}00002"),
    )


def prepare_database(url: str) -> None:
    if not url.startswith("postgres"):
        path = Path(url.removeprefix("sqlite:///"))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def configure(url: str, tmp: Path) -> dict[str, str]:
    env = {
        "DJANGO_SETTINGS_MODULE": "ecms.config.settings",
        "ECMS_ENVIRONMENT": "testing",
        "ECMS_DATABASE_URL": url,
        "ECMS_VAR_DIR": str(tmp / "var"),
        "ECMS_STORAGE_DIR": str(tmp / "files"),
        "ECMS_SECRET_KEY": "bench-secret-key",
        "ECMS_LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(REPO / "src"),
    }
    os.environ.update(env)
    return env


def setup_hub(workers: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from ecms.hub.services import DirectoryEntry, agency_system_create, directory_load

    call_command("migrate", verbosity=0)
    call_command("load_directory", verbosity=0)
    entries = []
    for k in range(workers):
        for _, _, ministry, department in (pair(k).sender, pair(k).receiver):
            entries.append(DirectoryEntry(department, f"หน่วยงานทดสอบ {department}", "", "department", ministry))
    directory_load(entries=entries)
    for k in range(workers):
        for username, password, _, department in (pair(k).sender, pair(k).receiver):
            agency_system_create(org_id=department, username=username, password=password)


Post = Callable[[tuple[str, str, str, str], bytes], bytes]


def wsgi_poster() -> Post:
    import base64

    from django.core.handlers.wsgi import WSGIHandler

    handler = WSGIHandler()

    def post(agency: tuple[str, str, str, str], body: bytes) -> bytes:
        auth = base64.b64encode(f"{agency[0]}:{agency[1]}".encode()).decode()
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/ecms/service",
            "SCRIPT_NAME": "",
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "HTTP_AUTHORIZATION": f"Basic {auth}",
            "CONTENT_TYPE": "text/xml; charset=utf-8",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        statuses: list[str] = []
        result = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        try:
            return b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    return post


def http_poster(url: str) -> Post:
    import requests

    session = requests.Session()

    def post(agency: tuple[str, str, str, str], body: bytes) -> bytes:
        response = session.post(
            url, data=body, auth=(agency[0], agency[1]), headers={"Content-Type": "text/xml; charset=utf-8"}
        )
        return response.content

    return post


def call(post: Post, agency: tuple[str, str, str, str], request: m.Request, spool: Path) -> m.Message:
    body = soap.envelope_bytes(request, addressing=soap.Addressing(message_id=soap.new_message_id()))
    with soap.read_envelope(post(agency, body), expect_request=False, spool_dir=spool) as received:
        if isinstance(received.message, m.InboundResponse) and received.message.item is not None:
            content = received.message.item.content
            if isinstance(content, m.CorrespondenceLetter) and content.main_letter is not None:
                assert content.main_letter.size and content.main_letter.size > 100_000
        return received.message


def cycle(post: Post, p: Pair, n: int, cover: bytes, spool: Path, times: list[float]) -> None:
    a, b = p.sender, p.receiver
    letter = m.CorrespondenceLetter(
        id=f"ดศ 9001/{n}",
        correspondence_date=date(2025, 7, 1),
        subject=f"หนังสือทดสอบความเร็วฉบับที่ {n}",
        secret_code="001",
        speed_code="001",
        sender=m.Party(a[2], a[3]),
        receiver=m.Party(b[2], b[3]),
        main_letter=m.BinaryObject.from_bytes(
            cover + f"{a[0]}-{n}-{time.time_ns()}".encode(), mime_code="application/pdf", file_name="cover.pdf"
        ),
    )
    t = [time.perf_counter()]
    sent = call(post, a, m.OutboundRequest(item=letter), spool)
    assert isinstance(sent, m.OutboundResponse), sent
    t.append(time.perf_counter())
    inbound = call(post, b, m.InboundRequest(), spool)
    assert isinstance(inbound, m.InboundResponse) and inbound.item is not None
    assert inbound.item.letter_id == sent.letter_id
    t.append(time.perf_counter())
    assert isinstance(call(post, b, m.DeleteRequest(inbound.item.process_id), spool), m.DeleteResponse)
    t.append(time.perf_counter())
    notifier = m.Notifier(m.ItemType.ACCEPT, sent.letter_id, letter.correspondence_date, letter.subject, str(n))
    assert isinstance(call(post, b, m.OutboundRequest(item=notifier), spool), m.OutboundResponse)
    t.append(time.perf_counter())
    notice = call(post, a, m.InboundRequest(), spool)
    assert isinstance(notice, m.InboundResponse) and notice.item is not None
    assert isinstance(notice.item.content, m.Notifier) and notice.item.content.accept_id == str(n)
    t.append(time.perf_counter())
    assert isinstance(call(post, a, m.DeleteRequest(notice.item.process_id), spool), m.DeleteResponse)
    t.append(time.perf_counter())
    for i in range(len(STEPS)):
        times[i] += t[i + 1] - t[i]


def worker(k: int, mode: str, urls: list[str], cycles: int, cover: bytes, barrier: Any, out: Any) -> None:
    if mode == "inprocess":
        import django

        django.setup()
        post = wsgi_poster()
    else:
        post = http_poster(urls[k % len(urls)])
    spool = Path(tempfile.mkdtemp(prefix="bench-spool-"))
    p = pair(k)
    times = [0.0] * len(STEPS)
    for n in range(5):  # warm up: connections, compiled schema, credential cache
        cycle(post, p, -n - 1, cover, spool, [0.0] * len(STEPS))
    barrier.wait()
    start = time.perf_counter()
    for n in range(cycles):
        cycle(post, p, n, cover, spool, times)
    out.put((start, time.perf_counter(), times))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_servers(count: int, env: dict[str, str]) -> tuple[list[subprocess.Popen[bytes]], list[str]]:
    import requests

    port = free_port()
    gunicorn = [sys.executable, "-m", "gunicorn", "--workers", str(count), "--bind", f"127.0.0.1:{port}",
                "--keep-alive", "30", "--pythonpath", str(REPO / "src"), "ecms.config.wsgi:application"]
    procs = [subprocess.Popen(gunicorn, env={**os.environ, **env}, cwd=REPO, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    urls = [f"http://127.0.0.1:{port}/ecms/service"] * count
    for url in urls:
        for _ in range(300):
            try:
                requests.get(url + "?wsdl", timeout=5)
                break
            except requests.RequestException:
                time.sleep(0.1)
    return procs, urls


def run(mode: str, workers: int, cycles: int, cover: bytes, urls: list[str]) -> None:
    from django.db import connections

    connections.close_all()  # children open their own
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    out = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(k, mode, urls, cycles, cover, barrier, out)) for k in range(workers)]
    for proc in procs:
        proc.start()
    results = [out.get() for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode:
            raise SystemExit(f"worker failed with {proc.exitcode}")
    elapsed = max(r[1] for r in results) - min(r[0] for r in results)
    total = cycles * workers
    label = f"{mode} ({workers} client processes" + (f", gunicorn with {len(urls)} workers)" if urls else ")")
    print(f"{label}: {total} cycles in {elapsed:.2f} s = {total / elapsed:.1f} cycles/s "
          f"({6 * total / elapsed:.0f} requests/s)")
    steps = [sum(r[2][i] for r in results) / total * 1000 for i in range(len(STEPS))]
    print("  mean latency per step (ms): " + ", ".join(f"{s} {v:.1f}" for s, v in zip(STEPS, steps, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/ecms_bench")
    parser.add_argument("--mode", choices=["both", "inprocess", "http"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="client processes")
    parser.add_argument("--servers", type=int, default=2, help="hub server processes (http mode)")
    parser.add_argument("--cycles", type=int, default=200, help="cycles per client process")
    parser.add_argument("--cover-kb", type=int, default=100)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="ecms-bench-"))
    prepare_database(args.database_url)
    env = configure(args.database_url, tmp)
    setup_hub(args.workers)
    cover = b"%PDF-1.4\n" + os.urandom(args.cover_kb * 1024 - 9)
    db = "PostgreSQL" if args.database_url.startswith("postgres") else "SQLite"
    print(f"hub cycle bench: {db}, cover letter {args.cover_kb} KB, {os.cpu_count()} CPUs")
    if args.mode in ("both", "inprocess"):
        run("inprocess", args.workers, args.cycles, cover, [])
    if args.mode in ("both", "http"):
        procs, urls = start_servers(args.servers, env)
        try:
            run("http", args.workers, args.cycles, cover, urls)
        finally:
            for proc in procs:
                proc.terminate()
                proc.wait()


if __name__ == "__main__":
    main()
