"""Reminders in Slack, through signed requests: the buttons of a reminder DM change the action
and redraw the DM in place; `/plan reminders` shows and changes settings (admins) and mutes
(anyone, for themselves); App Home has a mute button."""

from __future__ import annotations

from sqlalchemy import select

from bot.plan import reminders
from bot.plan.rules import ActionStatus
from bot.slack import texts
from bot.slack.ids import ActionId
from storage.models import ActionEvent
from tests.helpers.clicks import action_row, button, events, has_button, wait_for_posts
from tests.helpers.reminders import ADMIN, ALICE, BOB, MONDAY, add_people, dms, load_plan, remind
from tests.helpers.slackharness import find_button, message_text
from tests.slack.test_modals import revision


def reminded(planbot) -> dict:
    """Alice's reminder DM of Monday 1 March 2027, as the local Slack holds it."""
    planbot.now = MONDAY
    load_plan(planbot.sessions)
    add_people(planbot.fake)
    remind(planbot.sessions, planbot.fake, MONDAY)
    [dm] = dms(planbot.fake, ALICE)
    return dm


def click_in_dm(planbot, dm: dict, clicked: dict, user: str = ALICE):
    channel = planbot.fake.dm_channel(user)
    url = planbot.fake.new_response_url(channel=channel, message_ts=dm["ts"])
    container = {"type": "message", "message_ts": dm["ts"], "channel_id": channel, "is_ephemeral": False}
    reply = planbot.click(clicked, user=user, channel=channel, message=dm, response_url=url, container=container)
    assert reply.status == 200
    return url


def test_mark_complete_in_a_reminder_dm_completes_the_action_and_redraws_the_dm_in_place(planbot):
    dm = reminded(planbot)
    pk = action_row(planbot.sessions, "1.2").id
    assert "Overdue by 7 days" in message_text(dm)

    url = click_in_dm(planbot, dm, button(dm["blocks"], ActionId.COMPLETE, pk))

    [redrawn] = wait_for_posts(planbot, url, 1)
    assert redrawn.args["replace_original"] in (True, "true")
    assert action_row(planbot.sessions, "1.2").status == ActionStatus.COMPLETE
    [now_shown] = dms(planbot.fake, ALICE)  # the same message, redrawn: no second DM
    assert now_shown["ts"] == dm["ts"]
    assert has_button(now_shown["blocks"], ActionId.REOPEN, pk) and not has_button(now_shown["blocks"],
                                                                                    ActionId.COMPLETE, pk)
    assert "*Complete now*" in message_text(now_shown) and "Due in 3 days" in message_text(now_shown)
    [done] = events(planbot.sessions, "completed")
    assert (done.actor, done.action_id) == (ALICE, pk)


def test_revise_date_from_a_reminder_dm_opens_the_modal_and_redraws_the_dm(planbot):
    dm = reminded(planbot)
    pk = action_row(planbot.sessions, "1.2").id
    url = click_in_dm(planbot, dm, button(dm["blocks"], ActionId.REVISE, pk))
    [opened] = planbot.fake.wait_for("views.open", 1)
    view = opened.response["view"]

    reply = planbot.submit(view, revision("2027-03-19", "Waiting for the incident data"), user=ALICE)

    assert reply.status == 200 and not reply.body
    wait_for_posts(planbot, url, 1)
    [now_shown] = dms(planbot.fake, ALICE)
    assert "*Now due 19 Mar 2027*" in message_text(now_shown)
    assert action_row(planbot.sessions, "1.2").revision_reason == "Waiting for the incident data"


def test_add_update_from_a_reminder_dm_is_refused_to_someone_who_does_not_own_it(planbot):
    dm = reminded(planbot)
    pk = action_row(planbot.sessions, "1.1").id
    click_in_dm(planbot, dm, button(dm["blocks"], ActionId.NOTE, pk), user=BOB)
    assert planbot.fake.calls_to("views.open") == []
    assert events(planbot.sessions, "note", action_id=pk) == []


def test_reminders_show_says_how_they_work_and_whether_you_are_muted(planbot, now):
    load_plan(planbot.sessions)
    reply = planbot.command("reminders", user=ALICE)
    assert "Reminders of `ppr`: on." in reply.text
    assert "14 days before it is due, 3 days before, on the day" in reply.text
    assert "You: reminders on (`/plan reminders mute` stops them)." in reply.text


def test_only_admins_change_the_settings_and_each_change_is_audited(planbot, now):
    load_plan(planbot.sessions)
    refused = planbot.command("reminders ppr soon 10", user=ALICE)
    assert "Only admins of plan `ppr` can do that." in refused.text
    done = planbot.command("reminders ppr soon 10", user=ADMIN)
    assert done.text.startswith("Done. *Reminders of `ppr`: on.* Owners hear of each action 10 days")
    again = planbot.command("reminders soon 10", user=ADMIN)
    assert again.text.startswith(texts.REMINDERS_UNCHANGED)
    bad = planbot.command("reminders escalate never", user=ADMIN)
    assert "escalate takes working days as a whole number from 1 to 250." in bad.text
    off = planbot.command("reminders off", user=ADMIN)
    assert "*Reminders of `ppr`: off.*" in off.text
    [first, second] = events(planbot.sessions, "reminder_settings")
    assert (first.actor, second.actor) == (ADMIN, ADMIN)
    assert second.new_value.startswith("off, hour 9, soon 10")


def test_anyone_mutes_and_unmutes_their_own_reminders(planbot, now):
    load_plan(planbot.sessions)
    assert planbot.command("reminders mute", user=BOB).json["text"] == texts.REMINDERS_MUTED
    assert planbot.command("reminders mute", user=BOB).json["text"] == texts.REMINDERS_ALREADY_MUTED
    with planbot.sessions.read() as session:
        assert reminders.is_muted(session, BOB) and not reminders.is_muted(session, ALICE)
    assert "You: muted" in planbot.command("reminders", user=BOB).text
    assert planbot.command("reminders unmute", user=BOB).json["text"] == texts.REMINDERS_UNMUTED
    with planbot.sessions.read() as session:
        kinds = session.scalars(select(ActionEvent.kind).where(ActionEvent.actor == BOB)).all()
    assert kinds == ["reminders_muted", "reminders_unmuted"]


def test_app_home_has_a_mute_button_that_mutes_and_becomes_unmute(planbot, now):
    load_plan(planbot.sessions)
    planbot.open_home(ALICE)
    planbot.fake.wait_for("views.publish", 1)
    home = planbot.fake.home_view(ALICE)
    assert texts.HOME_REMINDERS_ON in message_text({"blocks": home["blocks"]})

    planbot.click(find_button(home["blocks"], ActionId.MUTE_REMINDERS), user=ALICE, home=True)

    planbot.fake.wait_for("views.publish", 2)
    home = planbot.fake.home_view(ALICE)
    assert texts.HOME_REMINDERS_MUTED in message_text({"blocks": home["blocks"]})
    find_button(home["blocks"], ActionId.UNMUTE_REMINDERS)
    with planbot.sessions.read() as session:
        assert reminders.is_muted(session, ALICE)
