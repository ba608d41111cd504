"""What a clerk does in one agency, run inside that agency's own process and database:
``python -m saraban.manage shell -c "from tests.e2e.ops import serve; serve()"`` reads one request per
line on stdin (``{"op": ..., "args": {...}}``) and answers one JSON line each, so that the test pays for
Django's start once per agency. ``E2E_OP``/``E2E_ARGS`` with ``main()`` run one operation.

Each operation calls the agency's services (the same the web pages call).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management import call_command


def _pdf(text: str) -> bytes:
    """A small PDF whose content stream holds ``text`` as it is (so a search for it finds it)."""
    from saraban.lib.pdf import minimal_pdf

    return minimal_pdf(text.encode())


def setup(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.accounts.demo import demo_agency_load
    from saraban.exchange import conf, crypto

    call_command("migrate", verbosity=0)
    demo_agency_load(key=args["key"])
    der = crypto.key_generate(conf.private_key_path(), bits=2048)
    import base64
    return {"public_key": base64.b64encode(der).decode()}


def send(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.accounts.demo import DEMO_PASSWORD
    from saraban.accounts.models import User
    from saraban.correspondence.enums import LetterKind
    from saraban.correspondence.models import Registry
    from saraban.outgoing.models import Delivery
    from saraban.outgoing.services import (
        DraftInput,
        RecipientInput,
        draft_check,
        draft_scan_create,
        draft_sign,
        draft_submit,
        letter_dispatch,
    )

    users = {u.username: u for u in User.objects.all()}
    officer = users["officer"]
    data = DraftInput(kind=LetterKind.EXTERNAL, subject=args["subject"], body="", recipient_text="อธิบดีกรมการปกครอง",
                      salutation="เรียน", closing="ขอแสดงความนับถือ", secrecy=int(args.get("secrecy", 0)))
    draft = draft_scan_create(actor=officer, owner_unit=officer.memberships.get().unit, data=data,
                              pdf=_pdf(args.get("body", "letter body")))
    draft_submit(actor=officer, draft=draft)
    draft_check(actor=users["unitclerk"], draft=draft, signer=users["director"])
    draft_sign(actor=users["director"], draft=draft, password=DEMO_PASSWORD)
    draft = letter_dispatch(actor=users["clerk"], draft=draft, registry=Registry.objects.get(is_central=True),
                            recipients=[RecipientInput(args["to_name"], Delivery.Channel.HUB, args["to"])])
    delivery = Delivery.objects.get(letter=draft.letter)
    return {"delivery": delivery.pk, "reference_no": draft.letter.reference_no}


def delivery(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.exchange.models import HubOutbound
    from saraban.outgoing.models import Delivery

    d = Delivery.objects.get(pk=args["id"])
    line = HubOutbound.objects.filter(delivery=d).first()
    return {"state": d.state, "receive_number": d.receive_number, "reason": d.reason, "is_problem": d.is_problem,
            "attempts": line.attempts if line else None, "message_id": line.message_id if line else None,
            "outbox_state": line.state if line else None, "hub_letter_id": line.hub_letter_id if line else None}


def waiting(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.correspondence import storage
    from saraban.correspondence.models import LetterFile
    from saraban.receiving.models import Reception

    out = []
    for r in Reception.objects.filter(letter__source="hub").select_related("letter").order_by("letter_id"):
        files = {f.role: f for f in r.letter.files.all()}
        marker = str(args.get("marker", "")).encode()
        contents = [storage.letter_file_bytes(f) for f in r.letter.files.all()
                    if f.role in (LetterFile.Role.ORIGINAL, LetterFile.Role.ATTACHMENT)]
        evidence = files.get(LetterFile.Role.EVIDENCE)
        out.append({
            "letter": r.letter.pk, "state": r.state, "subject": r.letter.subject,
            "reference_no": r.letter.reference_no, "secrecy": r.letter.secrecy,
            "has_marker": bool(marker) and any(marker in c for c in contents),
            "evidence_starts": storage.letter_file_bytes(evidence)[:200].decode("utf-8", "replace") if evidence else "",
            "files": sorted(f.role for f in r.letter.files.all()),
        })
    return {"letters": out}


def register(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.accounts.models import User
    from saraban.correspondence.models import Letter
    from saraban.exchange.wire import accept_id_for
    from saraban.receiving.services import incoming_letter_register

    entry = incoming_letter_register(actor=User.objects.get(username="clerk"),
                                     letter=Letter.objects.get(pk=args["letter"]), stamp=False)
    return {"accept_id": accept_id_for(entry)}


def reject(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.accounts.models import User
    from saraban.correspondence.models import Letter
    from saraban.receiving.services import incoming_letter_reject

    incoming_letter_reject(actor=User.objects.get(username="clerk"), letter=Letter.objects.get(pk=args["letter"]),
                           reason=args["reason"])
    return {}


def outbox(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.exchange.models import HubOutbound

    return {"lines": [{"kind": o.kind, "state": o.state, "attempts": o.attempts, "error": o.last_error}
                      for o in HubOutbound.objects.order_by("pk")]}


def inbound(args: dict[str, Any]) -> dict[str, Any]:
    from saraban.exchange.models import HubInbound

    return {"items": [{"type": i.item_type, "state": i.state, "reason": i.reason, "encrypted": i.encrypted}
                      for i in HubInbound.objects.order_by("pk")]}


OPS = {f.__name__: f for f in (setup, send, delivery, waiting, register, reject, outbox, inbound)}


def serve() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = {"ok": OPS[request["op"]](request.get("args") or {})}
        except Exception as exc:
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write("E2E-RESULT " + json.dumps(answer, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def main() -> None:
    result = OPS[os.environ["E2E_OP"]](json.loads(os.environ.get("E2E_ARGS") or "{}"))
    sys.stdout.write("E2E-RESULT " + json.dumps(result, ensure_ascii=False) + "\n")
