"""Posting summaries exactly once per period: on schedule, from the command line or from Slack.

`publish` is the one path for all three callers: claim the period in the database, look for
an earlier post of it in the channel (a process may have died after Slack accepted it but
before it was recorded), post the main message, record it, post the thread of detail, and
mark the period posted. Any failure releases the claim with its error; the period stays due.

`Scheduler` is a thread in `planbot serve` that ticks every `interval` seconds and publishes
each open plan's due slot (`bot.plan.schedule.due_slot`, never a slot from before the plan's
schedule was set) that has no posted summary yet.

After the thread, the board paper (bot.plan.paper) and its chart are shared in it, looked for
first on a retry so that they are never shared twice; a refusal (a workspace that did not grant
files:write) leaves the summary posted and says why. The people the summary names are asked of
Slack (users.info) when their names are not known or old.

Slack is reached only through the injected `Poster` (bot.slack.poster.SlackSummaryPoster).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot.clock import Clock, utc_now
from bot.paper.formats import Attachment, attachments
from bot.plan import people
from bot.plan.errors import PlanError
from bot.plan.people import Name
from bot.plan.publishing import (
    LEASE,
    AlreadyPosted,
    Busy,
    Claimed,
    ClaimResult,
    claim,
    plan_schedule,
    posted_periods,
    record_message,
    record_posted,
    release,
)
from bot.plan.queries import get_plan, plan_revision
from bot.plan.rules import today_in
from bot.plan.schedule import ScheduleError, always_posts, due_slot
from bot.plan.services import Actor
from bot.plan.summary import Period, Summary, build_summary, by_exception_is_due, current_period, period_of_slot
from bot.plan.summary_text import render_markdown
from bot.ticking import Ticking
from storage.db import Sessions
from storage.models import Plan

log = logging.getLogger("planbot.scheduler")

SCHEDULER_ACTOR = Actor(user_id="planbot:scheduler")
DEFAULT_INTERVAL = 60.0
# A claim that loses an insert race is tried once more, reading what the winner holds.
CLAIM_ATTEMPTS = 2
PUBLISHERS = 16  # summaries posted side by side when several fall due at once


def default_worker() -> str:
    """Names this process in the claims it holds: host, pid and a random tag."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(3)}"


class PostFailed(Exception):
    """Slack refused the post or could not be reached; str() says why, fit for a log or a person."""


class Refused(PostFailed):
    """Slack refused the post outright (`error`, such as not_in_channel): trying again would not help."""

    def __init__(self, problem: str, error: str) -> None:
        super().__init__(problem)
        self.error = error


class Poster(Protocol):
    def find(self, channel_id: str, plan_key: str, period: str) -> str | None:
        """The ts of this period's summary if it is already in the channel's recent history."""

    def post_main(self, channel_id: str, summary: Summary) -> str:
        """Post the main message and return its ts."""

    def post_thread(self, channel_id: str, thread_ts: str, summary: Summary, *, check_existing: bool) -> None:
        """Post the detail replies under thread_ts; with check_existing, skip those already there."""

    def attach(self, channel_id: str, thread_ts: str, files: tuple[Attachment, ...], *, check_existing: bool) -> None:
        """Share the board paper and its chart under thread_ts; with check_existing, not if already there."""

    def names(self, user_ids: list[str]) -> dict[str, Name | None]:
        """What Slack calls these people (None: it does not know them); those it could not be
        asked about are left out."""


