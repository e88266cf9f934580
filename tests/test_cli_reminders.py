"""`planbot remind` and `planbot reminders`, run as a user would: the real console entry point in
a subprocess, talking to the local Slack over HTTP, with the clock pinned to Monday 1 March 2027."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ActionEvent, ReminderDelivery
from tests.helpers.reminders import add_people, dms, load_plan
from tests.test_cli_summary import environment, planbot

MONDAY = "2027-03-01T09:05:00Z"


def test_remind_dry_run_says_who_would_get_what_and_sends_nothing(sessions, database_url, fake_slack):
    load_plan(sessions)
    result = planbot(environment(database_url, PLANBOT_CLOCK_START=MONDAY), "remind", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Would send UALICE 2 items: ppr 1.2 (overdue by 7 days); ppr 1.1 (due in 3 days)." in lines
    assert "Would send UBOB 1 item: ppr 2.1 (due in 9 days)." in lines
    assert "Would send UADMIN 2 items: ppr 4.1 (due today); ppr 5.1 (31 working days late)." in lines
    # Slack is not asked anything in a dry run: Dave's New York is not known yet.
    assert "Would send UDAVE 1 item: ppr 5.1 (overdue by 45 days)." in lines
    assert lines[-1] == ("Timezones not known yet, so the plan's was assumed: UADMIN, UALICE, UBOB, UDAVE "
                         "(a real run asks Slack).")
    assert fake_slack.calls == []
    with sessions.read() as session:
        assert session.scalars(select(ReminderDelivery)).all() == []


def test_remind_sends_once_and_a_second_run_the_same_day_sends_nothing_and_says_so(sessions, database_url,
                                                                                  fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    env = environment(database_url, fake_slack, PLANBOT_CLOCK_START=MONDAY, PLANBOT_REMINDER_PACE="0")
    first = planbot(env, "remind")
    assert first.returncode == 0, first.stderr
    assert "UDAVE: not before 08:00 their time (now Mon 1 Mar 2027 04:05 EST)." in first.stdout
    assert "Sent UALICE 2 items: ppr 1.2 (overdue by 7 days); ppr 1.1 (due in 3 days)." in first.stdout
    assert len(dms(fake_slack, "UALICE")) == 1
    posted = fake_slack.counts()["chat.postMessage"]

    second = planbot(env, "remind")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[-2:] == [
        "Already sent today (1 Mar 2027), not sent again: UADMIN, UALICE, UBOB.", "Nothing sent."]
    assert fake_slack.counts()["chat.postMessage"] == posted


def test_remind_names_an_unknown_plan_and_needs_the_token(sessions, database_url):
    load_plan(sessions)
    unknown = planbot(environment(database_url, PLANBOT_CLOCK_START=MONDAY), "remind", "nope")
    assert unknown.returncode == 1 and 'There is no plan "nope". Plans here: ppr.' in unknown.stderr
    tokenless = planbot(environment(database_url, PLANBOT_CLOCK_START=MONDAY), "remind")
    assert tokenless.returncode == 1 and "Set SLACK_BOT_TOKEN first" in tokenless.stderr


def test_reminders_shows_and_changes_a_plans_settings_with_an_audit_event(sessions, database_url):
    load_plan(sessions)
    env = environment(database_url)
    shown = planbot(env, "reminders", "ppr")
    assert shown.stdout == "Plan ppr: reminders on, hour 9, soon 14, near 3, escalate 10, channel 20 off.\n"
    changed = planbot(env, "reminders", "ppr", "escalate", "15")
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.splitlines() == ["Changed.", "Plan ppr: reminders on, hour 9, soon 14, near 3, escalate 15, "
                                                      "channel 20 off."]
    bad = planbot(env, "reminders", "ppr", "hour", "20")
    assert bad.returncode == 1 and "hour takes an hour of the day as a whole number from 8 to 17." in bad.stderr
    with sessions.read() as session:
        [event] = session.scalars(select(ActionEvent).where(ActionEvent.kind == "reminder_settings")).all()
    assert event.actor.startswith("cli:") and "escalate 15" in event.new_value
