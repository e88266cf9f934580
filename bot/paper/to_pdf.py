"""The paper as a PDF, made in pure Python (fpdf2) with the DejaVu Sans font matplotlib ships:
nothing to install from the system, no browser. Long tables run on over pages with their
headings repeated."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Final

from fpdf import FPDF
from fpdf.fonts import FontFace

from bot.plan.paper.document import (
    RAG_COLOURS,
    Bullets,
    Chart,
    CoverBlock,
    Head,
    Numbered,
    Paper,
    Table,
    Text,
    Title,
)

MARGIN: Final = 20  # mm
BODY: Final = 210 - 2 * MARGIN
FONT: Final = "DejaVu"
SIZES: Final = {"title": 17, 1: 14, 2: 12, "body": 10, "small": 8, "table": 8.5}
HEADER_FILL: Final = (232, 232, 232)


def _font_dir() -> Path:
    import matplotlib  # noqa: PLC0415 - the fonts it ships are the PDF's

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


def _para(pdf: FPDF, text: str, *, size: float, style: str = "", gap: float = 2) -> None:
    pdf.set_font(FONT, style, size)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _table(pdf: FPDF, block: Table) -> None:
    pdf.set_font(FONT, "", SIZES["table"])
    column = block.rag_column % len(block.headers)
    with pdf.table(col_widths=tuple(w * 100 for w in block.widths), width=BODY, text_align="LEFT",
                   line_height=SIZES["table"] * 0.5, headings_style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL),
                   first_row_as_headings=True) as table:
        table.row(block.headers)
        for data in block.rows:
            row = table.row()
            for i, text in enumerate(data.cells):
                if data.rag is not None and i == column:
                    fill, ink = RAG_COLOURS[data.rag]
                    row.cell(text, style=FontFace(color=_rgb(ink), fill_color=_rgb(fill)))
                else:
                    row.cell(text)
    pdf.ln(3)


def write_pdf(paper: Paper) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, MARGIN)
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(paper.title)
    pdf.set_lang("en-GB")
    pdf.set_creator("planbot")
    pdf.add_page()
    for block in paper.blocks:
        match block:
            case Title(text):
                _para(pdf, text, size=SIZES["title"], style="B", gap=4)
            case CoverBlock(rows):
                pdf.set_font(FONT, "", SIZES["body"])
                with pdf.table(col_widths=(30, 70), width=BODY, text_align="LEFT", first_row_as_headings=False,
                               line_height=SIZES["body"] * 0.5) as table:
                    for label, value in rows:
                        row = table.row()
                        row.cell(label, style=FontFace(emphasis="BOLD", fill_color=HEADER_FILL))
                        row.cell(value)
                pdf.ln(3)
            case Head(level, text):
                pdf.ln(2)
                _para(pdf, text, size=SIZES[level], style="B")
            case Text(text, strong, small):
                _para(pdf, text, size=SIZES["small" if small else "body"], style="B" if strong else "")
            case Numbered(items):
                for number, text in items:
                    _para(pdf, f"{number}. {text}", size=SIZES["body"], gap=1)
                pdf.ln(1)
            case Bullets(items):
                for text in items:
                    _para(pdf, f"•  {text}", size=SIZES["body"], gap=1)
                pdf.ln(1)
            case Table():
                _table(pdf, block)
            case Chart(png, caption):
                pdf.image(io.BytesIO(png), w=BODY)
                _para(pdf, caption, size=SIZES["small"])
    return bytes(pdf.output())
