"""`/plan` end to end: signed HTTP into the running app, replies as Slack shows them, the database."""

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.plan.people import known_names
from bot.plan.queries import get_action, get_plan
from bot.plan.services import Actor, add_note
from bot.slack import texts
from bot.slack.ids import ActionButton, ActionId, ViewSpec
from storage.models import Action, ActionEvent, PlanAdmin, Role, RoleMember
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, TEAM, big_plan_csv, load
from tests.helpers.slackharness import both_transports, find_button, message_text

TWO_PLAN_CSV = """\
Recommendation,Actions,Owner,Delivery Date,Status
1) Train the crews,Deliver the training,Head of Protection,01/03/2027,Not started
"""


@pytest.fixture
def plan(planbot, now):
    load(planbot.sessions, now)
    return planbot


def action(sessions, ref, key="ppr"):
    with sessions.read() as session:
        found = get_action(session, get_plan(session, key), ref)
        session.expunge(found)
        return found


def counts(sessions):
    with sessions.read() as session:
        return (session.scalar(select(func.count()).select_from(ActionEvent)),
                session.scalar(select(func.count()).select_from(RoleMember)),
                session.scalar(select(func.count()).select_from(PlanAdmin)))


def private(reply):
    assert reply.status == 200
    body = reply.json
    assert body["response_type"] == "ephemeral"
    assert body["text"].strip()
    return body


def test_plan_alone_and_help_say_what_it_can_do_with_examples(plan):
    for text in ("", "help"):
        body = private(plan.command(text))
        shown = message_text(body)
        assert texts.HELP_TITLE in shown
        for usage, _what, example in texts.HELP_COMMANDS:
            assert usage in shown and example in shown
        assert "/plan owner" in shown and "/plan admin add" in shown


def test_a_near_miss_gets_did_you_mean_and_help(plan):
    shown = private(plan.command("overdeu"))
    assert texts.DID_YOU_MEAN.format(word="overdeu", suggestion="overdue") in message_text(shown)
    assert texts.HELP_TITLE in message_text(shown)


def test_unknown_input_gets_help_not_silence(plan):
    shown = message_text(private(plan.command("make me a sandwich")))
    assert texts.UNKNOWN_COMMAND.format(word="make") in shown
    assert texts.HELP_TITLE in shown


@both_transports
def test_status_shows_rag_counts_progress_and_each_recommendation_with_its_actions(plan):
    body = private(plan.command("STATUS"))
    shown = message_text(body)
    assert "🔴 *2* overdue" in shown and "🟠 *1* on track" in shown and "🟢 *1* complete" in shown
    assert "*25% complete*: 1 of 4 actions across 3 recommendations" in shown
    assert "*Recommendation 1*: Improve the inspection programme" in shown
    assert "*1.1* Publish the programme\nHead of Protection · due 01/12/2026 · 🟠 Amber" in shown
    assert "*2.1* Recruit four inspectors\nHead of Protection / Protection Manager · due 20/11/2026 " \
           "(revised from 31/10/2026) · 🔴 Red, 2 days late" in shown
    assert body["text"] == texts.STATUS_FALLBACK.format(title="Protection peer review", red=2, amber=1, green=1,
                                                        percent=25)
    assert plan.fake.calls_to("chat.postMessage") == []


def test_open_actions_carry_change_buttons_and_complete_ones_reopen(plan):
    blocks = private(plan.command("status"))["blocks"]
    a11 = action(plan.sessions, "1.1")
    complete = find_button(blocks, ActionId.COMPLETE, f'\\"action_id\\":{a11.id},')
    assert complete["confirm"]["title"]["text"] == texts.CONFIRM_COMPLETE_TITLE
    value = ActionButton.model_validate_json(complete["value"])
    assert value == ActionButton(action_id=a11.id, version=a11.version, view=ViewSpec(kind="status", plan="ppr"))
    for action_id in (ActionId.REVISE, ActionId.NOTE):
        assert ActionButton.model_validate_json(find_button(blocks, action_id, f'\\"action_id\\":{a11.id},')["value"])
    done = action(plan.sessions, "3.1")
    row = next(b for b in blocks if b.get("block_id") == f"action.{done.id}")
    assert [e["action_id"] for e in row["elements"]] == [ActionId.REOPEN, ActionId.SHOW]


