"""Sending reminders exactly once per recipient and day: on schedule in `planbot serve`, or by hand.

`run_reminders` is the one path for both callers: work out who gets what now
(`bot.plan.reminders.plan_run`), ask Slack for the timezones planbot does not know yet, then for
each message in turn claim the recipient's day in the database, open their DM if this is the
first, look for an earlier copy if an earlier attempt may have sent it, send it, and record it
with its milestones. Any failure releases the claim with its error: the day stays due.

Messages are spread out: one every `pace` seconds (Slack allows chat.postMessage about once a
second a channel, and a workspace-wide burst is what gets 429s); a 429 is retried after Slack's
Retry-After by the client (`bot.slack.poster`).

`Reminders` is a thread in `planbot serve` beside the summary scheduler. Slack is reached only
through the injected `Courier` (bot.slack.reminders.SlackCourier).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.plan.reminders import (
    LEASE,
    AlreadySent,
    Busy,
    Claimed,
    ClaimResult,
    Item,
    Planned,
    Reminder,
    Skipped,
    claim,
    dm_channels,
    plan_run,
    record_channel,
    record_sent,
    release,
    store_timezones,
)
from bot.scheduler import PostFailed, default_worker
from bot.ticking import Ticking
from storage.db import Sessions

log = logging.getLogger("planbot.reminders")

DEFAULT_INTERVAL = 300.0
DEFAULT_PACE = 1.0


class Courier(Protocol):
    def timezone_of(self, user_id: str) -> str | None:
        """The person's timezone as Slack has it (None if Slack does not say)."""

    def open_dm(self, user_id: str) -> str:
        """The bot's direct message channel with the person."""

    def find(self, channel_id: str, recipient: str, day: date) -> str | None:
        """The ts of this recipient's message of `day` if it is already in the channel."""

    def send(self, channel_id: str, reminder: Reminder) -> str:
        """Post the message (marked with its recipient and day) and return its ts."""


OutcomeKind = Literal["sent", "recovered", "already_sent", "busy", "failed", "lost", "would_send"]


@dataclass(frozen=True)
class Outcome:
    kind: OutcomeKind
    recipient: str
    day: date
    items: tuple[Item, ...] = ()
    left_out: int = 0
    channel_id: str | None = None
    message_ts: str | None = None
    error: str | None = None
    reminder: Reminder | None = None  # the message as this run worked it out

    @property
    def ok(self) -> bool:
        return self.kind in ("sent", "recovered", "already_sent", "would_send", "busy")


@dataclass(frozen=True)
class RunReport:
    at: datetime
    outcomes: list[Outcome] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    dry_run: bool = False
    unknown_timezones: list[str] = field(default_factory=list)  # a dry run assumed the plan's for these

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def of(self, *kinds: OutcomeKind) -> list[Outcome]:
        return [o for o in self.outcomes if o.kind in kinds]


