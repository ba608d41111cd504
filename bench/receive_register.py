"""Receive registrations per second on PostgreSQL with concurrent clients.

One command (PostgreSQL at 127.0.0.1:5432, user postgres, trust):

    .venv/bin/python bench/receive_register.py [--letters 4000] [--clients 8]

It creates (and afterwards drops) a dedicated database ``saraban_bench_receive``, migrates it,
loads the demo agency, puts N letters waiting at the central registry, then starts C worker
processes that each register their share through ``receiving.services.incoming_letter_register``
(number, register line, audit record; the stamp is rendered separately, see the second figure).
It checks that the numbers are exactly 1..N and prints the rate.
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
DB_NAME = "saraban_bench_receive"
BASE_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "saraban.config.settings"
    os.environ["SARABAN_DATABASE_URL"] = f"{BASE_URL}/{DB_NAME}"
    os.environ.setdefault("SARABAN_VAR_DIR", tempfile.mkdtemp(prefix="saraban-bench-"))
    import django

    django.setup()


def _recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def _drop_database() -> None:
    import psycopg

    with psycopg.connect(f"{BASE_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _worker(letter_ids: list[int], batch: int, start: mp.synchronize.Event, out: mp.Queue) -> None:  # type: ignore[type-arg]
    _setup_django()
    from saraban.accounts.models import User
    from saraban.correspondence.models import Letter, Registry
    from saraban.receiving.services import incoming_letter_register, incoming_letters_register

    clerk = User.objects.get(username="clerk")
    clerk.memberships.all()  # warm the connection before the clock starts
    letters = list(Letter.objects.filter(pk__in=letter_ids).order_by("pk"))
    start.wait()
    central = Registry.objects.get(is_central=True)
    t0 = time.perf_counter()
    if batch > 1:
        for i in range(0, len(letters), batch):
            incoming_letters_register(actor=clerk, registry=central, letters=letters[i:i + batch])
    else:
        for letter in letters:
            incoming_letter_register(actor=clerk, letter=letter, stamp=False)
    out.put(time.perf_counter() - t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--batch", type=int, default=1,
                        help="letters per transaction (1: one clerk action per letter; >1: batch registration "
                             "of letters pulled from the hub or the mailbox)")
    parser.add_argument("--stamps", type=int, default=20, help="letters stamped for the second figure")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    _recreate_database()
    _setup_django()
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from saraban.accounts.demo import demo_agency_load
    from saraban.accounts.models import User
    from saraban.correspondence.models import Book, Letter, RegisterEntry, Registry
    from saraban.receiving.models import Reception

    demo_agency_load(key="a")
    central = Registry.objects.get(is_central=True)
    clerk = User.objects.get(username="clerk")
    letters = Letter.objects.bulk_create([
        Letter(direction=Letter.Direction.INCOMING, source=Letter.Source.PAPER, subject=f"หนังสือทดสอบที่ {i}",
               created_by=clerk, received_at=timezone.now())
        for i in range(args.letters)
    ])
    Reception.objects.bulk_create([Reception(letter=letter, registry=central) for letter in letters])
    ids = [letter.pk for letter in letters]
    connections.close_all()

    ctx = mp.get_context("spawn")
    start, out = ctx.Event(), ctx.Queue()
    procs = [
        ctx.Process(target=_worker, args=(ids[i::args.clients], args.batch, start, out)) for i in range(args.clients)
    ]
    for p in procs:
        p.start()
    time.sleep(3.0)  # let every worker import Django and connect
    t0 = time.perf_counter()
    start.set()
    for p in procs:
        p.join()
    wall = time.perf_counter() - t0
    numbers = sorted(
        RegisterEntry.objects.filter(registry=central, book=Book.RECEIVE).values_list("number", flat=True)
    )
    ok = numbers == list(range(1, args.letters + 1))
    mode = f"in batches of {args.batch}" if args.batch > 1 else "one per transaction"
    print(f"registrations ({mode}): {args.letters} by {args.clients} concurrent processes in {wall:.2f} s "
          f"= {args.letters / wall:.0f} registrations/s; numbers 1..{args.letters} without gap or repeat: {ok}")

    # Second figure: the stamped copy (WeasyPrint overlay + pypdf merge), one process.
    from saraban.lib.pdf import render_pdf
    from saraban.receiving.scans import IncomingFile
    from saraban.receiving.services import IncomingFiles, IncomingMetadata, paper_letter_receive

    pdf = render_pdf("<p>หนังสือทดสอบ</p>")
    t1 = time.perf_counter()
    for i in range(args.stamps):
        paper_letter_receive(actor=clerk, registry=central, metadata=IncomingMetadata(subject=f"สแกน {i}"),
                             files=IncomingFiles(document=IncomingFile("a.pdf", pdf, "application/pdf", 1)))
    stamp_wall = time.perf_counter() - t1
    print(f"paper letters with stamped copy: {args.stamps} in {stamp_wall:.2f} s = "
          f"{args.stamps / stamp_wall:.1f} letters/s (one process)")
    connections.close_all()
    if not args.keep:
        _drop_database()
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
