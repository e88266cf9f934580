"""The paper as a PDF, made in pure Python (fpdf2) with the DejaVu Sans font matplotlib ships:
nothing to install from the system, no browser. Long tables run on over pages with their
headings repeated.

fpdf2 draws the text, rectangles and image; the lines are broken here, greedily by words with
each word's width measured once. fpdf2's own `multi_cell` and `table` measure every character
again for every line they try, which made a 1,000-action paper take ten seconds.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from fpdf import FPDF

from bot.paper.chart import SIZE
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

MARGIN: Final = 20.0  # mm
PAGE_W, PAGE_H = 210.0, 297.0
BODY: Final = PAGE_W - 2 * MARGIN
BOTTOM: Final = PAGE_H - MARGIN
FONT: Final = "DejaVu"
SIZES: Final = {"title": 17.0, 1: 14.0, 2: 12.0, "body": 10.0, "small": 8.0, "table": 8.5}
PT: Final = 25.4 / 72  # mm in a point
LEADING: Final = 1.3  # line height as a multiple of the font size
PAD: Final = 1.2  # mm inside a table cell
HEADER_FILL: Final = (232, 232, 232)
BLACK: Final = (0, 0, 0)
Colour = tuple[int, int, int]
Cell = tuple[str, str, Colour | None, Colour]  # text, font style, fill (None: none), ink


def _font_dir() -> Path:
    import matplotlib  # noqa: PLC0415 - the fonts it ships are the PDF's

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _rgb(hex_colour: str) -> Colour:
    return int(hex_colour[0:2], 16), int(hex_colour[2:4], 16), int(hex_colour[4:6], 16)


@dataclass
class _Writer:
    pdf: FPDF
    _widths: dict[tuple[str, str], float] = field(default_factory=dict)

    def _font(self, style: str, size: float) -> None:
        self.pdf.set_font(FONT, style, size)

    def width(self, text: str, style: str, size: float) -> float:
        """mm, at `size`: measured once per text and style at 1 pt, then scaled."""
        key = (text, style)
        if key not in self._widths:
            self._font(style, 1)
            self._widths[key] = self.pdf.get_string_width(text)
        return self._widths[key] * size

    def wrap(self, text: str, room: float, style: str, size: float) -> list[str]:
        lines: list[str] = []
        space = self.width(" ", style, size)
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for whole in paragraph.split():
                word, wide = whole, self.width(whole, style, size)
                while wide > room:  # a word wider than the line: cut it where it fills one
                    if line:
                        lines.append(line)
                        line, used = "", 0.0
                    cut = max(1, int(len(word) * room / wide))
                    lines.append(word[:cut])
                    word = word[cut:]
                    wide = self.width(word, style, size)
                if line and used + space + wide > room:
                    lines.append(line)
                    line, used = "", 0.0
                line, used = (f"{line} {word}", used + space + wide) if line else (word, wide)
            lines.append(line)
        return lines

    def room_for(self, height: float) -> None:
        if self.pdf.get_y() + height > BOTTOM:
            self.pdf.add_page()

    def para(self, text: str, *, size: float, style: str = "", gap: float = 2.0, indent: float = 0.0) -> None:
        leading = size * PT * LEADING
        lines = self.wrap(text, BODY - indent, style, size)  # measuring sets the font at 1 pt
        self._font(style, size)
        self.pdf.set_text_color(*BLACK)
        for line in lines:
            self.room_for(leading)
            y = self.pdf.get_y()
            self.pdf.text(MARGIN + indent, y + size * PT, line)
            self.pdf.set_y(y + leading)
        self.pdf.set_y(self.pdf.get_y() + gap)

    def _row(self, cells: list[Cell], widths: list[float], size: float,
             height: float, lines: list[list[str]]) -> None:
        y, x = self.pdf.get_y(), MARGIN
        leading = size * PT * LEADING
        for (_, style, fill, ink), width, wrapped in zip(cells, widths, lines, strict=True):
            if fill is not None:
                self.pdf.set_fill_color(*fill)
            self.pdf.rect(x, y, width, height, style="DF" if fill is not None else "D")
            self._font(style, size)
            self.pdf.set_text_color(*ink)
            for n, line in enumerate(wrapped):
                self.pdf.text(x + PAD, y + PAD + size * PT + n * leading, line)
            x += width
        self.pdf.set_y(y + height)

    def table(self, header: list[str] | None, rows: list[list[Cell]],
              shares: tuple[float, ...], size: float) -> None:
        widths = [BODY * s for s in shares]
        leading = size * PT * LEADING
        self.pdf.set_draw_color(119, 119, 119)
        self.pdf.set_line_width(0.2)
        head: list[Cell] | None = [(h, "B", HEADER_FILL, BLACK) for h in header] if header else None

        def measured(cells: list[Cell]) -> tuple[list[list[str]], float]:
            wrapped = [self.wrap(text, w - 2 * PAD, style, size) for (text, style, _, _), w in
                       zip(cells, widths, strict=True)]
            return wrapped, max(len(w) for w in wrapped) * leading + 2 * PAD

        head_lines, head_height = measured(head) if head else ([], 0.0)
        if head:
            self.room_for(head_height + leading + 2 * PAD)
            self._row(head, widths, size, head_height, head_lines)
        for cells in rows:
            wrapped, height = measured(cells)
            if self.pdf.get_y() + height > BOTTOM:
                self.pdf.add_page()
                if head:
                    self._row(head, widths, size, head_height, head_lines)
            self._row(cells, widths, size, height, wrapped)
        self.pdf.set_y(self.pdf.get_y() + 3)


def _cells(block: Table) -> list[list[Cell]]:
    column = block.rag_column % len(block.headers)
    rows = []
    for row in block.rows:
        cells: list[Cell] = []
        for i, text in enumerate(row.cells):
            if row.rag is not None and i == column:
                fill, ink = RAG_COLOURS[row.rag]
                cells.append((text, "", _rgb(fill), _rgb(ink)))
            else:
                cells.append((text, "", None, BLACK))
        rows.append(cells)
    return rows


def write_pdf(paper: Paper) -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(False)
    fonts = _font_dir()
    pdf.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.set_title(paper.title)
    pdf.set_lang("en-GB")
    pdf.set_creator("planbot")
    pdf.add_page()
    out = _Writer(pdf)
    for block in paper.blocks:
        match block:
            case Title(text):
                out.para(text, size=SIZES["title"], style="B", gap=4)
            case CoverBlock(rows):
                out.table(None, [[(label, "B", HEADER_FILL, BLACK), (value, "", None, BLACK)] for label, value in rows],
                          (0.3, 0.7), SIZES["body"])
            case Head(level, text):
                pdf.set_y(pdf.get_y() + 2)
                out.room_for(SIZES[level] * PT * LEADING * 3)  # a heading is not left alone at a page's foot
                out.para(text, size=SIZES[level], style="B")
            case Text(text, strong, small):
                out.para(text, size=SIZES["small" if small else "body"], style="B" if strong else "")
            case Numbered(items):
                for number, text in items:
                    out.para(f"{number}. {text}", size=SIZES["body"], gap=1)
                pdf.set_y(pdf.get_y() + 1)
            case Bullets(items):
                for text in items:
                    out.para(f"•  {text}", size=SIZES["body"], gap=1)
                pdf.set_y(pdf.get_y() + 1)
            case Table():
                out.table(list(block.headers), _cells(block), block.widths, SIZES["table"])
            case Chart(png, caption):
                height = BODY * SIZE[1] / SIZE[0]
                out.room_for(height)
                pdf.image(io.BytesIO(png), x=MARGIN, y=pdf.get_y(), w=BODY)
                pdf.set_y(pdf.get_y() + height + 1)
                out.para(caption, size=SIZES["small"])
    return bytes(pdf.output())
