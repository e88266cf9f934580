"""The paper as a Word document (python-docx): real headings and tables, so that it opens in Word
and LibreOffice as a paper a secretary could have typed, and can be edited as one."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from bot.plan.paper.document import (
    RAG_COLOURS,
    Block,
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

PAGE_WIDTH_MM = 210
MARGIN_MM = 20
BODY_MM = PAGE_WIDTH_MM - 2 * MARGIN_MM


def _shade(cell: Any, fill: str, ink: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
    for paragraph in cell.paragraphs:
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor.from_string(ink)


def _table(document: Any, block: Table) -> None:
    table = document.add_table(rows=len(block.rows) + 1, cols=len(block.headers))
    table.style = "Table Grid"
    column = block.rag_column % len(block.headers)
    rows = table.rows
    for cell, header in zip(rows[0].cells, block.headers, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(header).bold = True
    for row, data in zip(list(rows)[1:], block.rows, strict=True):
        cells = row.cells
        for i, text in enumerate(data.cells):
            cells[i].text = text
        if data.rag is not None:
            fill, ink = RAG_COLOURS[data.rag]
            _shade(cells[column], fill, ink)
    for cell_column, share in zip(table.columns, block.widths, strict=True):
        cell_column.width = Mm(BODY_MM * share)


def write_docx(paper: Paper) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_WIDTH_MM), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(MARGIN_MM))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(11)
    document.core_properties.title = paper.title
    document.core_properties.language = "en-GB"
    for block in paper.blocks:
        _block(document, block)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _block(document: Any, block: Block) -> None:
    match block:
        case Title(text):
            document.add_heading(text, 0)
        case CoverBlock(rows):
            table = document.add_table(rows=len(rows), cols=2)
            table.style = "Table Grid"
            for row, (label, value) in zip(table.rows, rows, strict=True):
                row.cells[0].text = ""
                row.cells[0].paragraphs[0].add_run(label).bold = True
                row.cells[1].text = value
        case Head(level, text):
            document.add_heading(text, level)
        case Text(text, strong, small):
            run = document.add_paragraph().add_run(text)
            run.bold = strong
            if small:
                run.font.size = Pt(8)
        case Numbered(items):
            for number, text in items:
                document.add_paragraph(f"{number}. {text}")
        case Bullets(items):
            for text in items:
                document.add_paragraph(text, style="List Bullet")
        case Table():
            _table(document, block)
        case Chart(png, caption):
            document.add_picture(io.BytesIO(png), width=Mm(BODY_MM))
            document.add_paragraph(caption).runs[0].font.size = Pt(8)
