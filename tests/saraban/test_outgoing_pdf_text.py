"""The Thai text layer of generated PDFs reads back exactly (ARCHITECTURE.md, measured pitfalls)."""

from __future__ import annotations

import subprocess

import pytest

from saraban.lib.pdf import pdf_text, render_pdf, text_layer_fix, text_normalise

WORDS = "ด้วย ทำลาย ประจำ กรุณาพิจารณา ผู้อำนวยการ น้ำ ที่ นี้ ปู่ ญี่ปุ่น ฐาน ฎีกา กำหนด คำสั่ง"


def _html(family: str, text: str) -> str:
    return (
        "<html><head><style>@page{size:A4;margin:2cm} body{font-family:" + family
        + ";font-size:16pt}</style></head><body><p>" + text + "</p></body></html>"
    )


@pytest.mark.parametrize("family", ["Laksaman", "Norasi", "Garuda", "Loma"])
def test_it_reads_back_thai_words_exactly(family: str) -> None:
    pdf = render_pdf(_html(family, WORDS))
    assert text_normalise(pdf_text(pdf)) == WORDS


def test_it_reads_back_a_long_wrapped_paragraph() -> None:
    text = ("ด้วยสำนักงานมีความประสงค์จะขอความอนุเคราะห์จากท่านในการพิจารณาจัดทำคำสั่งที่เกี่ยวข้อง "
            "จึงเรียนมาเพื่อโปรดพิจารณาดำเนินการต่อไป ") * 12
    pdf = render_pdf(_html("Laksaman", text))
    # pdftotext puts a line break where WeasyPrint wrapped; Thai has no spaces between words.
    assert "".join(pdf_text(pdf).split()) == "".join(text.split())


def test_it_changes_nothing_that_is_drawn() -> None:
    from weasyprint import HTML

    raw = HTML(string=_html("Laksaman", WORDS)).write_pdf()
    fixed = text_layer_fix(raw)
    assert fixed != raw
    pictures = [
        subprocess.run(["/usr/bin/pdftoppm", "-r", "40", "-gray", "-"], input=pdf, capture_output=True,
                       check=True).stdout
        for pdf in (raw, fixed)
    ]
    assert pictures[0] == pictures[1]


def test_it_leaves_a_pdf_without_fonts_alone() -> None:
    from weasyprint import HTML

    raw = HTML(string="<html><body></body></html>").write_pdf()
    assert text_layer_fix(raw) == raw
