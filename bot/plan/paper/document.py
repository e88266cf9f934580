"""The board paper as a document: its blocks in order, built from the summary's outline and the
plan's paper settings. A writer (`bot.paper`) turns these blocks into DOCX, PDF or
HTML and adds only its own markup.

The paper's shape is the one a board reads: a cover block, Recommendations, Executive summary,
Background, the recommendations numbered, Options and analysis (the RAG key, the table, the
exceptions under their recommendations, the chart), Risks and mitigations, Future plans, and
the sections a service adds. What the summary says (the executive sentence, each exception's
paragraph, who changed what) comes from the outline; the paper only places it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bot.plan.outline import (
    DASH,
    ActionTable,
    Changes,
    Figures,
    Heading,
    Para,
    Part,
    RecommendationExceptions,
    Section,
    Tone,
    outline,
)
from bot.plan.paper.settings import COVER, SECTIONS, TYPE_OF_REPORT, PaperSettings
from bot.plan.rules import Rag
from bot.plan.summary import Summary, rag_key
from bot.plan.summary_text import run_text

RECOMMENDATIONS_NONE: Final = "None. This report is for information."
HEADING_RECOMMENDATIONS: Final = "Recommendations"
HEADING_EXECUTIVE: Final = "Executive summary"
HEADING_NUMBERED: Final = "The recommendations"
HEADING_ANALYSIS: Final = "Options and analysis"
HEADING_KEY: Final = "RAG key"
HEADING_EXCEPTIONS: Final = "Exceptions"
HEADING_PROGRESS: Final = "Progress"
TABLE_HEADERS: Final = ("Recommendation", "Actions", "Owner", "Delivery date", "Status")
# The colour of each RAG status, in the tables and the chart: background, then text on it.
RAG_COLOURS: Final = {Rag.RED: ("C0392B", "FFFFFF"), Rag.AMBER: ("F0B400", "000000"), Rag.GREEN: ("2E8540", "FFFFFF")}
CHART_CAPTION: Final = ("Left: actions complete against actions due by each month's end, on their original dates "
                        "and on their current ones (an action completed on a day nobody recorded counts from its "
                        "due date). "
                        "Right: the RAG mix at each summary.")


@dataclass(frozen=True)
class Title:
    text: str


@dataclass(frozen=True)
class CoverBlock:
    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Head:
    level: int  # 1: a section; 2: within one
    text: str


@dataclass(frozen=True)
class Text:
    text: str
    strong: bool = False
    small: bool = False


@dataclass(frozen=True)
class Numbered:
    items: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    rag: Rag | None = None  # colours the table's `rag_column` cell


@dataclass(frozen=True)
class Table:
    headers: tuple[str, ...]
    rows: tuple[Row, ...]
    widths: tuple[float, ...]  # shares of the page's width, adding up to 1
    rag_column: int = -1


@dataclass(frozen=True)
class Chart:
    png: bytes
    caption: str


Block = Title | CoverBlock | Head | Text | Numbered | Bullets | Table | Chart


@dataclass(frozen=True)
class Paper:
    title: str
    blocks: tuple[Block, ...]
    for_publication: bool

    def text(self) -> str:
        """Every word of the paper, in order (for a search or a test)."""
        out: list[str] = []
        for block in self.blocks:
            match block:
                case Title(text) | Head(_, text) | Text(text):
                    out.append(text)
                case CoverBlock(rows):
                    out += [f"{label}: {value}" for label, value in rows]
                case Numbered(items):
                    out += [f"{n}. {text}" for n, text in items]
                case Bullets(items):
                    out += list(items)
                case Table(headers, rows):
                    out += [" | ".join(headers)] + [" | ".join(r.cells) for r in rows]
                case Chart(_, caption):
                    out.append(caption)
        return "\n".join(out)


def _cover(summary: Summary, settings: PaperSettings) -> CoverBlock:
    rows = [(f.label, settings.shown(f.name) or (summary.title if f.name == "subject" else "")) for f in COVER]
    rows += [("Type of report", TYPE_OF_REPORT), ("For publication", "Yes" if settings.for_publication else "No")]
    return CoverBlock(tuple((label, value) for label, value in rows if value))


def _rag_key() -> Table:
    rows = tuple(Row((c.label, c.meaning), c) for c in (Rag.RED, Rag.AMBER, Rag.GREEN))
    return Table(("Status", "Meaning"), rows, (0.2, 0.8), rag_column=0)


def _recommendation_table(section: Section) -> tuple[Numbered, Table]:
    """The numbered recommendations and the table of their actions, from the outline's
    recommendation-by-recommendation section (a heading, then its actions' table)."""
    numbered: list[tuple[int, str]] = []
    rows: list[Row] = []
    number: int | None = None
    for node in section.body:
        match node:
            case Heading(text, n) if n is not None:
                number = n
                numbered.append((n, text.removeprefix(f"{n}) ")))
            case ActionTable(columns, table_rows):
                owners, due, status = (columns.index(c) for c in ("Owners", "Due", "Status"))
                for i, row in enumerate(table_rows):
                    rows.append(Row((str(number) if i == 0 and number is not None else "",
                                     f"{row.action.ref} {row.action.description}", row.cells[owners], row.cells[due],
                                     f"{row.action.rag.label} ({row.cells[status].lower()})"),
                                    row.action.rag))
    return Numbered(tuple(numbered)), Table(TABLE_HEADERS, tuple(rows), (0.19, 0.33, 0.2, 0.14, 0.14))


def _exceptions(section: Section, names: Mapping[str, str]) -> list[Block]:
    blocks: list[Block] = [Head(2, section.heading or HEADING_EXCEPTIONS)]
    for node in section.body:
        match node:
            case Para(text):
                blocks.append(Text(run_text(text, names)))
            case RecommendationExceptions(_, _, heading, entries):
                blocks.append(Text(heading, strong=True))
                for entry in entries:
                    blocks.append(Text(f"{entry.action.ref} {entry.action.description}{DASH}{entry.lateness}",
                                       strong=True))
                    blocks.append(Text(run_text(entry.text, names)))
    return blocks


def _progress(standing: Section, chart: bytes | None) -> list[Block]:
    blocks: list[Block] = [Head(2, HEADING_PROGRESS)]
    for node in standing.body:
        match node:
            case Figures(headers, rows, complete):
                cells = [Row((f.label, f.value, *((f.change,) if f.change is not None else ())), f.rag)
                         for f in rows]
                cells.append(Row((complete.label, complete.value,
                                  *((complete.change or "",) if len(headers) > 2 else ()))))  # noqa: PLR2004
                share = 1 / len(headers)
                blocks.append(Table(headers, tuple(cells), tuple(share for _ in headers), rag_column=0))
            case Para(text, tone):
                blocks.append(Text(run_text(text), small=tone == Tone.NOTE))
    if chart is not None:
        blocks.append(Chart(chart, CHART_CAPTION))
    return blocks


def _changes(section: Section, names: Mapping[str, str]) -> list[Block]:
    blocks: list[Block] = [Head(2, section.heading or "")]
    for node in section.body:
        match node:
            case Para(text):
                blocks.append(Text(run_text(text, names)))
            case Changes(_, heading, _, items):
                blocks.append(Text(heading, strong=True))
                blocks.append(Bullets(tuple(
                    (f"{i.action.ref} {i.action.description}{DASH}" if i.action else "") + run_text(i.text, names)
                    for i in items)))
    return blocks


def build_paper(summary: Summary, settings: PaperSettings, chart: bytes | None) -> Paper:
    """The board paper for `summary`: the outline's content in the paper's shape."""
    doc = outline(summary)
    names = summary.names
    numbered, table = _recommendation_table(doc.section(Part.RECOMMENDATIONS))
    blocks: list[Block] = [Title(doc.title), _cover(summary, settings),
                           Head(1, HEADING_RECOMMENDATIONS), Text(RECOMMENDATIONS_NONE),
                           Head(1, HEADING_EXECUTIVE), Text(run_text(doc.headline, names)), Text(doc.progress)]
    if background := settings.section("background"):
        blocks += [Head(1, "Background"), Text(background)]
    blocks += [Head(1, HEADING_NUMBERED), numbered,
               Head(1, HEADING_ANALYSIS), Head(2, HEADING_KEY), _rag_key(), table]
    blocks += _exceptions(doc.section(Part.EXCEPTIONS), names)
    blocks += _progress(doc.section(Part.STANDING), chart)
    blocks += _changes(doc.section(Part.CHANGES), names)
    for field in SECTIONS:
        if field.name != "background" and (text := settings.section(field.name)):
            blocks += [Head(1, field.label), Text(text)]
    blocks += [Text(rag_key(), small=True), Text(summary.footer(), small=True)]
    return Paper(doc.title, tuple(blocks), settings.for_publication)
