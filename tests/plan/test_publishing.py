"""The claim on a period (one row per plan and period) and the summary schedule settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.plan.errors import InvalidInput, NotAllowed, PlanError
from bot.plan.publishing import (
    LEASE,
    AlreadyPosted,
    Busy,
    Claimed,
    claim,
    record_message,
    record_posted,
    release,
    schedule_info,
    set_schedule,
)
from bot.plan.queries import RagCounts, get_plan
from bot.plan.schedule import Schedule, ScheduleError, Slot, parse_schedule
from bot.plan.services import Actor
from bot.plan.summary import month_period
from storage.models import ActionEvent, SummaryPost
from tests.helpers.plans import ADMIN, ALICE, TEAM, load

MARCH = month_period(2027, 3)
AT = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
FIGURES = RagCounts(1, 2, 3)


def claim_as(sessions, worker: str, now: datetime = AT, **options):
    with sessions.begin() as session:
        return claim(session, get_plan(session, "ppr"), MARCH, worker=worker, now=now, **options)


def row(sessions) -> SummaryPost:
    with sessions.read() as session:
        return session.scalars(select(SummaryPost)).one()


def test_the_first_claim_wins_and_others_are_told_it_is_busy_until_its_lease_runs_out(sessions, now):
    load(sessions, now)
    first = claim_as(sessions, "a")
    assert isinstance(first, Claimed) and first.attempts == 1 and not first.may_have_posted
    busy = claim_as(sessions, "b", AT + LEASE - timedelta(seconds=1))
    assert isinstance(busy, Busy) and busy.claimed_by == "a" and busy.lease_ends == AT + LEASE
    taken = claim_as(sessions, "b", AT + LEASE)
    assert isinstance(taken, Claimed) and taken.attempts == 2 and taken.may_have_posted
    assert (row(sessions).claimed_by, row(sessions).attempts) == ("b", 2)


def test_a_process_that_lost_its_claim_cannot_record_a_post(sessions, now):
    load(sessions, now)
    first = claim_as(sessions, "a")
    assert isinstance(first, Claimed)
    assert isinstance(claim_as(sessions, "b", AT + LEASE), Claimed)
    with sessions.begin() as session:
        assert not record_message(session, first, "1.1", AT)
        assert not record_posted(session, first, "1.1", AT, figures=FIGURES, actor=Actor.cli("t"))
    assert row(sessions).state == "claimed" and row(sessions).message_ts is None


def test_a_failed_attempt_is_released_and_due_again_at_once_keeping_what_it_posted(sessions, now):
    load(sessions, now)
    first = claim_as(sessions, "a")
    with sessions.begin() as session:
        assert record_message(session, first, "1700000000.000100", AT)
        assert release(session, first, AT, "Slack answered fatal_error")
    assert (row(sessions).state, row(sessions).last_error) == ("failed", "Slack answered fatal_error")
    again = claim_as(sessions, "b", AT + timedelta(seconds=5))
    assert isinstance(again, Claimed)
    assert again.message_ts == "1700000000.000100" and not again.may_have_posted


def test_a_posted_period_is_posted_once_unless_forced(sessions, now, cli_actor):
    load(sessions, now)
    first = claim_as(sessions, "a")
    with sessions.begin() as session:
        assert record_posted(session, first, "1700000000.000100", AT, figures=FIGURES, actor=cli_actor)
    later = AT + timedelta(days=2)
    again = claim_as(sessions, "b", later)
    assert again == AlreadyPosted(MARCH, "CPLAN", "1700000000.000100", AT)
    forced = claim_as(sessions, "b", later, force=True)
    assert isinstance(forced, Claimed) and forced.replaced_ts == "1700000000.000100" and forced.message_ts is None
    with sessions.begin() as session:
        assert record_posted(session, forced, "1700000000.000200", later, figures=FIGURES, actor=cli_actor)
    with sessions.read() as session:
        events = session.scalars(select(ActionEvent).where(ActionEvent.kind == "summary_posted")
                                 .order_by(ActionEvent.id)).all()
    assert [(e.old_value, e.new_value) for e in events] == [
        (None, "2027-03 CPLAN 1700000000.000100"), ("1700000000.000100", "2027-03 CPLAN 1700000000.000200")]
    assert row(sessions).snapshot == FIGURES.to_json()


def test_a_plan_without_a_channel_cannot_be_claimed(sessions, now):
    load(sessions, now, channel=None)
    with pytest.raises(InvalidInput, match="has no channel for its summaries"):
        claim_as(sessions, "a")


def test_admins_set_the_schedule_and_channel_and_each_change_is_audited(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        assert set_schedule(session, plan, Actor(ADMIN, TEAM), AT, schedule=Schedule("quarterly"), channel_id="CBOARD")
        assert not set_schedule(session, plan, Actor(ADMIN, TEAM), AT, schedule=Schedule("quarterly"))
        info = schedule_info(session, plan, AT)
    with sessions.read() as session:
        plan = get_plan(session, "ppr")
        events = session.scalars(select(ActionEvent).where(ActionEvent.kind.in_(("schedule", "plan_channel")))
                                 .order_by(ActionEvent.id)).all()
    assert (plan.schedule, plan.schedule_since, plan.channel_id) == ("quarterly", AT, "CBOARD")
    assert [(e.kind, e.old_value, e.new_value, e.actor) for e in events] == [
        ("schedule", "monthly", "quarterly", ADMIN), ("plan_channel", "CPLAN", "CBOARD", ADMIN)]
    assert info.next_run == Slot("2027-Q2", "Q2 2027", datetime(2027, 4, 1, 8, 0, tzinfo=UTC))
    assert info.due_now is None  # the new schedule starts now: Q1's slot was before it


def test_changing_only_the_channel_keeps_the_schedule_running_from_when_it_was_set(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        set_schedule(session, plan, Actor(ADMIN, TEAM), AT, channel_id="CBOARD")
    with sessions.read() as session:
        assert get_plan(session, "ppr").schedule_since == now


def test_only_admins_may_change_the_schedule(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        with pytest.raises(NotAllowed, match="Only admins of plan `ppr`"):
            set_schedule(session, get_plan(session, "ppr"), Actor(ALICE, TEAM), AT, schedule=Schedule("off"))


def test_a_bad_schedule_or_channel_is_invalid_input_for_the_one_error_path(sessions, now):
    with pytest.raises(PlanError) as caught:
        parse_schedule("RRULE:FREQ=HOURLY")
    assert isinstance(caught.value, (InvalidInput, ValueError)) and isinstance(caught.value, ScheduleError)
    assert "the finest is FREQ=DAILY" in caught.value.message
    load(sessions, now)
    with sessions.begin() as session:
        with pytest.raises(InvalidInput, match='"plan-room" is not a Slack channel id'):
            set_schedule(session, get_plan(session, "ppr"), Actor.cli(), AT, channel_id="plan-room")
