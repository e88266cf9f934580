"""The periodic summary as data: what a plan's board report says, before any rendering.

Built from the plan as it stands at `now` and from its audit trail since the last posted
summary. Its facts and a few sentences (title, progress, footer) are here; `bot.plan.outline`
lays the report out once, with its executive sentence and exceptions, and every rendering
(`bot.plan.summary_text`, `bot.plan.summary_json`, `bot.slack.summary_blocks`) draws that outline.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.plan import people, queries
from bot.plan.dates import MAX_YEAR, MIN_YEAR, MONTH_NAMES, MONTHS, format_long
from bot.plan.errors import InvalidInput
from bot.plan.phrases import plural
from bot.plan.queries import ActionView, PlanView, RagCounts, RecommendationView
from bot.plan.reviews import ReviewItem, reviews_of
from bot.plan.rules import ActionStatus, Rag, today_in
from bot.plan.schedule import QUARTER_MONTHS, Schedule, Slot, due_slot
from bot.plan.slippage import Slippage, slippage_of
from storage.kinds import EventKind, PostState
from storage.models import Action, ActionEvent, Evidence, Plan, SummaryPost

DUE_SOON_DAYS: Final = 30
# The custom-rule anchor of bot.plan.schedule: every rule has occurred by then.
_EPOCH: Final = datetime(2001, 1, 1, tzinfo=UTC)

Cadence = Literal["monthly", "quarterly", "custom"]

MONTH_HINT: Final = 'I can\'t read "{text}" as a month; write it like 2027-03 or March 2027.'
PERIOD_HINT: Final = 'I can\'t read "{text}" as a summary period; write it like 2027-03, 2027-Q1 or 2027-03-15.'
RAG_KEY: Final = "RAG key: Red = {red}; Amber = {amber}; Green = {green}."


@dataclass(frozen=True)
class Period:
    """What a summary reports on: a month, a quarter, or a day of a custom schedule."""

    key: str  # "2027-03", "2027-Q1", "2027-03-15": unique per plan in summary_posts
    label: str  # "March 2027", "Q1 2027", "15 March 2027"
    cadence: Cadence

    @property
    def update_name(self) -> str:
        return {"monthly": "monthly update", "quarterly": "quarterly update"}.get(self.cadence, "update")


def month_period(year: int, month: int) -> Period:
    return Period(f"{year:04d}-{month:02d}", f"{MONTH_NAMES[month - 1]} {year}", "monthly")


def quarter_period(year: int, quarter: int) -> Period:
    return Period(f"{year:04d}-Q{quarter}", f"Q{quarter} {year}", "quarterly")


def day_period(day: date) -> Period:
    return Period(day.isoformat(), f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}", "custom")


_MONTH_KEY = re.compile(r"(\d{4})-(\d{2})")
_QUARTER_KEY = re.compile(r"(\d{4})-Q([1-4])")


def period_from_key(key: str) -> Period:
    """The period a stored key names (the inverse of Period.key)."""
    text = key.strip()
    if (m := _MONTH_KEY.fullmatch(text)) and 1 <= int(m[2]) <= MONTHS:
        return month_period(int(m[1]), int(m[2]))
    if m := _QUARTER_KEY.fullmatch(text):
        return quarter_period(int(m[1]), int(m[2]))
    try:
        return day_period(date.fromisoformat(text))
    except ValueError:
        raise InvalidInput(PERIOD_HINT.format(text=key), field="month") from None


def period_for_month(schedule: Schedule, year: int, month: int) -> Period:
    """The period a month falls in: its quarter for a quarterly plan (and for "quarterly or by
    exception", in the month the quarter's summary goes out), else the month itself."""
    if schedule.kind == "quarterly" or (schedule.kind == "quarterly-or-exception" and month in QUARTER_MONTHS):
        return quarter_period(year, (month - 1) // 3 + 1)
    return month_period(year, month)


def period_of_slot(slot: Slot, schedule: Schedule) -> Period:
    cadence: Cadence = "custom" if schedule.kind == "rrule" else "quarterly" if "-Q" in slot.period else "monthly"
    return Period(slot.period, slot.label, cadence)


def by_exception_is_due(summary: Summary) -> bool:
    """A summary sent "by exception" goes out when the plan has an exception, or a change since the last one."""
    return bool(summary.exceptions) or summary.has_changes


def current_period(schedule: Schedule, tz: str, now: datetime) -> Period:
    """The period a summary made now reports on: the month (or quarter) of today in the plan's
    timezone, or for a custom schedule its latest occurrence."""
    today = today_in(tz, now)
    if schedule.kind == "rrule":
        slot = due_slot(schedule, tz, now, _EPOCH)
        if slot is not None:
            return day_period(date.fromisoformat(slot.period))
    return period_for_month(schedule, today.year, today.month)


_MONTH_WORDS: Final = {name.lower(): n for n, name in enumerate(MONTH_NAMES, 1)} | {
    name[:3].lower(): n for n, name in enumerate(MONTH_NAMES, 1)
} | {"sept": 9}
_MONTH_YEAR_WORDS = 2  # "March 2027"


def parse_month(text: str, today: date) -> tuple[int, int]:
    """(year, month) from 2027-03, 03/2027, March 2027, Mar 2027, or a month name alone (this year)."""
    words = text.strip().replace(",", " ").split()
    joined = " ".join(words)
    if m := re.fullmatch(r"(\d{4})[-/](\d{1,2})", joined):
        year, month = int(m[1]), int(m[2])
    elif m := re.fullmatch(r"(\d{1,2})[-/](\d{4})", joined):
        year, month = int(m[2]), int(m[1])
    elif len(words) == _MONTH_YEAR_WORDS and words[0].lower() in _MONTH_WORDS and re.fullmatch(r"\d{4}", words[1]):
        year, month = int(words[1]), _MONTH_WORDS[words[0].lower()]
    elif len(words) == 1 and words[0].lower() in _MONTH_WORDS:
        year, month = today.year, _MONTH_WORDS[words[0].lower()]
    else:
        raise InvalidInput(MONTH_HINT.format(text=text.strip()), field="month")
    if not 1 <= month <= MONTHS or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(MONTH_HINT.format(text=text.strip()), field="month")
    return year, month


@dataclass(frozen=True)
class PreviousSummary:
    period: Period
    posted_at: datetime
    figures: RagCounts | None


@dataclass(frozen=True)
class Completion:
    action: ActionView
    at: datetime
    actor: str
    note: str | None


@dataclass(frozen=True)
class Revision:
    action: ActionView
    old_due: date | None
    new_due: date | None
    reason: str | None
    at: datetime
    actor: str


@dataclass(frozen=True)
class ExceptionItem:
    """An open action the board hears about: overdue, or slipped past its original date."""

    action: ActionView
    latest_reason: str | None
    revisions: int  # how many times its date was revised


@dataclass(frozen=True)
class ExceptionGroup:
    """The exceptions under one recommendation, as a board reads them."""

    number: int
    text: str
    items: tuple[ExceptionItem, ...]


@dataclass(frozen=True)
class Summary:
    plan: PlanView
    period: Period
    generated_at: datetime
    today: date
    figures: RagCounts
    previous: PreviousSummary | None
    since: datetime  # changes listed happened after this: the last summary, or the plan's creation
    completed: tuple[Completion, ...]
    newly_overdue: tuple[ActionView, ...]
    revised: tuple[Revision, ...]
    exceptions: tuple[ExceptionItem, ...]  # in plan order: recommendation, then action
    due_soon: tuple[ActionView, ...]  # soonest first
    recommendations: tuple[RecommendationView, ...]
    recommendation_count: int
    last_event_id: int | None
    slippage: Slippage
    due_soon_days: int = DUE_SOON_DAYS
    # Closing the loop: actions blocked on others and moved to business as usual (in plan order),
    # each action's evidence count, and the effectiveness reviews (waiting ones first).
    blocked: tuple[ActionView, ...] = ()
    moved_to_bau: tuple[ActionView, ...] = ()
    evidence: dict[int, int] = field(default_factory=dict)
    reviews: tuple[ReviewItem, ...] = ()
    # The people it names (user id -> name, as Slack last gave it): `bot.plan.people`.
    names: Mapping[str, str] = field(default_factory=dict)

    @property
    def actors(self) -> set[str]:
        """Everyone whose change the summary reports."""
        return {c.actor for c in self.completed} | {r.actor for r in self.revised}

    @property
    def title(self) -> str:
        return f"{self.plan.title} — {self.period.update_name} — {self.period.label}"

    @property
    def has_changes(self) -> bool:
        return bool(self.completed or self.newly_overdue or self.revised)

    @property
    def exception_groups(self) -> tuple[ExceptionGroup, ...]:
        """The exceptions grouped under their recommendations, in the plan's order."""
        texts = {rec.number: rec.text for rec in self.recommendations}
        groups: dict[int, list[ExceptionItem]] = {}
        for item in self.exceptions:
            groups.setdefault(item.action.recommendation, []).append(item)
        return tuple(ExceptionGroup(n, texts.get(n, ""), tuple(items)) for n, items in groups.items())

    def progress(self) -> str:
        """Like: 40% complete (4 of 10 actions), up 10 points from 30% at the February 2027 summary."""
        f = self.figures
        text = f"{f.percent_complete}% complete ({f.green} of {f.total} actions)"
        if f.bau:
            text += f", {f.bau} moved to business as usual"
        before = self.previous.figures if self.previous else None
        if before is not None and self.previous is not None:
            moved = f.percent_complete - before.percent_complete
            label = self.previous.period.label
            if moved:
                points = plural(abs(moved), "point")
                text += (f", {'up' if moved > 0 else 'down'} {points} from {before.percent_complete}%"
                         f" at the {label} summary")
            else:
                text += f", the same as at the {label} summary"
        return text + "."

    def since_phrase(self) -> str:
        """Like: since the February 2027 summary (posted 1 Feb 2027); or since the plan was set up on …"""
        local = self.since.astimezone(ZoneInfo(self.plan.timezone)).date()
        if self.previous is None:
            return f"since the plan was set up on {format_long(local)}"
        return f"since the {self.previous.period.label} summary (posted {format_long(local)})"

    def footer(self) -> str:
        local = self.generated_at.astimezone(ZoneInfo(self.plan.timezone))
        recs = plural(self.recommendation_count, "recommendation")
        trail = f", audit trail to event {self.last_event_id}" if self.last_event_id else ""
        source = f" ({self.plan.source})" if self.plan.source else ""
        return (
            f"Generated by planbot at {local:%H:%M} on {format_long(local.date())} ({self.plan.timezone}) "
            f"from plan {self.plan.key}{source}: {self.figures.total} actions under {recs}{trail}."
        )


def last_posted(session: Session, plan_id: int, *, excluding: str | None = None,
                before: datetime | None = None) -> SummaryPost | None:
    query = select(SummaryPost).where(SummaryPost.plan_id == plan_id, SummaryPost.state == PostState.POSTED)
    if excluding is not None:
        query = query.where(SummaryPost.period != excluding)
    if before is not None:
        query = query.where(SummaryPost.posted_at <= before)
    return session.scalar(query.order_by(SummaryPost.posted_at.desc(), SummaryPost.id.desc()).limit(1))


def _previous(row: SummaryPost | None) -> PreviousSummary | None:
    if row is None or row.posted_at is None:
        return None
    try:
        period = period_from_key(row.period)
    except InvalidInput:
        period = Period(row.period, row.period, "custom")
    return PreviousSummary(period=period, posted_at=row.posted_at, figures=RagCounts.from_json(row.snapshot))


def _iso(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def build_summary(session: Session, plan: Plan, period: Period, now: datetime,
                  *, due_soon_days: int = DUE_SOON_DAYS) -> Summary:
    """The summary of `plan` for `period` as it stands at `now` (a fixed number of SQL statements)."""
    today = today_in(plan.timezone, now)
    total = queries.rag_counts(session, plan.id, today).total
    view = queries.status(session, plan, today, page_size=max(total, 1))
    actions = {a.id: a for rec in view.recommendations for a in rec.actions}

    previous = _previous(last_posted(session, plan.id, excluding=period.key, before=now))
    since = previous.posted_at if previous else plan.created_at
    since_day = today_in(plan.timezone, since)

    events = session.execute(
        select(ActionEvent.action_id, ActionEvent.kind, ActionEvent.at, ActionEvent.actor,
               ActionEvent.old_value, ActionEvent.new_value, ActionEvent.reason)
        .join(Action, Action.id == ActionEvent.action_id)
        .where(ActionEvent.plan_id == plan.id, ActionEvent.kind.in_((EventKind.COMPLETED, EventKind.REVISED)),
               ActionEvent.at > since, ActionEvent.at <= now)
        .order_by(ActionEvent.id)
    ).all()
    completions: dict[int, Completion] = {}
    revisions: list[Revision] = []
    for action_id, kind, at, actor, old, new, reason in events:
        action = actions.get(action_id) if action_id is not None else None
        if action is None:
            continue
        if kind == EventKind.COMPLETED and not action.is_open:
            completions.pop(action.id, None)  # keep the latest completion, in its order
            completions[action.id] = Completion(action, at, actor, reason)
        elif kind == EventKind.REVISED:
            revisions.append(Revision(action, _iso(old), _iso(new), reason, at, actor))

    everything = [a for rec in view.recommendations for a in rec.actions]
    overdue = sorted((a for a in everything if a.rag == Rag.RED), key=lambda a: a.due)
    exceptional = [a for a in everything if a.is_exception]
    reasons = queries.latest_reasons(session, [a.id for a in exceptional])
    revision_counts = queries.revision_counts(session, [a.id for a in exceptional])
    horizon = today + timedelta(days=due_soon_days)
    due_soon = sorted((a for a in everything if a.is_open and today <= a.due <= horizon), key=lambda a: a.due)
    last_event_id = session.scalar(select(func.max(ActionEvent.id)).where(ActionEvent.plan_id == plan.id))
    evidence = dict(session.execute(
        select(Evidence.action_id, func.count()).join(Action, Action.id == Evidence.action_id)
        .where(Action.plan_id == plan.id, Evidence.removed_at.is_(None)).group_by(Evidence.action_id)).all())

    return Summary(
        plan=view.plan,
        period=period,
        generated_at=now,
        today=today,
        figures=view.counts,
        previous=previous,
        since=since,
        completed=tuple(completions.values()),
        newly_overdue=tuple(a for a in overdue if a.due >= since_day),
        revised=tuple(revisions),
        exceptions=tuple(ExceptionItem(a, reasons.get(a.id), revision_counts.get(a.id, 0)) for a in exceptional),
        due_soon=tuple(due_soon),
        recommendations=view.recommendations,
        recommendation_count=view.recommendation_count,
        last_event_id=last_event_id,
        slippage=slippage_of(session, view.plan, today, view.counts.total, everything),
        due_soon_days=due_soon_days,
        blocked=tuple(a for a in everything if a.blocked),
        moved_to_bau=tuple(a for a in everything if a.status == ActionStatus.BAU),
        evidence=evidence,
        reviews=tuple(reviews_of(session, plan)),
        names=people.known_names(session, [c.actor for c in completions.values()] + [r.actor for r in revisions]),
    )


def rag_key() -> str:
    return RAG_KEY.format(red=Rag.RED.meaning, amber=Rag.AMBER.meaning, green=Rag.GREEN.meaning)
