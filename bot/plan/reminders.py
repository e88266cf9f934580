"""Reminders: which milestones open actions have reached, who hears of each, and the claim that
sends each recipient one message a day, exactly once.

**Milestones, not timers.** A milestone is counted from a date of an action (a *subject*: today
its current due date) and the recipient's local day: *due soon* (inside the plan's window, 14
days by default), *due near* (3 days), *due today*, *overdue* (and again each further week it
stays overdue, a week after the last). Only the milestone an action is at *now* can be sent, so a planbot that was
down catches up without stale ones. What a recipient has had is marked per action, recipient,
date and milestone (`reminder_marks`): a revised date has no marks, so its milestones start
again. Completed actions, business-as-usual ones and closed plans have no deadlines; a
completed action's effectiveness review is a subject of its own (`REVIEWS`), closed plan or not.

**Who.** Owners are the people holding the action's roles. A role nobody holds can't be
reminded: its actions go to the plan's admins instead (section UNHELD). Admins also get, on the
first working day of each week (or the next day they are reminded, if that one was missed),
every action overdue for more than `escalate_days` working days (ESCALATED); and, if the plan
says so, the plan's channel hears once of each action overdue for more than `channel_days`.

**When.** On working days (`bot.plan.schedule.is_working_day`), from the plan's hour (the
earliest of the recipient's plans) to 18:00 in the recipient's own timezone (Slack's, else the
plan's), never before 08:00.

**Exactly once.** Each (recipient, day) message is claimed by inserting its
`reminder_deliveries` row, as summary periods are claimed (`bot.plan.publishing`): a second
process finds the row; a claim whose process died is taken over after LEASE by a conditional
UPDATE; the row keeps the items it carried so that a retry which finds the earlier message in
Slack records what that message said.

**Adding a kind of milestone** (effectiveness reviews, say) is one place, this module: a
`MilestoneKind` member with its `KINDS` entry (urgency and words) and a `Source` in `SOURCES`
(which actions, from which date, and the milestone a day reaches).

Every read here runs a fixed number of statements per run, whatever the number of people or
actions; each claim and record is a fixed number per recipient.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import ColumnElement, CompoundSelect, Select, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.errors import InvalidInput
from bot.plan.identity import Actor
from bot.plan.phrases import plural
from bot.plan.queries import ActionView, PlanView
from bot.plan.rules import ActionStatus, today_in
from bot.plan.schedule import is_working_day
from bot.plan.services import check_admin, record
from storage.kinds import EventKind, ReminderState
from storage.models import (
    Action,
    ActionOwner,
    EffectivenessReview,
    Plan,
    PlanAdmin,
    ReminderDelivery,
    ReminderMark,
    ReminderPerson,
    ReminderSettings,
    RoleMember,
)

EARLIEST: Final = time(8, 0)
LATEST: Final = time(18, 0)
LEASE: Final = timedelta(minutes=10)
TIMEZONE_TTL: Final = timedelta(days=30)  # how long Slack's word on a person's timezone is kept
MAX_ERROR_LENGTH: Final = 2000
CHANNEL_PREFIX: Final = "channel:"
# How many items one message carries in each section (Slack: 50 blocks, ~12k characters);
# the rest are counted, left unmarked, and come at the next run.
MAX_OWNED: Final = 12
MAX_UNHELD: Final = 10
MAX_ESCALATED: Final = 15
MAX_CHANNEL: Final = 20


class MilestoneKind(StrEnum):
    OVERDUE = "overdue"
    DUE_TODAY = "due_today"
    DUE_NEAR = "due_near"
    DUE_SOON = "due_soon"
    ESCALATED = "escalated"  # in the admins' weekly digest
    CHANNEL = "channel"  # posted once in the plan's channel
    REVIEW_DUE = "review_due"  # an effectiveness review: is the improvement embedded? (closed plans too)


class Section(StrEnum):
    OWNED = "owned"  # the recipient's own actions, through the roles they hold
    UNHELD = "unheld"  # for admins: actions owned by roles nobody holds
    ESCALATED = "escalated"  # for admins: overdue for more than escalate_days working days
    CHANNEL = "channel"  # for the plan's channel: overdue for more than channel_days working days


@dataclass(frozen=True)
class KindSpec:
    urgency: int  # lower comes first in a message
    label: Callable[[int, int], str]  # (days until the date, negative when late; working days late)


def _late(days: int, working: int) -> str:
    return f"Overdue by {plural(-days, 'day')}"


def _due_in(days: int, working: int) -> str:
    return "Due tomorrow" if days == 1 else f"Due in {days} days"


def _working_late(days: int, working: int) -> str:
    return f"{plural(working, 'working day')} late"


KINDS: Final[dict[MilestoneKind, KindSpec]] = {
    MilestoneKind.OVERDUE: KindSpec(0, _late),
    MilestoneKind.DUE_TODAY: KindSpec(1, lambda days, working: "Due today"),
    MilestoneKind.DUE_NEAR: KindSpec(2, _due_in),
    MilestoneKind.DUE_SOON: KindSpec(3, _due_in),
    MilestoneKind.ESCALATED: KindSpec(0, _working_late),
    MilestoneKind.CHANNEL: KindSpec(0, _working_late),
    MilestoneKind.REVIEW_DUE: KindSpec(4, lambda days, working: "Effectiveness review due: is it embedded?"),
}


@dataclass(frozen=True)
class Config:
    """A plan's reminder settings (the defaults when it has no row)."""

    enabled: bool = True
    hour: int = 9
    soon_days: int = 14
    near_days: int = 3
    escalate_days: int = 10
    channel_days: int = 20
    channel_enabled: bool = False

    @classmethod
    def of(cls, row: ReminderSettings | None) -> Config:
        if row is None:
            return cls()
        return cls(row.enabled, row.hour, row.soon_days, row.near_days, row.escalate_days, row.channel_days,
                   row.channel_enabled)


