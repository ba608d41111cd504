"""Worker of the hub channel: send what is queued (with back-off), pull our queue on its schedule,
answer senders, and check on letters nobody pulled. SIGTERM finishes the current request, then exits."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.exchange.services import exchange_worker_cycle


class Command(BaseCommand):
    help = "ส่งหนังสือและแจ้งผลที่รอส่งไประบบกลาง (e-CMS) และดึงหนังสือจากคิวของหน่วยงาน"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one round (and pull) and exit")
        parser.add_argument("--interval", type=float, default=10.0,
                            help="seconds between rounds (default 10); pulls follow SARABAN_HUB_PULL_SECONDS")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()  # finish the request in flight, then leave

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stop.is_set():
            report = exchange_worker_cycle(stop=stop.is_set, force_pull=options["once"])
            line = (f"adopted {report.adopted}; sent {report.send.sent}, retrying {report.send.retrying}, "
                    f"failed {report.send.failed}")
            if report.pull is not None:
                line += (f"; pulled {report.pull.letters} letters, {report.pull.notifiers} notifiers, "
                         f"quarantined {report.pull.quarantined}")
                report.errors.extend(report.pull.errors)
            if report.errors:
                line += "; errors: " + " | ".join(report.errors)
            self.stdout.write(line)
            self.stdout.flush()
            if options["once"] or stop.wait(max(0.2, float(options["interval"]))):
                return
