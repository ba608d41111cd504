"""HTML to PDF with Thai fonts (WeasyPrint), shared by letters, registers and reports.

WeasyPrint draws Thai correctly but writes a wrong text layer: its ToUnicode maps are built from
shaping clusters, so a glyph that appears in two clusters gets one cluster's text for both
(ผู้ → ผ้้), and sara am, which the shaper always splits into nikhahit + sara aa, turns every
plain sara aa into sara am (ทาลาย → ทำลำย) or the reverse. ``render_pdf`` therefore rewrites the
text layer after rendering (``text_layer_fix``):

1. every glyph is mapped to its own characters, taken from the embedded font (reverse ``cmap``,
   then the glyph name: ``uni0E49.low`` → U+0E49, ``f_i`` → "fi");
2. a nikhahit followed (past any tone marks) by sara aa is the shaper's sara am: both glyphs get
   new character codes that draw the same glyphs (CIDToGIDMap) but read as "" and "ำ".

Drawing is untouched: only codes, the CID→glyph map, widths and ToUnicode change.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools.agl import toUnicode  # type: ignore[import-untyped]
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
)
from weasyprint import HTML

# Debian's fonts-tlwg-laksaman is a metric clone of TH Sarabun New, the government standard font.
THAI_FONT_FAMILY = '"TH Sarabun New", "Laksaman", "Sarabun", "Norasi", serif'

NIKHAHIT = "\u0e4d"
SARA_AA = "\u0e32"
SARA_AM = "\u0e33"
# Thai combining marks and the order they are typed in: vowels above/below, then tone marks and
# the other signs, then nikhahit (which with a following sara aa is the second half of sara am).
_MARK_RANK = {
    **{chr(c): 0 for c in (0x0E31, *range(0x0E34, 0x0E3B), 0x0E47)},
    **{chr(c): 1 for c in range(0x0E48, 0x0E4D)},
    "\u0e4e": 1,
    NIKHAHIT: 2,
}
# Thai fonts made for Windows keep their shaped variants at these private-use code points (the
# Microsoft/Apple Thai PUA block): lowered tone marks, left-shifted marks, consonants without
# their descender. Subset fonts are often named after them (``uniF70A``).
_THAI_PUA = dict(zip(
    range(0xF700, 0xF71B),
    "\u0e10\u0e34\u0e35\u0e36\u0e37\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
    "\u0e0d\u0e31\u0e4d\u0e47\u0e48\u0e49\u0e4a\u0e4b\u0e4c\u0e38\u0e39\u0e3a",
    strict=True,
))


def render_pdf(html: str, *, base_url: str | Path | None = None) -> bytes:
    """Render an HTML document (with its own @page CSS) to PDF bytes with a correct Thai text layer."""
    document = HTML(string=html, base_url=str(base_url) if base_url else None)
    pdf: bytes = document.write_pdf()
    return text_layer_fix(pdf)


def overlay_pages(original: bytes, overlay_html: Callable[[float, float], str], *, first_only: bool = False,
                  metadata: dict[str, str] | None = None) -> bytes:
    """A copy of ``original`` with an HTML overlay drawn on its first or every page. ``overlay_html(width,
    height)`` gives a document of one transparent page of that size in points; it is rendered once per page
    size. A page shown rotated is turned first, so the overlay stands as the reader sees the page."""
    reader = PdfReader(io.BytesIO(original), strict=False)
    writer = PdfWriter(clone_from=reader)
    rendered: dict[tuple[int, int], Any] = {}
    for page in writer.pages[:1] if first_only else writer.pages:
        if int(page.get("/Rotate", 0) or 0) % 360:
            page.transfer_rotation_to_content()
        box = page.mediabox
        width, height = float(box.width), float(box.height)
        size = (round(width), round(height))
        if size not in rendered:
            rendered[size] = PdfReader(io.BytesIO(render_pdf(overlay_html(width, height)))).pages[0]
        page.merge_translated_page(rendered[size], tx=float(box.left), ty=float(box.bottom))
    if metadata:
        writer.add_metadata(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _glyph_text(name: str) -> str:
    if name.startswith("glyph") or name in (".notdef", ".null"):
        return ""
    text = toUnicode(name.split(".", 1)[0])
    return "".join(_THAI_PUA.get(ord(ch), ch) for ch in text)


def _gid_texts(font_data: bytes) -> dict[int, str]:
    """What each glyph of an embedded TrueType font stands for."""
    font = TTFont(io.BytesIO(font_data), lazy=True)
    order = font.getGlyphOrder()
    index = {name: gid for gid, name in enumerate(order)}
    texts: dict[int, str] = {}
    if "cmap" in font:
        best = font["cmap"].getBestCmap() or {}
        for cp, name in sorted(best.items(), reverse=True):
            if name in index and (cp in _THAI_PUA or not 0xE000 <= cp <= 0xF8FF):
                texts[index[name]] = _THAI_PUA.get(cp, chr(cp))  # the lowest code point wins
    for gid, name in enumerate(order):
        if gid not in texts:
            text = _glyph_text(name)
            if text:
                texts[gid] = text
    return texts


def _parse_tounicode(data: bytes) -> dict[int, str]:
    """The existing bfchar/bfrange entries (kept for glyphs the font does not name)."""
    result: dict[int, str] = {}

    def text_of(hexstr: bytes) -> str:
        return bytes.fromhex(hexstr.decode()).decode("utf-16-be") if hexstr else ""

    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            result[int(code, 16)] = text_of(text)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, start in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = text_of(start)
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                result[code] = base[:-1] + chr(ord(base[-1]) + i) if base else ""
    return result


def _tounicode_cmap(mapping: dict[int, str]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<0000> <ffff>", "endcodespacerange",
    ]
    items = sorted(mapping.items())
    for start in range(0, len(items), 100):  # at most 100 entries per block
        chunk = items[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines += [f"<{code:04x}> <{text.encode('utf-16-be').hex()}>" for code, text in chunk]
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines).encode()


@dataclass
class _Font:
    """One embedded Identity-H font being corrected."""

    obj: DictionaryObject
    cid_font: DictionaryObject
    texts: dict[int, str]
    extra: dict[int, int] = field(default_factory=dict)  # new code → glyph id
    recoded: dict[tuple[int, str], int] = field(default_factory=dict)  # (glyph id, text) → new code
    used: set[int] = field(default_factory=set)
    next_code: int = 0

    def code_for(self, gid: int, text: str) -> int:
        """A code that draws glyph ``gid`` and reads as ``text``."""
        key = (gid, text)
        if key not in self.recoded:
            code = self.next_code
            self.next_code += 1
            self.recoded[key] = code
            self.extra[code] = gid
            self.texts[code] = text
        return self.recoded[key]


def _font_of(obj: Any) -> _Font | None:
    if obj.get("/Subtype") != "/Type0" or obj.get("/Encoding") != "/Identity-H":
        return None
    cid_font: Any = obj["/DescendantFonts"][0].get_object()
    descriptor: Any = cid_font["/FontDescriptor"].get_object()
    if "/FontFile2" not in descriptor:
        return None
    cid_map = cid_font.get("/CIDToGIDMap")
    if cid_map is not None and cid_map != "/Identity":
        return None  # already remapped, or not WeasyPrint's layout: leave it alone
    font_data = descriptor["/FontFile2"].get_object().get_data()
    texts = _parse_tounicode(obj["/ToUnicode"].get_object().get_data()) if "/ToUnicode" in obj else {}
    texts.update(_gid_texts(font_data))
    glyph_count = TTFont(io.BytesIO(font_data), lazy=True)["maxp"].numGlyphs
    return _Font(
        obj=obj,
        cid_font=cid_font,
        texts=texts,
        next_code=max(glyph_count, max(texts, default=0) + 1),
    )


_TOKENS = re.compile(rb"/([^\s/\[\]<>()]+)\s+[-+.\d]+\s+Tf|\[([^\]]*)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj")
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")


def _codes(hexstr: bytes) -> list[int]:
    raw = bytes.fromhex(hexstr.decode())
    return [int.from_bytes(raw[i:i + 2], "big") for i in range(0, len(raw) - 1, 2)]


def _fix_run(font: _Font, strings: list[list[int]]) -> None:
    """Recode the Thai clusters of one text run (all strings of one TJ, in order).

    A cluster is a base glyph and the marks drawn on it (plus the sara aa of a sara am). The
    shaper may draw its marks in another order than they are typed (a lowered tone mark before
    sara uu) and shifts them with negative advances, which text extraction reads as gaps; so the
    base glyph's code reads as the whole cluster, typed order, and the marks' codes read as "".
    """
    flat = [(si, ci) for si, s in enumerate(strings) for ci in range(len(s))]
    font.used.update(code for s in strings for code in s)

    def text(pos: int) -> str:
        si, ci = flat[pos]
        return font.texts.get(strings[si][ci], "")

    pos = 0
    while pos < len(flat):
        base = text(pos)
        end = pos + 1
        while end < len(flat) and text(end) in _MARK_RANK:
            end += 1
        marks = [text(i) for i in range(pos + 1, end)]
        # The sara aa of a sara am is a spacing glyph: it reads as "ำ" so no gap opens after it.
        tail = ""
        if NIKHAHIT in marks and end < len(flat) and text(end) == SARA_AA:
            marks.remove(NIKHAHIT)
            tail = SARA_AM
            end += 1
        if (marks or tail) and base and base not in _MARK_RANK:
            typed = base + "".join(sorted(marks, key=lambda m: _MARK_RANK.get(m, 3)))
            for i in range(pos, end):
                si, ci = flat[i]
                reads = typed if i == pos else (tail if tail and i == end - 1 else "")
                strings[si][ci] = font.code_for(strings[si][ci], reads)
        pos = end


def _fix_stream(data: bytes, fonts_by_name: dict[str, _Font]) -> bytes:
    """Recode the text runs of a content stream as WeasyPrint writes them (hex strings in TJ)."""
    current: list[_Font | None] = [None]

    def replace(match: re.Match[bytes]) -> bytes:
        if match.group(1) is not None:
            current[0] = fonts_by_name.get("/" + match.group(1).decode("latin-1"))
            return match.group(0)
        font = current[0]
        if font is None:
            return match.group(0)
        body = match.group(2) if match.group(2) is not None else b"<" + match.group(3) + b">"
        strings = [_codes(h) for h in _HEX.findall(body)]
        _fix_run(font, strings)
        packed = iter(b"<" + b"".join(c.to_bytes(2, "big") for c in s).hex().encode() + b">" for s in strings)
        body = _HEX.sub(lambda _m: next(packed), body)
        return b"[" + body + b"] TJ" if match.group(2) is not None else body + b" Tj"

    return _TOKENS.sub(replace, data)


def _widths(cid_font: DictionaryObject) -> dict[int, float]:
    widths: dict[int, float] = {}
    w = cid_font.get("/W")
    items = list(w.get_object()) if w is not None else []
    i = 0
    while i < len(items):
        first = int(items[i])
        nxt = items[i + 1].get_object() if hasattr(items[i + 1], "get_object") else items[i + 1]
        if isinstance(nxt, ArrayObject):
            for k, value in enumerate(nxt):
                widths[first + k] = float(value)
            i += 2
        else:
            for code in range(first, int(nxt) + 1):
                widths[code] = float(items[i + 2])
            i += 3
    return widths


def _finish_font(font: _Font, writer: PdfWriter) -> None:
    if font.extra:
        top = max(font.extra)
        table = bytearray()
        for code in range(top + 1):
            table += font.extra.get(code, code).to_bytes(2, "big")
        stream = DecodedStreamObject()
        stream.set_data(bytes(table))
        font.cid_font[NameObject("/CIDToGIDMap")] = writer._add_object(stream)
        widths = _widths(font.cid_font)
        default = float(font.cid_font.get("/DW", 1000))
        w = font.cid_font.get("/W")
        w_array = ArrayObject(w.get_object()) if w is not None else ArrayObject()
        for code, gid in sorted(font.extra.items()):
            w_array += [NumberObject(code), ArrayObject([NumberObject(round(widths.get(gid, default)))])]
        font.cid_font[NameObject("/W")] = w_array
    used = font.used | set(font.extra)
    mapping = {code: font.texts[code] for code in used if code in font.texts}
    to_unicode = DecodedStreamObject()
    to_unicode.set_data(_tounicode_cmap(mapping))
    font.obj[NameObject("/ToUnicode")] = writer._add_object(to_unicode)


def text_layer_fix(pdf: bytes) -> bytes:
    """Rewrite the text layer of a WeasyPrint PDF so that text extraction returns the source text."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    fonts: dict[int, _Font] = {}

    def fonts_of(resources: Any) -> dict[str, _Font]:
        found: dict[str, _Font] = {}
        if not resources or "/Font" not in resources:
            return found
        for name, ref in resources["/Font"].get_object().items():
            key = ref.idnum if isinstance(ref, IndirectObject) else id(ref)
            if key not in fonts:
                font = _font_of(ref.get_object())
                if font is None:
                    continue
                fonts[key] = font
            found[str(name)] = fonts[key]
        return found

    def walk(resources: Any, streams: list[Any]) -> None:
        by_name = fonts_of(resources)
        if resources and "/XObject" in resources:
            for ref in resources["/XObject"].get_object().values():
                xobj = ref.get_object()
                if xobj.get("/Subtype") == "/Form":
                    walk(xobj.get("/Resources", resources), [xobj])
        if not by_name:
            return
        for stream in streams:
            data = stream.get_data()
            fixed = _fix_stream(data, by_name)
            if fixed != data:
                stream.set_data(fixed)

    for page in writer.pages:
        resources = page.get("/Resources")
        contents = page.get("/Contents")
        streams: list[Any] = []
        if contents is not None:
            contents = contents.get_object()
            streams = [c.get_object() for c in contents] if isinstance(contents, ArrayObject) else [contents]
        walk(resources.get_object() if resources else None, streams)
    if not fonts:
        return pdf
    for font in fonts.values():
        _finish_font(font, writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_text(pdf: bytes, *, raw: bool = False) -> str:
    """The text layer as ``pdftotext`` (poppler) reads it: what recipients search and copy.
    ``raw`` keeps the drawing order instead of poppler's reading-order guess."""
    import subprocess  # only tests and checks read text back

    result = subprocess.run(
        ["/usr/bin/pdftotext", "-enc", "UTF-8", *(["-raw"] if raw else []), "-", "-"],
        input=pdf, capture_output=True, check=True,
    )
    return result.stdout.decode("utf-8")


def text_normalise(text: str) -> str:
    """Collapse whitespace and line breaks so a PDF's text can be compared with its source."""
    return " ".join(text.split())



def minimal_pdf(text: bytes) -> bytes:
    """A one-page PDF whose content stream shows ``text`` as it is (Helvetica, no font embedded):
    the placeholder cover of an encrypted letter, and test documents whose text must be found."""
    stream = b"BT /F1 11 Tf 50 780 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
