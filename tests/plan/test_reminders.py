"""Reminders end to end with a pinned clock: the real runner, the real slack_sdk client and the
local Slack. Who gets what on a day, catching up after downtime, revised dates, working days,
timezones, and the admins' digest and channel escalation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.plan import reminders
from bot.plan.queries import get_action, get_plan
from bot.plan.reminders import Section, Skip
from bot.plan.services import Actor, complete, revise_due
from storage.models import ActionEvent, ReminderDelivery, ReminderMark
from tests.helpers.reminders import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    DAVE,
    MONDAY,
    TEAM,
    add_people,
    dms,
    load_plan,
    refs_in,
    remind,
)
from tests.helpers.slackharness import message_text


def mute(sessions, user: str, at: datetime = MONDAY) -> None:
    with sessions.begin() as session:
        assert reminders.set_muted(session, Actor(user, TEAM), at, True)


def skipped(report, recipient: str) -> Skip:
    (found,) = [s for s in report.skipped if s.recipient == recipient]
    return found.why


def test_the_dms_of_a_day_one_each_most_urgent_first_none_to_the_muted_or_to_who_has_nothing(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    mute(sessions, BOB)

    report = remind(sessions, fake_slack, MONDAY)

    # Alice: two milestones in one DM, overdue before due soon.
    assert refs_in(report, ALICE) == [("1.2", "overdue.2027-03-01"), ("1.1", "due_near")]
    [dm] = dms(fake_slack, ALICE)
    text = message_text(dm)
    assert text.index("Overdue by 7 days") < text.index("Due in 3 days")
    assert dm["metadata"] == {"event_type": "planbot_reminder",
                              "event_payload": {"recipient": ALICE, "day": "2027-03-01"}}
    assert [b["block_id"] for b in dm["blocks"] if b["type"] == "actions"] == ["action.2", "action.1"]
    assert skipped(report, BOB) == Skip.MUTED and dms(fake_slack, BOB) == []
    assert CAROL not in {o.recipient for o in report.outcomes} and dms(fake_slack, CAROL) == []
    assert skipped(report, DAVE) == Skip.TOO_EARLY  # 04:05 in New York
    # One chat.postMessage per person reminded, one conversations.open each, once ever.
    assert sorted(o.recipient for o in report.of("sent")) == [ADMIN, ALICE]
    assert fake_slack.counts()["chat.postMessage"] == 2 and fake_slack.counts()["conversations.open"] == 2


def test_the_admins_digest_names_actions_of_roles_nobody_holds_and_the_long_overdue(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)

    report = remind(sessions, fake_slack, MONDAY)

    assert refs_in(report, ADMIN) == [("4.1", "due_today"), ("5.1", "escalated.2027-W09")]
    [dm] = dms(fake_slack, ADMIN)
    text = message_text(dm)
    assert "*1 action owned by roles nobody holds*" in text
    assert "*4.1* Appoint a business engagement manager\n    Head of Recruitment · Due today (due 01/03/2027)" in text
    assert "*Overdue for more than 10 working days*" in text
    assert ("*5.1* Rebalance the flexi duty rota\n    Head of Operations (<@UDAVE>) · 31 working days late "
            "(due 15/01/2027) · _Latest:_ Blocked by the rota consultation") in text
    # Neither has buttons: the admin is told, the owners act.
    assert not [b for b in dm["blocks"] if b["type"] == "actions"]
    # The digest is weekly: Tuesday brings 4.1 overdue now, but no second digest.
    again = remind(sessions, fake_slack, MONDAY + timedelta(days=1))
    assert refs_in(again, ADMIN) == [("4.1", "overdue.2027-03-02")]
    # The next Monday it comes again.
    later = remind(sessions, fake_slack, MONDAY + timedelta(days=7))
    assert ("5.1", "escalated.2027-W10") in refs_in(later, ADMIN)


def test_a_second_run_on_the_same_day_sends_nothing(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    remind(sessions, fake_slack, MONDAY)
    posted = fake_slack.counts()["chat.postMessage"]

    again = remind(sessions, fake_slack, MONDAY + timedelta(hours=3))

    assert again.outcomes == [] and fake_slack.counts()["chat.postMessage"] == posted
    assert skipped(again, ALICE) == Skip.ALREADY_SENT and skipped(again, ADMIN) == Skip.ALREADY_SENT
    with sessions.read() as session:
        rows = session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.recipient)).all()
    assert [(r.recipient, r.day, r.state) for r in rows] == [(ADMIN, date(2027, 3, 1), "sent"),
                                                            (ALICE, date(2027, 3, 1), "sent"),
                                                            (BOB, date(2027, 3, 1), "sent")]


def test_after_downtime_only_the_milestone_reached_now_is_sent(sessions, fake_slack):
    load_plan(sessions)  # set up on 1 February; planbot was down until 1 March
    add_people(fake_slack)

    report = remind(sessions, fake_slack, MONDAY)

    # 1.2 passed due soon, due near and due today while planbot was down: it is overdue now.
    assert ("1.2", "overdue.2027-03-01") in refs_in(report, ALICE)
    with sessions.read() as session:
        marked = session.execute(select(ReminderMark.milestone).where(
            ReminderMark.recipient == ALICE, ReminderMark.action_id == 2)).scalars().all()
    assert marked == ["overdue.2027-03-01"]
    # Nothing more about it until a week after that.
    for day in range(2, 8):
        later = remind(sessions, fake_slack, MONDAY.replace(day=day))
        assert all(ref != "1.2" for o in later.of("sent") for ref, _ in refs_in(later, o.recipient))
    week_on = remind(sessions, fake_slack, MONDAY.replace(day=8))
    assert ("1.2", "overdue.2027-03-08") in refs_in(week_on, ALICE)


def test_a_revised_date_starts_the_milestones_again(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    remind(sessions, fake_slack, MONDAY)
    tuesday = MONDAY + timedelta(days=1)
    assert ALICE not in {o.recipient for o in remind(sessions, fake_slack, tuesday).outcomes}

    with sessions.begin() as session:
        action = get_action(session, get_plan(session, "ppr"), "1.2")
        revise_due(session, action, Actor(ALICE, TEAM), tuesday, date(2027, 3, 12), "Waiting for the data")

    report = remind(sessions, fake_slack, tuesday + timedelta(days=1))
    assert refs_in(report, ALICE) == [("1.2", "due_soon")]
    assert "Due in 9 days" in message_text(dms(fake_slack, ALICE)[-1])


def test_complete_actions_closed_plans_and_plans_with_reminders_off_get_none(sessions, fake_slack):
    load_plan(sessions)
    load_plan(sessions, key="closed", roles={})  # Alice holds Head of Protection in both
    add_people(fake_slack)
    with sessions.begin() as session:
        get_plan(session, "closed").closed_at = MONDAY - timedelta(days=3)
        plan = get_plan(session, "ppr")
        complete(session, get_action(session, plan, "1.2"), Actor(ALICE, TEAM), MONDAY - timedelta(days=1))
    report = remind(sessions, fake_slack, MONDAY)
    assert refs_in(report, ALICE) == [("1.1", "due_near")]
    assert {o.reminder.plans[o.items[0].plan_id].key for o in report.outcomes} == {"ppr"}

    with sessions.begin() as session:
        reminders.change_setting(session, get_plan(session, "ppr"), Actor.cli("test"), MONDAY,
                                 reminders.parse_setting(["off"]))
    assert remind(sessions, fake_slack, MONDAY + timedelta(days=1)).outcomes == []


def test_weekends_and_bank_holidays_are_skipped_and_nothing_stale_is_sent_after_them(sessions, fake_slack):
    # Easter 2027: Good Friday 26 March and Easter Monday 29 March are bank holidays.
    plan = ("Recommendation,Actions,Owner,Delivery Date,Status\n"
            "1) Publish,Publish the plan,Head of Protection,30/03/2027,\n")
    load_plan(sessions, csv_text=plan, roles={"Head of Protection": ALICE})
    add_people(fake_slack, {ALICE: "Europe/London", ADMIN: "Europe/London"})
    sent: dict[str, list[str]] = {}
    whys: dict[str, Skip] = {}
    for day in range(25, 31):  # Thursday 25 to Tuesday 30 March, at 09:30 in London (GMT)
        report = remind(sessions, fake_slack, datetime(2027, 3, day, 9, 30, tzinfo=UTC))
        if report.of("sent"):
            sent[f"{day}"] = [m for _, m in refs_in(report, ALICE)]
        else:
            whys[f"{day}"] = skipped(report, ALICE)
    assert sent == {"25": ["due_soon"], "30": ["due_today"]}  # due near fell on the long weekend
    assert whys == {"26": Skip.NOT_WORKING_DAY, "27": Skip.NOT_WORKING_DAY, "28": Skip.NOT_WORKING_DAY,
                    "29": Skip.NOT_WORKING_DAY}


def test_each_person_is_reminded_in_their_own_timezone_between_their_hour_and_six(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    for hour, minute, why in ((9, 5, Skip.TOO_EARLY), (13, 59, Skip.TOO_EARLY)):
        report = remind(sessions, fake_slack, MONDAY.replace(hour=hour, minute=minute))
        assert skipped(report, DAVE) == why
    report = remind(sessions, fake_slack, MONDAY.replace(hour=14, minute=0))  # 09:00 in New York
    assert refs_in(report, DAVE) == [("5.1", "overdue.2027-03-01")]
    assert len(dms(fake_slack, DAVE)) == 1
    # Slack was asked each person's timezone once; the answer is kept.
    # (Not Carol's: with no open action she is nobody's to remind.)
    assert fake_slack.counts()["users.info"] == len({ADMIN, ALICE, BOB, DAVE})
    # 18:00 in London is too late for anyone there; New York is still at work.
    late = remind(sessions, fake_slack, datetime(2027, 3, 2, 18, 0, tzinfo=UTC))
    assert skipped(late, ALICE) == Skip.TOO_LATE


def test_a_person_whose_timezone_slack_does_not_know_gets_the_plans(sessions, fake_slack):
    load_plan(sessions, roles={"Head of Protection": ALICE})
    fake_slack.add_user(ADMIN, name="admin")
    fake_slack.add_user(ALICE, name="alice", tz="Asia/Tokyo")
    # 09:05 in Tokyo on Monday is 00:05 UTC: too early in London, where the plan is.
    report = remind(sessions, fake_slack, datetime(2027, 3, 1, 0, 5, tzinfo=UTC))
    assert [o.recipient for o in report.of("sent")] == [ALICE]
    assert skipped(report, ADMIN) == Skip.TOO_EARLY


def test_the_plans_channel_hears_once_of_actions_past_the_second_threshold_when_it_is_on(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    assert not fake_slack.messages("CPLAN")  # off by default
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        reminders.change_setting(session, plan, Actor(ADMIN, TEAM), MONDAY, reminders.parse_setting(["channel", "on"]))
    report = remind(sessions, fake_slack, MONDAY)
    assert refs_in(report, "channel:CPLAN") == [("5.1", "channel")]
    [post] = fake_slack.messages("CPLAN")
    assert post["text"] == "1 actions of ppr are overdue for more than 20 working days."
    assert "31 working days late" in message_text(post)
    remind(sessions, fake_slack, MONDAY + timedelta(days=1))
    assert len(fake_slack.messages("CPLAN")) == 1
    with sessions.read() as session:
        changes = session.scalars(select(ActionEvent).where(ActionEvent.kind == "reminder_settings")).all()
    assert [(e.actor, e.new_value) for e in changes] == [
        (ADMIN, "on, hour 9, soon 14, near 3, escalate 10, channel 20 on")]


def test_a_dm_too_long_for_one_message_carries_the_most_urgent_and_the_rest_come_next(sessions, fake_slack):
    rows = [f"{n}) Area {n},Action number {n},Head of Protection,{(date(2027, 3, 1) - timedelta(days=n)):%d/%m/%Y},"
            for n in range(1, 31)]
    load_plan(sessions, csv_text="Recommendation,Actions,Owner,Delivery Date,Status\n" + "\n".join(rows) + "\n",
              roles={"Head of Protection": ALICE})
    add_people(fake_slack)
    report = remind(sessions, fake_slack, MONDAY)
    [outcome] = [o for o in report.of("sent") if o.recipient == ALICE]
    assert len(outcome.items) == reminders.MAX_OWNED and outcome.left_out == 30 - reminders.MAX_OWNED
    assert [ref for ref, _ in refs_in(report, ALICE)][:3] == ["30.1", "29.1", "28.1"]  # most late first
    assert "…and 18 more, in your next reminders" in message_text(dms(fake_slack, ALICE)[0])
    tomorrow = remind(sessions, fake_slack, MONDAY + timedelta(days=1))
    assert len(refs_in(tomorrow, ALICE)) == reminders.MAX_OWNED


def test_reminder_settings_are_checked_and_audited(sessions, now):
    load_plan(sessions)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        assert reminders.change_setting(session, plan, Actor(ADMIN, TEAM), now, reminders.parse_setting(["soon", "10"]))
        assert not reminders.change_setting(session, plan, Actor(ADMIN, TEAM), now,
                                            reminders.parse_setting(["soon", "10"]))
        assert reminders.reminder_config(session, plan).soon_days == 10
    for words, problem in ((["soon", "2"], "must be longer than the due-near one"),
                           (["hour", "7"], "hour takes an hour of the day as a whole number from 8 to 17"),
                           (["later"], 'I can\'t read "later" as a reminder setting')):
        try:
            with sessions.begin() as session:
                reminders.change_setting(session, get_plan(session, "ppr"), Actor(ADMIN, TEAM), now,
                                         reminders.parse_setting(words))
        except reminders.InvalidInput as error:
            assert problem in error.message
        else:
            raise AssertionError(f"{words} was accepted")
    with sessions.read() as session:
        events = session.scalars(select(ActionEvent).where(ActionEvent.kind == "reminder_settings")).all()
    assert [(e.old_value, e.new_value) for e in events] == [
        ("on, hour 9, soon 14, near 3, escalate 10, channel 20 off",
         "on, hour 9, soon 10, near 3, escalate 10, channel 20 off")]


def test_a_mute_is_the_persons_own_and_is_audited(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    mute(sessions, ALICE)
    assert skipped(remind(sessions, fake_slack, MONDAY), ALICE) == Skip.MUTED
    with sessions.begin() as session:
        assert reminders.set_muted(session, Actor(ALICE, TEAM), MONDAY, False)
    report = remind(sessions, fake_slack, MONDAY + timedelta(days=1))
    assert [s for s, _ in refs_in(report, ALICE)] == ["1.2", "1.1"]  # what she missed while muted, as of now
    with sessions.read() as session:
        kinds = session.scalars(select(ActionEvent.kind).where(ActionEvent.actor == ALICE)).all()
    assert kinds == ["reminders_muted", "reminders_unmuted"]


def test_an_items_section_order_is_owned_then_unheld_then_escalated():
    assert list(Section) == [Section.OWNED, Section.UNHELD, Section.ESCALATED, Section.CHANNEL]
    assert all(kind in reminders.KINDS for kind in reminders.MilestoneKind)