OutcomeKind = Literal["posted", "recovered", "already_posted", "busy", "failed", "lost"]


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt to publish a period."""

    kind: OutcomeKind
    plan_key: str
    period: Period
    channel_id: str | None = None
    message_ts: str | None = None
    posted_at: datetime | None = None
    error: str | None = None
    busy: Busy | None = None
    attach_error: str | None = None  # the summary is posted, but Slack refused its paper (why)

    @property
    def ok(self) -> bool:
        return self.kind in ("posted", "recovered", "already_posted")


def _claim(sessions: Sessions, plan_key: str, period: Period | None, *, now: datetime, worker: str,
           lease: timedelta, force: bool) -> ClaimResult:
    for attempt in range(1, CLAIM_ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                plan = get_plan(session, plan_key)
                chosen = period or current_period(plan_schedule(plan), plan.timezone, now)
                return claim(session, plan, chosen, worker=worker, now=now, lease=lease, force=force)
        except IntegrityError:
            # Another process inserted the same claim a moment earlier: read what it holds.
            log.debug("%s %s: another process claimed it first", plan_key, period.key if period else "")
            if attempt == CLAIM_ATTEMPTS:
                raise
    raise AssertionError("unreachable")


def publish(sessions: Sessions, poster: Poster, *, plan_key: str, period: Period | None = None,
            clock: Clock = utc_now, worker: str, actor: Actor, force: bool = False,
            lease: timedelta = LEASE) -> Outcome:
    """Post the plan's summary for `period` (default: the current one) unless it is posted already.

    Raises PlanError for bad input (no such plan, no channel); anything that goes wrong while
    posting comes back as a "failed" Outcome, with the claim released.
    """
    result = _claim(sessions, plan_key, period, now=clock(), worker=worker, lease=lease, force=force)
    if isinstance(result, AlreadyPosted):
        return Outcome("already_posted", plan_key, result.period, result.channel_id, result.message_ts,
                       result.posted_at)
    if isinstance(result, Busy):
        return Outcome("busy", plan_key, result.period, busy=result)
    claimed: Claimed = result
    try:
        return _post(sessions, poster, claimed, clock, actor)
    except Exception as error:  # noqa: BLE001 - recorded on the claim, logged, reported to the caller
        if isinstance(error, PostFailed):
            log.warning("posting %s %s failed: %s", plan_key, claimed.period.key, error)
        else:
            log.exception("posting %s %s failed", plan_key, claimed.period.key)
        message = str(error) or type(error).__name__
        try:
            with sessions.begin() as session:
                release(session, claimed, clock(), message)
        except Exception:  # noqa: BLE001 - the lease frees the claim in the end
            log.exception("could not release the claim on %s %s", plan_key, claimed.period.key)
        return Outcome("failed", plan_key, claimed.period, claimed.channel_id, error=message)


def _named(sessions: Sessions, poster: Poster, summary: Summary, now: datetime) -> Summary:
    """The summary with the names of the people it reports, asking Slack about those not asked lately."""
    with sessions.read() as session:
        wanted = people.stale(session, summary.actors, now)
    if not wanted:
        return summary
    found = poster.names(wanted)
    with sessions.begin() as session:
        for user_id, name in found.items():
            people.remember(session, user_id, name, now)
        return replace(summary, names=people.known_names(session, summary.actors))


def _attach(sessions: Sessions, poster: Poster, claimed: Claimed, summary: Summary, ts: str, *,
            check_existing: bool) -> str | None:
    """Share the board paper and chart in the summary's thread; why not, if Slack refused them."""
    with sessions.read() as session:
        files = attachments(session, get_plan(session, claimed.plan_key), summary)
    try:
        poster.attach(claimed.channel_id, ts, files, check_existing=check_existing)
    except Refused as error:
        log.warning("the %s %s summary is posted, but Slack refused its paper: %s", claimed.plan_key,
                    claimed.period.key, error)
        return str(error)
    return None


def _post(sessions: Sessions, poster: Poster, claimed: Claimed, clock: Clock, actor: Actor) -> Outcome:
    key, channel = claimed.plan_key, claimed.channel_id
    with sessions.read() as session:
        summary = build_summary(session, get_plan(session, key), claimed.period, clock())
    summary = _named(sessions, poster, summary, clock())
    ts = claimed.message_ts
    recovered = False
    if ts is None and claimed.replaced_ts is None:
        try:
            ts = poster.find(channel, key, claimed.period.key)
        except PostFailed as error:
            if claimed.may_have_posted:
                raise PostFailed(f"could not check the channel for an earlier post ({error})") from error
            log.warning("could not check %s for an earlier %s %s summary: %s", channel, key, claimed.period.key, error)
        recovered = ts is not None
        if recovered:
            log.info("found the %s %s summary already in %s (ts %s): recording it",
                     key, claimed.period.key, channel, ts)
    if ts is None:
        ts = poster.post_main(channel, summary)
    if ts != claimed.message_ts:
        with sessions.begin() as session:
            if not record_message(session, claimed, ts, clock()):
                return _lost(claimed, ts)
    again = claimed.attempts > 1 or recovered
    poster.post_thread(channel, ts, summary, check_existing=again)
    refused = _attach(sessions, poster, claimed, summary, ts, check_existing=again)
    posted_at = clock()
    with sessions.begin() as session:
        if not record_posted(session, claimed, ts, posted_at, figures=summary.figures, actor=actor,
                             markdown=render_markdown(summary)):
            return _lost(claimed, ts)
    log.info("posted the %s %s summary to %s (ts %s)", key, claimed.period.key, channel, ts)
    return Outcome("recovered" if recovered else "posted", key, claimed.period, channel, ts, posted_at,
                   attach_error=refused)