DEFAULTS: Final = Config()


REPEAT_OVERDUE_DAYS: Final = 7


@dataclass(frozen=True)
class Reached:
    kind: MilestoneKind
    milestone: str  # what is marked once it is sent: "due_soon"
    # A milestone that comes again: sent when none like it was sent in the last `every` days
    # (marked as "overdue.2027-03-01", the day it went).
    every: int | None = None


def deadline_reached(due: date, day: date, config: Config) -> Reached | None:
    days = (due - day).days
    if days < 0:
        return Reached(MilestoneKind.OVERDUE, MilestoneKind.OVERDUE.value, every=REPEAT_OVERDUE_DAYS)
    if days == 0:
        return Reached(MilestoneKind.DUE_TODAY, "due_today")
    if days <= config.near_days:
        return Reached(MilestoneKind.DUE_NEAR, "due_near")
    if days <= config.soon_days:
        return Reached(MilestoneKind.DUE_SOON, "due_soon")
    return None


def _due_column() -> ColumnElement[date]:
    return func.coalesce(Action.revised_due, Action.original_due)


def remindable() -> ColumnElement[bool]:
    """Actions that are still to be delivered. When closure brings business as usual, its status
    is excluded here too."""
    return Action.status.not_in((ActionStatus.COMPLETE.value, ActionStatus.BAU.value))


def _deadline_subjects(plan_ids: Sequence[int], horizon: date) -> Select:  # type: ignore[type-arg]
    open_plans = select(Plan.id).where(Plan.id.in_(plan_ids), Plan.closed_at.is_(None))
    return select(Action.id, Action.plan_id, _due_column()).where(
        Action.plan_id.in_(open_plans), remindable(), _due_column() <= horizon)


def _review_subjects(plan_ids: Sequence[int], horizon: date) -> Select:  # type: ignore[type-arg]
    """Completed actions whose effectiveness review is waiting, counted from its due date: these
    go on after the plan is closed."""
    return (select(Action.id, Action.plan_id, EffectivenessReview.due)
            .join(EffectivenessReview, EffectivenessReview.action_id == Action.id)
            .where(Action.plan_id.in_(plan_ids), EffectivenessReview.outcome.is_(None),
                   EffectivenessReview.due <= horizon))


def review_reached(due: date, day: date, config: Config) -> Reached | None:
    """Once, on the review's date or the first day of reminders after it."""
    return Reached(MilestoneKind.REVIEW_DUE, MilestoneKind.REVIEW_DUE.value) if day >= due else None


@dataclass(frozen=True)
class Source:
    """Where milestones of some kinds come from: the actions and the date each is counted from
    (no later than `horizon`), and the milestone a recipient's day reaches from that date."""

    name: str
    subjects: Callable[[Sequence[int], date], Select]  # type: ignore[type-arg]  # (action id, plan id, date)
    reached: Callable[[date, date, Config], Reached | None]
    deadline: bool = False  # escalations and the channel count working days late from this date


DEADLINES: Final = Source("deadline", _deadline_subjects, deadline_reached, deadline=True)
REVIEWS: Final = Source("review", _review_subjects, review_reached)
SOURCES: Final[tuple[Source, ...]] = (DEADLINES, REVIEWS)


@dataclass(frozen=True)
class Item:
    """One action in one message: why it is there and what is marked once it is sent."""

    action_id: int
    plan_id: int
    section: Section
    kind: MilestoneKind
    milestone: str
    on: date  # the date the milestone is counted from (the due date)
    days: int  # days from the recipient's day to `on`: negative when late
    working_days_late: int = 0

    @property
    def label(self) -> str:
        return KINDS[self.kind].label(self.days, self.working_days_late)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.action_id, "plan": self.plan_id, "section": self.section.value,
                "kind": self.kind.value, "milestone": self.milestone, "on": self.on.isoformat(),
                "days": self.days, "working": self.working_days_late}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        return cls(int(data["action"]), int(data["plan"]), Section(data["section"]), MilestoneKind(data["kind"]),
                   str(data["milestone"]), date.fromisoformat(data["on"]), int(data["days"]),
                   int(data.get("working", 0)))


