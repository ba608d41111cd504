"""PAdES signatures with pyHanko, using the agency's PKCS#12 certificate when one is configured
(setting or environment SARABAN_SIGNING_P12, password SARABAN_SIGNING_P12_PASSWORD)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from django.conf import settings
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers


def agency_p12() -> tuple[Path, bytes | None] | None:
    path = getattr(settings, "SARABAN_SIGNING_P12", "") or os.environ.get("SARABAN_SIGNING_P12", "")
    if not path or not Path(path).is_file():
        return None
    password = getattr(settings, "SARABAN_SIGNING_P12_PASSWORD", None) or os.environ.get(
        "SARABAN_SIGNING_P12_PASSWORD"
    )
    return Path(path), password.encode() if password else None


def pdf_sign(pdf: bytes, *, reason: str, name: str) -> bytes | None:
    """The PDF with a PAdES signature of the agency certificate, or None if there is none."""
    configured = agency_p12()
    if configured is None:
        return None
    path, password = configured
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password)  # type: ignore[no-untyped-call]
    if signer is None:
        return None
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Signature1", reason=reason, name=name,
                                        subfilter=fields.SigSeedSubFilter.PADES)
    out = signers.sign_pdf(writer, meta, signer=signer)
    signed: bytes = out.getvalue()
    return signed
