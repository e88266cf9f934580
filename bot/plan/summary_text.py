"""The summary as Markdown (for board papers) and as plain text (for the terminal): two
renderings of `bot.plan.outline`, which differ only in markup. Any outline renders the same way
(`markdown_of`, `text_of`): the closure report's too."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from bot.plan.outline import (
    DASH,
    ActionRef,
    ActionTable,
    Changes,
    Figures,
    Heading,
    Item,
    Outline,
    Para,
    Person,
    RecommendationExceptions,
    Rule,
    Run,
    Section,
    Tone,
    Words,
    outline,
)
from bot.plan.phrases import actor_name
from bot.plan.summary import Summary

TEXT_WIDTH = 100


def run_text(run: Run, names: Mapping[str, str] | None = None) -> str:
    """A run of the outline as plain words: people by name (`names`, else their id), their words
    in quotes when quoted."""
    out: list[str] = []
    for span in run:
        match span:
            case Person(actor):
                out.append(actor_name(actor, names))
            case Words(text, quoted):
                out.append(f"“{text}”" if quoted else text)
            case str():
                out.append(span)
    return "".join(out)


def _about(action: ActionRef, run: Run, names: Mapping[str, str]) -> str:
    return f"{action.ref} {action.description}{DASH}{run_text(run, names)}"


def _item(item: Item, names: Mapping[str, str]) -> str:
    return _about(item.action, item.text, names) if item.action else run_text(item.text, names)


@dataclass(frozen=True)
class _Head:
    level: int
    text: str


@dataclass(frozen=True)
class _List:
    items: tuple[str, ...]


@dataclass(frozen=True)
class _Grid:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: frozenset[int] = field(default_factory=frozenset)
    # Columns that wrap when a plain-text table is too wide, first to give way first.
    flex: tuple[int, ...] = ()


def _figures_grid(figures: Figures) -> _Grid:
    rows = tuple((f.label, f.value, *((f.change,) if f.change is not None else ())) for f in figures.rows)
    return _Grid(figures.headers, rows, frozenset({1}))


def _actions_grid(table: ActionTable) -> _Grid:
    # The widest columns give way, widest first (the description, the owners, the reasons).
    rows = tuple(table.cells(row) for row in table.rows)
    widest = sorted(range(1, 1 + len(table.columns) + 1),
                    key=lambda i: -max(len(r[i]) for r in (table.headers, *rows)))
    return _Grid(table.headers, rows, flex=tuple(widest[:2]))


def _walk(sections: Iterable[Section], names: Mapping[str, str]) -> Iterator[_Head | Para | _List | _Grid | Rule]:
    """The outline's sections as one run of headings, paragraphs, lists and tables: the shape
    both renderings share."""
    for section in sections:
        if section.heading is not None:
            yield _Head(2, section.heading)
        for node in section.body:
            match node:
                case Para() | Rule():
                    yield node
                case Heading(text):
                    yield _Head(3, text)
                case Changes(_, heading, _, items):
                    yield _Head(3, heading)
                    yield _List(tuple(_item(i, names) for i in items))
                case RecommendationExceptions(_, _, heading, entries):
                    yield _Head(3, heading)
                    for entry in entries:
                        yield _Head(4, f"{entry.action.ref} {entry.action.description}{DASH}{entry.lateness}")
                        yield Para(entry.text)
                case Figures():
                    yield _figures_grid(node)
                case ActionTable():
                    yield _actions_grid(node)


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(s: Summary) -> str:
    return markdown_of(outline(s), s.names)


def markdown_of(doc: Outline, names: Mapping[str, str] | None = None) -> str:
    """Any outline (a summary's, a closure report's) as Markdown; people by `names`, else their id."""
    names = names or {}
    out = [f"# {' '.join(doc.title.split())}", f"**{run_text(doc.headline, names)}**"]
    for node in _walk(doc.sections, names):
        match node:
            case _Head(level, text):
                out.append(f"{'#' * level} {' '.join(text.split())}")
            case Para(text, tone):
                out.append(f"**{run_text(text, names)}**" if tone == Tone.STRONG else run_text(text, names))
            case Rule():
                out.append("---")
            case _Grid(headers, rows, right):
                lines = ["| " + " | ".join(headers) + " |",
                         "| " + " | ".join("---:" if i in right else "---" for i in range(len(headers))) + " |"]
                lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
                out.append("\n".join(lines))
            case _List(items):
                out.append("\n".join(f"- {' '.join(item.split())}" for item in items))
    return "\n\n".join(out) + "\n"


def _text_table(table: _Grid, width: int) -> str:
    columns = len(table.headers)
    natural = [max(len(str(row[i])) for row in (table.headers, *table.rows)) for i in range(columns)]
    gap = 2
    widths = list(natural)
    for column, floor in zip(table.flex, (30, 16)):
        excess = sum(widths) + gap * (columns - 1) - width
        if excess > 0:
            widths[column] = max(floor, widths[column] - excess)
    lines = []
    for number, row in enumerate((table.headers, *table.rows)):
        cells = [textwrap.wrap(" ".join(str(cell).split()), widths[i]) or [""] for i, cell in enumerate(row)]
        for line in range(max(len(c) for c in cells)):
            parts = []
            for i, cell in enumerate(cells):
                piece = cell[line] if line < len(cell) else ""
                parts.append(piece.rjust(widths[i]) if i in table.right else piece.ljust(widths[i]))
            lines.append((" " * gap).join(parts).rstrip())
        if number == 0:
            lines.append((" " * gap).join("-" * w for w in widths))
    return "\n".join(lines)


def render_text(s: Summary, width: int = TEXT_WIDTH) -> str:
    return text_of(outline(s), width, s.names)


def text_of(doc: Outline, width: int = TEXT_WIDTH, names: Mapping[str, str] | None = None) -> str:
    """Any outline (a summary's, a closure report's) as plain text; people by `names`, else their id."""
    names = names or {}
    out = [f"{doc.title}\n{'=' * min(len(doc.title), width)}", textwrap.fill(run_text(doc.headline, names), width)]
    for node in _walk(doc.sections, names):
        match node:
            case _Head(2, text):
                out.append(f"{text}\n{'-' * min(len(text), width)}")
            case _Head(_, text):
                out.append(textwrap.fill(text, width))
            case Para(text, _):
                out.append(textwrap.fill(run_text(text, names), width))
            case Rule():
                out.append("-" * 40)
            case _Grid():
                out.append(_text_table(node, width))
            case _List(items):
                out.append("\n".join(textwrap.fill(item, width, initial_indent="  - ", subsequent_indent="    ")
                                     for item in items))
    return "\n\n".join(out) + "\n"
