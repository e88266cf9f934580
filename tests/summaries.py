"""Helpers for summary tests: a poster aimed at the fake Slack, plans of any size, posting a
period without Slack (to set up "the last summary"), and the month of the sample plan."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from pydantic import SecretStr
from sqlalchemy import insert, select

from bot.config import Settings
from bot.plan import audit
from bot.plan.importer import import_plan
from bot.plan.publishing import (
    Claimed,
    claim,
    record_message,
    record_posted,
    set_schedule,
)
from bot.plan.queries import get_action, get_plan
from bot.plan.sample import SAMPLE_KEY, SAMPLE_SOURCE, SAMPLE_TITLE, sample_csv
from bot.plan.services import (
    Actor,
    add_note,
    complete,
    create_plan,
    get_or_create_role,
    map_role,
    revise_due,
)
from bot.plan.spreadsheet import read_plan_csv
from bot.plan.summary import Period, build_summary
from bot.slack.summary import SlackSummaryPoster
from storage.db import Sessions
from storage.models import Action, ActionEvent, ActionOwner, PlanAdmin, Recommendation
from tests.fakeslack import FakeSlack
from tests.plans import ADMIN, ALICE, BOB, TEAM

UTC = timezone.utc
CHANNEL = "CPLAN"


def poster_for(fake: FakeSlack, **options: object) -> SlackSummaryPoster:
    settings = Settings(slack_bot_token=SecretStr("xoxb-test-token"), slack_api_url=fake.url)
    return SlackSummaryPoster.from_settings(settings, **{"pause": 0.0, "backoff": 0.05, **options})


def top_level(fake: FakeSlack, channel: str = CHANNEL) -> list[dict]:
    return [m for m in fake.messages(channel) if m.get("thread_ts", m["ts"]) == m["ts"]]


def replies(fake: FakeSlack, channel: str = CHANNEL) -> list[dict]:
    return [m for m in fake.messages(channel) if m.get("thread_ts", m["ts"]) != m["ts"]]


def load_big_plan(sessions: Sessions, now: datetime, actions: int, *, key: str = "ppr",
                  channel: str | None = CHANNEL, per_recommendation: int = 50) -> None:
    """A plan of `actions` actions, written in bulk (the importer takes a row at a time): a quarter
    overdue (half of those with a revised date and a long reason, the rest with a note), an
    eighth complete, the rest due over the coming year; long descriptions with &, < and >."""
    today = now.date()
    with sessions.begin() as session:
        plan = create_plan(session, Actor.cli("test"), now, key=key, title="Protection peer review",
                           channel_id=channel)
        session.add(PlanAdmin(plan_id=plan.id, user_id=ADMIN))
        roles = [get_or_create_role(session, name).id for name in
                 ("Head of Protection", "Protection Manager", "Head of Prevention and Protection")]
        count = -(-actions // per_recommendation)
        session.execute(insert(Recommendation), [
            {"plan_id": plan.id, "number": r + 1,
             "text": f"Recommendation {r + 1}: improve how the service targets, records and reviews its "
                     f"protection work in area {r + 1}"} for r in range(count)])
        rec_ids = dict(session.execute(select(Recommendation.number, Recommendation.id)
                                       .where(Recommendation.plan_id == plan.id)).all())
        rows, events = [], []
        for n in range(actions):
            rec, position = divmod(n, per_recommendation)
            kind = n % 8
            row = {"plan_id": plan.id, "recommendation_id": rec_ids[rec + 1], "ref": f"{rec + 1}.{position + 1}",
                   "position": n, "status": "not_started", "revised_due": None, "revision_reason": None,
                   "completed_at": None, "version": 1, "original_due": today + timedelta(days=n % 360),
                   "description": f"Action {n + 1}: deliver the agreed improvement to the inspection, audit "
                                  f"and enforcement process number {n + 1}, with evidence reported to the "
                                  "board & <partners>"}
            if kind in (0, 1):
                row.update(status="in_progress", original_due=today - timedelta(days=40 + n % 50))
                if kind == 1:
                    reason = ("Delayed because the supplier could not deliver the training on the agreed dates "
                              f"and a second supplier had to be procured under the framework, case {n}")
                    row.update(revised_due=today - timedelta(days=1 + n % 20), revision_reason=reason)
                    events.append((row["ref"], "revised", reason))
                else:
                    events.append((row["ref"], "note", f"Blocked: supplier {n}"))
            elif kind == 2:
                row.update(status="complete", completed_at=now, original_due=today - timedelta(days=100))
            rows.append(row)
        session.execute(insert(Action), rows)
        ids = dict(session.execute(select(Action.ref, Action.id).where(Action.plan_id == plan.id)).all())
        session.execute(insert(ActionOwner), [
            {"action_id": ids[r["ref"]], "role_id": role, "position": i}
            for n, r in enumerate(rows)
            for i, role in enumerate(roles[:2] if n % 3 else roles[2:])])
        for ref, kind, reason in events:  # through the chain, as every event is written
            audit.append(session, ActionEvent(plan_id=plan.id, action_id=ids[ref], at=now, actor="cli:test",
                                              kind=kind, reason=reason))


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
        assert record_posted(session, claimed, ts, at, summary.figures, Actor.cli("test"))


# The sample plan's month: set up on Monday 1 February 2027, summarised on Monday 1 March.
SAMPLE_TODAY = date(2027, 3, 1)
SAMPLE_SET_UP = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
SAMPLE_NOW = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)


def a_month_of_the_sample_plan(sessions: Sessions) -> None:
    """The demo's sample plan (dates as of 1 March 2027), its February summary, and a month of work."""
    at = SAMPLE_SET_UP
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(sample_csv(SAMPLE_TODAY)), key=SAMPLE_KEY, actor=Actor.cli("demo"),
                    now=at, title=SAMPLE_TITLE, source=SAMPLE_SOURCE, admins=(ADMIN,))
        plan = get_plan(session, SAMPLE_KEY)
        set_schedule(session, plan, Actor.cli("demo"), at, channel_id=CHANNEL)
        map_role(session, plan, Actor(ADMIN, TEAM), at, "Head of Protection", ALICE)
        map_role(session, plan, Actor(ADMIN, TEAM), at, "Protection Manager", BOB)
    from bot.plan.summary import month_period

    mark_posted(sessions, SAMPLE_KEY, month_period(2027, 2), at + timedelta(minutes=1))

    def act(when: datetime, ref: str, change) -> None:  # type: ignore[no-untyped-def]
        with sessions.begin() as session:
            change(session, get_action(session, get_plan(session, SAMPLE_KEY), ref), when)

    act(datetime(2027, 2, 12, 10, 30, tzinfo=UTC), "1.2", lambda s, a, t: complete(
        s, a, Actor(BOB, TEAM), t, "Reviewed against three years of incident data"))
    act(datetime(2027, 2, 16, 14, 0, tzinfo=UTC), "3.2", lambda s, a, t: revise_due(
        s, a, Actor(ALICE, TEAM), t, date(2027, 4, 20), "Course dates moved by the training provider"))
    act(datetime(2027, 2, 22, 11, 0, tzinfo=UTC), "3.1", lambda s, a, t: add_note(
        s, a, Actor(ALICE, TEAM), t, "Second recruitment campaign closes on 12 March; interviews booked for April"))
