"""The command line builds the right requests (the hub's side is tested in tests/ecms)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from unittest.mock import patch

import pytest

from thegif import cli
from thegif import messages as m
from thegif.client import HubClient
from thegif.errors import LetterNotFoundError

BASE = ["--url", "http://hub/ecms/service", "--username", "u", "--password", "p"]


def test_it_sends_a_letter_with_its_cover_pdf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cover = tmp_path / "cover.pdf"
    cover.write_bytes(b"%PDF-1.4 cover")
    answer = m.OutboundResponse("p1", datetime(2025, 1, 1, tzinfo=UTC), "L1")
    with patch.object(HubClient, "call", autospec=True) as call:
        call.return_value = answer
        code = cli.main([*BASE, "send", "--id", "นร 0505/1", "--date", "2025-01-02", "--subject", "ทดสอบ",
                         "--speed", "004", "--from-ministry", "0100000000", "--from-department", "0105000000",
                         "--to-ministry", "1500000000", "--to-department", "1503000000", "--cover", str(cover)])
    assert code == 0
    assert '"letter_id": "L1"' in capsys.readouterr().out
    request = call.call_args.args[1]
    assert isinstance(request, m.OutboundRequest) and isinstance(request.item, m.CorrespondenceLetter)
    assert request.item.speed_code == "004" and request.item.receiver.department_id == "1503000000"
    assert request.item.main_letter is not None and request.item.main_letter.read_bytes() == b"%PDF-1.4 cover"


def test_it_prints_a_fault_code_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    with patch.object(HubClient, "call", autospec=True, side_effect=LetterNotFoundError()):
        code = cli.main([*BASE, "accept", "L1", "--date", "2025-01-02", "--subject", "ก", "--accept-id", "7"])
    assert code == 2
    assert "ECMS-LETTER-001" in capsys.readouterr().err
