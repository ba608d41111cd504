"""Charts (matplotlib, PNG) and the PDF report (WeasyPrint) of one month's statistics."""

from __future__ import annotations

import base64
import contextlib
import io
import threading

import matplotlib

matplotlib.use("Agg")
from django.template.loader import render_to_string
from matplotlib import font_manager  # the backend must be chosen first
from matplotlib.figure import Figure
from weasyprint import HTML

from ecms.stats.selectors import MonthlyStats
from govcommon import thaidate

THAI_FONT_FILE = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf"
_font_lock = threading.Lock()
_font_ready: list[bool] = []


def _font() -> None:
    with _font_lock:
        if not _font_ready:
            # without the font matplotlib falls back to its default: Thai labels then show as boxes
            with contextlib.suppress(OSError, RuntimeError):
                font_manager.fontManager.addfont(THAI_FONT_FILE)
            _font_ready.append(True)


def _png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


def chart_per_day(stats: MonthlyStats) -> bytes:
    _font()
    fig = Figure(figsize=(7, 2.6))
    ax = fig.subplots()
    days = [d.day for d, _ in stats.per_day]
    counts = [n for _, n in stats.per_day]
    ax.bar(days, counts, color="#0b5ed7")
    ax.set_xlabel("วันที่", fontfamily="Laksaman")
    ax.set_ylabel("จำนวนหนังสือ", fontfamily="Laksaman")
    ax.set_xticks(days[::2])
    ax.set_title("หนังสือที่ส่งผ่านระบบกลางรายวัน", fontfamily="Laksaman")
    return _png(fig)


def chart_agencies(stats: MonthlyStats, top: int = 12) -> bytes:
    _font()
    rows = stats.agencies[:top]
    fig = Figure(figsize=(7, 0.35 * max(len(rows), 3) + 1))
    ax = fig.subplots()
    names = [r.name[:40] for r in rows][::-1]
    sent = [r.sent for r in rows][::-1]
    received = [r.received for r in rows][::-1]
    y = list(range(len(rows)))
    ax.barh([v + 0.2 for v in y], sent, height=0.4, label="ส่ง", color="#0b5ed7")
    ax.barh([v - 0.2 for v in y], received, height=0.4, label="รับ", color="#b35c00")
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontfamily="Laksaman")
    ax.legend(prop={"family": "Laksaman"})
    ax.set_title("จำนวนหนังสือส่ง-รับ ตามหน่วยงาน", fontfamily="Laksaman")
    return _png(fig)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def report_context(stats: MonthlyStats) -> dict[str, object]:
    return {
        "stats": stats,
        "month_label": f"{thaidate.month_name(stats.month.month)} {thaidate.be_year(stats.month)}",
        "chart_days": data_uri(chart_per_day(stats)),
        "chart_agencies": data_uri(chart_agencies(stats)),
    }


def report_pdf(stats: MonthlyStats) -> bytes:
    html = render_to_string("stats/report_pdf.html", report_context(stats))
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