def test_overdue_lists_owner_days_late_revised_date_and_latest_reason(plan):
    shown = message_text(private(plan.command("overdue")))
    assert "*1.2* Review the risk model\nProtection Manager · due 15/11/2026 · 🔴 Red, 7 days late" in shown
    assert "due 20/11/2026 (revised from 31/10/2026) · 🔴 Red, 2 days late" in shown
    assert texts.LATEST_REASON.format(reason="Recruitment delayed") in shown
    assert "1.1" not in shown and "3.1" not in shown


def test_due_lists_open_actions_due_soon_and_never_complete_ones(plan):
    shown = message_text(private(plan.command("due")))
    assert "*1.1* Publish the programme" in shown and "in 9 days" in shown
    assert "3.1" not in shown and "1.2" not in shown
    assert texts.DUE_NONE.format(plan="ppr", days=5) in message_text(private(plan.command("due 5")))
    private(plan.command("done 1.1"))
    assert texts.DUE_NONE.format(plan="ppr", days=30) in message_text(private(plan.command("due 30")))


def test_due_refuses_a_nonsense_number_of_days(plan):
    assert plan.command("due 0").text == texts.DUE_DAYS.format(most=3660)


def test_mine_lists_only_the_callers_roles_actions_and_names_the_roles(plan):
    shown = message_text(private(plan.command("mine", user=ALICE)))
    assert texts.MINE_ROLES.format(roles="Head of Protection") in shown
    assert "*1.1*" in shown and "*2.1*" in shown
    assert "1.2" not in shown and "3.1" not in shown
    bobs = message_text(private(plan.command("mine", user=BOB)))
    assert "*1.2*" in bobs and "*2.1*" in bobs and "1.1" not in bobs


def test_mine_without_a_role_says_how_to_get_one_mapped(plan):
    shown = message_text(private(plan.command("mine", user=MALLORY)))
    assert texts.MINE_NO_ROLES.format(admins=f" (<@{ADMIN}>)") in shown


def test_show_gives_one_action_in_full_with_history_newest_first(plan, now):
    a21 = action(plan.sessions, "2.1")
    with plan.sessions.begin() as session:
        add_note(session, session.get(Action, a21.id), Actor(BOB, TEAM), now, "Interviews booked for March")
    body = private(plan.command("show 2.1"))
    shown = message_text(body)
    assert "2.1: Recruit four inspectors" in shown
    assert "*Recommendation 2*: Recruit inspectors" in shown
    assert "Head of Protection: <@UALICE>" in shown and "Protection Manager: <@UBOB>" in shown
    assert "*Original date*\n31 Oct 2026" in shown and "*Revised due*\n20 Nov 2026" in shown
    assert "*Slippage*\nslipped 20 days, revised once" in shown
    assert ("*Against both dates*\n22 days past its original date (31/10/2026); revised to 20/11/2026; 2 days late"
            in shown)
    assert "*Reason for the revised date*\nRecruitment delayed" in shown
    assert "*Status*\nIn progress" in shown and "🔴 Red, 2 days late" in shown
    assert texts.SHOW_HISTORY in shown
    note = shown.index(f"<@{BOB}> added an update: _Interviews booked for March_")
    revised = shown.index("moved the due date from 31/10/2026 to 20/11/2026: _Recruitment delayed_")
    assert note < revised
    assert find_button(body["blocks"], ActionId.COMPLETE)


