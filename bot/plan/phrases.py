"""Words that read the same in every rendering: the terminal, the Markdown and plain-text
summaries, the Slack messages and App Home. A renderer adds markup around them, never its own
wording of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.plan.dates import format_date, format_long
from bot.plan.queries import ActionView
from bot.plan.rules import ActionStatus, Rag

RAG_WORDS: Final = {Rag.RED: "Red (overdue)", Rag.AMBER: "Amber (on track)", Rag.GREEN: "Green (complete)"}


def plural(count: int, noun: str) -> str:
    """1 day, 2 days, 1,250 actions."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def days_late(days: int) -> str:
    return f"{plural(days, 'day')} late"


def due_date(action: ActionView) -> str:
    """The date an action is due, and the one it replaced: 15/02/2027 (was 16/12/2026)."""
    if action.revised_due is not None:
        return f"{format_date(action.revised_due)} (was {format_date(action.original_due)})"
    return format_date(action.original_due)


def due_or_done(action: ActionView) -> str:
    """Where an action stands in time, for a line of a list: completed 01/02/2027,
    due 15/01/2027 (revised from 01/12/2026) or due 15/01/2027."""
    if action.status == ActionStatus.COMPLETE and action.completed_at is not None:
        return f"completed {format_date(action.completed_at.date())}"
    if action.revised_due is not None:
        return f"due {format_date(action.revised_due)} (revised from {format_date(action.original_due)})"
    return f"due {format_date(action.original_due)}"


def owners(roles: Sequence[str]) -> str:
    return " / ".join(roles)


def change(now: int, before: int) -> str:
    """+2, −1 or "no change"."""
    if now == before:
        return "no change"
    return f"+{now - before}" if now > before else f"−{before - now}"


def actor_name(actor: str) -> str:
    """How an audit-trail actor reads as text: `demo (command line)` or the Slack user id."""
    if actor.startswith("cli:"):
        return f"{actor.removeprefix('cli:')} (command line)"
    return actor


def day_in(at: datetime, timezone: str) -> str:
    """The day of an instant in the plan's timezone: 12 Feb 2027."""
    return format_long(at.astimezone(ZoneInfo(timezone)).date())

