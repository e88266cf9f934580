"""Every message keeps within Slack's limits, whatever the plan: checked with slack_sdk's own
models on a 2,000-action plan, page by page, and on actions with very long texts and histories."""

import time
from typing import Any

import pytest
from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block, SectionBlock
from slack_sdk.models.views import View
from sqlalchemy import select

from bot.plan.queries import get_plan
from bot.plan.services import Actor, add_note, map_role
from bot.slack import texts
from bot.slack.blocks import MAX_BLOCKS, Message, MessageTooLarge
from bot.slack.ids import ActionId
from storage.models import Action
from tests.helpers.plans import ALICE, BOB, TEAM, big_plan_csv, load
from tests.helpers.slackharness import find_button, message_text

MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000


def check_blocks(blocks: list[dict[str, Any]], limit: int = MAX_BLOCKS) -> None:
    assert 0 < len(blocks) <= limit
    for raw in blocks:
        parsed = Block.parse(raw)
        assert parsed is not None, f"unknown block {raw}"
        assert parsed.to_dict() == raw  # to_dict validates the block and every child
        if raw["type"] == "section":
            assert len(raw.get("text", {}).get("text", "")) <= MAX_SECTION_TEXT
            for item in raw.get("fields", []):
                assert len(item["text"]) <= MAX_FIELD_TEXT
        for element in raw.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= MAX_BUTTON_TEXT
                assert len(element.get("value", "")) <= MAX_BUTTON_VALUE


def check_message(message: dict[str, Any]) -> None:
    assert message["text"].strip()
    check_blocks(message["blocks"])


