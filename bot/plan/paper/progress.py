"""The figures the paper's chart draws: a burn-up from the plan's start (actions due by each
month's end, on their original dates and on their current ones, against actions complete then,
as the audit trail tells it) and the RAG mix at each posted summary."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.dates import MONTH_NAMES
from bot.plan.errors import InvalidInput
from bot.plan.queries import ActionView, RagCounts
from bot.plan.summary import Summary, period_from_key
from storage.kinds import EventKind, PostState
from storage.models import ActionEvent, Plan, SummaryPost

# The burn-up shows at most this many months, the latest ones.
MAX_MONTHS: Final = 36


@dataclass(frozen=True)
class Month:
    label: str  # "Sep 2021"
    end: date
    due_baseline: int  # actions whose original date is on or before the month's end
    due_current: int  # actions whose current date (revised, if any) is
    complete: int  # actions complete at the month's end


@dataclass(frozen=True)
class Mix:
    label: str  # the summary's period: "September 2021"
    red: int
    amber: int
    green: int


@dataclass(frozen=True)
class Progress:
    months: tuple[Month, ...]
    mixes: tuple[Mix, ...]
    total: int


def _month_ends(first: date, last: date) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        ends.append(date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)  # noqa: PLR2004 - December
    return ends[-MAX_MONTHS:]


def _completions(session: Session, plan_id: int, actions: list[ActionView],
                 tz: ZoneInfo) -> dict[int, list[tuple[date, bool]]]:
    """Each action's completions and reopenings, by local day, oldest first (the audit trail's),
    with a complete action's recorded completion date standing for its last completion; one
    completed on a day nobody recorded (imported as complete) counts from its due date."""
    changes: dict[int, list[tuple[date, bool]]] = {}
    rows = session.execute(
        select(ActionEvent.action_id, ActionEvent.kind, ActionEvent.at)
        .where(ActionEvent.plan_id == plan_id, ActionEvent.kind.in_((EventKind.COMPLETED, EventKind.REOPENED)))
        .order_by(ActionEvent.id)
    )
    for action_id, kind, at in rows:
        if action_id is not None:
            changes.setdefault(action_id, []).append((at.astimezone(tz).date(), kind == EventKind.COMPLETED))
    for a in actions:
        if a.is_open:
            continue
        done = a.completed_at.astimezone(tz).date() if a.completed_at else None
        history = changes.setdefault(a.id, [])
        if history and history[-1][1]:
            if done is not None:
                history[-1] = (min(done, history[-1][0]), True)
        else:
            history.append((done or a.due, True))  # completed on a day nobody recorded: its due date
    return changes


def _complete_at(history: list[tuple[date, bool]], end: date) -> bool:
    state = False
    for day, complete in history:
        if day <= end:
            state = complete
    return state


def progress_of(session: Session, plan: Plan, summary: Summary) -> Progress:
    """The chart's figures for `summary` of `plan`, as of its day, from the earliest of the plan's
    set-up and its first original date."""
    tz = ZoneInfo(summary.plan.timezone)
    actions = [a for rec in summary.recommendations for a in rec.actions]
    today = summary.today
    starts = [a.original_due for a in actions] + [plan.created_at.astimezone(tz).date()]
    first = min(starts) if starts else today
    first = min(first, today)
    history = _completions(session, summary.plan.id, actions, tz)
    baseline = sorted(a.original_due for a in actions)
    current = sorted(a.due for a in actions)
    months = []
    for end in _month_ends(first, today):
        cut = min(end, today)
        months.append(Month(f"{MONTH_NAMES[end.month - 1][:3]} {end.year}", end,
                            sum(1 for d in baseline if d <= end), sum(1 for d in current if d <= end),
                            sum(1 for a in actions if _complete_at(history.get(a.id, []), cut))))
    mixes = []
    posted = session.execute(
        select(SummaryPost.period, SummaryPost.snapshot)
        .where(SummaryPost.plan_id == summary.plan.id, SummaryPost.state == PostState.POSTED,
               SummaryPost.period != summary.period.key, SummaryPost.posted_at <= summary.generated_at)
        .order_by(SummaryPost.posted_at, SummaryPost.id)
    )
    for period, snapshot in posted:
        figures = RagCounts.from_json(snapshot)
        if figures is not None:
            mixes.append(Mix(_label(period), figures.red, figures.amber, figures.green))
    f = summary.figures
    mixes.append(Mix(summary.period.label, f.red, f.amber, f.green))
    return Progress(tuple(months), tuple(mixes), f.total)


def _label(period: str) -> str:
    try:
        return period_from_key(period).label
    except InvalidInput:
        return period