def items_json(items: Iterable[Item]) -> str:
    return json.dumps([item.to_dict() for item in items], separators=(",", ":"))


def items_of(text: str | None) -> list[Item]:
    try:
        return [Item.from_dict(d) for d in json.loads(text or "[]")]
    except (ValueError, KeyError, TypeError):
        return []


@dataclass(frozen=True)
class Reminder:
    """One message: to a person (their DM) or to a plan's channel, for one local day."""

    recipient: str
    day: date
    items: tuple[Item, ...]  # most urgent first, section by section
    left_out: int  # items that did not fit, not marked: they come at the next run
    actions: dict[int, ActionView] = field(default_factory=dict)
    plans: dict[int, PlanView] = field(default_factory=dict)
    holders: dict[int, tuple[str, ...]] = field(default_factory=dict)  # action id -> user ids holding its roles
    reasons: dict[int, str] = field(default_factory=dict)  # action id -> latest reason
    escalate_days: int = DEFAULTS.escalate_days
    channel_days: int = DEFAULTS.channel_days

    @property
    def is_channel(self) -> bool:
        return self.recipient.startswith(CHANNEL_PREFIX)

    @property
    def channel_id(self) -> str | None:
        return self.recipient.removeprefix(CHANNEL_PREFIX) if self.is_channel else None

    def section(self, section: Section) -> list[Item]:
        return [item for item in self.items if item.section == section]


class Skip(StrEnum):
    MUTED = "muted"
    NOT_WORKING_DAY = "not a working day"
    TOO_EARLY = "too early"
    TOO_LATE = "too late"
    ALREADY_SENT = "already sent"


@dataclass(frozen=True)
class Skipped:
    recipient: str
    day: date
    why: Skip
    local: datetime  # the recipient's local time now
    starts: time  # when their reminders may go out
    items: int = 0  # how many items they would have had (0 when not worked out)


@dataclass(frozen=True)
class Planned:
    """What a run would do now: messages to send, and who is left out, and why."""

    due: list[Reminder]
    skipped: list[Skipped]
    unknown_timezones: list[str]  # people whose timezone planbot should ask Slack for
    days: dict[str, date]  # each recipient's local day


def channel_recipient(channel_id: str) -> str:
    return CHANNEL_PREFIX + channel_id


@lru_cache(maxsize=4096)
def working_days_between(after: date, until: date) -> int:
    """Working days d with after < d <= until."""
    count, day = 0, after + timedelta(days=1)
    while day <= until:
        count += is_working_day(day)
        day += timedelta(days=1)
    return count


def digest_day(day: date) -> date:
    """The first working day of `day`'s week (Monday unless it is a bank holiday)."""
    monday = day - timedelta(days=day.weekday())
    for offset in range(5):
        if is_working_day(monday + timedelta(days=offset)):
            return monday + timedelta(days=offset)
    return monday


