"""The summary as Markdown (for board papers) and as plain text (for the terminal).

Both are drawn from one outline of headings, paragraphs, lists and tables, so they say the
same thing in the same order; only the markup differs.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.plan.dates import format_date, format_long
from bot.plan.queries import ActionView
from bot.plan.rules import Rag
from bot.plan.summary import (
    FIRST_SUMMARY,
    HEADING_DUE_SOON,
    HEADING_EXCEPTIONS,
    HEADING_RECOMMENDATIONS,
    HEADING_STANDING,
    NO_CHANGES,
    NO_DUE_SOON,
    NO_EXCEPTIONS,
    Summary,
    actor_name,
    change,
    rag_key,
)

TEXT_WIDTH = 100


@dataclass(frozen=True)
class _Heading:
    level: int
    text: str


@dataclass(frozen=True)
class _Para:
    text: str
    strong: bool = False


@dataclass(frozen=True)
class _Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    right: frozenset[int] = field(default_factory=frozenset)
    # Columns that wrap when a plain-text table is too wide, first to give way first.
    flex: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Rule:
    pass


_Node = _Heading | _Para | _Bullets | _Table | _Rule


def due_text(a: ActionView) -> str:
    if a.revised_due:
        return f"{format_date(a.revised_due)} (was {format_date(a.original_due)})"
    return format_date(a.original_due)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''} late"


def _when(at: datetime, tz: str) -> str:
    return format_long(at.astimezone(ZoneInfo(tz)).date())


def _standing(s: Summary) -> list[_Node]:
    f, before = s.figures, (s.previous.figures if s.previous else None)
    labels = {Rag.RED: "Red (overdue)", Rag.AMBER: "Amber (on track)", Rag.GREEN: "Green (complete)"}
    rows = [(labels[c], str(f.of(c))) + ((change(f.of(c), before.of(c)),) if before else ())
            for c in (Rag.RED, Rag.AMBER, Rag.GREEN)]
    rows.append(("Total", str(f.total)) + ((change(f.total, before.total),) if before else ()))
    headers = ("RAG", "Actions") + ((f"Change since {s.previous.period.label}",) if before and s.previous else ())
    nodes: list[_Node] = [_Heading(2, HEADING_STANDING), _Table(headers, tuple(rows), frozenset({1}))]
    nodes.append(_Para(s.progress()))
    if s.previous is None:
        nodes.append(_Para(FIRST_SUMMARY))
    return nodes


def _changes(s: Summary) -> list[_Node]:
    tz = s.plan.timezone
    nodes: list[_Node] = [_Heading(2, f"What changed {s.since_phrase()}")]
    if not s.has_changes:
        return nodes + [_Para(NO_CHANGES)]
    if s.completed:
        items = []
        for c in s.completed:
            note = f" — “{c.note}”" if c.note else ""
            items.append(f"{c.action.ref} {c.action.description} — by {actor_name(c.actor)} on {_when(c.at, tz)}{note}")
        nodes += [_Heading(3, f"Completed ({len(s.completed)})"), _Bullets(tuple(items))]
    if s.newly_overdue:
        items = [f"{a.ref} {a.description} — due {format_date(a.due)}, {_days(a.days_late)}" for a in s.newly_overdue]
        nodes += [_Heading(3, f"Newly overdue ({len(s.newly_overdue)})"), _Bullets(tuple(items))]
    if s.revised:
        items = []
        for r in s.revised:
            dates = f"from {format_date(r.old_due) if r.old_due else '?'} to {format_date(r.new_due) if r.new_due else '?'}"
            reason = f" — “{r.reason}”" if r.reason else ""
            items.append(f"{r.action.ref} {r.action.description} — {dates}{reason} — by {actor_name(r.actor)} on {_when(r.at, tz)}")
        nodes += [_Heading(3, f"Dates revised ({len(s.revised)})"), _Bullets(tuple(items))]
    return nodes


def _exceptions(s: Summary) -> list[_Node]:
    nodes: list[_Node] = [_Heading(2, HEADING_EXCEPTIONS)]
    if not s.exceptions:
        return nodes + [_Para(NO_EXCEPTIONS)]
    for item in s.exceptions:
        a = item.action
        lines = [f"Owners: {' / '.join(a.owners)}", f"Original date: {format_date(a.original_due)}"]
        if a.revised_due:
            lines.append(f"Revised date: {format_date(a.revised_due)}")
        lines.append(f"Latest reason: {item.latest_reason or 'none given'}")
        nodes += [_Heading(3, f"{a.ref} {a.description} — {_days(a.days_late)}"), _Bullets(tuple(lines))]
    return nodes


def _due_soon(s: Summary) -> list[_Node]:
    nodes: list[_Node] = [_Heading(2, HEADING_DUE_SOON.format(days=s.due_soon_days))]
    if not s.due_soon:
        return nodes + [_Para(NO_DUE_SOON.format(days=s.due_soon_days))]
    rows = tuple((a.ref, a.description, " / ".join(a.owners), due_text(a), a.status.label) for a in s.due_soon)
    return nodes + [_Table(("Ref", "Action", "Owners", "Due", "Status"), rows, flex=(1, 2))]


def _recommendations(s: Summary) -> list[_Node]:
    nodes: list[_Node] = [_Heading(2, HEADING_RECOMMENDATIONS)]
    for rec in s.recommendations:
        heading = f"{rec.number}) {rec.text}" if rec.text else f"Recommendation {rec.number}"
        rows = tuple((a.ref, a.description, " / ".join(a.owners), due_text(a), a.status.label, a.rag.label)
                     for a in rec.actions)
        nodes += [_Heading(3, heading), _Table(("Ref", "Action", "Owners", "Due", "Status", "RAG"), rows, flex=(1, 2))]
    return nodes


def outline(s: Summary) -> list[_Node]:
    return [
        _Heading(1, s.title),
        _Para(s.headline, strong=True),
        *_standing(s),
        *_changes(s),
        *_exceptions(s),
        *_due_soon(s),
        *_recommendations(s),
        _Rule(),
        _Para(rag_key()),
        _Para(s.footer()),
    ]


def _md_cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(s: Summary) -> str:
    out: list[str] = []
    for node in outline(s):
        match node:
            case _Heading(level, text):
                out.append(f"{'#' * level} {' '.join(text.split())}")
            case _Para(text, strong):
                out.append(f"**{text}**" if strong else text)
            case _Bullets(items):
                out.append("\n".join(f"- {' '.join(item.split())}" for item in items))
            case _Table(headers, rows, right):
                lines = ["| " + " | ".join(headers) + " |",
                         "| " + " | ".join("---:" if i in right else "---" for i in range(len(headers))) + " |"]
                lines += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in rows]
                out.append("\n".join(lines))
            case _Rule():
                out.append("---")
    return "\n\n".join(out) + "\n"


def _text_table(table: _Table, width: int) -> str:
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
    out: list[str] = []
    for node in outline(s):
        match node:
            case _Heading(1, text):
                out.append(f"{text}\n{'=' * min(len(text), width)}")
            case _Heading(2, text):
                out.append(f"{text}\n{'-' * min(len(text), width)}")
            case _Heading(_, text):
                out.append(textwrap.fill(text, width))
            case _Para(text, _):
                out.append(textwrap.fill(text, width))
            case _Bullets(items):
                out.append("\n".join(textwrap.fill(item, width, initial_indent="  - ", subsequent_indent="    ")
                                     for item in items))
            case _Table():
                out.append(_text_table(node, width))
            case _Rule():
                out.append("-" * 40)
    return "\n\n".join(out) + "\n"
