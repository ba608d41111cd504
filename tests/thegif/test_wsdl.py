"""The WSDL describes every operation, and zeep can read it."""

from __future__ import annotations

from pathlib import Path

from zeep import Client

from thegif.messages import OPERATIONS
from thegif.wsdl import wsdl_bytes


def test_it_describes_every_operation_for_zeep(tmp_path: Path) -> None:
    path = tmp_path / "ecms.wsdl"
    path.write_bytes(wsdl_bytes("http://hub.example.go.th/ecms/service"))
    client = Client(str(path))
    service = client.service
    for operation in OPERATIONS:
        assert getattr(service, operation) is not None
    binding = client.wsdl.services["CorrespondenceService"].ports["CorrespondencePort"]
    assert binding.binding_options["address"] == "http://hub.example.go.th/ecms/service"
    operation = binding.binding.get("CorrespondenceLetterOutbound")
    assert operation.soapaction == "urn:th:gov:egif:ecms:CorrespondenceLetterOutbound"
    assert b"schemaLocation" not in path.read_bytes()
