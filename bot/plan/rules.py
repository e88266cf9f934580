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

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def meaning(self) -> str:
        return {
            "red": "overdue: the due date has passed and the action is not complete",
            "amber": "on track: not yet complete, due date not passed",
            "green": "complete",
        }[self.value]


def current_due(original_due: date, revised_due: date | None) -> date:
    return revised_due if revised_due is not None else original_due


def rag(status: ActionStatus, due: date, today: date) -> Rag:
    """Green if complete; Red if the due date is before today; Amber otherwise (due today is Amber)."""
    if status == ActionStatus.COMPLETE:
        return Rag.GREEN
    if due < today:
        return Rag.RED
    return Rag.AMBER


def days_late(status: ActionStatus, due: date, today: date) -> int:
    if status == ActionStatus.COMPLETE or due >= today:
        return 0
    return (today - due).days


def today_in(timezone: str, now: datetime) -> date:
    """The calendar date in the plan's timezone at the aware instant `now`."""
    return now.astimezone(ZoneInfo(timezone)).date()