class Pacer:
    """At least `pace` seconds from one message accepted (or given up on) to the next attempt."""

    def __init__(self, pace: float, sleep: Callable[[float], None] = time.sleep,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.pace, self.sleep, self.monotonic = pace, sleep, monotonic
        self._last: float | None = None

    def wait(self) -> None:
        if self._last is not None and self.pace > 0:
            left = self._last + self.pace - self.monotonic()
            if left > 0:
                self.sleep(left)

    def done(self) -> None:
        self._last = self.monotonic()


def _look_up_timezones(sessions: Sessions, courier: Courier, planned: Planned, now: datetime) -> bool:
    found: dict[str, str | None] = {}
    for user_id in planned.unknown_timezones:
        try:
            found[user_id] = courier.timezone_of(user_id)
        except PostFailed as error:
            log.warning("could not look up the timezone of %s (%s); using the plan's", user_id, error)
            found[user_id] = None
    if not found:
        return False
    with sessions.begin() as session:
        store_timezones(session, found, now)
    return True


def run_reminders(sessions: Sessions, courier: Courier | None, *, clock: Clock = utc_now, worker: str,
                  plan_key: str | None = None, by_hand: bool = False, dry_run: bool = False,
                  pace: float = DEFAULT_PACE, sleep: Callable[[float], None] = time.sleep,
                  lease: timedelta | None = None) -> RunReport:
    """Send every message due now (or, with `dry_run`, say what would be sent and send nothing)."""
    now = clock()
    with sessions.read() as session:
        planned = plan_run(session, now, plan_key=plan_key, by_hand=by_hand)
    if not dry_run and courier is not None and _look_up_timezones(sessions, courier, planned, now):
        with sessions.read() as session:  # someone's day or hour may differ in their own timezone
            planned = plan_run(session, now, plan_key=plan_key, by_hand=by_hand)
    report = RunReport(now, skipped=planned.skipped, dry_run=dry_run,
                       unknown_timezones=planned.unknown_timezones if dry_run or courier is None else [])
    if dry_run or courier is None:
        report.outcomes.extend(Outcome("would_send", r.recipient, r.day, r.items, r.left_out, reminder=r)
                               for r in planned.due)
        return report
    with sessions.read() as session:
        channels = dm_channels(session, [r.recipient for r in planned.due if not r.is_channel])
    pacer = Pacer(pace, sleep)
    for reminder in planned.due:
        report.outcomes.append(_deliver(sessions, courier, reminder, clock=clock, worker=worker, pacer=pacer,
                                        known_channel=reminder.channel_id or channels.get(reminder.recipient),
                                        lease=lease or LEASE))
    return report



def _claim(sessions: Sessions, reminder: Reminder, *, now: datetime, worker: str,
           lease: timedelta) -> ClaimResult:
    try:
        with sessions.begin() as session:
            return claim(session, reminder.recipient, reminder.day, reminder.items, worker=worker, now=now,
                         lease=lease)
    except IntegrityError:
        # Another process inserted the same claim a moment earlier: read what it holds.
        with sessions.begin() as session:
            return claim(session, reminder.recipient, reminder.day, reminder.items, worker=worker, now=now,
                         lease=lease)


def _deliver(sessions: Sessions, courier: Courier, reminder: Reminder, *, clock: Clock, worker: str, pacer: Pacer,
             known_channel: str | None, lease: timedelta) -> Outcome:
    outcome = _claim_and_send(sessions, courier, reminder, clock=clock, worker=worker, pacer=pacer,
                              known_channel=known_channel, lease=lease)
    return replace(outcome, reminder=reminder)


def _claim_and_send(sessions: Sessions, courier: Courier, reminder: Reminder, *, clock: Clock, worker: str,
                    pacer: Pacer, known_channel: str | None, lease: timedelta) -> Outcome:
    result = _claim(sessions, reminder, now=clock(), worker=worker, lease=lease)
    if isinstance(result, AlreadySent):
        return Outcome("already_sent", reminder.recipient, reminder.day, channel_id=result.channel_id,
                       message_ts=result.message_ts)
    if isinstance(result, Busy):
        return Outcome("busy", reminder.recipient, reminder.day)
    claimed: Claimed = result
    try:
        return _send(sessions, courier, reminder, claimed, clock=clock, pacer=pacer,
                     known_channel=claimed.channel_id or known_channel)
    except Exception as error:  # noqa: BLE001 - recorded on the claim, logged, reported to the caller
        if isinstance(error, PostFailed):
            log.warning("reminding %s failed: %s", reminder.recipient, error)
        else:
            log.exception("reminding %s failed", reminder.recipient)
        message = str(error) or type(error).__name__
        try:
            with sessions.begin() as session:
                release(session, claimed, clock(), message)
        except Exception:  # noqa: BLE001 - the lease frees the claim in the end
            log.exception("could not release the claim on %s %s", reminder.recipient, reminder.day)
        return Outcome("failed", reminder.recipient, reminder.day, reminder.items, error=message)


def _send(sessions: Sessions, courier: Courier, reminder: Reminder, claimed: Claimed, *, clock: Clock,
          pacer: Pacer, known_channel: str | None) -> Outcome:
    channel = known_channel
    if channel is None:
        channel = courier.open_dm(reminder.recipient)
        with sessions.begin() as session:
            if not record_channel(session, claimed, channel, clock()):
                return _lost(reminder, channel, None)
    if claimed.may_have_posted:
        ts = courier.find(channel, reminder.recipient, reminder.day)
        if ts is not None:
            log.info("found %s's reminder of %s already in %s (ts %s): recording it", reminder.recipient,
                     reminder.day, channel, ts)
            with sessions.begin() as session:
                if not record_sent(session, claimed, claimed.previous, channel_id=channel, ts=ts, now=clock()):
                    return _lost(reminder, channel, ts)
            return Outcome("recovered", reminder.recipient, reminder.day, claimed.previous, 0, channel, ts)
    pacer.wait()
    try:
        ts = courier.send(channel, reminder)
    finally:
        pacer.done()
    with sessions.begin() as session:
        if not record_sent(session, claimed, reminder.items, channel_id=channel, ts=ts, now=clock()):
            return _lost(reminder, channel, ts)
    return Outcome("sent", reminder.recipient, reminder.day, reminder.items, reminder.left_out, channel, ts)


def _lost(reminder: Reminder, channel: str, ts: str | None) -> Outcome:
    log.error("lost the claim on %s's reminder of %s: another process took it over", reminder.recipient, reminder.day)
    return Outcome("lost", reminder.recipient, reminder.day, reminder.items, 0, channel, ts,
                   error="another planbot took over the claim while this one was sending")


class Reminders(Ticking):
    """Sends every reminder due; `tick()` once, or `start()` a thread that ticks."""

    name = "reminders"

    def __init__(self, sessions: Sessions, courier: Courier, *, clock: Clock = utc_now,
                 interval: float = DEFAULT_INTERVAL, pace: float = DEFAULT_PACE, worker: str | None = None,
                 sleep: Callable[[float], None] = time.sleep, lease: timedelta = LEASE) -> None:
        self.sessions, self.courier, self.clock = sessions, courier, clock
        self.interval, self.pace, self.sleep, self.lease = interval, pace, sleep, lease
        self.worker = worker or default_worker()
        super().__init__()

    def tick(self) -> RunReport:
        return run_reminders(self.sessions, self.courier, clock=self.clock, worker=self.worker, pace=self.pace,
                             sleep=self.sleep, lease=self.lease)

    def describe(self) -> str:
        return f"at {self.clock().isoformat()}, checking every {self.interval:g}s, as {self.worker}"

    def after_tick(self, result: object) -> None:
        if isinstance(result, RunReport):
            sent, failed = len(result.of("sent", "recovered")), len(result.of("failed", "lost"))
            if sent or failed:
                log.info("reminders: %d sent, %d failed", sent, failed)
