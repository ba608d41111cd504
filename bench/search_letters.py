#!/usr/bin/env python
"""Search latency over N letters, on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm GIN).

Generates N letters with Thai subjects and bodies drawn from PyThaiNLP's word list with a
Zipf-like frequency (common words are common, as in real correspondence), inserts them with
their pre-normalised index rows in bulk, then times ``letters_search`` for an auditor (sees
every letter) and a unit officer (sees their unit's letters) over random one- and two-word
queries, and prints the median and 95th percentile.

    .venv/bin/python bench/search_letters.py --letters 1000000            # both databases
    .venv/bin/python bench/search_letters.py --letters 100000 --db sqlite
    .venv/bin/python bench/search_letters.py --db postgres --database-url postgres://postgres@127.0.0.1:5432/saraban_bench

Each run starts from an empty database (SQLite file in a temporary folder, PostgreSQL database
dropped and created again).
"""

from __future__ import annotations

import argparse
import importlib
import itertools
import json
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
BATCH = 5000
# Secret letters are sealed as the model seals them, under this master key (stable, so that --reuse opens them).
BENCH_MASTER_KEY = "c2FyYWJhbi1iZW5jaC1tYXN0ZXIta2V5LTIwMjYtMTE="


def _setup(db: str, url: str, var_dir: str, reuse: bool) -> None:
    var = var_dir or tempfile.mkdtemp(prefix=f"saraban-bench-{db}-")
    os.environ["SARABAN_VAR_DIR"] = var
    os.environ["DJANGO_SETTINGS_MODULE"] = "saraban.config.settings"
    os.environ["SARABAN_MASTER_KEY"] = BENCH_MASTER_KEY
    print(f"{db}: data in {url if db == 'postgres' else var}")
    if db == "postgres" and not reuse:
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", admin, "-q", "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
        subprocess.run(["psql", admin, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    if db == "postgres":
        os.environ["SARABAN_DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _words(seed: int) -> tuple[list[str], list[float]]:
    from pythainlp.corpus import thai_words

    words = sorted(thai_words())
    random.Random(seed).shuffle(words)
    words = words[:20000]
    return words, list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))


def secret_seal(row: dict[str, object], pk: int) -> tuple[str, bytes | None]:
    """Seal a secret letter's row in place through the model (``Letter.seal_for_write``: masks in the
    columns, the text in ``sealed_fields`` under its own wrapped key); return its index text and sealed
    search text as ``records.services`` writes them."""
    from saraban.correspondence.models import Letter
    from saraban.records.services import letter_metadata_text, letter_sealed_search_text
    from saraban.records.textnorm import normalize

    letter = Letter(**{**row, "id": pk})
    letter.data_key()  # a new data key, wrapped with the master key
    sealed_text = letter_sealed_search_text(letter)
    text = normalize(letter_metadata_text(letter))
    letter.seal_for_write()
    row.update({f.attname: getattr(letter, f.attname) for f in Letter._meta.concrete_fields})
    return text, sealed_text


def _generate(n: int, seed: int) -> None:
    """Rows are built as plain tuples (no model instances) and written with COPY on PostgreSQL and
    executemany in large transactions on SQLite; the text indexes are built once at the end."""
    import datetime as dt

    from django.db import connection, transaction
    from django.utils import timezone
    from tqdm import tqdm

    from saraban.accounts.demo import demo_agency_load
    from saraban.accounts.models import OrgUnit, User
    from saraban.correspondence.models import Letter
    from saraban.records.models import LetterIndex
    from saraban.records.textnorm import normalize
    from saraban.records.textwords import text_words

    fts_migration = importlib.import_module("saraban.records.migrations.0002_search_fts")
    fts_insert_trigger = next(sql for sql in fts_migration.SQLITE_CREATE if "records_letter_fts_ai" in sql)
    demo_agency_load(key="a")
    rng = random.Random(seed)
    words, weights = _words(seed)
    units = list(OrgUnit.objects.filter(registries__isnull=False).values_list("pk", flat=True))
    clerk = User.objects.get(username="clerk")
    now = timezone.now()
    pg = connection.vendor == "postgresql"
    fields = list(Letter._meta.concrete_fields)
    columns = [connection.ops.quote_name(f.column) for f in fields]
    template = {f.attname: f.get_default() for f in fields}
    template.update(created_at=now, created_by_id=clerk.pk, kind="external")
    index_columns = ["letter_id", "text", "content_text", "direction", "kind", "speed", "secrecy", "letter_date",
                     "access_keys", "state", "error", "indexed_at", "sealed_text"] + (["words"] if pg else [])
    pool = multiprocessing.Pool() if pg else None  # the dictionary words of each text (records.textwords)
    first = (Letter.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def db(value: object) -> object:
        if pg or value is None or isinstance(value, (int, str, bytes)):
            return value
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None).isoformat(" ")
        return str(value)

    with connection.cursor() as cur:
        if pg:  # build the GIN index once after loading, not row by row
            cur.execute("DROP INDEX IF EXISTS records_letterindex_text_trgm")
            cur.execute("DROP INDEX IF EXISTS records_letterindex_words")
            # The generated rows refer to existing units and users: skip the per-row FK triggers.
            cur.execute("SET session_replication_role = replica")
            cur.execute("SET synchronous_commit = off")
        else:  # the FTS5 index is built once after loading (``rebuild``), not by the insert trigger
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-1000000")
            cur.execute("DROP TRIGGER IF EXISTS records_letter_fts_ai")
    t = time.perf_counter()
    with tqdm(total=n, unit="letter", mininterval=10) as bar:
        for start in range(first, first + n, BATCH):
            letter_rows, index_rows = [], []
            for pk in range(start, min(start + BATCH, first + n)):
                row = dict(template)
                row.update(
                    id=pk, direction=rng.choice(("in", "out", "internal")),
                    subject="".join(rng.choices(words, cum_weights=weights, k=rng.randint(4, 8)))[:500],
                    body=" ".join("".join(rng.choices(words, cum_weights=weights, k=rng.randint(3, 8)))
                                  for _ in range(6)),
                    reference_no=f"ดศ {rng.randint(100, 999)}/{rng.randint(1, 9999)}",
                    sender_text="".join(rng.choices(words, cum_weights=weights, k=3)),
                    speed=rng.choice((0, 0, 0, 1, 2, 3)), secrecy=rng.choice((0,) * 19 + (1,)),
                    owner_unit_id=rng.choice(units),
                    letter_date=dt.date(2015, 1, 1) + dt.timedelta(days=rng.randint(0, 3650)),
                )
                sealed_text: bytes | None = None
                if row["secrecy"]:
                    text, sealed_text = secret_seal(row, pk)
                else:
                    text = normalize("\n".join(p for p in (row["reference_no"], row["subject"], row["sender_text"],
                                                           row["body"]) if p))  # as letter_metadata_text
                letter_rows.append(tuple(db(row[f.attname]) for f in fields))
                index_rows.append([db(v) for v in (
                    pk, text, "", row["direction"], row["kind"], row["speed"], row["secrecy"], row["letter_date"],
                    # records.access keys: the owner unit and the creator (no registers or holders here)
                    json.dumps({f"u{row['owner_unit_id']}": 1, f"p{clerk.pk}": 1}),
                    LetterIndex.State.OK.value, "", now, sealed_text)])
            if pool is not None:
                for index_row, hashes in zip(index_rows, pool.map(text_words, [r[1] for r in index_rows],
                                                                  chunksize=500), strict=True):
                    index_row.append(hashes)
            with transaction.atomic(), connection.cursor() as cur:
                if pg:
                    raw = cur.cursor
                    for table, cols, rows in (("correspondence_letter", columns, letter_rows),
                                              ("records_letterindex", index_columns, index_rows)):
                        with raw.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                            for r in rows:
                                copy.write_row(r)
                else:
                    for table, cols, rows in (("correspondence_letter", columns, letter_rows),
                                              ("records_letterindex", index_columns, index_rows)):
                        marks = ", ".join(["%s"] * len(cols))
                        cur.executemany(f'INSERT INTO {table} ({", ".join(cols)}) VALUES ({marks})', rows)  # noqa: S608 - table and column names are constants
            bar.update(len(letter_rows))
    print(f"rows written in {time.perf_counter() - t:.0f} s")
    t = time.perf_counter()
    with connection.cursor() as cur:
        if pg:
            cur.execute("SET session_replication_role = DEFAULT")
            cur.execute("SELECT setval(pg_get_serial_sequence('correspondence_letter', 'id'), "
                        "(SELECT max(id) FROM correspondence_letter))")
            cur.execute("SET maintenance_work_mem = '2GB'")
            cur.execute("CREATE INDEX records_letterindex_text_trgm ON records_letterindex "
                        "USING gin (text gin_trgm_ops)")
            cur.execute("CREATE INDEX records_letterindex_words ON records_letterindex USING gin (words)")
            cur.execute("VACUUM ANALYZE records_letterindex")
            cur.execute("VACUUM ANALYZE correspondence_letter")
        else:
            cur.execute("INSERT INTO records_letter_fts(records_letter_fts) VALUES ('rebuild')")
            cur.execute(fts_insert_trigger)
            cur.execute("ANALYZE")
    print(f"text index built and statistics gathered in {time.perf_counter() - t:.0f} s")


def _warm() -> None:
    """Read the search tables once so that they are in the OS page cache, as on a server that
    searches all day (24 GB of memory hold the 2 GB index); the first cold queries of a run read
    the disk and are not what a user meets."""
    from django.conf import settings
    from django.db import connection

    t = time.perf_counter()
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
            for name in ("records_letterindex", "records_letterindex_pkey", "records_letterindex_text_trgm",
                         "records_letterindex_words", "correspondence_letter", "correspondence_letter_pkey"):
                cur.execute("SELECT pg_prewarm(%s, 'read')", [name])
    else:
        with open(settings.DATABASES["default"]["NAME"], "rb") as f:
            while f.read(1 << 24):
                pass
    print(f"search tables read into the page cache in {time.perf_counter() - t:.0f} s")


def _measure(queries: int, seed: int, fragments: bool) -> None:
    """With ``fragments`` each query word loses its first character: mostly not a dictionary word
    (as a name or a mistyped word), so the word index narrows it or leaves it to pg_trgm."""
    from pythainlp.corpus import thai_words

    from saraban.accounts.models import User
    from saraban.records.selectors import SearchQuery, letters_search

    rng = random.Random(seed + 1)
    words = sorted(thai_words())
    random.Random(seed).shuffle(words)
    words = words[:20000]
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    letters_search(user=User.objects.get(username="auditor"), query=SearchQuery(text="ประชุม"))  # loads newmm
    for username in ("auditor", "officer", "director"):  # director: cleared, pays the secret-letter scan
        user = User.objects.get(username=username)
        times: list[float] = []
        hits = 0
        for i in range(queries):
            picked = rng.choices(words, cum_weights=weights, k=1 + i % 2)
            text = " ".join(w[1:] if fragments and len(w) > 4 else w for w in picked)
            t = time.perf_counter()
            hits += len(letters_search(user=user, query=SearchQuery(text=text), limit=51))
            times.append((time.perf_counter() - t) * 1000)
        times.sort()
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{username:8s} {queries} queries: median {statistics.median(times):.1f} ms, "
              f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms, mean hits {hits / queries:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--letters", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/saraban_bench")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--var-dir", default="", help="SQLite: keep the database in this folder")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run generated")
    parser.add_argument("--fragments", action="store_true",
                        help="query fragments of words (mostly not dictionary words) instead of words")
    args = parser.parse_args()
    if args.db == "both":  # one process per database: Django is set up once per process
        for db in ("sqlite", "postgres"):
            subprocess.run([sys.executable, __file__, "--db", db, "--letters", str(args.letters),
                            "--queries", str(args.queries), "--database-url", args.database_url], check=True)
        return
    _setup(args.db, args.database_url, args.var_dir, args.reuse)
    if not args.reuse:
        t = time.perf_counter()
        _generate(args.letters, args.seed)
        print(f"{args.db}: {args.letters} letters generated in {time.perf_counter() - t:.0f} s")
    _warm()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    _measure(args.queries, args.seed, args.fragments)


if __name__ == "__main__":
    main()
