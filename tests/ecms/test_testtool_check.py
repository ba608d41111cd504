"""The Test Tool finds every problem of broken messages, with its line, and accepts the valid samples."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from ecms.testtool.checker import PROCESSES, check_message, sample_message


def _broken(process: str, old: str, new: str) -> bytes:
    text = sample_message(process)
    assert old in text, old
    return text.replace(old, new, 1).encode()


def _line_of(data: bytes, needle: str) -> int:
    return data.decode().splitlines().index(next(x for x in data.decode().splitlines() if needle in x)) + 1


@pytest.mark.parametrize("process", sorted(PROCESSES))
def test_it_accepts_the_valid_sample_of_each_process(process: str) -> None:
    result = check_message(sample_message(process).encode())
    assert result.ok, result.problems
    assert result.process is not None and result.process.key == process and result.detected


BROKEN = [
    # (name, process, old, new, codes expected, text on the reported line)
    (
        "bad date",
        "letter",
        "<ram:CorrespondenceDate>2025-03-14",
        "<ram:CorrespondenceDate>14/03/2568",
        {"SCHEMA"},
        "14/03/2568",
    ),
    ("unknown speed code", "letter", "<ram:SpeedCode>001", "<ram:SpeedCode>009", {"SCHEMA", "CODE"}, "009"),
    ("subject missing", "letter", "<ram:Subject>ขอเชิญประชุม</ram:Subject>", "", {"SCHEMA"}, "SecretCode"),
    ("cover not pdf", "letter", "JVBERi0xLjQK", "SGVsbG8gd29y", {"COVER-NOT-PDF", "SHA256"}, "MainLetterBinaryObject"),
    ("bad base64", "letter", "JVBERi0xLjQK", "@@@@", {"BASE64"}, "MainLetterBinaryObject"),
    ("size lie", "letter", 'size="45"', 'size="99"', {"SIZE"}, "MainLetterBinaryObject"),
    (
        "unknown mime",
        "letter",
        'mimeCode="application/pdf"',
        'mimeCode="application/x-evil"',
        {"MIME", "COVER-NOT-PDF"},
        "MainLetterBinaryObject",
    ),
    ("accept without AcceptID", "accept", "<ram:AcceptID>รับที่ 456</ram:AcceptID>", "", {"SCHEMA"}, None),
    (
        "delete without ProcessID",
        "delete",
        "<gd:ProcessID>4b1e0c9d2f3a4e5b8c7d6e5f4a3b2c1d</gd:ProcessID>",
        "",
        {"SCHEMA"},
        None,
    ),
]


@pytest.mark.parametrize(("name", "process", "old", "new", "codes", "line_text"), BROKEN, ids=[b[0] for b in BROKEN])
def test_it_finds_each_problem_with_its_line(
    name: str, process: str, old: str, new: str, codes: set[str], line_text: str | None
) -> None:
    data = _broken(process, old, new)
    result = check_message(data)
    found = {p.code for p in result.problems}
    assert codes <= found, (name, result.problems)
    assert all(p.th and p.en for p in result.problems)
    if line_text is not None:
        assert _line_of(data, line_text) in {p.line for p in result.problems}


def test_it_lists_several_problems_at_once() -> None:
    data = _broken("letter", "<ram:SpeedCode>001", "<ram:SpeedCode>009")
    data = data.replace(b"<ram:CorrespondenceDate>2025-03-14", b"<ram:CorrespondenceDate>2568-13-40", 1)
    data = data.replace(b'size="45"', b'size="1"')
    result = check_message(data)
    assert {"SCHEMA", "CODE", "SIZE"} <= {p.code for p in result.problems}
    assert len({p.line for p in result.problems}) >= 3


def test_it_reports_malformed_xml_with_its_line() -> None:
    data = b"<?xml version='1.0'?>\n<a>\n<b>\n</a>\n"
    result = check_message(data)
    assert result.problems and result.problems[0].code == "XML" and result.problems[0].line in (4, 5)


def test_it_refuses_a_doctype() -> None:
    data = sample_message("time_check").replace("?>\n", '?>\n<!DOCTYPE x [<!ENTITY e "e">]>\n', 1).encode()
    assert "DOCTYPE" in {p.code for p in check_message(data).problems}


def test_it_says_when_the_chosen_process_is_not_the_message() -> None:
    result = check_message(sample_message("accept").encode(), process_key="reject")
    assert [p.code for p in result.problems] == ["PROCESS"]


def test_it_reads_a_soap_envelope_and_the_misspelled_namespace() -> None:
    body = (
        sample_message("receive")
        .split("\n", 1)[1]
        .replace("ReusableAggregateBusinessInformationEntity", "ReuseableAggregateBusinessInformaionEntity")
    )
    envelope = (
        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        f"{body}</soap:Body></soap:Envelope>"
    )
    result = check_message(envelope.encode())
    assert result.ok and result.process is not None and result.process.key == "receive"


def test_it_checks_a_pasted_message_on_the_page() -> None:
    client = Client()
    data = _broken("letter", "<ram:SpeedCode>001", "<ram:SpeedCode>009")
    page = client.post("/testtool/", {"xml": data.decode(), "process": ""}).content.decode()
    assert 'id="problems"' in page and "SpeedCode" in page
    ok = client.post("/testtool/", {"xml": sample_message("letter"), "process": "letter"}).content.decode()
    assert 'id="result-ok"' in ok
    sample = client.get("/testtool/samples/accept.xml")
    assert sample.status_code == 200 and check_message(sample.content).ok
    assert client.get("/testtool/samples/nothing.xml").status_code == 404


def test_it_checks_an_uploaded_file() -> None:
    upload = io.BytesIO(_broken("letter", 'size="45"', 'size="99"'))
    upload.name = "letter.xml"
    page = Client().post("/testtool/", {"upload": upload, "process": "letter"}).content.decode()
    assert "ระบุขนาด 99" in page


def test_it_checks_a_file_from_the_command_line(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    good = tmp_path / "good.xml"
    good.write_text(sample_message("letter"), encoding="utf-8")
    out = io.StringIO()
    call_command("check_message", str(good), stdout=out)
    assert out.getvalue().startswith("OK")
    bad = tmp_path / "bad.xml"
    bad.write_bytes(_broken("letter", "<ram:SpeedCode>001", "<ram:SpeedCode>009"))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("check_message", str(bad), "--process", "letter", stdout=out)
    assert exited.value.code == 1 and "[CODE]" in out.getvalue() and "line " in out.getvalue()
