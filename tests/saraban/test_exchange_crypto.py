"""Encryption of secret letters: only the recipient's private key opens them, for that letter only."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from django.test import override_settings

from govcommon.errors import ConflictError
from saraban.exchange import crypto


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    path = tmp_path / "exchange" / "agency_key.pem"
    crypto.key_generate(path, bits=2048)
    return path


def test_it_opens_what_was_sealed_for_its_key(key_file: Path) -> None:
    with override_settings(SARABAN_EXCHANGE_KEY_FILE=str(key_file), SARABAN_EXCHANGE_PRIVATE_KEY=""):
        key = crypto.private_key()
        aad = "ดศ 0102/5".encode()
        sealed = crypto.encrypt("ลับ: รายงานการสืบสวน".encode(), recipient_der=crypto.public_der(key), aad=aad)
        assert "รายงาน".encode() not in sealed
        assert crypto.decrypt(sealed, key=key, aad=aad) == "ลับ: รายงานการสืบสวน".encode()


def test_it_refuses_another_agencys_key_and_another_letter(key_file: Path, tmp_path: Path) -> None:
    with override_settings(SARABAN_EXCHANGE_KEY_FILE=str(key_file), SARABAN_EXCHANGE_PRIVATE_KEY=""):
        key = crypto.private_key()
    other_der = crypto.key_generate(tmp_path / "other.pem", bits=2048)
    for_other = crypto.encrypt(b"x", recipient_der=other_der, aad=b"a")
    with pytest.raises(crypto.DecryptError, match="กุญแจอื่น"):
        crypto.decrypt(for_other, key=key, aad=b"a")
    mine = crypto.encrypt(b"x", recipient_der=crypto.public_der(key), aad=b"letter-1")
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(mine, key=key, aad=b"letter-2")
    tampered = mine.replace(b"CipherText>", b"CipherText>AAAA", 1)
    with pytest.raises(crypto.DecryptError):
        crypto.decrypt(tampered, key=key, aad=b"letter-1")


def test_it_keeps_the_private_key_in_a_private_file_and_never_overwrites_it(key_file: Path) -> None:
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    before = key_file.read_bytes()
    with pytest.raises(ConflictError):
        crypto.key_generate(key_file, bits=2048)
    assert key_file.read_bytes() == before


def test_it_reads_the_private_key_from_the_environment_value(key_file: Path) -> None:
    with override_settings(SARABAN_EXCHANGE_PRIVATE_KEY=key_file.read_text(),
                           SARABAN_EXCHANGE_KEY_FILE="/nonexistent/key.pem"):
        assert crypto.public_der(crypto.private_key())
    with (override_settings(SARABAN_EXCHANGE_PRIVATE_KEY="", SARABAN_EXCHANGE_KEY_FILE="/nonexistent/key.pem"),
          pytest.raises(crypto.KeyMissingError)):
        crypto.private_key()


def test_it_accepts_public_keys_as_pem_or_base64_der_and_refuses_junk(key_file: Path) -> None:
    with override_settings(SARABAN_EXCHANGE_KEY_FILE=str(key_file), SARABAN_EXCHANGE_PRIVATE_KEY=""):
        der = crypto.public_der(crypto.private_key())
    assert crypto.public_key_from_text(base64.b64encode(der).decode()) == der
    pem = "-----BEGIN PUBLIC KEY-----\n" + base64.encodebytes(der).decode() + "-----END PUBLIC KEY-----\n"
    assert crypto.public_key_from_text(pem) == der
    with pytest.raises(ValueError):
        crypto.public_key_from_text("bm90IGEga2V5")
