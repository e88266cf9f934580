"""The rules of a plan: action status, the current due date, and RAG derived from them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from storage.kinds import ActionStatus

__all__ = ["DEFAULT_TIMEZONE", "ActionStatus", "Rag", "current_due", "days_late", "rag", "today_in"]

DEFAULT_TIMEZONE = "Europe/London"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"
    BAU = "bau"  # moved to business as usual: neither complete nor overdue

    @property
    def label(self) -> str:
        return "Business as usual" if self == Rag.BAU else self.value.capitalize()

    @property
    def meaning(self) -> str:
        return {
            "red": "overdue: the due date has passed and the action is not complete",
            "amber": "on track: not yet complete, due date not passed",
            "green": "complete",
            "bau": "moved to business as usual: it lives on elsewhere, neither complete nor overdue",
        }[self.value]


def current_due(original_due: date, revised_due: date | None) -> date:
    return revised_due if revised_due is not None else original_due


def rag(status: ActionStatus, due: date, today: date) -> Rag:
    """Green if complete; Red if the due date is before today; Amber otherwise (due today is Amber)."""
    if status == ActionStatus.COMPLETE:
        return Rag.GREEN
    if status == ActionStatus.BAU:
        return Rag.BAU
    if due < today:
        return Rag.RED
    return Rag.AMBER


def days_late(status: ActionStatus, due: date, today: date) -> int:
    if not status.is_open or due >= today:
        return 0
    return (today - due).days


def today_in(timezone: str, now: datetime) -> date:
    """The calendar date in the plan's timezone at the aware instant `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()


def slipped(original_due: date, revised_due: date | None) -> bool:
    """An action has slipped when its current due date is later than its baseline (original) date."""
    return revised_due is not None and revised_due > original_due


def days_slipped(original_due: date, revised_due: date | None) -> int:
    """How far the current due date lies beyond the baseline, in days (0 if it has not slipped)."""
    if revised_due is None or revised_due <= original_due:
        return 0
    return (revised_due - original_due).days


def days_past_baseline(status: ActionStatus, original_due: date, today: date) -> int:
    """How many days an open action is past its original date, whatever its revised date says."""
    return days_late(status, original_due, today)


def is_exception(status: ActionStatus, original_due: date, revised_due: date | None, today: date) -> bool:
    """What the board hears about: an open action that is overdue or has slipped past its baseline."""
    if not status.is_open:
        return False
    return current_due(original_due, revised_due) < today or slipped(original_due, revised_due)