def mrkdwn(message: dict[str, Any]) -> list[str]:
    """The texts of a message that Slack reads as mrkdwn (where mentions and links would work)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return found


def pages(planbot, first: dict[str, Any], user: str = ALICE) -> list[dict[str, Any]]:
    """Every page of a message, reached by clicking Next page as a user would."""
    seen = [first]
    while True:
        try:
            button = find_button(seen[-1]["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE)
        except AssertionError:
            return seen
        before = len(planbot.fake.calls_to("response_url"))
        assert planbot.click(button, user=user).status == 200
        posted = planbot.fake.wait_for("response_url", before + 1)[-1]
        assert posted.args["replace_original"] is True
        seen.append(posted.args)


@pytest.fixture
def big(planbot, now):
    started = time.perf_counter()
    load(planbot.sessions, now, csv_text=big_plan_csv(2000))
    assert time.perf_counter() - started < 120
    return planbot


def test_every_message_and_page_of_a_2000_action_plan_keeps_within_slacks_limits(big):
    """Also: `mine` on it lists only the caller's roles' actions, page after page."""
    status = big.command("status").json
    assert texts.SHOWING.format(first=1, last=12, total="2,000", noun="actions") in message_text(status)
    status_pages = pages(big, status)
    assert len(status_pages) == 167
    assert texts.SHOWING.format(first="1,993", last="2,000", total="2,000", noun="actions") in message_text(
        status_pages[-1])

    overdue_pages = pages(big, big.command("overdue").json)
    due_pages = pages(big, big.command("due 3660").json)
    mine_pages = pages(big, big.command("mine", user=ALICE).json)
    assert len(overdue_pages) > 5 and len(due_pages) > 5 and len(mine_pages) > 5
    shows = [big.command(f"show {ref}").json for ref in ("1.1", "50.10", "100.20")]

    for message in status_pages + overdue_pages + due_pages + mine_pages + shows:
        check_message(message)
    assert max(big.acks) < 3.0

    listed = 0
    for message in pages(big, big.command("mine", user=BOB).json, user=BOB):
        for text in mrkdwn(message):
            if text.startswith(("🔴", "🟠", "🟢")):
                assert "Protection Manager" in text.splitlines()[1]
                listed += 1
    assert listed == 1166  # two actions in three are Bob's role's; 167 of those are complete


def test_long_texts_and_a_long_history_are_shortened_visibly_and_kept_within_limits(planbot, now):
    description = "Review every premises file " + "and cross-check the records " * 200
    recommendation = "Do better " * 600
    reason = "The contractor withdrew because " + "of the weather, " * 150
    csv_text = (
        "Recommendation,Actions,Owner,Delivery Date,Status,Revised Date,Notes\n"
        f'"1) {recommendation}","{description}",Head of Protection,01/01/2026,In progress,01/02/2026,"{reason}"\n'
    )
    load(planbot.sessions, now, csv_text=csv_text)
    with planbot.sessions.begin() as session:
        action = session.scalars(select(Action)).one()
        for number in range(60):
            add_note(session, action, Actor(ALICE, TEAM), now, f"Update {number}: " + "progress is slow " * 110)
    for text in ("status", "overdue", "mine", "show 1.1"):
        check_message(planbot.command(text).json)
    shown = message_text(planbot.command("show 1.1").json)
    assert "…" in shown
    assert texts.SHOW_HISTORY_CUT.split("{")[0] in shown


def test_a_plan_with_every_text_at_its_longest_still_pages_within_limits(planbot, now):
    owners = " / ".join(f"Head of Prevention and Protection & Corporate Communications, Area {n}" for n in range(4))
    rows = ["Recommendation,Ref,Actions,Owner,Delivery Date,Status,Revised Date,Notes"]
    for i in range(40):
        recommendation = f'"{i // 2 + 1}) ' + "Recommend <more> & better " * 60 + '"' if i % 2 == 0 else ""
        ref = f"R{i:03d}-" + "x" * 26
        rows.append(f'{recommendation},{ref},"{"Describe <the> & action " * 80}","{owners}",01/0{1 + i % 9}/2026,'
                    f'In progress,{f"01/0{1 + i % 9}/2027" if i % 2 else ""},"{"Because <reasons> & more " * 80}"')
    load(planbot.sessions, now, csv_text="\n".join(rows) + "\n", map_owners=False)
    with planbot.sessions.begin() as session:
        map_role(session, get_plan(session, "ppr"), Actor("UADMIN", TEAM), now,
                 "Head of Prevention and Protection & Corporate Communications, Area 1", ALICE, org_id=TEAM)
    for text in ("status", "overdue", "due 3660", "mine"):
        seen = pages(planbot, planbot.command(text).json)
        assert len(seen) >= 2, text
        for message in seen:
            check_message(message)
    check_message(planbot.command("show " + "R000-" + "x" * 26).json)


def test_text_from_the_plan_cannot_mention_or_notify_anyone(planbot, now):
    csv_text = (
        "Recommendation,Actions,Owner,Delivery Date,Status\n"
        '"1) Tell <!channel> & <@UALICE>","Ping <!here> about <https://x.example|this>",Head of Protection,'
        "01/12/2026,Not started\n"
    )
    load(planbot.sessions, now, csv_text=csv_text)
    for text in ("status", "show 1.1", "mine"):
        shown = "\n".join(mrkdwn(planbot.command(text, user=ALICE).json))
        assert "Ping &lt;!here&gt; about &lt;https://x.example|this&gt;" in shown
        assert "<!" not in shown and "<https" not in shown
    assert "Tell &lt;!channel&gt; &amp; &lt;@UALICE&gt;" in "\n".join(mrkdwn(planbot.command("status").json))


def test_details_from_app_home_open_a_modal_that_slack_sdk_accepts(planbot, now):
    load(planbot.sessions, now)
    body = planbot.command("status").json
    planbot.click(find_button(body["blocks"], ActionId.SHOW, '\\"ref\\":\\"2.1\\"'), home=True)
    (opened,) = planbot.fake.wait_for("views.open")
    view = View(**opened.args["view"])
    view.validate_json()
    assert len(opened.args["view"]["title"]["text"]) <= 24
    check_blocks(opened.args["view"]["blocks"], limit=100)
    assert "2.1: Recruit four inspectors" in message_text(opened.args)


def test_a_message_refuses_to_break_the_limits_slack_sdk_does_not_check():
    with pytest.raises(MessageTooLarge):
        Message(text="t", blocks=[SectionBlock(text="x") for _ in range(MAX_BLOCKS + 1)]).to_dict()
    with pytest.raises(MessageTooLarge):
        Message(text="t", blocks=[SectionBlock(fields=["y" * 2001])]).to_dict()
    with pytest.raises((MessageTooLarge, SlackObjectFormationError)):
        Message(text="t", blocks=[SectionBlock(text="z" * 3001)]).to_dict()
    with pytest.raises(MessageTooLarge):
        Message(text=" ", blocks=[SectionBlock(text="x")]).to_dict()
    assert Message(text="t", blocks=[SectionBlock(text="x") for _ in range(MAX_BLOCKS)]).to_dict()["text"] == "t"