def _lost(claimed: Claimed, ts: str) -> Outcome:
    log.error("lost the claim on %s %s after posting ts %s: another process took it over",
              claimed.plan_key, claimed.period.key, ts)
    return Outcome("lost", claimed.plan_key, claimed.period, claimed.channel_id, ts,
                   error="another planbot took over the claim while this one was posting")


class Scheduler(Ticking):
    """Publishes every open plan's due summary; `tick()` once, or `start()` a thread that ticks."""

    name = "scheduler"

    def __init__(self, sessions: Sessions, poster: Poster, *, clock: Clock = utc_now,
                 interval: float = DEFAULT_INTERVAL, lease: timedelta = LEASE, worker: str | None = None) -> None:
        self.sessions = sessions
        self.poster = poster
        self.clock = clock
        self.interval = interval
        self.lease = lease
        self.worker = worker or default_worker()
        super().__init__()
        self._said: set[tuple[str, str]] = set()
        # Summaries sent by exception that had none: (plan, period) -> (plan revision, day) then,
        # so the plan is looked at again only once it changes or a day passes.
        self._quiet: dict[tuple[int, str], tuple[int, object]] = {}

    def _once(self, plan_key: str, what: str, message: str, *args: object) -> None:
        """Log a standing problem once, not at every tick."""
        if (plan_key, what) not in self._said:
            self._said.add((plan_key, what))
            log.warning(message, *args)

    def tick(self) -> list[Outcome]:
        now = self.clock()
        with self.sessions.read() as session:
            plans = list(session.scalars(select(Plan).where(Plan.closed_at.is_(None)).order_by(Plan.key)))
            posted = posted_periods(session, [p.id for p in plans])
        due: list[tuple[Plan, Period]] = []
        for plan in plans:
            try:
                schedule = plan_schedule(plan)
                slot = due_slot(schedule, plan.timezone, now, plan.schedule_since)
            except ScheduleError as error:
                self._once(plan.key, f"schedule {plan.schedule}", "plan %s: skipped, %s", plan.key, error)
                continue
            if slot is None or (plan.id, slot.period) in posted:
                continue
            if not plan.channel_id:
                self._once(plan.key, f"channel {slot.period}",
                           "plan %s: the %s summary is due but the plan has no channel; skipped",
                           plan.key, slot.label)
                continue
            if not always_posts(schedule, slot) and not self._has_exception(plan, period_of_slot(slot, schedule), now):
                continue
            due.append((plan, period_of_slot(slot, schedule)))
        if len(due) <= 1:
            return [o for plan, period in due if (o := self._publish(plan, period)) is not None]
        # Posting is mostly waiting (Slack takes a message a second a channel, and a summary's
        # thread is many messages), so plans due together are posted side by side; each is
        # claimed first, so that this is as safe as several replicas posting at once.
        with ThreadPoolExecutor(max_workers=PUBLISHERS, thread_name_prefix="planbot-publish") as pool:
            running = [pool.submit(self._publish, plan, period) for plan, period in due]
            return [o for future in running if (o := future.result()) is not None]

    def _publish(self, plan: Plan, period: Period) -> Outcome | None:
        try:
            return publish(self.sessions, self.poster, plan_key=plan.key, period=period, clock=self.clock,
                           worker=self.worker, actor=SCHEDULER_ACTOR, lease=self.lease)
        except PlanError as error:
            self._once(plan.key, f"error {period.key}", "plan %s: skipped, %s", plan.key, error.message)
            return None

    def _has_exception(self, plan: Plan, period: Period, now: datetime) -> bool:
        """For a summary sent by exception: whether the plan has an exception, or a change since
        the last summary. Asked again only after the plan changes or the day turns."""
        with self.sessions.read() as session:
            seen = (plan_revision(session, plan.id), today_in(plan.timezone, now))
            if self._quiet.get((plan.id, period.key)) == seen:
                return False
            if by_exception_is_due(build_summary(session, get_plan(session, plan.key), period, now)):
                return True
        self._quiet[(plan.id, period.key)] = seen
        self._once(plan.key, f"quiet {period.key}", "plan %s: no exception and no change for the %s summary "
                   "(sent by exception); not posted", plan.key, period.label)
        return False

    def describe(self) -> str:
        return f"at {self.clock().isoformat()}, checking every {self.interval:g}s, as {self.worker}"
