"""Dispatches of signed letters per second on PostgreSQL.

One command (PostgreSQL at 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python bench/send_dispatch.py [--letters 60] [--clients 2]

It creates (and afterwards drops) a dedicated database ``saraban_bench_send``, migrates it, loads
the demo agency and prepares N signed drafts (the setup marks them signed directly; signing is not
measured). Then C worker processes dispatch their share through ``outgoing.services.letter_dispatch``
exactly as the clerk's page does: send number, register line, issued PDF and file copy (WeasyPrint),
a cover letter for the hub recipient, one delivery per recipient (hub + post), audit records, and
the search index of the letter after commit. A second figure dispatches scanned paper letters to
paper recipients (no PDF is rendered: number, register, deliveries, audit, index). It checks that
the send numbers are exactly 1..N and prints the rates.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))
DB_NAME = "saraban_bench_send"
BASE_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "saraban.config.settings"
    os.environ["SARABAN_DATABASE_URL"] = f"{BASE_URL}/{DB_NAME}"
    os.environ.setdefault("SARABAN_VAR_DIR", tempfile.mkdtemp(prefix="saraban-bench-"))
    import django

    django.setup()


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _worker(draft_ids: list[int], scanned: bool, start: mp.synchronize.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    _setup_django()
    from saraban.accounts.models import User
    from saraban.correspondence.models import Registry
    from saraban.outgoing.models import Delivery, Draft
    from saraban.outgoing.services import RecipientInput, letter_dispatch

    clerk = User.objects.get(username="clerk")
    clerk.memberships.all()  # warm the connection before the clock starts
    central = Registry.objects.get(is_central=True)
    drafts = list(Draft.objects.filter(pk__in=draft_ids).order_by("pk"))
    if scanned:
        recipients = [RecipientInput("กรมการปกครอง", Delivery.Channel.POST, "ถนนอัษฎางค์ กรุงเทพมหานคร"),
                      RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.MESSENGER)]
    else:
        recipients = [RecipientInput("สำนักงานสถิติแห่งชาติ", Delivery.Channel.HUB, "0601000000"),
                      RecipientInput("กรมการปกครอง", Delivery.Channel.POST, "ถนนอัษฎางค์ กรุงเทพมหานคร")]
    start.wait()
    t0 = time.perf_counter()
    for draft in drafts:
        letter_dispatch(actor=clerk, draft=draft, registry=central, recipients=recipients)
    out.put(time.perf_counter() - t0)


def _prepare(count: int, *, scanned: bool) -> list[int]:
    from django.utils import timezone

    from saraban.accounts.models import User
    from saraban.correspondence.enums import LetterKind
    from saraban.lib.pdf import render_pdf
    from saraban.outgoing.models import Draft
    from saraban.outgoing.services import DraftInput, draft_create, draft_scan_create

    officer, director = User.objects.get(username="officer"), User.objects.get(username="director")
    unit = officer.memberships.get().unit
    ids = []
    scan = render_pdf("<p>หนังสือกระดาษที่สแกน</p>")  # rendered once in the setup, stored with each draft
    for i in range(count):
        data = DraftInput(kind=LetterKind.EXTERNAL, subject=f"ขอความอนุเคราะห์ข้อมูล ครั้งที่ {i}",
                          body="ด้วยกองยุทธศาสตร์และแผนงานขอความอนุเคราะห์ข้อมูลสถิติ\nจึงเรียนมาเพื่อโปรดพิจารณา",
                          recipient_text="ผู้อำนวยการสำนักงานสถิติแห่งชาติ", salutation="เรียน",
                          closing="ขอแสดงความนับถือ")
        draft = (draft_scan_create(actor=officer, owner_unit=unit, data=data, pdf=scan) if scanned
                 else draft_create(actor=officer, owner_unit=unit, data=data))
        ids.append(draft.pk)
    Draft.objects.filter(pk__in=ids).update(state=Draft.State.SIGNED, signer=director, checker=officer,
                                            signed_at=timezone.now())
    return ids


def _run(ids: list[int], *, clients: int, scanned: bool) -> float:
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(ids[i::clients], scanned, start, out)) for i in range(clients)]
    for p in procs:
        p.start()
    time.sleep(4.0)  # let every worker import Django and connect
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=60, help="drafted letters dispatched")
    parser.add_argument("--scanned", type=int, default=200, help="scanned paper letters dispatched")
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")
    _setup_django()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    from saraban.accounts.demo import demo_agency_load
    from saraban.correspondence.models import Book, RegisterEntry, Registry

    demo_agency_load(key="a")
    central = Registry.objects.get(is_central=True)
    drafted = _prepare(args.letters, scanned=False)
    wall = _run(drafted, clients=args.clients, scanned=False)
    numbers = sorted(RegisterEntry.objects.filter(registry=central, book=Book.SEND).values_list("number", flat=True))
    ok = numbers == list(range(1, args.letters + 1))
    print(f"drafted letters dispatched (number, register, issued PDF + file copy + hub cover, 2 deliveries, "
          f"index): {args.letters} by {args.clients} processes in {wall:.2f} s = {args.letters / wall:.2f} "
          f"dispatches/s; send numbers 1..{args.letters} without gap or repeat: {ok}")
    scanned = _prepare(args.scanned, scanned=True)
    wall = _run(scanned, clients=args.clients, scanned=True)
    total = args.letters + args.scanned
    numbers = sorted(RegisterEntry.objects.filter(registry=central, book=Book.SEND).values_list("number", flat=True))
    ok = ok and numbers == list(range(1, total + 1))
    print(f"scanned letters dispatched on paper (number, register, 2 deliveries, index; no rendering): "
          f"{args.scanned} by {args.clients} processes in {wall:.2f} s = {args.scanned / wall:.1f} dispatches/s; "
          f"send numbers 1..{total} without gap or repeat: {ok}")
    connections.close_all()
    if not args.keep:
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
