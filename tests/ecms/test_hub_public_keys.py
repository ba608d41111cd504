from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from django.core.management import call_command
from django.core.management.base import CommandError

from ecms.hub.models import Organization

pytestmark = pytest.mark.django_db


def _der(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_it_publishes_an_rsa_key_for_an_agency_in_the_directory() -> None:
    call_command("load_directory", verbosity=0)
    der = _der(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    call_command("set_public_key", "--org", "1503000000", "--b64", base64.b64encode(der).decode())
    org = Organization.objects.get(org_id="1503000000")
    assert bytes(org.public_key_der) == der and org.public_key_algorithm == "RSA-OAEP-SHA256"


def test_it_refuses_weak_or_foreign_keys_and_unknown_agencies() -> None:
    call_command("load_directory", verbosity=0)
    weak = _der(rsa.generate_private_key(public_exponent=65537, key_size=1024))  # noqa: S505 - must be refused
    curve = _der(ec.generate_private_key(ec.SECP256R1()))
    strong = _der(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    for der, org in ((weak, "1503000000"), (curve, "1503000000"), (strong, "9999999999"), (b"junk", "1503000000")):
        with pytest.raises(CommandError):
            call_command("set_public_key", "--org", org, "--b64", base64.b64encode(der).decode())
    assert not Organization.objects.exclude(public_key_der=None).exists()
