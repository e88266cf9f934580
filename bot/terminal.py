"""Plain-text renderings of a plan for the terminal (`planbot status`), colour when it is a tty."""

from __future__ import annotations

import textwrap

from bot.plan.dates import format_date
from bot.plan.phrases import days_late, due_date, owners
from bot.plan.queries import StatusView
from bot.plan.rules import Rag

_COLOURS = {Rag.RED: "\033[31m", Rag.AMBER: "\033[33m", Rag.GREEN: "\033[32m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def _rag(colour: Rag, *, tty: bool, width: int = 5) -> str:
    label = colour.label.upper().ljust(width)
    return f"{_COLOURS[colour]}{label}{_RESET}" if tty else label


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
            detail = f"due {due_date(a)}; {a.status.label.lower()}"
            if a.days_late:
                detail += f"; {days_late(a.days_late)}"
            lines.append(f"        {'':6} {owners(a.owners)} | {detail}")
        lines.append("")
    if view.page.has_next:
        lines.append(f"(showing {view.page.offset + 1}-{view.page.offset + view.page.size} of {view.page.total})")
    return "\n".join(lines).rstrip() + "\n"
