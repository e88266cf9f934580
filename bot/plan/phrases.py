"""Words that read the same in every rendering: the terminal, the Markdown and plain-text
summaries, the Slack messages and App Home. A renderer adds markup around them, never its own
wording of them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from bot.plan.dates import format_date, format_long
from bot.plan.queries import ActionView
from bot.plan.rules import ActionStatus, Rag

RAG_WORDS: Final = {Rag.RED: "Red (overdue)", Rag.AMBER: "Amber (on track)", Rag.GREEN: "Green (complete)",
             Rag.BAU: "Business as usual"}


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


COMPLETED_UNRECORDED: Final = "completed (date not recorded)"
DATE_NOT_RECORDED: Final = "date not recorded"


def completed_on(action: ActionView, timezone: str | None = None) -> str:
    """The day an action was completed, in the plan's timezone, or that nobody recorded it."""
    if action.completed_at is None:
        return DATE_NOT_RECORDED
    at = action.completed_at.astimezone(ZoneInfo(timezone)) if timezone else action.completed_at
    return format_date(at.date())


def due_or_done(action: ActionView) -> str:
    """Where an action stands in time, for a line of a list: completed 01/02/2027,
    due 15/01/2027 (revised from 01/12/2026) or due 15/01/2027."""
    if action.status == ActionStatus.COMPLETE:
        if action.completed_at is None:
            return COMPLETED_UNRECORDED
        return f"completed {format_date(action.completed_at.date())}"
    if action.status == ActionStatus.BAU:
        return f"business as usual: {action.bau_where}" if action.bau_where else "business as usual"
    if action.revised_due is not None:
        return f"due {format_date(action.revised_due)} (revised from {format_date(action.original_due)})"
    return f"due {format_date(action.original_due)}"


def blocked_line(count: int) -> str:
    """2 blocked on others"""
    return f"{count:,} blocked on others"


def owners(roles: Sequence[str]) -> str:
    return " / ".join(roles)


def change(now: int, before: int) -> str:
    """+2, −1 or "no change"."""
    if now == before:
        return "no change"
    return f"+{now - before}" if now > before else f"−{before - now}"


def actor_name(actor: str, names: Mapping[str, str] | None = None) -> str:
    """How an audit-trail actor reads as text: `demo (command line)`, the person's name as Slack
    gave it (`names`, from `bot.plan.people`), or the Slack user id when Slack has not said."""
    if actor.startswith("cli:"):
        return f"{actor.removeprefix('cli:')} (command line)"
    return (names or {}).get(actor) or actor


def day_in(at: datetime, timezone: str) -> str:
    """The day of an instant in the plan's timezone: 12 Feb 2027."""
    return format_long(at.astimezone(ZoneInfo(timezone)).date())



def times(count: int) -> str:
    """once, twice, 3 times."""
    return {1: "once", 2: "twice"}.get(count, f"{count:,} times")


def days_until(action: ActionView, today: date) -> str:
    """due today, or due in 5 days."""
    days = (action.due - today).days
    return "due today" if days == 0 else f"due in {plural(days, 'day')}"


def lateness(action: ActionView, today: date) -> str:
    """An open action's lateness against both its dates:
    62 days past its original date (31/07/2021); revised to 30/09/2021; 1 day late.
    For an action that has not slipped, just "7 days late" (or "" when it is not late)."""
    if not action.is_open:
        return ""
    if not action.slipped:
        return days_late(action.days_late) if action.days_late else ""
    assert action.revised_due is not None
    original = format_date(action.original_due)
    if action.days_past_baseline:
        baseline = f"{plural(action.days_past_baseline, 'day')} past its original date ({original})"
    else:
        baseline = f"slipped {plural(action.days_slipped, 'day')} from its original date ({original})"
    standing = days_late(action.days_late) if action.days_late else days_until(action, today)
    return f"{baseline}; revised to {format_date(action.revised_due)}; {standing}"


def slip(days: int, revisions: int) -> str:
    """slipped 61 days, revised once."""
    return f"slipped {plural(days, 'day')}, revised {times(revisions)}"


def median(days: float) -> str:
    return plural(int(days), "day") if days == int(days) else f"{days:.1f} days"


def slippage_line(total: int, on_baseline: int, percent: int, slipped_days: int, median_days: float) -> str:
    """7 of 10 actions (70%) are on their original dates; 3 slipped, by 96 days in all (median 30 days)."""
    if total == 0:
        return "The plan has no actions yet."
    slipped = total - on_baseline
    head = f"{on_baseline:,} of {plural(total, 'action')} ({percent}%) {'is' if on_baseline == 1 else 'are'} on " \
           f"{'its' if on_baseline == 1 else 'their'} original date{'' if on_baseline == 1 else 's'}"
    if slipped == 0:
        return head + "; none has slipped."
    return f"{head}; {slipped:,} slipped, by {plural(slipped_days, 'day')} in all (median {median(median_days)})."


def clip(text: str, limit: int) -> str:
    """The text whole if it fits, else cut at the last whole word before `limit`, with an ellipsis."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words.rstrip(".")
    cut = words[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.-–— ")
    return cut + "…"


def and_list(parts: Sequence[str]) -> str:
    """a; a and b; a, b and c."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]
