"""Access-control matrix of the hub: every URL pattern, requested with GET and POST as every role.

The test walks the hub's URL resolver, fills path parameters with ids of objects made here (a
letter from SOC to DOPA, a pending officer registration, a Test Tool process), and compares each
answer with the decision table below. A URL pattern without a row fails the test, and so does a row
whose URL no longer exists, so a new page cannot ship without someone deciding who may open it.

Each request runs inside a savepoint rolled back afterwards (and the client's cookies are put back),
so an approval, a refusal or a sign-out by one role never changes what the next role sees.
Set SECURITY_MATRIX_DUMP=1 to print the observed table (to review a change, never to copy blindly).

A cell is the status code, with ``>/path/`` for a redirect's target, ``/fault:CODE`` for a SOAP fault
and ``/wsdl`` for the service description.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, StreamingHttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from lxml import etree

from ecms.hub import services as hub_services
from ecms.monitor import services
from ecms.monitor.models import Officer
from ecms.testtool.checker import PROCESSES
from tests.ecms.helpers import DGA, DOPA, SOC, content_of, envelope
from tests.ecms.monitor_cast import letter_accepted
from thegif import messages as m

pytestmark = pytest.mark.django_db

# anon: not signed in; sender/recipient: approved officers of SOC and DOPA, the two parties of the
# letter; outsider: an approved officer of DGA, not party to it; pending: an officer whose
# registration waits for a decision (an inactive account, so its session counts for nothing);
# newpw: an approved officer still holding the e-mailed password; admin: a hub administrator.
ROLES = ("anon", "sender", "recipient", "outsider", "pending", "newpw", "admin")
MISSING_LETTER = "0" * 32

LOGIN = "302>/monitor/login/"
NEWPW = "302>/monitor/password/"
FAULT_AUTH = "401/fault:ECMS-AUTH-001"

# "<url name>[ <variant>] <METHOD>" -> expected cell per role, in ROLES order:
#   anon sender recipient outsider pending newpw admin
DECISIONS: dict[str, str] = {
    # public: the hub's home page, the service description, and the SOAP endpoint (agency systems
    # authenticate with Basic auth or a WS-Security token, never with a Monitor session)
    "hub-home GET": "200 200 200 200 200 200 200",
    "hub-home POST": "200 200 200 200 200 200 200",
    "hub-service GET": "200 200 200 200 200 200 200",
    "hub-service wsdl GET": "200/wsdl 200/wsdl 200/wsdl 200/wsdl 200/wsdl 200/wsdl 200/wsdl",
    "hub-service POST": " ".join([FAULT_AUTH] * 7),
    "hub-service wsdl POST": " ".join([FAULT_AUTH] * 7),
    # Monitor: approved officers see their own agency's letters; a letter of others is a 404
    "monitor-letter-list GET": f"{LOGIN} 200 200 200 {LOGIN} {NEWPW} 200",
    "monitor-letter-list POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    "monitor-letter-detail GET": f"{LOGIN} 200 200 404 {LOGIN} {NEWPW} 200",
    "monitor-letter-detail POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    "monitor-letter-detail missing GET": f"{LOGIN} 404 404 404 {LOGIN} {NEWPW} 404",
    "monitor-letter-detail missing POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    # registration is public (an empty form answers 200 with its errors)
    "monitor-register GET": f"200 200 200 200 200 {NEWPW} 200",
    "monitor-register POST": f"200 200 200 200 200 {NEWPW} 200",
    "monitor-login GET": f"200 200 200 200 200 {NEWPW} 200",
    "monitor-login POST": f"200 200 200 200 200 {NEWPW} 200",
    "monitor-logout GET": "405 405 405 405 405 405 405",
    "monitor-logout POST": " ".join([LOGIN] * 7),
    "monitor-password-change GET": f"{LOGIN} 200 200 200 {LOGIN} 200 200",
    "monitor-password-change POST": f"{LOGIN} 200 200 200 {LOGIN} 200 200",
    # the hub administrator's pages
    "monitor-registrations GET": f"{LOGIN} 403 403 403 {LOGIN} {NEWPW} 200",
    "monitor-registrations POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    "monitor-approve GET": f"405 405 405 405 405 {NEWPW} 405",
    "monitor-approve POST": f"{LOGIN} 403 403 403 {LOGIN} {NEWPW} 302>/monitor/admin/registrations/",
    "monitor-refuse GET": f"405 405 405 405 405 {NEWPW} 405",
    "monitor-refuse POST": f"{LOGIN} 403 403 403 {LOGIN} {NEWPW} 302>/monitor/admin/registrations/",
    "monitor-health GET": f"{LOGIN} 403 403 403 {LOGIN} {NEWPW} 200",
    "monitor-health POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    # statistics: officers (their own agency) and administrators
    "stats-month GET": f"{LOGIN} 200 200 200 {LOGIN} {NEWPW} 200",
    "stats-month POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    "stats-month-pdf GET": f"{LOGIN} 200 200 200 {LOGIN} {NEWPW} 200",
    "stats-month-pdf POST": f"405 405 405 405 405 {NEWPW} 405",  # read-only page
    "stats-month-send GET": f"405 405 405 405 405 {NEWPW} 405",
    "stats-month-send POST": f"{LOGIN} 302>/monitor/stats/ 302>/monitor/stats/ 302>/monitor/stats/ {LOGIN} {NEWPW}"
                             " 302>/monitor/stats/",
    # the Test Tool is public: it only checks messages pasted into it
    "testtool-check GET": "200 200 200 200 200 200 200",
    "testtool-check POST": "200 200 200 200 200 200 200",
    "testtool-sample GET": "200 200 200 200 200 200 200",
    "testtool-sample POST": "200 200 200 200 200 200 200",
    "testtool-sample unknown GET": "404 404 404 404 404 404 404",
    "testtool-sample unknown POST": "404 404 404 404 404 404 404",
}


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
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


def _officer(org_id: str, email: str, *, approve: bool = True, must_change: bool = False) -> Officer:
    officer = services.officer_register(full_name="เจ้าหน้าที่", org_id=org_id, position="ธุรการ", email=email)
    if approve:
        admin = get_user_model().objects.get(username="root@hub")
        services.officer_approve(admin=admin, officer_id=officer.pk)
        officer.refresh_from_db()
        officer.must_change_password = must_change
        officer.save(update_fields=["must_change_password"])
    return officer


def _world() -> tuple[dict[str, Client], dict[str, tuple[dict[str, object], str]]]:
    """Clients per role and, per URL name/variant, its path parameters and query string."""
    admin = get_user_model().objects.create_user(username="root@hub", email="root@hub.go.th", is_staff=True)
    letter_id = letter_accepted(Client(), SOC, DOPA, doc_id="นร 1/1", subject="ของ SOC ถึง DOPA", accept_id="1")
    users = {
        "sender": _officer(SOC.department_id, "a@soc.go.th").user,
        "recipient": _officer(DOPA.department_id, "r@dopa.go.th").user,
        "outsider": _officer(DGA.department_id, "b@dga.go.th").user,
        "newpw": _officer(SOC.department_id, "n@soc.go.th", must_change=True).user,
        "admin": admin,
    }
    pending = _officer(DGA.department_id, "p@dga.go.th", approve=False)
    users["pending"] = pending.user
    assert not pending.user.is_active and pending.status == Officer.Status.PENDING
    clients = {"anon": Client()}
    for role in ROLES[1:]:
        clients[role] = Client()
        clients[role].force_login(users[role])
    params: dict[str, tuple[dict[str, object], str]] = {
        "monitor-letter-detail": ({"letter_id": letter_id}, ""),
        "monitor-letter-detail missing": ({"letter_id": MISSING_LETTER}, ""),
        "monitor-approve": ({"officer_id": pending.pk}, ""),
        "monitor-refuse": ({"officer_id": pending.pk}, ""),
        "testtool-sample": ({"process_key": next(iter(PROCESSES))}, ""),
        "testtool-sample unknown": ({"process_key": "nothing"}, ""),
        "hub-service": ({}, ""),
        "hub-service wsdl": ({}, "?wsdl"),
    }
    return clients, params


_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _fill(route: str, params: dict[str, object]) -> str:
    def value(match: re.Match[str]) -> str:
        assert match.group(2) in params, f"no value for <{match.group(2)}> in {route}: add one to _world()"
        return str(params[match.group(2)])

    return "/" + _PARAM.sub(value, route)


def _cell(response: HttpResponse | StreamingHttpResponse) -> str:
    status = int(response.status_code)
    if status in (301, 302, 303):
        return f"{status}>{response['Location'].split('?')[0]}"
    if "xml" in response.get("Content-Type", ""):
        root = etree.fromstring(content_of(response))
        code = root.findtext(".//{*}ErrorCode")
        if code:
            return f"{status}/fault:{code}"
        if etree.QName(root).localname == "definitions":
            return f"{status}/wsdl"
    return str(status)


_SOAP_WITHOUT_CREDENTIALS = envelope(m.InboundRequest())


def _request(client: Client, method: str, name: str, path: str) -> str:
    cookies = SimpleCookie(client.cookies)  # sign-out and session rotation are undone too
    with transaction.atomic():
        if method == "GET":
            response = client.get(path)
        elif name == "hub-service":  # what an agency system sends, less its credentials
            response = client.post(path, data=_SOAP_WITHOUT_CREDENTIALS, content_type="text/xml; charset=utf-8")
        else:
            response = client.post(path, {})
        cell = _cell(response)
        transaction.set_rollback(True)
    client.cookies = cookies
    return cell


def test_it_answers_every_hub_url_as_the_decision_table_says_for_every_role(hub: Path) -> None:
    hub_services._auth_cache_clear()
    clients, params = _world()
    observed: dict[str, str] = {}
    for name, route in _patterns(get_resolver()):
        variants = [k for k in params if k == name or k.startswith(name + " ")] or [name]
        for key in variants:
            values, query = params.get(key, ({}, ""))
            path = _fill(route, values) + query
            for method in ("GET", "POST"):
                cells = [_request(clients[r], method, name, path) for r in ROLES]
                observed[f"{key} {method}"] = " ".join(cells)
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
    # the pending registration is still pending: every approval and refusal above was rolled back
    assert Officer.objects.filter(status=Officer.Status.PENDING).count() == 1
