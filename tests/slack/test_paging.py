"""Turning the pages of a long list in Slack: forward and back, as the local Slack accepts them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from bot.slack import texts
from bot.slack.ids import ActionId
from tests.helpers.plans import big_plan_csv, load
from tests.helpers.slackharness import PlanbotServer, find_button, message_text


def showing(first: int, last: int, total: int) -> str:
    return texts.SHOWING.format(first=first, last=last, total=total, noun="actions")


def turn(planbot: PlanbotServer, message: dict[str, Any], action_id: ActionId, label: str) -> dict[str, Any]:
    """Click Previous or Next on `message`; the message as planbot redrew it, which Slack accepted."""
    before = len(planbot.fake.calls_to("response_url"))
    reply = planbot.click(find_button(message["blocks"], action_id, label), message=message)
    assert reply.status == 200
    redraw = planbot.fake.wait_for("response_url", before + 1)[-1]
    assert (redraw.status, redraw.response) == (200, "ok")
    assert redraw.args["replace_original"] is True
    return {"ts": message["ts"], **redraw.args}


def test_page_two_turns_forward_and_back_and_slack_accepts_every_page(planbot: PlanbotServer,
                                                                     now: datetime) -> None:
    load(planbot.sessions, now, csv_text=big_plan_csv(30))
    first = {"ts": "1.000001", **planbot.command("status").json}
    assert showing(1, 12, 30) in message_text(first)

    second = turn(planbot, first, ActionId.NEXT_PAGE, texts.NEXT_PAGE)
    assert showing(13, 24, 30) in message_text(second)
    previous = find_button(second["blocks"], ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    following = find_button(second["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE)
    assert previous["block_id"] == following["block_id"]  # one row, two ids: Slack takes it

    third = turn(planbot, second, ActionId.NEXT_PAGE, texts.NEXT_PAGE)
    assert showing(25, 30, 30) in message_text(third)
    back = turn(planbot, third, ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    assert showing(13, 24, 30) in message_text(back)
    start = turn(planbot, back, ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    assert showing(1, 12, 30) in message_text(start)
    with pytest.raises(AssertionError):
        find_button(start["blocks"], ActionId.PREVIOUS_PAGE, texts.PREVIOUS_PAGE)
    assert planbot.fake.refusals == []


def test_a_next_button_from_before_the_ids_were_split_still_turns_the_page(planbot: PlanbotServer,
                                                                           now: datetime) -> None:
    load(planbot.sessions, now, csv_text=big_plan_csv(30))
    first = {"ts": "1.000001", **planbot.command("status").json}
    old = {**find_button(first["blocks"], ActionId.NEXT_PAGE, texts.NEXT_PAGE), "action_id": ActionId.PAGE.value}

    assert planbot.click(old, message=first).status == 200

    [redraw] = planbot.fake.wait_for("response_url")
    assert showing(13, 24, 30) in message_text(redraw.args)