def test_show_without_a_ref_or_with_an_unknown_one_says_so(plan):
    assert plan.command("show").text == texts.NEEDS_REF.format(command="show")
    assert plan.command("show 9.9").text == 'Plan `ppr` has no action "9.9". Try `/plan status`.'


@both_transports
def test_done_marks_complete_with_a_note_and_offers_reopen(plan):
    body = private(plan.command("done 1.1 Signed off by the board", user=ALICE))
    assert texts.DONE.format(ref="1.1") in message_text(body)
    assert find_button(body["blocks"], ActionId.REOPEN)
    assert action(plan.sessions, "1.1").status == "complete"
    with plan.sessions.read() as session:
        event = session.scalars(select(ActionEvent).order_by(ActionEvent.id.desc())).first()
    assert (event.kind, event.actor, event.reason) == ("completed", ALICE, "Signed off by the board")


def test_refs_are_case_insensitive_and_a_plan_key_may_come_first(plan):
    private(plan.command("done PPR 1.1", user=ALICE))
    assert action(plan.sessions, "1.1").status == "complete"


@both_transports
def test_someone_without_the_role_is_refused_naming_who_can_and_nothing_changes(plan):
    before = counts(plan.sessions)
    reply = plan.command("done 1.1", user=MALLORY)
    # Alice holds the role; the admin may change it too but is named as an admin, not as a holder.
    assert reply.text == ("Only the owners of 1.1 and the plan's admins can change it: "
                          f"Head of Protection (<@{ALICE}>); admins: <@{ADMIN}>.")
    assert action(plan.sessions, "1.1").status == "in_progress"
    assert counts(plan.sessions) == before


@pytest.mark.parametrize("written,expected", [
    ("31/03/2027", date(2027, 3, 31)), ("2027-03-31", date(2027, 3, 31)), ("30 Sep 2027", date(2027, 9, 30)),
])
def test_extend_revises_the_due_date_with_its_reason(plan, written, expected):
    body = private(plan.command(f"extend 1.1 {written} Recruitment delayed again", user=ALICE))
    assert texts.EXTENDED.format(ref="1.1", date=f"{expected.day} {expected:%b %Y}") in message_text(body)
    changed = action(plan.sessions, "1.1")
    assert (changed.revised_due, changed.revision_reason) == (expected, "Recruitment delayed again")


@pytest.mark.parametrize("text,expected", [
    ("extend", texts.EXTEND_USAGE),
    ("extend 1.1", texts.EXTEND_NEEDS_DATE.format(ref="1.1")),
    ("extend 1.1 31/03/2027", texts.EXTEND_NEEDS_REASON.format(ref="1.1", date="31/03/2027")),
    ("extend 1.1 31/02/2027 Because", '"31/02/2027" is not a date: February has no day 31.'),
    ("extend 1.1 next week", '"next" is not a date I understand; write it like 31/12/2026.'),
    ("extend 1.1 01/01/2026 Because", "01/01/2026 is in the past; pick today or later."),
    ("extend 9.9 31/03/2027 Because", 'Plan `ppr` has no action "9.9". Try `/plan status`.'),
])
def test_extend_with_a_bad_date_or_no_reason_is_refused_and_nothing_changes(plan, text, expected):
    before = counts(plan.sessions)
    assert plan.command(text, user=ALICE).text == expected
    assert counts(plan.sessions) == before
    assert action(plan.sessions, "1.1").revised_due is None


@both_transports
def test_note_adds_an_update_as_the_user_typed_it(plan):
    body = private(plan.command("note 1.1 Spoke to <@UBOB|bob> &amp; the board", user=ALICE))
    assert texts.NOTED.format(ref="1.1") in message_text(body)
    with plan.sessions.read() as session:
        event = session.scalars(select(ActionEvent).order_by(ActionEvent.id.desc())).first()
    assert (event.kind, event.reason) == ("note", "Spoke to @bob & the board")


