"""App Home: the user's own actions grouped by RAG with the same buttons, an overview of the
plans, refreshed after a change; clicks on Home answer on Home (it has no response_url)."""

import time
from datetime import date, timedelta

from bot.plan import queries, services
from bot.plan.rules import ActionStatus
from bot.slack import texts
from bot.slack.ids import ActionButton, ActionId, BlockId, InputId
from tests.helpers.clicks import action_pk, action_row, button, events, has_button, settle, status_blocks
from tests.helpers.plans import ADMIN, ALICE, MALLORY, load
from tests.helpers.slackharness import both_transports, message_text


def published(planbot, user, count=1, timeout=5.0):
    """The Home view planbot last published for `user`, once it has published to them `count` times."""
    deadline = time.monotonic() + timeout
    while len(mine := [c for c in planbot.fake.calls_to("views.publish") if c.args["user_id"] == user]) < count:
        assert time.monotonic() < deadline, f"{len(mine)} views.publish to {user}, expected {count}"
        time.sleep(0.02)
    assert mine[-1].response["ok"], mine[-1].response
    return mine[-1].args["view"]


def words(view):
    return message_text({"view": view})


@both_transports
def test_opening_app_home_publishes_the_users_actions_grouped_by_rag(planbot, now):
    load(planbot.sessions, now)
    reply = planbot.open_home(ALICE)
    assert reply.status == 200

    view = published(planbot, ALICE)

    assert view["type"] == "home"
    shown = words(view)
    order = [shown.index(s) for s in (texts.HOME_RED, "Recruit four inspectors", texts.HOME_AMBER,
                                      "Publish the programme", texts.HOME_PLANS)]
    assert order == sorted(order)
    assert "Review the risk model" not in shown and "Launch the campaign" not in shown
    assert "Your roles: Head of Protection" in shown
    for ref in ("1.1", "2.1"):
        clicked = button(view["blocks"], ActionId.COMPLETE, action_pk(planbot.sessions, ref))
        assert ActionButton.model_validate_json(clicked["value"]).view.kind == "home"
        assert has_button(view["blocks"], ActionId.REVISE, action_pk(planbot.sessions, ref))
        assert has_button(view["blocks"], ActionId.NOTE, action_pk(planbot.sessions, ref))
    assert "*ppr* · Protection peer review" in shown
    assert "🔴 2 overdue   🟠 1 on track   🟢 1 complete   *25% complete*" in shown


def test_someone_with_no_role_is_told_how_to_get_mapped(planbot, now):
    load(planbot.sessions, now)
    planbot.open_home(MALLORY)
    shown = words(published(planbot, MALLORY))
    assert '`/plan owner "Head of Protection" @you`' in shown and f"<@{ADMIN}>" in shown
    assert "*ppr* · Protection peer review" in shown


def test_app_home_with_no_plans_says_so(planbot):
    planbot.open_home(ALICE)
    assert texts.HOME_NO_PLANS in words(published(planbot, ALICE))


def test_opening_the_messages_tab_publishes_nothing(planbot, now):
    load(planbot.sessions, now)
    assert planbot.open_home(ALICE, tab="messages").status == 200
    settle()
    assert planbot.fake.calls_to("views.publish") == []