def week_key(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _zone(name: str | None, fallback: str) -> ZoneInfo:
    for candidate in (name, fallback):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return ZoneInfo("Europe/London")


@dataclass
class _Subject:
    action_id: int
    plan_id: int
    on: date
    source: Source
    holders: set[str] = field(default_factory=set)


@dataclass
class _Person:
    user_id: str
    plans: set[int] = field(default_factory=set)  # plans they own actions in or administer
    admin_of: set[int] = field(default_factory=set)
    owned: list[_Subject] = field(default_factory=list)


@dataclass
class _World:
    """What one run reads, in a fixed number of statements, indexed for each recipient."""

    now: datetime
    plans: dict[int, Plan]
    configs: dict[int, Config]
    subjects: list[_Subject] = field(default_factory=list)
    every_subject: Select | CompoundSelect | None = None  # type: ignore[type-arg]  # their action ids, a subquery
    people: dict[str, _Person] = field(default_factory=dict)
    unheld: dict[int, list[_Subject]] = field(default_factory=lambda: defaultdict(list))  # by plan
    deadlines: dict[int, list[_Subject]] = field(default_factory=lambda: defaultdict(list))  # by plan
    known: dict[str, ReminderPerson] = field(default_factory=dict)
    channels: dict[str, int] = field(default_factory=dict)  # channel recipient -> its plan
    local: dict[str, datetime] = field(default_factory=dict)  # each recipient's local time now
    starts: dict[str, time] = field(default_factory=dict)  # when their reminders may go out
    sent: set[tuple[str, date]] = field(default_factory=set)
    marks: set[tuple[int, str, date, str]] = field(default_factory=set)
    last_sent: dict[tuple[int, str, date, str], date] = field(default_factory=dict)  # repeating milestones
    digested: set[tuple[str, str]] = field(default_factory=set)  # (admin, this week's digest milestone)

    def person(self, user_id: str) -> _Person:
        return self.people.setdefault(user_id, _Person(user_id))

    def marked(self, subject: _Subject, recipient: str, milestone: str) -> bool:
        return (subject.action_id, recipient, subject.on, milestone) in self.marks

    def due_again(self, subject: _Subject, recipient: str, reached: Reached, day: date) -> str | None:
        """The milestone to send and mark, or None if this recipient has had it."""
        if reached.every is None:
            return None if self.marked(subject, recipient, reached.milestone) else reached.milestone
        last = self.last_sent.get((subject.action_id, recipient, subject.on, reached.milestone))
        if last is not None and (day - last).days < reached.every:
            return None
        return f"{reached.milestone}.{day.isoformat()}"


def plan_run(session: Session, now: datetime, *, plan_key: str | None = None, by_hand: bool = False,
             recipients: Iterable[str] | None = None) -> Planned:
    """Who gets what if reminders run now. `by_hand` starts at 08:00 rather than the plan's hour;
    `recipients` limits the run to these."""
    world = _load_plans(session, now, plan_key)
    if not world.plans:
        return Planned([], [], [], {})
    _load_subjects(session, world)
    _load_people(session, world, set(recipients) if recipients is not None else None)
    unknown = _local_times(world, by_hand=by_hand)
    days = {recipient: moment.date() for recipient, moment in world.local.items()}
    if days:
        _load_sent(session, world, days)
    due: list[tuple[str, date, list[Item], int]] = []
    skipped: list[Skipped] = []
    for recipient in sorted(days):
        why = _why_not(world, recipient)
        if why is not None:
            skipped.append(Skipped(recipient, days[recipient], why, world.local[recipient], world.starts[recipient]))
            continue
        if recipient in world.channels:
            items = _channel_items(world, recipient, days[recipient])
        else:
            items = _person_items(world, world.people[recipient], days[recipient])
        shown, left_out = _fit(items)
        if shown:
            due.append((recipient, days[recipient], shown, left_out))
    return Planned(build_reminders(session, now, due, world.configs), skipped, unknown, days)


def _load_plans(session: Session, now: datetime, plan_key: str | None) -> _World:
    # Closed plans too: their deadlines have stopped (`_deadline_subjects`), their reviews go on.
    query = (select(Plan, ReminderSettings).outerjoin(ReminderSettings, ReminderSettings.plan_id == Plan.id)
             .order_by(Plan.key))
    if plan_key is not None:
        query = query.where(func.lower(Plan.key) == plan_key.strip().lower())
    world = _World(now, {}, {})
    for plan, row in session.execute(query):
        config = Config.of(row)
        if config.enabled:
            world.plans[plan.id], world.configs[plan.id] = plan, config
    return world


def _load_subjects(session: Session, world: _World) -> None:
    plan_ids = list(world.plans)
    # Local days differ from the plan's by a day at most, either way.
    horizon = max(today_in(p.timezone, world.now) for p in world.plans.values()) + timedelta(
        days=2 + max(c.soon_days for c in world.configs.values()))
    chosen_ids: list[Select] = []  # type: ignore[type-arg]
    for source in SOURCES:
        chosen = source.subjects(plan_ids, horizon)
        chosen_ids.append(chosen.with_only_columns(Action.id))
        world.subjects += [_Subject(a, p, on, source) for a, p, on in session.execute(chosen)]
    world.every_subject = chosen_ids[0].union(*chosen_ids[1:]) if len(chosen_ids) > 1 else chosen_ids[0]
    every_subject = world.every_subject
    holders_of_role: dict[int, set[str]] = defaultdict(set)
    roles_of_action: dict[int, set[int]] = defaultdict(set)
    for action_id, role_id, user_id in session.execute(
        select(ActionOwner.action_id, ActionOwner.role_id, RoleMember.user_id)
        .outerjoin(RoleMember, RoleMember.role_id == ActionOwner.role_id)
        .where(ActionOwner.action_id.in_(every_subject))
    ):
        roles_of_action[action_id].add(role_id)
        if user_id:
            holders_of_role[role_id].add(user_id)
    for subject in world.subjects:
        for role_id in roles_of_action.get(subject.action_id, ()):
            subject.holders |= holders_of_role[role_id]
        for user_id in subject.holders:
            who = world.person(user_id)
            who.plans.add(subject.plan_id)
            who.owned.append(subject)
        if not subject.holders:
            world.unheld[subject.plan_id].append(subject)
        if subject.source.deadline:
            world.deadlines[subject.plan_id].append(subject)


def _load_people(session: Session, world: _World, wanted: set[str] | None) -> None:
    for plan_id, user_id in session.execute(
        select(PlanAdmin.plan_id, PlanAdmin.user_id).where(PlanAdmin.plan_id.in_(list(world.plans)))
    ):
        admin = world.person(user_id)
        admin.plans.add(plan_id)
        admin.admin_of.add(plan_id)
    if wanted is not None:
        world.people = {k: v for k, v in world.people.items() if k in wanted}
    if world.people:
        world.known = {row.user_id: row for row in session.scalars(
            select(ReminderPerson).where(ReminderPerson.user_id.in_(list(world.people))))}
    for plan in world.plans.values():
        config = world.configs[plan.id]
        if config.channel_enabled and plan.channel_id:
            recipient = channel_recipient(plan.channel_id)
            if wanted is None or recipient in wanted:
                world.channels.setdefault(recipient, plan.id)


def _local_times(world: _World, *, by_hand: bool) -> list[str]:
    """Each recipient's local time and start; returns the people whose timezone Slack should be asked."""
    unknown: list[str] = []
    for user_id, who in sorted(world.people.items()):
        row = world.known.get(user_id)
        first_plan = world.plans[min(who.plans, key=lambda p: world.plans[p].key)]
        if row is None or row.timezone_checked_at is None or row.timezone_checked_at + TIMEZONE_TTL < world.now:
            unknown.append(user_id)
        world.local[user_id] = world.now.astimezone(_zone(row.timezone if row else None, first_plan.timezone))
        hour = min(world.configs[p].hour for p in who.plans)
        world.starts[user_id] = EARLIEST if by_hand else max(EARLIEST, time(hour, 0))
    for recipient, plan_id in world.channels.items():
        plan = world.plans[plan_id]
        world.local[recipient] = world.now.astimezone(_zone(plan.timezone, plan.timezone))
        world.starts[recipient] = EARLIEST if by_hand else max(EARLIEST, time(world.configs[plan_id].hour, 0))
    return unknown


def _load_sent(session: Session, world: _World, days: dict[str, date]) -> None:
    recipients = list(days)
    world.sent = set(session.execute(
        select(ReminderDelivery.recipient, ReminderDelivery.day)
        .where(ReminderDelivery.day.in_(set(days.values())), ReminderDelivery.state == ReminderState.SENT,
               ReminderDelivery.recipient.in_(recipients))
    ))
    assert world.every_subject is not None
    for action_id, recipient, on, milestone, sent_on in session.execute(
        select(ReminderMark.action_id, ReminderMark.recipient, ReminderMark.due, ReminderMark.milestone,
               ReminderDelivery.day)
        .join(ReminderDelivery, ReminderDelivery.id == ReminderMark.delivery_id)
        .where(ReminderMark.action_id.in_(world.every_subject), ReminderMark.recipient.in_(recipients))
    ):
        world.marks.add((action_id, recipient, on, milestone))
        base = (action_id, recipient, on, milestone.split(".")[0])
        world.last_sent[base] = max(sent_on, world.last_sent.get(base, sent_on))
        if milestone.startswith(MilestoneKind.ESCALATED.value):
            world.digested.add((recipient, milestone))


def _why_not(world: _World, recipient: str) -> Skip | None:
    moment, start = world.local[recipient], world.starts[recipient]
    known = world.known.get(recipient)
    if known is not None and known.muted_at is not None:
        return Skip.MUTED
    if not is_working_day(moment.date()):
        return Skip.NOT_WORKING_DAY
    if moment.time() < start:
        return Skip.TOO_EARLY
    if moment.time() >= LATEST:
        return Skip.TOO_LATE
    if (recipient, moment.date()) in world.sent:
        return Skip.ALREADY_SENT
    return None


def _person_items(world: _World, who: _Person, day: date) -> list[Item]:
    user = who.user_id
    items: list[Item] = []

    def reach(subject: _Subject, section: Section) -> None:
        reached = subject.source.reached(subject.on, day, world.configs[subject.plan_id])
        milestone = world.due_again(subject, user, reached, day) if reached is not None else None
        if reached is not None and milestone is not None:
            items.append(Item(subject.action_id, subject.plan_id, section, reached.kind, milestone,
                              subject.on, (subject.on - day).days))

    for subject in who.owned:
        reach(subject, Section.OWNED)
    week = f"{MilestoneKind.ESCALATED.value}.{week_key(day)}"
    digest_now = day >= digest_day(day) and (user, week) not in world.digested
    for plan_id in sorted(who.admin_of):
        for subject in world.unheld.get(plan_id, ()):
            reach(subject, Section.UNHELD)
        if not digest_now:
            continue
        for subject in world.deadlines.get(plan_id, ()):
            if subject.on >= day:
                continue
            late = working_days_between(subject.on, day)
            if late > world.configs[plan_id].escalate_days and not world.marked(subject, user, week):
                items.append(Item(subject.action_id, plan_id, Section.ESCALATED, MilestoneKind.ESCALATED, week,
                                  subject.on, (subject.on - day).days, late))
    return items


def _channel_items(world: _World, recipient: str, day: date) -> list[Item]:
    plan_id = world.channels[recipient]
    milestone = MilestoneKind.CHANNEL.value
    items = []
    for subject in world.deadlines.get(plan_id, ()):
        if subject.on >= day:
            continue
        late = working_days_between(subject.on, day)
        if late > world.configs[plan_id].channel_days and not world.marked(subject, recipient, milestone):
            items.append(Item(subject.action_id, plan_id, Section.CHANNEL, MilestoneKind.CHANNEL, milestone,
                              subject.on, (subject.on - day).days, late))
    return items


SECTION_LIMITS: Final = {Section.OWNED: MAX_OWNED, Section.UNHELD: MAX_UNHELD, Section.ESCALATED: MAX_ESCALATED,
                         Section.CHANNEL: MAX_CHANNEL}


def _fit(items: list[Item]) -> tuple[list[Item], int]:
    """Most urgent first in each section (sections in their order), as many as one message holds."""
    items = sorted(items, key=lambda i: (list(Section).index(i.section), KINDS[i.kind].urgency, i.on, i.action_id))
    shown: list[Item] = []
    left_out = 0
    counts: dict[Section, int] = defaultdict(int)
    for item in items:
        if counts[item.section] < SECTION_LIMITS[item.section]:
            counts[item.section] += 1
            shown.append(item)
        else:
            left_out += 1
    return shown, left_out


def build_reminders(session: Session, now: datetime, wanted: Sequence[tuple[str, date, list[Item], int]],
                    configs: dict[int, Config] | None = None) -> list[Reminder]:
    """The messages for these recipients' items, with each action as it stands now: a fixed
    number of statements for all of them (one action query per plan timezone)."""
    if not wanted:
        return []
    plan_ids = sorted({item.plan_id for _, _, items, _ in wanted for item in items})
    plans = {p.id: queries.plan_view(p) for p in session.scalars(select(Plan).where(Plan.id.in_(plan_ids)))}
    if configs is None:
        configs = {plan_id: Config.of(row) for plan_id, row in zip(
            plan_ids, [session.get(ReminderSettings, plan_id) for plan_id in plan_ids], strict=True)}
    by_zone: dict[str, set[int]] = defaultdict(set)
    for _, _, items, _ in wanted:
        for item in items:
            if item.plan_id in plans:
                by_zone[plans[item.plan_id].timezone].add(item.action_id)
    views: dict[int, ActionView] = {}
    for zone, ids in by_zone.items():
        views.update((v.id, v) for v in queries.action_views(session, sorted(ids), today_in(zone, now)))
    action_ids = sorted(views)
    holders: dict[int, list[str]] = defaultdict(list)
    for action_id, user_id in session.execute(
        select(ActionOwner.action_id, RoleMember.user_id)
        .join(RoleMember, RoleMember.role_id == ActionOwner.role_id)
        .where(ActionOwner.action_id.in_(action_ids))
        .order_by(ActionOwner.action_id, ActionOwner.position, RoleMember.id)
    ):
        if user_id not in holders[action_id]:
            holders[action_id].append(user_id)
    escalated = sorted({i.action_id for _, _, items, _ in wanted for i in items if i.section != Section.OWNED})
    reasons = queries.latest_reasons(session, escalated)
    out = []
    for recipient, day, items, left_out in wanted:
        present = tuple(i for i in items if i.action_id in views)
        plan_of = {i.plan_id for i in present}
        config = configs.get(min(plan_of), DEFAULTS) if plan_of else DEFAULTS
        out.append(Reminder(
            recipient=recipient, day=day, items=present, left_out=left_out,
            actions={i.action_id: views[i.action_id] for i in present},
            plans={p: plans[p] for p in plan_of},
            holders={i.action_id: tuple(holders.get(i.action_id, ())) for i in present},
            reasons={i.action_id: reasons[i.action_id] for i in present if i.action_id in reasons},
            escalate_days=config.escalate_days, channel_days=config.channel_days,
        ))
    return out


def reminder_as_sent(session: Session, recipient: str, day: date, now: datetime) -> Reminder | None:
    """The message sent to `recipient` on `day`, with its actions as they stand now (to redraw it
    after a click in it); None if none was sent."""
    row = session.scalar(select(ReminderDelivery).where(ReminderDelivery.recipient == recipient,
                                                        ReminderDelivery.day == day))
    if row is None:
        return None
    items = items_of(row.items)
    built = build_reminders(session, now, [(recipient, day, items, 0)])
    return built[0] if built else Reminder(recipient, day, (), 0)


# Claims: one delivery per recipient and day, exactly once.


@dataclass(frozen=True)
class Claimed:
    """This process holds the recipient's day and may send it."""

    delivery_id: int
    recipient: str
    day: date
    worker: str
    attempts: int
    channel_id: str | None  # where an earlier attempt was sending, if it got that far
    previous: tuple[Item, ...]  # what an earlier attempt was sending

    @property
    def may_have_posted(self) -> bool:
        """An earlier attempt may have sent it without recording it: look before sending."""
        return self.attempts > 1


@dataclass(frozen=True)
class AlreadySent:
    recipient: str
    day: date
    sent_at: datetime | None
    channel_id: str | None
    message_ts: str | None


@dataclass(frozen=True)
class Busy:
    recipient: str
    day: date
    claimed_by: str
    lease_ends: datetime


ClaimResult = Claimed | AlreadySent | Busy


def claim(session: Session, recipient: str, day: date, items: Sequence[Item], *, worker: str, now: datetime,
          lease: timedelta = LEASE) -> ClaimResult:
    """Claim `recipient`'s message of `day` for `worker`. When another process inserts the same
    claim at the same moment the flush raises IntegrityError: run claim() again in a new transaction."""
    row = session.scalar(select(ReminderDelivery).where(ReminderDelivery.recipient == recipient,
                                                        ReminderDelivery.day == day))
    if row is None:
        row = ReminderDelivery(recipient=recipient, day=day, state=ReminderState.CLAIMED, claimed_by=worker,
                               claimed_at=now, attempts=1, items=items_json(items))
        session.add(row)
        session.flush()
        return Claimed(row.id, recipient, day, worker, 1, None, ())
    if row.state == ReminderState.SENT or (row.state == ReminderState.CLAIMED and row.claimed_at + lease > now):
        return _held_by_another(row, lease)
    previous = tuple(items_of(row.items))
    taken = session.execute(
        update(ReminderDelivery)
        .where(ReminderDelivery.id == row.id, ReminderDelivery.state == row.state,
               ReminderDelivery.attempts == row.attempts)
        .values(state=ReminderState.CLAIMED, claimed_by=worker, claimed_at=now, attempts=row.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]  # Result's type does not say it has a rowcount
        session.refresh(row)
        return _held_by_another(row, lease)
    return Claimed(row.id, recipient, day, worker, row.attempts + 1, row.channel_id, previous)


def _held_by_another(row: ReminderDelivery, lease: timedelta) -> AlreadySent | Busy:
    if row.state == ReminderState.SENT:
        return AlreadySent(row.recipient, row.day, row.sent_at, row.channel_id, row.message_ts)
    return Busy(row.recipient, row.day, row.claimed_by, row.claimed_at + lease)


def _held(claimed: Claimed) -> tuple[ColumnElement[bool], ...]:
    return (ReminderDelivery.id == claimed.delivery_id, ReminderDelivery.state == ReminderState.CLAIMED,
            ReminderDelivery.claimed_by == claimed.worker)


def record_channel(session: Session, claimed: Claimed, channel_id: str, now: datetime) -> bool:
    """Where the message goes (a DM just opened): kept on the claim and, for a person, for good."""
    result = session.execute(update(ReminderDelivery).where(*_held(claimed))
                             .values(channel_id=channel_id, claimed_at=now)
                             .execution_options(synchronize_session=False))
    if not claimed.recipient.startswith(CHANNEL_PREFIX):
        _upsert_people(session, [{"user_id": claimed.recipient, "dm_channel_id": channel_id}], ("dm_channel_id",))
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # Result's type does not say it has a rowcount


def record_sent(session: Session, claimed: Claimed, items: Sequence[Item], *, channel_id: str, ts: str,
                now: datetime) -> bool:
    """Slack has the message: the day is done and its milestones are marked. False if the claim was lost."""
    result = session.execute(
        update(ReminderDelivery).where(*_held(claimed))
        .values(state=ReminderState.SENT, channel_id=channel_id, message_ts=ts, sent_at=now, last_error=None,
                items=items_json(items))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]  # Result's type does not say it has a rowcount
        return False
    if items:
        session.execute(insert(ReminderMark), [
            {"action_id": i.action_id, "recipient": claimed.recipient, "due": i.on, "milestone": i.milestone,
             "delivery_id": claimed.delivery_id} for i in items])
    return True


def release(session: Session, claimed: Claimed, now: datetime, error: str) -> bool:
    """The attempt failed: note why; the recipient's day is due again at the next run."""
    result = session.execute(
        update(ReminderDelivery).where(*_held(claimed))
        .values(state=ReminderState.FAILED, last_error=error[:MAX_ERROR_LENGTH], claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]  # Result's type does not say it has a rowcount


def dm_channels(session: Session, user_ids: Sequence[str]) -> dict[str, str]:
    if not user_ids:
        return {}
    rows = session.execute(select(ReminderPerson.user_id, ReminderPerson.dm_channel_id)
                           .where(ReminderPerson.user_id.in_(list(user_ids)),
                                  ReminderPerson.dm_channel_id.is_not(None)))
    return {user: channel for user, channel in rows if channel}


def _person_row(session: Session, user_id: str) -> ReminderPerson:
    row = session.get(ReminderPerson, user_id)
    if row is None:
        row = ReminderPerson(user_id=user_id)
        session.add(row)
    return row


def _upsert_people(session: Session, rows: list[dict[str, Any]], columns: tuple[str, ...]) -> None:
    """Insert these people, or set these columns of the ones there (another process may be adding
    the same people at the same moment)."""
    make = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = make(ReminderPerson)
    statement = statement.on_conflict_do_update(index_elements=[ReminderPerson.user_id],
                                                set_={c: statement.excluded[c] for c in columns})
    session.execute(statement, rows)


def store_timezones(session: Session, found: dict[str, str | None], now: datetime) -> None:
    """What Slack said of each person's timezone (None: it did not say; the plan's is used)."""
    if found:
        _upsert_people(session, [{"user_id": u, "timezone": tz, "timezone_checked_at": now}
                                 for u, tz in sorted(found.items())], ("timezone", "timezone_checked_at"))


# Settings, and each person's mute. Every change is audited.


SETTING_WORDS: Final = ("on", "off", "hour", "soon", "near", "escalate", "channel")
SETTINGS_USAGE: Final = ("on, off, hour 9, soon 14, near 3, escalate 10, channel 20, channel on or channel off")
LIMITS: Final = {"hour": (EARLIEST.hour, LATEST.hour - 1), "soon": (2, 90), "near": (1, 30), "escalate": (1, 250),
                 "channel": (1, 250)}


@dataclass(frozen=True)
class SettingChange:
    name: str  # enabled, hour, soon_days, near_days, escalate_days, channel_days, channel_enabled
    value: int | bool


def parse_setting(words: Sequence[str]) -> SettingChange:
    """`on`, `off`, `hour 9`, `soon 14`, `near 3`, `escalate 10`, `channel 20`, `channel on|off`."""
    lowered = [w.lower() for w in words]
    if lowered in (["on"], ["off"]):
        return SettingChange("enabled", lowered[0] == "on")
    if len(lowered) != len(("name", "value")) or lowered[0] not in LIMITS:
        raise InvalidInput(f"I can't read \"{' '.join(words)}\" as a reminder setting; give one of: {SETTINGS_USAGE}.",
                           field="setting")
    name, value = lowered
    if name == "channel" and value in ("on", "off"):
        return SettingChange("channel_enabled", value == "on")
    low, high = LIMITS[name]
    if not value.isdigit() or not low <= int(value) <= high:
        what = "an hour of the day" if name == "hour" else ("working days" if name in ("escalate", "channel")
                                                           else "days")
        raise InvalidInput(f"{name} takes {what} as a whole number from {low} to {high}.", field="setting")
    column = {"hour": "hour", "soon": "soon_days", "near": "near_days", "escalate": "escalate_days",
              "channel": "channel_days"}[name]
    return SettingChange(column, int(value))


def reminder_config(session: Session, plan: Plan) -> Config:
    return Config.of(session.get(ReminderSettings, plan.id))


def describe(config: Config) -> str:
    """The settings as a `planbot reminders` command would set them: on, hour 9, soon 14…"""
    return (f"{'on' if config.enabled else 'off'}, hour {config.hour}, soon {config.soon_days}, "
            f"near {config.near_days}, escalate {config.escalate_days}, channel {config.channel_days} "
            f"{'on' if config.channel_enabled else 'off'}")


def change_setting(session: Session, plan: Plan, actor: Actor, now: datetime, change: SettingChange) -> bool:
    """Change one of the plan's reminder settings (admins only); True if it changed, audited."""
    check_admin(session, plan, actor)
    row = session.get(ReminderSettings, plan.id)
    before = Config.of(row)
    if getattr(before, change.name) == change.value:
        return False
    after = Config(**{**before.__dict__, change.name: change.value})
    if after.near_days >= after.soon_days:
        raise InvalidInput(f"The due-soon window ({after.soon_days} days) must be longer than the due-near one "
                           f"({after.near_days} days).", field="setting")
    if row is None:
        row = ReminderSettings(plan_id=plan.id, **before.__dict__)
        session.add(row)
    setattr(row, change.name, change.value)
    session.flush()
    record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.REMINDER_SETTINGS, old=describe(before),
           new=describe(after))
    return True


def is_muted(session: Session, user_id: str) -> bool:
    return session.scalar(select(ReminderPerson.muted_at).where(ReminderPerson.user_id == user_id)) is not None


def set_muted(session: Session, actor: Actor, now: datetime, muted: bool) -> bool:
    """Mute (or unmute) reminders for the person acting, across plans; True if it changed. The
    change is in the audit trail of every open plan, since each plan's reminders are affected."""
    row = _person_row(session, actor.user_id)
    if (row.muted_at is not None) == muted:
        return False
    row.muted_at = now if muted else None
    session.flush()
    plan_ids = list(session.scalars(select(Plan.id).where(Plan.closed_at.is_(None)).order_by(Plan.id)))
    for plan_id in plan_ids:
        record(session, plan_id=plan_id, actor=actor, now=now,
               kind=EventKind.REMINDERS_MUTED if muted else EventKind.REMINDERS_UNMUTED, new=actor.user_id)
    return True
