"""Worker of the official e-mail channel: send queued e-mail, read the central mailbox, repeat."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from saraban.mail.services import mail_worker_cycle


class Command(BaseCommand):
    help = "ส่งไปรษณีย์อิเล็กทรอนิกส์ที่รอส่ง (SMTP) และรับหนังสือจากกล่องจดหมายกลาง (IMAP)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run one round and exit")
        parser.add_argument("--interval", type=int, default=60, help="seconds between rounds (default 60)")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: FrameType | None) -> None:
            stop.set()  # finish the current message, then leave

        if not options["once"]:
            signal.signal(signal.SIGTERM, on_signal)
            signal.signal(signal.SIGINT, on_signal)
        while True:
            sent, fetched = mail_worker_cycle()
            line = f"sent {sent.sent}, retrying {sent.retrying}, failed {sent.failed}"
            if fetched is not None:
                line += f"; imported {fetched.imported}, quarantined {fetched.quarantined}"
            self.stdout.write(line)
            if options["once"] or stop.wait(max(1, int(options["interval"]))):
                return
