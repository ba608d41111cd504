"""Worker of the hub channel: send what is queued (with back-off), pull our queue on its schedule,
answer senders, and check on letters nobody pulled. SIGTERM finishes the current request, then exits."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections

from saraban.exchange import conf
from saraban.exchange.services import HubNotConfiguredError, exchange_worker_cycle

log = logging.getLogger(__name__)


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

        if not conf.configured():
            raise CommandError(HubNotConfiguredError.default_message)
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while not stop.is_set():
            try:
                report = exchange_worker_cycle(stop=stop.is_set, force_pull=options["once"])
            except Exception:
                if options["once"]:
                    raise
                # a busy database or a bug in one round must not stop the channel: log, wait, go on
                log.exception("exchange worker round failed")
                close_old_connections()
                if stop.wait(max(1.0, float(options["interval"]))):
                    return
                continue
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
