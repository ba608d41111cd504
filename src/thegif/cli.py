"""``thegif``: command line for agencies and testers, on top of ``thegif.client.HubClient``.

Connection settings come from options or THEGIF_URL / THEGIF_USERNAME / THEGIF_PASSWORD.
Results are printed as JSON; a fault prints its code and exits with status 2.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import sys
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from thegif import messages as m
from thegif.client import HubClient
from thegif.errors import ProtocolError

_BANGKOK = ZoneInfo("Asia/Bangkok")
_MIME_BY_SUFFIX = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".txt": "text/plain",
    ".xml": "text/xml",
    ".zip": "application/zip",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return None  # file content: written to --out, not printed
    return value


def _print(value: Any) -> None:
    print(json.dumps(_jsonable(value), ensure_ascii=False, indent=2))


def _client(args: argparse.Namespace) -> HubClient:
    if not (args.url and args.username and args.password):
        raise SystemExit("ต้องระบุ --url --username --password (หรือ THEGIF_URL, THEGIF_USERNAME, THEGIF_PASSWORD)")
    return HubClient(args.url, args.username, args.password, auth=args.auth, retries=args.retries)


def _binary(path: Path) -> m.BinaryObject:
    return m.BinaryObject.from_file(path, mime_code=_MIME_BY_SUFFIX.get(path.suffix.lower(), "application/pdf"))


def cmd_send(args: argparse.Namespace) -> Any:
    letter = m.CorrespondenceLetter(
        id=args.id,
        correspondence_date=date.fromisoformat(args.date),
        subject=args.subject,
        secret_code=args.secret,
        speed_code=args.speed,
        sender=m.Party(
            ministry_id=args.from_ministry,
            department_id=args.from_department,
            given_name=args.sender_given_name,
            family_name=args.sender_family_name,
            job_title=args.sender_job_title,
        ),
        receiver=m.Party(ministry_id=args.to_ministry, department_id=args.to_department, job_title=args.to_job_title),
        main_letter=_binary(Path(args.cover)),
        attachment_text=args.attachment_text,
        description=args.description,
        send_date=datetime.now(_BANGKOK).date(),
        attachments=[_binary(Path(p)) for p in args.attach],
    )
    return _client(args).send_letter(letter, message_id=args.message_id)


def cmd_pull(args: argparse.Namespace) -> Any:
    result = _client(args).pull(message_id=args.message_id)
    item = result.item
    if item is not None and isinstance(item.content, m.CorrespondenceLetter):
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for index, obj in enumerate(item.content.binaries()):
            if obj.path is None:
                continue
            target = out / f"{item.letter_id}-{index}-{Path(obj.file_name or 'file').name}"
            shutil.move(str(obj.path), target)
            obj.path = target
    return result


def _notifier(args: argparse.Namespace, kind: m.ItemType) -> Any:
    notifier = m.Notifier(
        kind=kind,
        letter_id=args.letter_id,
        correspondence_date=date.fromisoformat(args.date),
        subject=args.subject,
        accept_id=getattr(args, "accept_id", None),
        description=getattr(args, "reason", None),
    )
    return _client(args).notify(notifier, message_id=args.message_id)


def cmd_delete(args: argparse.Namespace) -> Any:
    return _client(args).delete(args.process_id, message_id=args.message_id)


def cmd_delete_letter(args: argparse.Namespace) -> Any:
    request = m.DeleteGovernmentDocumentRequest(
        letter_id=args.letter_id,
        correspondence_date=date.fromisoformat(args.date),
        sender_department=args.from_department,
        accept_department=args.to_department,
    )
    return _client(args).delete_letter(request, message_id=args.message_id)


def cmd_directory(args: argparse.Namespace) -> Any:
    client = _client(args)
    return client.ministries() if args.ministries else client.organizations(args.ministry)


def cmd_codes(args: argparse.Namespace) -> Any:
    client = _client(args)
    return {"secret": client.secret_codes, "speed": client.speed_codes, "mime": client.mime_codes}[args.table]()


def cmd_status(args: argparse.Namespace) -> Any:
    return _client(args).outbound_status(args.letter_id)


def cmd_time(args: argparse.Namespace) -> Any:
    return _client(args).time_check()


def _letter_ref(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("letter_id", help="LetterID given by the hub")
    parser.add_argument("--date", required=True, help="CorrespondenceDate, YYYY-MM-DD")
    parser.add_argument("--subject", required=True)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="thegif", description="e-CMS 2.0 client")
    parser.add_argument("--url", default=os.environ.get("THEGIF_URL"), help="service URL")
    parser.add_argument("--username", default=os.environ.get("THEGIF_USERNAME"))
    parser.add_argument("--password", default=os.environ.get("THEGIF_PASSWORD"))
    parser.add_argument("--auth", choices=["basic", "wsse"], default="basic")
    parser.add_argument("--retries", type=int, default=3, help="retries on connection errors (same MessageID)")
    parser.add_argument("--message-id", help="wsa:MessageID to use (to retry by hand)")
    sub = parser.add_subparsers(dest="command", required=True)

    send = sub.add_parser("send", help="send a letter")
    send.add_argument("--id", required=True, help="ที่ of the letter, e.g. 'นร 0105/123'")
    send.add_argument("--date", required=True, help="CorrespondenceDate, YYYY-MM-DD")
    send.add_argument("--subject", required=True)
    send.add_argument("--secret", default="001", choices=sorted(m.SECRET_CODES))
    send.add_argument("--speed", default="001", choices=sorted(m.SPEED_CODES))
    send.add_argument("--from-ministry", required=True)
    send.add_argument("--from-department", required=True)
    send.add_argument("--sender-given-name")
    send.add_argument("--sender-family-name")
    send.add_argument("--sender-job-title")
    send.add_argument("--to-ministry", required=True)
    send.add_argument("--to-department", required=True)
    send.add_argument("--to-job-title")
    send.add_argument("--cover", required=True, help="cover letter PDF")
    send.add_argument("--attach", action="append", default=[], help="enclosure file (repeatable)")
    send.add_argument("--attachment-text", help="text list of enclosures (สิ่งที่ส่งมาด้วย)")
    send.add_argument("--description")
    send.set_defaults(func=cmd_send)

    pull = sub.add_parser("pull", help="pull the next waiting item (files are written to --out)")
    pull.add_argument("--out", default=".")
    pull.set_defaults(func=cmd_pull)

    for name, kind, extra in (
        ("receive", m.ItemType.RECEIVE, None),
        ("accept", m.ItemType.ACCEPT, "accept_id"),
        ("reject", m.ItemType.REJECT, "reason"),
        ("invalid", m.ItemType.INVALID, "reason"),
        ("invalid-accept-id", m.ItemType.INVALID_ACCEPT_ID, "accept_id"),
    ):
        notify = sub.add_parser(name, help=f"send {kind.value}")
        _letter_ref(notify)
        if extra == "accept_id":
            notify.add_argument("--accept-id", required=True, help="receive number (เลขรับ)")
        elif extra == "reason":
            notify.add_argument("--reason", required=True)
        notify.set_defaults(func=lambda a, k=kind: _notifier(a, k))

    delete = sub.add_parser("delete", help="remove a stored item from my queue")
    delete.add_argument("process_id")
    delete.set_defaults(func=cmd_delete)

    delete_letter = sub.add_parser("delete-letter", help="withdraw a letter I sent")
    delete_letter.add_argument("letter_id")
    delete_letter.add_argument("--date", required=True)
    delete_letter.add_argument("--from-department", required=True)
    delete_letter.add_argument("--to-department", required=True)
    delete_letter.set_defaults(func=cmd_delete_letter)

    directory = sub.add_parser("directory", help="agencies and their codes")
    directory.add_argument("--ministries", action="store_true", help="list ministries only")
    directory.add_argument("--ministry", help="departments of this ministry")
    directory.set_defaults(func=cmd_directory)

    codes = sub.add_parser("codes", help="code tables")
    codes.add_argument("table", choices=["secret", "speed", "mime"])
    codes.set_defaults(func=cmd_codes)

    status = sub.add_parser("status", help="status of letters I sent")
    status.add_argument("letter_id", nargs="?")
    status.set_defaults(func=cmd_status)

    time_check = sub.add_parser("time", help="the hub's clock")
    time_check.set_defaults(func=cmd_time)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        _print(args.func(args))
    except ProtocolError as error:
        print(f"{error.code}: {error.message}", file=sys.stderr)
        return 2
    except requests.RequestException as error:
        print(f"ติดต่อระบบกลางไม่ได้: {error}", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
