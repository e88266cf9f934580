"""Plain-text renderings of a plan for the terminal (`planbot status`, `planbot slippage`), colour
when it is a tty."""

from __future__ import annotations

import textwrap

from bot.plan.dates import format_date
from bot.plan.phrases import (
    COMPLETED_UNRECORDED,
    blocked_line,
    days_late,
    days_until,
    due_date,
    lateness,
    owners,
    slip,
    slippage_line,
)
from bot.plan.queries import StatusView
from bot.plan.rules import ActionStatus, Rag
from bot.plan.slippage import Slippage

_COLOURS = {Rag.RED: "\033[31m", Rag.AMBER: "\033[33m", Rag.GREEN: "\033[32m", Rag.BAU: "\033[34m"}
_RESET = "\033[0m"
_BOLD = "\033[1m"


def _rag(colour: Rag, *, tty: bool, width: int = 5) -> str:
    label = colour.label.upper().ljust(width)
    return f"{_COLOURS[colour]}{label}{_RESET}" if tty else label


def _slippage_line(slippage: Slippage) -> str:
    return slippage_line(slippage.total, slippage.on_baseline, slippage.percent_on_baseline, slippage.total_days,
                         slippage.median_days)


def render_status(view: StatusView, *, tty: bool = False, slippage: Slippage | None = None) -> str:
    counts = view.counts
    bold = (lambda s: f"{_BOLD}{s}{_RESET}") if tty else (lambda s: s)
    lines = [
        bold(f"{view.plan.title} ({view.plan.key})") + f"  as at {format_date(view.today)}",
        f"{counts.total} actions, {counts.percent_complete}% complete:  "
        + "  ".join(f"{_rag(c, tty=tty, width=0)} {counts.of(c)}" for c in (Rag.RED, Rag.AMBER, Rag.GREEN))
        + (f"  {_rag(Rag.BAU, tty=tty, width=0)} {counts.bau}" if counts.bau else "")
        + (f"  ({blocked_line(counts.blocked)})" if counts.blocked else ""),
    ]
    if slippage is not None:
        lines.append(_slippage_line(slippage))
    lines.append("")
    for rec in view.recommendations:
        heading = f"{rec.number}) {rec.text}" if rec.text else f"Recommendation {rec.number}"
        lines.extend(textwrap.wrap(heading, width=100) or [heading])
        for a in rec.actions:
            lines.append(f"  {_rag(a.rag, tty=tty)} {a.ref:<6} {a.description}")
            if a.slipped and a.is_open:  # both dates, and how late against each
                detail = f"{a.status.label.lower()}; {lateness(a, view.today)}"
            else:
                detail = f"due {due_date(a)}; {a.status.label.lower()}"
            if a.status == ActionStatus.COMPLETE and a.completed_at is None:
                detail += f" ({COMPLETED_UNRECORDED.removeprefix('completed (')}"
            elif a.days_late and not a.slipped:
                detail += f"; {days_late(a.days_late)}"
            lines.append(f"        {'':6} {owners(a.owners)} | {detail}")
        lines.append("")
    if view.page.has_next:
        lines.append(f"(showing {view.page.offset + 1}-{view.page.offset + view.page.size} of {view.page.total})")
    return "\n".join(lines).rstrip() + "\n"


def render_slippage(slippage: Slippage) -> str:
    """`planbot slippage`: the plan's baseline against its current dates, most slipped first."""
    lines = [f"{slippage.plan.title} ({slippage.plan.key}): baseline and slippage as at {format_date(slippage.today)}",
             _slippage_line(slippage), ""]
    for item in slippage.slips:
        a = item.action
        lines.append(f"{a.ref:<6} {a.description}")
        state = (days_late(a.days_late) if a.days_late else days_until(a, slippage.today) if a.is_open
                 else a.status.label.lower())
        lines.append(f"       original {format_date(a.original_due)}, now {format_date(a.due)}: "
                     f"{slip(item.days, item.revisions)}; {state}")
        lines += [f"       reason: {reason}" for reason in item.reasons]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
