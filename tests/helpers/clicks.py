"""Helpers for tests that click planbot's buttons: an action's button in a real rendered
message, the action's row and its audit trail, and what planbot posted back."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.localslack import Call
from bot.plan import queries
from bot.slack.ids import ActionId
from storage.db import Sessions
from storage.models import Action, ActionEvent
from tests.helpers.plans import ALICE
from tests.helpers.slackharness import PlanbotServer, find_button


def action_row(sessions: Sessions, ref: str, key: str = "ppr") -> Action:
    with sessions.read() as session:
        return queries.get_action(session, queries.get_plan(session, key), ref)


def action_pk(sessions: Sessions, ref: str, key: str = "ppr") -> int:
    return action_row(sessions, ref, key).id


def events(sessions: Sessions, kind: str | None = None, action_id: int | None = None) -> list[ActionEvent]:
    """The audit trail, oldest first (the import writes events of its own)."""
    with sessions.read() as session:
        query = select(ActionEvent).order_by(ActionEvent.id)
        if kind:
            query = query.where(ActionEvent.kind == kind)
        if action_id is not None:
            query = query.where(ActionEvent.action_id == action_id)
        return list(session.scalars(query))


def button(blocks: list[dict[str, Any]], action_id: ActionId, pk: int) -> dict[str, Any]:
    """The `action_id` button of the action whose primary key is `pk`."""
    return find_button(blocks, action_id, contains=f'"action_id":{pk},')


def has_button(blocks: list[dict[str, Any]], action_id: ActionId, pk: int) -> bool:
    try:
        button(blocks, action_id, pk)
    except AssertionError:
        return False
    return True


def status_blocks(planbot: PlanbotServer, user: str = ALICE, text: str = "status") -> list[dict[str, Any]]:
    """The blocks of a real `/plan status` reply, as the user sees them."""
    reply = planbot.command(text, user=user)
    assert reply.status == 200, reply.body
    return list(reply.json["blocks"])


def posts_to(planbot: PlanbotServer, response_url: str) -> list[Call]:
    path = response_url.split("://", 1)[1].split("/", 1)[1]
    return [call for call in planbot.fake.calls_to("response_url") if call.path == "/" + path]


def wait_for_posts(planbot: PlanbotServer, response_url: str, count: int, timeout: float = 5.0) -> list[Call]:
    """Wait until planbot has posted `count` times to this response_url (it does so after the ack)."""
    deadline = time.monotonic() + timeout
    while len(posts := posts_to(planbot, response_url)) < count:
        assert time.monotonic() < deadline, f"expected {count} posts to the response_url, got {len(posts)}"
        time.sleep(0.02)
    return posts


def settle(seconds: float = 0.3) -> None:
    """Give work done after an ack the time to happen, before asserting that it did not."""
    time.sleep(seconds)
