"""When and where a plan's summary goes, and the claim that makes each period post exactly once.

A period is claimed by inserting its `summary_posts` row (unique plan and period) before
anything is sent. The row names the process holding it; a claim left by a process that died
is taken over after LEASE by a conditional UPDATE, so of two processes exactly one wins. A
failed attempt releases the row as `failed`, and the period stays due. Each function here is
one step inside the caller's transaction; `bot.scheduler.publish` runs the steps in order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from bot.plan.dates import format_long
from bot.plan.errors import Hint, InvalidInput
from bot.plan.queries import RagCounts
from bot.plan.schedule import Schedule, Slot, due_slot, next_slot, parse_schedule
from bot.plan.services import Actor, check_admin, record
from bot.plan.summary import Period
from storage.db import rows_matched
from storage.kinds import EventKind, PostState
from storage.models import Plan, SummaryPost

LEASE: Final = timedelta(minutes=10)
MAX_ERROR_LENGTH: Final = 2000
NO_CHANNEL: Final = "Plan `{key}` has no channel for its summaries yet."
BAD_CHANNEL: Final = '"{channel}" is not a Slack channel id (like C0123456789).'


@dataclass(frozen=True)
class Claimed:
    """This process holds the period and may post it."""

    post_id: int
    plan_id: int
    plan_key: str
    period: Period
    channel_id: str
    worker: str
    attempts: int
    message_ts: str | None  # the main message, if an earlier attempt posted and recorded it
    replaced_ts: str | None  # a forced repost: the earlier message it replaces

    @property
    def may_have_posted(self) -> bool:
        """An earlier attempt may have posted without recording it: look before posting."""
        return self.attempts > 1 and self.replaced_ts is None and self.message_ts is None


@dataclass(frozen=True)
class AlreadyPosted:
    period: Period
    channel_id: str | None
    message_ts: str | None
    posted_at: datetime


@dataclass(frozen=True)
class Busy:
    """Another process holds the claim and its lease has not run out."""

    period: Period
    claimed_by: str
    claimed_at: datetime
    lease_ends: datetime


ClaimResult = Claimed | AlreadyPosted | Busy


def plan_schedule(plan: Plan) -> Schedule:
    return parse_schedule(plan.schedule)


def _outcome_of(row: SummaryPost, period: Period, lease: timedelta) -> AlreadyPosted | Busy:
    if row.state == PostState.POSTED:
        assert row.posted_at is not None
        return AlreadyPosted(period, row.channel_id, row.message_ts, row.posted_at)
    return Busy(period, row.claimed_by, row.claimed_at, row.claimed_at + lease)


def claim(session: Session, plan: Plan, period: Period, *, worker: str, now: datetime,
          lease: timedelta = LEASE, force: bool = False) -> ClaimResult:
    """Claim `period` of `plan` for `worker`.

    A first claim inserts the row; when another process inserts it at the same moment the
    flush raises IntegrityError and the caller runs claim() again in a new transaction.
    """
    if not plan.channel_id:
        raise InvalidInput(NO_CHANNEL.format(key=plan.key), field="channel", hint=Hint.SET_SUMMARY_CHANNEL,
                           plan_key=plan.key)
    row = session.scalar(
        select(SummaryPost).where(SummaryPost.plan_id == plan.id, SummaryPost.period == period.key)
    )
    if row is None:
        row = SummaryPost(plan_id=plan.id, period=period.key, state=PostState.CLAIMED, claimed_by=worker,
                          claimed_at=now, attempts=1, channel_id=plan.channel_id)
        session.add(row)
        session.flush()
        return Claimed(row.id, plan.id, plan.key, period, plan.channel_id, worker, 1, None, None)
    if row.state == PostState.POSTED and not force:
        return _outcome_of(row, period, lease)
    if row.state == PostState.CLAIMED and row.claimed_at + lease > now:
        return _outcome_of(row, period, lease)
    # A released claim, one whose holder's lease ran out, or a forced repost of a posted one.
    reposting = row.state == PostState.POSTED
    keep_ts = row.message_ts if not reposting else None
    channel = row.channel_id if keep_ts and row.channel_id else plan.channel_id
    taken = session.execute(
        update(SummaryPost)
        .where(SummaryPost.id == row.id, SummaryPost.state == row.state, SummaryPost.attempts == row.attempts)
        .values(state=PostState.CLAIMED, claimed_by=worker, claimed_at=now, attempts=row.attempts + 1,
                channel_id=channel, message_ts=keep_ts)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(taken) != 1:
        session.refresh(row)
        return _outcome_of(row, period, lease)
    return Claimed(row.id, plan.id, plan.key, period, channel, worker, row.attempts + 1, keep_ts,
                   row.message_ts if reposting else None)


def _held(claim: Claimed) -> tuple[ColumnElement[bool], ...]:
    return (SummaryPost.id == claim.post_id, SummaryPost.state == PostState.CLAIMED,
            SummaryPost.claimed_by == claim.worker)


def record_message(session: Session, claim: Claimed, ts: str, now: datetime) -> bool:
    """The main message is in Slack: remember it (and renew the lease). False if the claim was lost."""
    result = session.execute(
        update(SummaryPost).where(*_held(claim)).values(message_ts=ts, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


def record_posted(session: Session, claim: Claimed, ts: str, now: datetime, *, figures: RagCounts,  # noqa: PLR0913 - the post, and what it said
                  actor: Actor, markdown: str | None = None) -> bool:
    """The summary and its thread are posted: the period is done (kept as posted, in Markdown,
    for the inspector's pack). False if the claim was lost."""
    result = session.execute(
        update(SummaryPost).where(*_held(claim))
        .values(state=PostState.POSTED, message_ts=ts, posted_at=now, snapshot=figures.to_json(), last_error=None,
                posted_markdown=markdown)
        .execution_options(synchronize_session=False)
    )
    if rows_matched(result) != 1:
        return False
    record(session, plan_id=claim.plan_id, actor=actor, now=now, kind=EventKind.SUMMARY_POSTED,
           old=claim.replaced_ts, new=f"{claim.period.key} {claim.channel_id} {ts}")
    return True


def release(session: Session, claim: Claimed, now: datetime, error: str) -> bool:
    """The attempt failed: note why and leave the period due for the next try."""
    result = session.execute(
        update(SummaryPost).where(*_held(claim))
        .values(state=PostState.FAILED, last_error=error[:MAX_ERROR_LENGTH], claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_matched(result) == 1


def posted_periods(session: Session, plan_ids: list[int]) -> set[tuple[int, str]]:
    if not plan_ids:
        return set()
    rows = session.execute(
        select(SummaryPost.plan_id, SummaryPost.period)
        .where(SummaryPost.plan_id.in_(plan_ids), SummaryPost.state == PostState.POSTED)
    )
    return {(plan_id, period) for plan_id, period in rows}


@dataclass(frozen=True)
class LastPost:
    period: str
    channel_id: str | None
    message_ts: str | None
    posted_at: datetime


@dataclass(frozen=True)
class ScheduleInfo:
    plan_key: str
    schedule: Schedule
    timezone: str
    channel_id: str | None
    due_now: Slot | None  # due and not yet posted
    next_run: Slot | None
    last_post: LastPost | None

    @property
    def upcoming(self) -> Slot | None:
        return self.due_now or self.next_run


def schedule_info(session: Session, plan: Plan, now: datetime) -> ScheduleInfo:
    schedule = plan_schedule(plan)
    due = due_slot(schedule, plan.timezone, now, plan.schedule_since)
    if due is not None and (plan.id, due.period) in posted_periods(session, [plan.id]):
        due = None
    last = session.scalar(
        select(SummaryPost).where(SummaryPost.plan_id == plan.id, SummaryPost.state == PostState.POSTED)
        .order_by(SummaryPost.posted_at.desc(), SummaryPost.id.desc()).limit(1)
    )
    return ScheduleInfo(
        plan_key=plan.key,
        schedule=schedule,
        timezone=plan.timezone,
        channel_id=plan.channel_id,
        due_now=due if plan.closed_at is None else None,
        next_run=next_slot(schedule, plan.timezone, now) if plan.closed_at is None else None,
        last_post=LastPost(last.period, last.channel_id, last.message_ts, last.posted_at)
        if last is not None and last.posted_at is not None else None,
    )


def format_slot(slot: Slot, tz: str) -> str:
    """Monday 1 March 2027 at 09:00"""
    local = slot.at.astimezone(ZoneInfo(tz))
    return f"{local:%A} {format_long(local.date())} at {local:%H:%M}"


def check_channel_id(channel_id: str) -> str:
    clean = channel_id.strip().lstrip("#")
    if not clean or not clean.isalnum() or not clean[0].isalpha() or clean.upper() != clean:
        raise InvalidInput(BAD_CHANNEL.format(channel=channel_id), field="channel")
    return clean


def set_schedule(session: Session, plan: Plan, actor: Actor, now: datetime, *,
                 schedule: Schedule | None = None, channel_id: str | None = None) -> bool:
    """Change when and where the plan's summaries go; True if anything changed (each change audited).

    A new schedule starts now: a slot it would have had earlier is not due (see `due_slot`).
    """
    check_admin(session, plan, actor)
    changed = False
    if schedule is not None and schedule.text() != plan.schedule:
        record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.SCHEDULE, old=plan.schedule,
               new=schedule.text())
        plan.schedule = schedule.text()
        plan.schedule_since = now
        changed = True
    if channel_id is not None:
        channel_id = check_channel_id(channel_id)
        if channel_id != plan.channel_id:
            record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PLAN_CHANNEL, old=plan.channel_id,
                   new=channel_id)
            plan.channel_id = channel_id
            changed = True
    session.flush()
    return changed
