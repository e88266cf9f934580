"""Helpers for summary tests: a poster aimed at the local Slack, plans of any size, posting a
period without Slack (to set up "the last summary"), and the month of the sample plan."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from pydantic import SecretStr
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.localslack import LocalSlack
from bot.plan.big_sample import big_sample_csv
from bot.plan.importer import import_plan
from bot.plan.publishing import Claimed, claim, record_message, record_posted, set_schedule
from bot.plan.queries import get_action, get_plan
from bot.plan.sample import SAMPLE_KEY, SAMPLE_SOURCE, SAMPLE_TITLE, sample_csv
from bot.plan.services import Actor, add_note, complete, map_role, merge_roles, revise_due
from bot.plan.spreadsheet import read_plan_csv
from bot.plan.summary import Period, build_summary, month_period
from bot.slack.poster import SlackSummaryPoster
from storage.db import Sessions
from storage.models import Action
from tests.helpers.plans import ADMIN, ALICE, BOB, TEAM

CHANNEL = "CPLAN"


def poster_for(fake: LocalSlack, **options: object) -> SlackSummaryPoster:
    settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=fake.url)
    return SlackSummaryPoster.from_settings(settings, **{"pause": 0.0, "backoff": 0.05, **options})


def top_level(fake: LocalSlack, channel: str = CHANNEL) -> list[dict]:
    return [m for m in fake.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]


def replies(fake: LocalSlack, channel: str = CHANNEL) -> list[dict]:
    """The summary's replies in its thread (not the message that shares its paper)."""
    return [m for m in fake.messages(channel) if m.get("thread_ts", m["ts"]) != m["ts"] and "files" not in m]


def file_messages(fake: LocalSlack, channel: str = CHANNEL) -> list[dict]:
    """The messages that share files (the board paper and its chart), oldest first."""
    return [m for m in fake.messages(channel) if "files" in m]


def load_big_plan(sessions: Sessions, now: datetime, actions: int, *, key: str = "ppr",
                  channel: str | None = CHANNEL, per_recommendation: int = 50) -> None:
    """A big sample plan (bot/plan/big_sample.py) of `actions` actions through the importer: a
    quarter overdue (half of those with a revised date and a long reason, the rest with a note),
    an eighth complete, the rest due over the coming year; long descriptions with &, < and >."""
    load_plan(sessions, now, big_sample_csv(actions, today=now.date(), per_recommendation=per_recommendation),
              key=key, channel=channel)


def load_plan(sessions: Sessions, now: datetime, csv_text: str, *, key: str = "ppr",
              channel: str | None = CHANNEL) -> None:
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(csv_text), key=key, actor=Actor.cli("test"), now=now,
                    title="Protection peer review", channel_id=channel, admins=(ADMIN,))


def mark_posted(sessions: Sessions, key: str, period: Period, at: datetime, ts: str = "1000.000001") -> None:
    """Record `period` as posted at `at` without Slack, as if an earlier summary went out."""
    with sessions.begin() as session:
        plan = get_plan(session, key)
        summary = build_summary(session, plan, period, at)
        claimed = claim(session, plan, period, worker="earlier", now=at)
        assert isinstance(claimed, Claimed)
        assert record_message(session, claimed, ts, at)
        assert record_posted(session, claimed, ts, at, figures=summary.figures, actor=Actor.cli("test"))


# The sample plan's month: set up on Monday 1 February 2027, summarised on Monday 1 March.
SAMPLE_TODAY = date(2027, 3, 1)
SAMPLE_SET_UP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SAMPLE_NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def a_month_of_the_sample_plan(sessions: Sessions) -> None:
    """The demo's plan (the real one, dates as of 1 March 2027), its near-duplicate roles merged,
    its February summary, and a month of work: 3.1 completed, 5.1 revised, an update on 1.1."""
    at = SAMPLE_SET_UP
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(sample_csv(SAMPLE_TODAY)), key=SAMPLE_KEY, actor=Actor.cli("demo"),
                    now=at, title=SAMPLE_TITLE, source=SAMPLE_SOURCE, admins=(ADMIN,))
        plan = get_plan(session, SAMPLE_KEY)
        set_schedule(session, plan, Actor.cli("demo"), at, channel_id=CHANNEL)
        merge_roles(session, Actor.cli("demo"), at, "Head of Protection and Prevention",
                    "Head of Prevention and Protection")
        merge_roles(session, Actor.cli("demo"), at, "Corporate comms.", "Corporate Comms")
        map_role(session, plan, Actor(ADMIN, TEAM), at, "Head of Prevention and Protection", ALICE, org_id=TEAM)
        map_role(session, plan, Actor(ADMIN, TEAM), at, "Corporate Comms", BOB, org_id=TEAM)
    mark_posted(sessions, SAMPLE_KEY, month_period(2027, 2), at + timedelta(minutes=1))

    def act(when: datetime, ref: str, change: Callable[[Session, Action, datetime], object]) -> None:
        with sessions.begin() as session:
            change(session, get_action(session, get_plan(session, SAMPLE_KEY), ref), when)

    act(datetime(2027, 2, 12, 10, 30, tzinfo=UTC), "3.1", lambda s, a, t: complete(
        s, a, Actor(ALICE, TEAM), t, "Succession plan agreed; it is in the annual review of the Protection strategy"))
    act(datetime(2027, 2, 16, 14, 0, tzinfo=UTC), "5.1", lambda s, a, t: revise_due(
        s, a, Actor(ALICE, TEAM), t, date(2027, 8, 16),
        "Restructure consultation extended to take in the new building safety team"))
    act(datetime(2027, 2, 22, 11, 0, tzinfo=UTC), "1.1", lambda s, a, t: add_note(
        s, a, Actor(BOB, TEAM), t, "Business engagement officer appointed, starting 15 March; plan drafted for April"))
