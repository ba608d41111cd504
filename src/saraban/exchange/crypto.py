"""End-to-end encryption of secret letters (ลับ, ลับมาก) for the recipient agency.

Hybrid: a fresh AES-256-GCM key per letter encrypts the letter's content; RSA-OAEP (SHA-256) with
the recipient agency's public key encrypts that AES key. The hub carries an XML document it cannot
read (``EncryptedLetter``, an ``application/xml`` attachment); only the recipient's private key opens
it. The AES-GCM associated data binds the ciphertext to the letter's ที่, date and recipient, so a
ciphertext cannot be replayed under another letter.

The private key lives in a PEM file under the agency's var dir (``SARABAN_EXCHANGE_KEY_FILE``) or in
``SARABAN_EXCHANGE_PRIVATE_KEY(_FILE)``; never in the database.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from lxml import etree  # type: ignore[import-untyped]  # no stubs pinned for lxml

from govcommon.errors import AppError, ConflictError
from saraban.exchange import conf
from thegif.xmlsafe import Limits, parse_small

ALGORITHM = "RSA-OAEP-SHA256"
ENVELOPE_ALGORITHM = "RSA-OAEP-SHA256+A256GCM"
NS = "urn:saraban:exchange:encrypted-letter:1"
FILE_NAME = "encrypted-letter.xml"
MIME = "application/xml"


class KeyMissingError(ConflictError):
    code = "XCH-KEY-001"
    default_message = "ยังไม่มีกุญแจส่วนตัวของหน่วยงานสำหรับเปิดหนังสือลับ (ใช้คำสั่ง exchange_key_create)"


class RecipientKeyMissingError(ConflictError):
    code = "XCH-KEY-002"
    default_message = "ไม่มีกุญแจสาธารณะของหน่วยงานผู้รับ จึงส่งหนังสือลับทางระบบกลางไม่ได้"


class DecryptError(AppError):
    code = "XCH-KEY-003"
    http_status = 400
    default_message = "เปิดหนังสือลับไม่ได้: ไม่ได้เข้ารหัสถึงหน่วยงานนี้ หรือข้อมูลถูกแก้ไขระหว่างทาง"


def key_generate(path: Path, *, bits: int = 3072) -> bytes:
    """Write a new private key (PEM, mode 0600) at ``path``; return the public key (DER SPKI)."""
    if path.exists():
        raise ConflictError(f"มีกุญแจอยู่แล้วที่ {path} (จะไม่เขียนทับ)", code="XCH-KEY-004")
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return public_der(key)


def private_key() -> rsa.RSAPrivateKey:
    pem = conf.private_key_pem()
    if pem:
        data = pem.encode()
    else:
        path = conf.private_key_path()
        if not path.exists():
            raise KeyMissingError()
        data = path.read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise KeyMissingError("กุญแจส่วนตัวต้องเป็น RSA")
    return key


def public_der(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def public_key_from_text(text: str) -> bytes:
    """A public key given as PEM or as base64 DER; returns DER after checking it is an RSA key."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(text.encode())
    else:
        key = serialization.load_der_public_key(base64.b64decode(text, validate=True))
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < 2048:
        raise ValueError("ต้องเป็นกุญแจสาธารณะ RSA อย่างน้อย 2048 บิต")
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def encrypt(plaintext: bytes, *, recipient_der: bytes, aad: bytes) -> bytes:
    """The ``EncryptedLetter`` XML document carrying ``plaintext`` for the holder of ``recipient_der``."""
    public = serialization.load_der_public_key(recipient_der)
    if not isinstance(public, rsa.RSAPublicKey):
        raise RecipientKeyMissingError("กุญแจสาธารณะของผู้รับต้องเป็น RSA")
    content_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(12)
    ciphertext = AESGCM(content_key).encrypt(nonce, plaintext, aad)
    # A prefix, not a default namespace: thegif.xmlsafe refuses xmlns="..." (see docs/EXCHANGE.md).
    root = etree.Element(f"{{{NS}}}EncryptedLetter", nsmap={"sl": NS})
    root.set("algorithm", ENVELOPE_ALGORITHM)
    root.set("keyId", key_id(recipient_der))
    for tag, value in (("EncryptedKey", public.encrypt(content_key, _oaep())), ("Nonce", nonce),
                       ("AssociatedData", aad), ("CipherText", ciphertext)):
        etree.SubElement(root, f"{{{NS}}}{tag}").text = base64.b64encode(value).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def is_envelope(data: bytes) -> bool:
    head = data[:400]
    return b"EncryptedLetter" in head and NS.encode() in head


def decrypt(document: bytes, *, key: rsa.RSAPrivateKey, aad: bytes) -> bytes:
    """Open an ``EncryptedLetter``; refuse one made for another key or for another letter."""
    try:
        root = parse_small(document, limits=Limits(max_bytes=200 * 1024 * 1024))
        if root.tag != f"{{{NS}}}EncryptedLetter" or root.get("algorithm") != ENVELOPE_ALGORITHM:
            raise DecryptError("ไม่ใช่หนังสือลับที่เข้ารหัสตามรูปแบบของระบบ")
        if root.get("keyId") != key_id(public_der(key)):
            raise DecryptError("หนังสือลับนี้เข้ารหัสถึงกุญแจอื่น ไม่ใช่กุญแจของหน่วยงานนี้")

        def part(tag: str) -> bytes:
            return base64.b64decode(root.findtext(f"{{{NS}}}{tag}") or "", validate=True)

        if part("AssociatedData") != aad:
            raise DecryptError("ข้อมูลกำกับของหนังสือลับไม่ตรงกับหนังสือที่ได้รับ")
        content_key = key.decrypt(part("EncryptedKey"), _oaep())
        return AESGCM(content_key).decrypt(part("Nonce"), part("CipherText"), aad)
    except DecryptError:
        raise
    except (InvalidTag, ValueError, AppError) as exc:
        raise DecryptError() from exc