def test_note_and_done_without_a_ref_say_which_is_needed(plan):
    assert plan.command("note").text == texts.NEEDS_REF.format(command="note")
    assert plan.command("done").text == texts.NEEDS_REF.format(command="done")
    assert plan.command("note 1.1", user=ALICE).text == texts.NOTE_NEEDS_TEXT.format(ref="1.1")


def test_with_two_plans_and_no_channel_link_it_asks_which(planbot, now):
    load(planbot.sessions, now, channel=None)
    load(planbot.sessions, now, csv_text=TWO_PLAN_CSV, key="crews", channel=None, map_owners=False)
    which = "Which plan? Name one of: `crews`, `ppr`."
    assert planbot.command("status", channel="COTHER").text == which
    assert planbot.command("show 1.1", channel="COTHER").text == which
    assert "Protection peer review" in message_text(private(planbot.command("status PPR", channel="COTHER")))
    assert "Deliver the training" in message_text(private(planbot.command("show crews 1.1", channel="COTHER")))
    assert planbot.command("status nope").text == 'There is no plan "nope". Plans here: crews, ppr.'


def test_the_plan_linked_to_the_channel_is_the_default(planbot, now):
    load(planbot.sessions, now, channel="CPLAN")
    load(planbot.sessions, now, csv_text=TWO_PLAN_CSV, key="crews", channel="CCREWS", map_owners=False)
    assert "Deliver the training" in message_text(private(planbot.command("status", channel="CCREWS")))
    assert "Publish the programme" in message_text(private(planbot.command("status", channel="CPLAN")))


def test_an_admin_maps_a_role_to_someone_and_removes_it(plan):
    plan.fake.add_user(MALLORY, name="mallory", real_name="Mallory Jones")
    body = private(plan.command(f'owner "Corporate Comms" <@{MALLORY}|mallory>', user=ADMIN))
    assert texts.ROLE_MAPPED.format(user=MALLORY, role="Corporate Comms") in message_text(body)
    with plan.sessions.read() as session:  # the name users.info gave, kept for papers and summaries
        assert known_names(session, [MALLORY]) == {MALLORY: "Mallory Jones"}
    assert texts.MINE_ROLES.format(roles="Corporate Comms") in message_text(private(plan.command("mine", user=MALLORY)))
    body = private(plan.command(f"owner remove “corporate comms” <@{MALLORY}>", user=ADMIN))
    assert texts.ROLE_UNMAPPED.format(user=MALLORY, role="Corporate Comms") in message_text(body)
    with plan.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(RoleMember).where(RoleMember.user_id == MALLORY)) == 0


def test_only_an_admin_may_map_roles_or_change_admins_and_nothing_changes(plan):
    before = counts(plan.sessions)
    refusal = f"Only admins of plan `ppr` can do that. Its admins: <@{ADMIN}>."
    assert plan.command(f'owner "Head of Protection" <@{MALLORY}|mallory>', user=ALICE).text == refusal
    assert plan.command(f"admin add <@{ALICE}|alice>", user=ALICE).text == refusal
    assert plan.command(f"admin remove <@{ADMIN}|admin>", user=MALLORY).text == refusal
    assert counts(plan.sessions) == before
    with plan.sessions.read() as session:
        assert session.scalar(select(func.count()).select_from(Role).where(Role.name == "Head of Protection")) == 1


def test_an_admin_adds_and_removes_admins(plan):
    assert texts.ADMIN_ADDED.format(user=ALICE, plan="ppr") in plan.command(f"admin add <@{ALICE}|alice>",
                                                                             user=ADMIN).text
    with plan.sessions.read() as session:
        assert set(session.scalars(select(PlanAdmin.user_id))) == {ADMIN, ALICE}
    assert texts.ADMIN_REMOVED.format(user=ADMIN, plan="ppr") in plan.command(f"admin remove <@{ADMIN}>",
                                                                               user=ALICE).text
    with plan.sessions.read() as session:
        assert set(session.scalars(select(PlanAdmin.user_id))) == {ALICE}
    assert plan.command(f"admin remove <@{ALICE}>", user=ALICE).text == (
        f"<@{ALICE}> is the last admin of `ppr`; add another first.")


