"""Plain-text renderings of a plan for the terminal (`planbot status`), colour when it is a tty."""

from __future__ import annotations

import textwrap

from bot.plan.dates import format_date
from bot.plan.queries import ActionView, StatusView
from bot.plan.rules import Rag

_COLOURS = {Rag.RED: "\033[31m", Rag.AMBER: "\033[33m", Rag.GREEN: "\033[32m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def _rag(colour: Rag, *, tty: bool, width: int = 5) -> str:
    label = colour.label.upper().ljust(width)
    return f"{_COLOURS[colour]}{label}{_RESET}" if tty else label


def _due(action: ActionView) -> str:
    if action.revised_due:
        return f"{format_date(action.revised_due)} (was {format_date(action.original_due)})"
    return format_date(action.original_due)


def render_status(view: StatusView, *, tty: bool = False) -> str:
    counts = view.counts
    bold = (lambda s: f"{_BOLD}{s}{_RESET}") if tty else (lambda s: s)
    lines = [
        bold(f"{view.plan.title} ({view.plan.key})") + f"  as at {format_date(view.today)}",
        f"{counts.total} actions, {counts.percent_complete}% complete:  "
        + "  ".join(f"{_rag(c, tty=tty, width=0)} {counts.of(c)}" for c in (Rag.RED, Rag.AMBER, Rag.GREEN)),
        "",
    ]
    for rec in view.recommendations:
        heading = f"{rec.number}) {rec.text}" if rec.text else f"Recommendation {rec.number}"
        lines.extend(textwrap.wrap(heading, width=100) or [heading])
        for a in rec.actions:
            lines.append(f"  {_rag(a.rag, tty=tty)} {a.ref:<6} {a.description}")
            detail = f"due {_due(a)}; {a.status.label.lower()}"
            if a.days_late:
                detail += f"; {a.days_late} days late"
            lines.append(f"        {'':6} {' / '.join(a.owners)} | {detail}")
        lines.append("")
    if view.page.has_next:
        lines.append(f"(showing {view.page.offset + 1}-{view.page.offset + view.page.size} of {view.page.total})")
    return "\n".join(lines).rstrip() + "\n"