def test_app_home_is_refreshed_after_a_change_from_a_message(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.click(button(status_blocks(planbot), ActionId.COMPLETE, pk), user=ALICE)

    view = published(planbot, ALICE)

    shown = words(view)
    assert shown.index(texts.HOME_GREEN.format(days=30)) < shown.index("Publish the programme")
    assert has_button(view["blocks"], ActionId.REOPEN, pk)
    assert not has_button(view["blocks"], ActionId.COMPLETE, pk)


@both_transports
def test_a_click_on_app_home_publishes_home_again_instead_of_answering_a_message(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "2.1")
    planbot.open_home(ALICE)
    home = published(planbot, ALICE)

    reply = planbot.click(button(home["blocks"], ActionId.COMPLETE, pk), user=ALICE, home=True)

    assert reply.status == 200
    view = published(planbot, ALICE, count=2)
    assert has_button(view["blocks"], ActionId.REOPEN, pk)
    assert action_row(planbot.sessions, "2.1").status == ActionStatus.COMPLETE
    settle()
    assert planbot.fake.calls_to("response_url") == []
    assert len(planbot.fake.calls_to("views.publish")) == 2


def test_a_stale_click_on_app_home_says_it_is_already_complete_on_home(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "2.1")
    planbot.open_home(ALICE)
    stale = button(published(planbot, ALICE)["blocks"], ActionId.COMPLETE, pk)
    planbot.click(stale, user=ALICE, home=True)
    published(planbot, ALICE, count=2)

    planbot.click(stale, user=ALICE, home=True)

    view = published(planbot, ALICE, count=3)
    assert words(view).count("2.1 is already complete.") == 1
    assert len(events(planbot.sessions, "completed", pk)) == 1


def test_a_refusal_on_app_home_is_shown_on_home_and_nothing_changes(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.open_home(ALICE)
    alices = button(published(planbot, ALICE)["blocks"], ActionId.COMPLETE, pk)
    before = len(events(planbot.sessions))

    planbot.click(alices, user=MALLORY, home=True)

    view = published(planbot, MALLORY)
    assert "Only the owners of 1.1 and the plan's admins can change it" in words(view)
    assert len(events(planbot.sessions)) == before
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS


@both_transports
def test_a_modal_opened_on_app_home_publishes_home_again_when_submitted(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.open_home(ALICE)
    planbot.click(button(published(planbot, ALICE)["blocks"], ActionId.REVISE, pk), user=ALICE, home=True)
    (opened,) = planbot.fake.wait_for("views.open")
    values = {BlockId.REVISE_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": "2027-02-01"}},
              BlockId.REVISE_REASON: {InputId.REASON: {"type": "plain_text_input", "value": "Budget"}}}

    reply = planbot.submit(opened.response["view"], values, user=ALICE)

    assert (reply.status, reply.body) == (200, "")
    assert "due 01/02/2027 (revised from 01/12/2026)" in words(published(planbot, ALICE, count=2))
    settle()
    assert planbot.fake.calls_to("response_url") == []


def many_actions_plan(count: int, today: date, overdue: int) -> str:
    rows = ["Recommendation,Actions,Owner,Delivery Date,Status"]
    for number in range(count):
        due = today + timedelta(days=number - overdue)
        first = "1) Do a great many things" if number == 0 else ""
        rows.append(f"{first},Action number {number},Head of Protection,{due:%d/%m/%Y},In progress")
    return "\n".join(rows) + "\n"


def test_app_home_keeps_within_100_blocks_and_points_to_plan_mine_for_the_rest(planbot, now):
    load(planbot.sessions, now, csv_text=many_actions_plan(150, now.date(), overdue=20))
    with planbot.sessions.begin() as session:
        for ref in ("1.1", "1.2", "1.150"):
            action = queries.get_action(session, queries.get_plan(session, "ppr"), ref)
            services.complete(session, action, services.Actor(ALICE, "T1"), now)

    planbot.open_home(ALICE)
    view = published(planbot, ALICE)

    assert len(view["blocks"]) <= 100
    shown = words(view)
    listed = sum(1 for b in view["blocks"] if b["type"] == "actions" and b["block_id"].startswith("action."))
    assert listed >= 20
    more = next(b for b in view["blocks"] if "use `/plan mine`" in message_text({"blocks": [b]}))
    left_out = int(more["elements"][0]["text"].split("and ")[1].split(" more")[0])
    assert listed + left_out == 150
    assert shown.index(texts.HOME_RED) < shown.index("Action number 19") < shown.index(texts.HOME_AMBER)
    assert shown.index(texts.HOME_AMBER) < shown.index("Action number 20")
    assert texts.HOME_PLANS in shown


def test_a_second_open_plan_shows_in_the_overview(planbot, now):
    load(planbot.sessions, now)
    load(planbot.sessions, now, key="fire", channel="CFIRE", map_owners=False)
    planbot.open_home(ALICE)
    shown = words(published(planbot, ALICE))
    assert "*fire* · Protection peer review" in shown and "*ppr* · Protection peer review" in shown