def test_owner_and_admin_explain_their_usage(plan):
    assert plan.command('owner "Head of Protection', user=ADMIN).text == texts.UNCLOSED_QUOTE
    assert plan.command("owner", user=ADMIN).text == texts.OWNER_USAGE
    assert plan.command('owner "Head of Protection" @bob', user=ADMIN).text == texts.NOT_A_MENTION.format(text="@bob")
    assert plan.command("admin promote <@UBOB>", user=ADMIN).text == texts.ADMIN_USAGE


def test_a_long_plan_pages_and_next_page_redraws_the_message_in_place(planbot, now):
    load(planbot.sessions, now, csv_text=big_plan_csv(30))
    body = private(planbot.command("status"))
    assert texts.SHOWING.format(first=1, last=12, total=30, noun="actions") in message_text(body)
    with pytest.raises(AssertionError):
        find_button(body["blocks"], ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    reply = planbot.click(find_button(body["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE),
                          message={"ts": "1.000001", **body})
    assert reply.status == 200
    (posted,) = planbot.fake.wait_for("response_url")
    assert posted.args["replace_original"] is True
    assert texts.SHOWING.format(first=13, last=24, total=30, noun="actions") in message_text(posted.args)
    assert find_button(posted.args["blocks"], ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    last = planbot.click(find_button(posted.args["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE))
    assert last.status == 200
    final = planbot.fake.wait_for("response_url", 2)[-1].args
    assert texts.SHOWING.format(first=25, last=30, total=30, noun="actions") in message_text(final)
    with pytest.raises(AssertionError):
        find_button(final["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE)


def test_next_page_on_a_shared_message_answers_the_clicker_alone(planbot, now):
    load(planbot.sessions, now, csv_text=big_plan_csv(30))
    planbot.click(find_button(private(planbot.command("status"))["blocks"], ActionId.SHARE))
    (shared,) = planbot.fake.wait_for("chat.postMessage")
    planbot.click(find_button(shared.args["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE), user=BOB,
                  container={"type": "message", "message_ts": "1.2", "channel_id": "CPLAN", "is_ephemeral": False})
    turned = planbot.fake.wait_for("response_url", 2)[-1].args
    assert turned["replace_original"] is False and turned["response_type"] == "ephemeral"
    assert texts.SHOWING.format(first=13, last=24, total=30, noun="actions") in message_text(turned)


@both_transports
def test_share_posts_the_same_message_to_the_channel_and_tells_the_sharer(plan):
    body = private(plan.command("status"))
    plan.click(find_button(body["blocks"], ActionId.SHARE), user=ALICE, channel="CPLAN")
    (shared,) = plan.fake.wait_for("chat.postMessage")
    assert shared.args["channel"] == "CPLAN"
    assert shared.args["text"] == body["text"]
    assert message_text(shared.args).strip() == message_text(body).replace(texts.SHARE, "").strip()
    with pytest.raises(AssertionError):
        find_button(shared.args["blocks"], ActionId.SHARE)
    (told,) = plan.fake.wait_for("response_url")
    assert told.args["text"] == texts.SHARED.format(channel="CPLAN")
    assert len(plan.fake.messages("CPLAN")) == 1


def test_a_share_that_slack_keeps_but_answers_500_is_posted_once(plan):
    body = private(plan.command("status"))
    plan.fake.fail_next("chat.postMessage", status=500, kept=True)

    plan.click(find_button(body["blocks"], ActionId.SHARE), user=ALICE, channel="CPLAN")

    (told,) = plan.fake.wait_for("response_url", timeout=10)
    assert told.args["text"] == texts.SHARED.format(channel="CPLAN")
    assert [c.status for c in plan.fake.calls_to("chat.postMessage")] == [500]
    (shared,) = plan.fake.messages("CPLAN")
    assert shared["text"] == body["text"] and shared["metadata"]["event_type"] == "planbot_share"


def test_a_share_slack_never_takes_says_so_and_posts_nothing(plan):
    body = private(plan.command("status"))
    plan.fake.fail_next("chat.postMessage", status=503, times=None)

    plan.click(find_button(body["blocks"], ActionId.SHARE), user=ALICE, channel="CPLAN")

    (told,) = plan.fake.wait_for("response_url", timeout=15)
    assert told.args["text"].startswith("I couldn't share this in <#CPLAN> just now")
    assert plan.fake.messages("CPLAN") == []


def test_share_where_the_bot_cannot_post_says_why(plan):
    body = private(plan.command("overdue"))
    plan.fake.fail_next("chat.postMessage", status=200, error="not_in_channel")
    plan.click(find_button(body["blocks"], ActionId.SHARE), channel="CPRIVATE")
    (told,) = plan.fake.wait_for("response_url")
    assert told.args["text"] == texts.SHARE_FAILED.format(channel="CPRIVATE", error="not_in_channel")


def test_details_button_shows_the_action_in_full(plan):
    body = private(plan.command("overdue"))
    plan.click(find_button(body["blocks"], ActionId.SHOW, '\\"ref\\":\\"1.2\\"'))
    (shown,) = plan.fake.wait_for("response_url")
    assert shown.args["replace_original"] is False
    assert "1.2: Review the risk model" in message_text(shown.args)
    assert texts.SHOW_HISTORY in message_text(shown.args)


def test_summary_and_schedule_answer_without_an_error(plan):
    for text in ("summary", "schedule"):
        reply = plan.command(text, user=ADMIN)
        assert reply.status == 200 and reply.text.strip()
        assert "error id" not in reply.text


def test_every_request_was_acknowledged_within_three_seconds(plan):
    for text in ("status", "overdue", "due", "mine", "show 1.1", "help", "nonsense"):
        plan.command(text)
    assert plan.acks and max(plan.acks) < 3.0


def test_slippage_shows_baseline_against_current_dates_with_reasons_and_buttons(plan):
    body = private(plan.command("slippage"))
    shown = message_text(body)
    assert "Slippage: Protection peer review" in shown
    assert "3 of 4 actions (75%) are on their original dates; 1 slipped, by 20 days in all (median 20 days)." in shown
    assert ("*2.1* Recruit four inspectors\n31/10/2026 → 20/11/2026 · slipped 20 days, revised once · 2 days late"
            in shown)
    assert "_Reasons given:_ Recruitment delayed" in shown
    assert find_button(body["blocks"], ActionId.COMPLETE) is not None


def test_an_admin_merges_two_roles_from_slack_and_others_may_not(plan):
    refused = private(plan.command('role merge "Protection Manager" "Head of Protection"', user=MALLORY))
    assert "Only admins of plan `ppr`" in message_text(refused)
    done = private(plan.command('role merge "Protection Manager" "Head of Protection"', user=ADMIN))
    assert done["text"] == texts.ROLE_MERGED.format(source="Protection Manager", target="Head of Protection")
    with plan.sessions.read() as session:
        assert set(session.scalars(select(Role.name))) == {"Head of Protection", "Corporate Comms"}
        held = set(session.scalars(select(RoleMember.user_id)))
    assert held == {ALICE, BOB}  # Bob held Protection Manager: he now holds Head of Protection
    renamed = private(plan.command('role rename "Corporate Comms" "Corporate Communications"', user=ADMIN))
    assert "*Corporate Comms* is now called *Corporate Communications*" in message_text(renamed)
    assert private(plan.command("role split", user=ADMIN))["text"] == texts.ROLE_USAGE
