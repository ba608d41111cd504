"""Access-control matrix: every URL pattern of the agency system, requested as every role.

The test walks the URL resolver, fills path parameters with ids of objects made here, and
compares each answer with the decision table below. A URL pattern without a row fails the test,
so a new page cannot ship without someone deciding who may open it.

GET is sent to every URL. Where a view accepts POST only (GET answers 405 for somebody), an
empty POST is sent as well, inside a savepoint rolled back after the request, so one role's
request never changes what the next role sees. Set SECURITY_MATRIX_DUMP=1 to print the
observed table (to review a change, never to copy blindly).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from saraban.accounts.models import Membership, OrgUnit, Role, User
from saraban.correspondence.enums import LetterKind, Secrecy
from saraban.correspondence.models import Letter
from saraban.outgoing.models import Delivery
from saraban.outgoing.services import (
    DraftInput,
    RecipientInput,
    draft_check,
    draft_create,
    draft_sign,
    draft_submit,
    letter_dispatch,
)
from saraban.receiving.models import Holding
from saraban.receiving.services import (
    IncomingFiles,
    IncomingMetadata,
    incoming_letter_create,
    incoming_letter_register,
    letter_forward,
)
from tests.saraban.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # ~1,300 requests: about 45 s on SQLite

ROLES = ("anon", "admin", "clerk", "unitclerk", "officer", "director", "secretary", "auditor", "outsider",
         "uncleared")
MISSING = 999_999

# Decision table: "<url name>[ <variant>] <METHOD>" -> expected status per role, in ROLES order:
#   anon admin clerk unitclerk officer director secretary auditor outsider uncleared
# outsider: an officer of another division of the same agency; uncleared: a central clerk of the
# same registry without clearance for secret letters (the "secret" variant uses a secret letter).
# 302 for anon is the sign-in redirect; 302 for a signed-in user is the view's own redirect.
DECISIONS: dict[str, str] = {
    "web-home GET": "302 200 200 200 200 200 200 200 200 200",
    "web-healthz GET": "200 200 200 200 200 200 200 200 200 200",
    "set_language GET": "302 302 302 302 302 302 302 302 302 302",
    # the admin site: agency administrators only; everybody else goes to the admin sign-in
    "saraban-admin:index GET": "302 200 302 302 302 302 302 302 302 302",
    # The admin site has no sign-in of its own: it sends everyone to the one sign-in (2FA, throttling).
    "saraban-admin:login GET": "302 302 302 302 302 302 302 302 302 302",
    "saraban-admin:logout GET": "302 405 302 302 302 302 302 302 302 302",
    "saraban-admin:logout POST": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:password_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:password_change_done GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:autocomplete GET": "302 403 302 302 302 302 302 302 302 302",
    "saraban-admin:jsi18n GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:view_on_site GET": "302 404 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_ministry_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_ministry_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_ministry_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_ministry_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_ministry_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:<unnamed <path:object_id>/> GET": "302 302 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_province_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_province_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_province_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_province_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_province_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_orgunit_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_orgunit_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_orgunit_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_orgunit_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_orgunit_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_agencyprofile_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_agencyprofile_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_agencyprofile_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_agencyprofile_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_agencyprofile_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:auth_user_password_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_user_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_user_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_user_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_user_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:accounts_user_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:correspondence_registry_changelist GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:correspondence_registry_add GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:correspondence_registry_history GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:correspondence_registry_delete GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:correspondence_registry_change GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:app_list GET": "302 200 302 302 302 302 302 302 302 302",
    "saraban-admin:<unnamed (?P<url>.*)$> GET": "302 404 302 302 302 302 302 302 302 302",
    "accounts-login GET": "200 200 200 200 200 200 200 200 200 200",
    "accounts-logout GET": "405 405 405 405 405 405 405 405 405 405",
    "accounts-logout POST": "302 302 302 302 302 302 302 302 302 302",
    "accounts-password-change GET": "302 200 200 200 200 200 200 200 200 200",
    "accounts-2fa-enrol GET": "302 200 200 200 200 200 200 200 200 200",
    "accounts-2fa-verify GET": "302 302 302 302 302 302 302 302 302 302",
    "accounts-2fa-recovery-codes GET": "302 405 405 405 405 405 405 405 405 405",
    "accounts-2fa-recovery-codes POST": "302 409 409 409 409 409 409 409 409 409",
    "accounts-2fa-disable GET": "302 405 405 405 405 405 405 405 405 405",
    # admin and director must keep a second factor (policy): 403; others have none to remove: 409
    "accounts-2fa-disable POST": "302 403 409 409 409 403 409 409 409 409",
    "accounts-2fa-policy GET": "302 200 403 403 403 403 403 403 403 403",
    "accounts-2fa-reset GET": "302 405 403 403 403 403 403 403 403 403",
    "accounts-2fa-reset POST": "302 409 403 403 403 403 403 403 403 403",
    "corr-receive-register GET": "302 403 200 200 403 200 200 403 403 200",
    "corr-send-register GET": "302 403 200 200 200 200 403 403 403 403",
    "corr-receive-register-export GET": "302 403 200 200 403 404 404 403 403 200",
    "corr-send-register-export GET": "302 403 200 200 404 404 403 403 403 403",
    "rcv-inbox GET": "302 200 200 200 200 200 200 200 200 200",
    "rcv-receive-create GET": "302 403 200 200 403 200 200 403 403 200",
    # admin: a member of the central division sees letters that division owns (see docs/SECURITY.md)
    "rcv-letter-detail GET": "302 200 200 200 200 404 404 200 404 200",
    # secret letter: only the cleared central clerk and the executive it was forwarded to
    "rcv-letter-detail secret GET": "302 404 200 404 404 200 404 404 404 404",
    "rcv-letter-file GET": "302 200 200 200 200 404 404 200 404 200",
    "rcv-letter-file secret GET": "302 404 200 404 404 200 404 404 404 404",
    "rcv-letter-register GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-letter-register POST": "302 403 409 404 403 404 404 403 403 409",
    "rcv-letter-reject GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-letter-reject POST": "302 403 400 404 403 404 404 403 403 400",
    "rcv-letter-stamp GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-letter-stamp POST": "302 403 302 404 403 404 404 403 403 302",
    "rcv-letter-forward GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-letter-forward POST": "302 302 302 302 302 404 404 302 404 302",
    "rcv-letter-forward secret GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-letter-forward secret POST": "302 404 302 404 404 302 404 404 404 404",
    "rcv-holding-endorse GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-holding-endorse POST": "302 404 404 302 302 404 404 404 404 404",
    "rcv-holding-endorse secret GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-holding-endorse secret POST": "302 404 404 404 404 302 404 404 404 404",
    "rcv-holding-register GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-holding-register POST": "302 403 404 404 403 404 404 403 403 404",
    "rcv-holding-state GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-holding-state POST": "302 404 404 302 302 404 404 404 404 404",
    "rcv-inbox-check GET": "405 405 405 405 405 405 405 405 405 405",
    "rcv-inbox-check POST": "302 403 302 404 403 404 404 403 403 302",
    "out-inbox GET": "302 200 200 200 200 200 200 200 200 200",
    "out-draft-create GET": "302 403 200 200 200 200 403 403 403 403",
    "out-draft-scan GET": "302 403 200 200 200 200 403 403 403 403",
    "out-problems GET": "302 403 200 200 200 200 403 403 403 403",
    "out-draft-detail GET": "302 404 404 200 200 404 404 200 404 404",
    "out-draft-edit GET": "302 404 404 200 403 404 404 403 404 404",
    "out-draft-preview GET": "302 404 404 200 200 404 404 200 404 404",
    "out-draft-file GET": "302 200 200 200 200 200 404 200 404 200",
    "out-draft-submit GET": "405 405 405 405 405 405 405 405 405 405",
    "out-draft-submit POST": "302 403 404 403 409 404 403 403 403 403",
    "out-draft-return GET": "405 405 405 405 405 405 405 405 405 405",
    "out-draft-return POST": "302 404 404 400 403 404 404 403 404 404",
    "out-draft-check GET": "405 405 405 405 405 405 405 405 405 405",
    "out-draft-check POST": "302 404 404 400 403 404 404 403 404 404",
    "out-draft-sign GET": "405 405 405 405 405 405 405 405 405 405",
    "out-draft-sign POST": "302 404 404 403 403 404 404 403 404 404",
    "out-letter-dispatch GET": "302 403 404 403 403 404 403 403 403 403",
    "out-delivery-resolve GET": "405 405 405 405 405 405 405 405 405 405",
    # the director signed the dispatched letter, so may see its deliveries (ac1cefc)
    "out-delivery-resolve POST": "302 403 302 302 302 302 403 403 403 403",
    "records-search GET": "302 200 200 200 200 200 200 200 200 200",
    "records-storage GET": "302 200 200 403 403 200 403 200 403 200",
    "records-storage-send GET": "302 403 200 200 403 403 403 403 403 200",
    # records and mail rows use ids of nothing: 403 = refused before the lookup, 404 = reached it
    "records-transfer GET": "302 404 404 404 404 404 404 404 404 404",
    "records-transfer-accept GET": "405 405 405 405 405 405 405 405 405 405",
    "records-transfer-accept POST": "302 403 404 403 403 403 403 403 403 404",
    "records-loans GET": "302 200 200 200 200 200 200 200 200 200",
    "records-loan-request GET": "302 404 404 404 404 404 404 404 404 404",
    "records-loan-decide GET": "405 405 405 405 405 405 405 405 405 405",
    "records-loan-decide POST": "302 404 404 404 404 404 404 404 404 404",
    "records-loan-return GET": "405 405 405 405 405 405 405 405 405 405",
    "records-loan-return POST": "302 403 404 403 403 403 403 403 403 404",
    "records-destruction GET": "302 403 200 403 403 403 403 403 403 200",
    "records-destruction-create GET": "405 405 405 405 405 405 405 405 405 405",
    "records-destruction-create POST": "302 403 400 403 403 403 403 403 403 400",
    "records-destruction-batch GET": "302 403 404 403 403 403 403 403 403 404",
    "records-destruction-step GET": "405 405 405 405 405 405 405 405 405 405",
    "records-destruction-step POST": "302 403 404 403 403 403 403 403 403 404",
    "records-twenty GET": "302 403 200 403 403 403 403 403 403 200",
    "records-twenty-pdf GET": "302 403 404 403 403 403 403 403 403 404",
    "records-deposits GET": "302 403 200 403 403 403 403 403 403 200",
    "records-deposit-pdf GET": "302 403 404 403 403 403 403 403 403 404",
    "mail-home GET": "302 403 200 403 403 403 403 403 403 200",
    "mail-check GET": "405 405 405 405 405 405 405 405 405 405",
    "mail-check POST": "302 403 302 403 403 403 403 403 403 302",
    "mail-inbound-raw GET": "302 403 404 403 403 403 403 403 403 404",
    "mail-inbound-handle GET": "405 405 405 405 405 405 405 405 405 405",
    "mail-inbound-handle POST": "302 403 404 403 403 403 403 403 403 404",
    # the hub channel's page and pull button: central clerks only (inbound id points at nothing)
    "exchange-home GET": "302 403 200 403 403 403 403 403 403 200",
    "exchange-pull GET": "405 405 405 405 405 405 405 405 405 405",
    "exchange-pull POST": "302 403 302 403 403 403 403 403 403 302",
    "exchange-inbound-xml GET": "302 403 404 403 403 403 403 403 403 404",
}


@dataclass(frozen=True)
class Target:
    key: str
    path: str
    method: str


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def _patterns(resolver: URLResolver, prefix: str = "", ns: str = "") -> Iterator[tuple[str, str]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            inner = ns + (f"{p.namespace}:" if p.namespace else "")
            yield from _patterns(p, prefix + str(p.pattern), inner)
        elif isinstance(p, URLPattern):
            yield ns + (p.name or f"<unnamed {p.pattern}>"), prefix + str(p.pattern)


def _incoming(cast: Cast, subject: str, secrecy: int = Secrecy.NORMAL) -> Letter:
    letter = incoming_letter_create(
        actor=None, registry=cast.central, source=Letter.Source.HUB,
        metadata=IncomingMetadata(subject=subject, secrecy=secrecy),
        files=IncomingFiles(evidence=b"<xml/>"), channel_ref=f"MSG-{subject}", reply_to="1503000000",
    )
    incoming_letter_register(actor=cast.clerk, letter=letter, stamp=False)
    return letter


def _world(cast: Cast) -> dict[str, dict[str, object]]:
    """Objects every parameterised URL points at; returns path parameters per URL name/variant."""
    other_unit = OrgUnit.objects.exclude(pk__in=[cast.central.unit_id, cast.unit_registry.unit_id]).filter(
        parent__isnull=False).exclude(memberships__user__in=[cast.officer, cast.director]).first()
    assert other_unit is not None
    outsider = User.objects.create_user(username="outsider", password=cast.password, can_open=True)
    Membership.objects.create(user=outsider, unit=other_unit, role=Role.OFFICER)
    uncleared = User.objects.create_user(username="uncleared", password=cast.password, can_open=True,
                                         can_receive=True, clearance=Secrecy.NORMAL)
    Membership.objects.create(user=uncleared, unit=cast.central.unit, role=Role.CENTRAL_CLERK)

    letter = _incoming(cast, "ขอเชิญประชุม")
    secret = _incoming(cast, "เรื่องลับ", Secrecy.SECRET)
    (holding,) = letter_forward(actor=cast.clerk, letter=letter, units=[cast.unit_registry.unit])
    (secret_holding,) = letter_forward(actor=cast.clerk, letter=secret, users=[cast.director])

    unit = cast.officer.memberships.get().unit
    data = DraftInput(kind=LetterKind.EXTERNAL, subject="ขอความอนุเคราะห์ข้อมูล", body="ด้วย\nจึงเรียนมา",
                      recipient_text="อธิบดีกรมการปกครอง", salutation="เรียน", closing="ขอแสดงความนับถือ")
    draft = draft_create(actor=cast.officer, owner_unit=unit, data=data)
    draft_submit(actor=cast.officer, draft=draft)
    sent = draft_create(actor=cast.officer, owner_unit=unit, data=data)
    draft_submit(actor=cast.officer, draft=sent)
    draft_check(actor=cast.unitclerk, draft=sent, signer=cast.director)
    draft_sign(actor=cast.director, draft=sent, password=cast.password)
    recipients = [RecipientInput("กรมการปกครอง", Delivery.Channel.POST, "ถนนอัษฎางค์")]
    sent = letter_dispatch(actor=cast.clerk, draft=sent, registry=cast.central, recipients=recipients)
    sent_file = sent.letter.files.first()
    delivery = Delivery.objects.first()
    assert sent_file is not None and delivery is not None

    file = letter.files.first()
    secret_file = secret.files.first()
    assert file is not None and secret_file is not None
    return {
        "rcv-letter-detail": {"pk": letter.pk},
        "rcv-letter-detail secret": {"pk": secret.pk},
        "rcv-letter-file": {"pk": letter.pk, "file_id": file.pk},
        "rcv-letter-file secret": {"pk": secret.pk, "file_id": secret_file.pk},
        "rcv-letter-register": {"pk": letter.pk},
        "rcv-letter-reject": {"pk": letter.pk},
        "rcv-letter-stamp": {"pk": letter.pk},
        "rcv-letter-forward": {"pk": letter.pk},
        "rcv-letter-forward secret": {"pk": secret.pk},
        "rcv-holding-endorse": {"pk": holding.pk},
        "rcv-holding-endorse secret": {"pk": secret_holding.pk},
        "rcv-holding-register": {"pk": holding.pk},
        "rcv-holding-state": {"pk": holding.pk, "state": Holding.State.ACKNOWLEDGED},
        "rcv-inbox-check": {"registry_id": cast.central.pk},
        "corr-receive-register-export": {"fmt": "csv"},
        "corr-send-register-export": {"fmt": "csv"},
        "out-draft-detail": {"pk": draft.pk},
        "out-draft-edit": {"pk": draft.pk},
        "out-draft-preview": {"pk": draft.pk},
        "out-draft-file": {"pk": sent.pk, "file_id": sent_file.pk},
        "out-draft-submit": {"pk": draft.pk},
        "out-draft-return": {"pk": draft.pk},
        "out-draft-check": {"pk": draft.pk},
        "out-draft-sign": {"pk": draft.pk},
        "out-letter-dispatch": {"pk": draft.pk},
        "out-delivery-resolve": {"pk": delivery.pk},
        "accounts-2fa-reset": {"user_id": cast.officer.pk},
        # Records and mail objects are not made here: their ids point at nothing, so the table
        # decides who is refused before the lookup (403) and who reaches it (404).
        "records-transfer": {"pk": MISSING},
        "records-transfer-accept": {"pk": MISSING},
        "records-loan-request": {"record_pk": MISSING},
        "records-loan-decide": {"pk": MISSING},
        "records-loan-return": {"pk": MISSING},
        "records-destruction-batch": {"pk": MISSING},
        "records-destruction-step": {"pk": MISSING, "step": "decide"},
        "records-twenty-pdf": {"pk": MISSING},
        "records-deposit-pdf": {"pk": MISSING},
        "mail-inbound-raw": {"pk": MISSING},
        "mail-inbound-handle": {"pk": MISSING},
    }


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
_ADMIN_PARAMS = {"content_type_id": "1", "object_id": "1", "id": "1", "app_label": "accounts", "url": "nothing/"}


def _fill(route: str, params: dict[str, object]) -> str:
    route = route.replace("^", "").replace("$", "")
    route = re.sub(r"\(\?P<app_label>[^)]*\)", "accounts", route)
    route = re.sub(r"\(\?P<url>\.\*\)", "nothing/", route)
    return "/" + _PARAM.sub(lambda m: str(params.get(m.group(2), _ADMIN_PARAMS.get(m.group(2), MISSING))), route)


_ADMIN_OBJECT_URL = re.compile(r"^saraban-admin:([a-z]+)_([a-z]+)_(change|delete|history|password_change)$")


def _admin_object_params(name: str) -> dict[str, object]:
    """The id of a real object of the model an admin URL is about (ids differ between databases:
    PostgreSQL does not restart its sequences between tests)."""
    match = _ADMIN_OBJECT_URL.match(name)
    if match is None:
        return {}
    from django.apps import apps

    app_label, model_name = match.group(1), match.group(2)
    model = apps.get_model("accounts" if app_label == "auth" else app_label, model_name)
    first = model._default_manager.order_by("pk").first()
    pk = str(first.pk) if first is not None else MISSING
    return {"object_id": pk, "id": pk}


def _targets(cast: Cast) -> list[tuple[str, str, dict[str, object]]]:
    params = _world(cast)
    found = []
    for name, route in _patterns(get_resolver()):
        variants = [k for k in params if k == name or k.startswith(name + " ")] or [name]
        for key in variants:
            found.append((key, route, params.get(key) or _admin_object_params(name)))
    return found


def _clients(cast: Cast) -> dict[str, Client]:
    clients = {"anon": Client()}
    for role in ROLES[1:]:
        c = Client()
        c.force_login(User.objects.get(username=role))
        clients[role] = c
    return clients


def _request(client: Client, method: str, path: str) -> int:
    cookies = SimpleCookie(client.cookies)  # sign-out and session rotation are undone too
    with transaction.atomic():
        response = client.post(path, {}) if method == "POST" else client.get(path)
        transaction.set_rollback(True)
    client.cookies = cookies
    return int(response.status_code)


def test_it_answers_every_url_as_the_decision_table_says_for_every_role(cast: Cast) -> None:
    targets = _targets(cast)
    clients = _clients(cast)
    observed: dict[str, str] = {}
    for key, route, params in targets:
        path = _fill(route, params)
        row = [_request(clients[r], "GET", path) for r in ROLES]
        observed[f"{key} GET"] = " ".join(map(str, row))
        if 405 in row:
            observed[f"{key} POST"] = " ".join(str(_request(clients[r], "POST", path)) for r in ROLES)
    if os.environ.get("SECURITY_MATRIX_DUMP"):
        width = max(map(len, observed))
        print("\n" + "\n".join(f'    "{k}":{" " * (width - len(k))} "{v}",' for k, v in observed.items()))
    undecided = sorted(set(observed) - set(DECISIONS))
    assert not undecided, f"URL patterns without a decision: {undecided}"
    wrong = {k: (DECISIONS[k], v) for k, v in observed.items() if DECISIONS[k] != v}
    assert not wrong, "expected != observed (roles: " + " ".join(ROLES) + ")\n" + "\n".join(
        f"{k}: {e} != {o}" for k, (e, o) in wrong.items())
    stale = sorted(set(DECISIONS) - set(observed))
    assert not stale, f"decisions for URL patterns that no longer exist: {stale}"
