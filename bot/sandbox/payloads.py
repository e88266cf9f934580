"""The interaction payloads Slack sends an app, built from what the local Slack holds.

Shapes as Slack sends them (and as bolt-python's scenario tests post them): `block_actions`
for a click or a choice in a message or a view, `view_submission` and `view_closed` for a
modal, and the `app_home_opened` event. Slash command bodies come from `bot.localslack.payloads`.
"""

from __future__ import annotations

import base64
import hashlib
import time
from typing import Any

from bot.localslack.payloads import APP_ID

Json = dict[str, Any]
TOKEN = "legacy-token-unused"  # Slack still sends its deprecated verification token; Bolt ignores it
DOMAIN = "fire-sandbox"

# Element types whose use Slack sends as block_actions, and what it sends of each.
OPTION_ELEMENTS = frozenset({"static_select", "overflow", "radio_buttons", "external_select"})
OPTIONS_ELEMENTS = frozenset({"checkboxes", "multi_static_select"})
DISPATCHING = frozenset({"button", "datepicker", "timepicker"}) | OPTION_ELEMENTS | OPTIONS_ELEMENTS


class NoSuchControl(LookupError):
    """The page named a block or element that the message or view does not have (any more)."""


def _user(user_id: str, name: str, team: str) -> Json:
    return {"id": user_id, "username": name, "name": name, "team_id": team}


def _team(team: str) -> Json:
    return {"id": team, "domain": DOMAIN}


def _generated_block_id(index: int) -> str:
    """The block_id Slack gives a block sent without one (it makes one up; this one is stable)."""
    return base64.b32encode(hashlib.sha1(f"block {index}".encode()).digest()).decode()[:5]


def find_element(blocks: list[Json], block_id: str, action_id: str) -> tuple[Json, str]:
    """The interactive element `action_id` of block `block_id`, as the message or view holds it,
    and the block_id Slack sends for it. A block sent without an id is named `""` by the page."""
    for index, block in enumerate(blocks):
        if str(block.get("block_id", "")) != block_id:
            continue
        candidates = list(block.get("elements") or [])
        for name in ("accessory", "element"):
            if isinstance(block.get(name), dict):
                candidates.append(block[name])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element, block_id or _generated_block_id(index)
    raise NoSuchControl(f"no {action_id!r} in block {block_id!r}")


def _options(element: Json) -> list[Json]:
    found = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        found += list(group.get("options") or [])
    return found


def _option(element: Json, value: object) -> Json:
    for option in _options(element):
        if option.get("value") == value:
            return dict(option)
    raise NoSuchControl(f"no option {value!r} in {element.get('action_id')!r}")


def action_of(element: Json, block_id: str, chosen: Json) -> Json:
    """`actions[0]` for a click on, or a choice in, `element`; `chosen` says what was picked:
    `{"value": …}` for an option, `{"values": […]}` for several, `{"date": …}`, `{"time": …}`."""
    kind = str(element.get("type", ""))
    if kind not in DISPATCHING:
        raise NoSuchControl(f"a {kind or 'typeless'} element sends nothing when used")
    action: Json = {"type": kind, "action_id": element.get("action_id", ""), "block_id": block_id}
    if kind == "button":
        action["text"] = element.get("text", {"type": "plain_text", "text": ""})
        for name in ("value", "style", "url"):
            if name in element:
                action[name] = element[name]
    elif kind in OPTION_ELEMENTS:
        action["selected_option"] = _option(element, chosen.get("value"))
    elif kind in OPTIONS_ELEMENTS:
        action["selected_options"] = [_option(element, value) for value in chosen.get("values") or []]
    elif kind == "datepicker":
        action["selected_date"] = chosen.get("date") or None
        if "initial_date" in element:
            action["initial_date"] = element["initial_date"]
    elif kind == "timepicker":
        action["selected_time"] = chosen.get("time") or None
    if "placeholder" in element:
        action["placeholder"] = element["placeholder"]
    action["action_ts"] = f"{time.time():.6f}"
    return action


def message_action(action: Json, *, user_id: str, user_name: str, team: str, channel: str, channel_name: str,
                   message: Json, ephemeral: bool, trigger_id: str, response_url: str) -> Json:
    """`block_actions` for a control in a message. Slack leaves the message itself out of the
    payload when the message was ephemeral (only its container says where it was)."""
    payload: Json = {
        "type": "block_actions",
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel,
                      "is_ephemeral": ephemeral},
        "trigger_id": trigger_id,
        "team": _team(team),
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": channel_name},
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [action],
    }
    if not ephemeral:
        payload["message"] = {k: v for k, v in message.items() if k != "channel"}
    return payload


def with_state(view: Json, values: Json) -> Json:
    """A view as Slack sends it back: with the values its inputs hold now."""
    return {**view, "state": {"values": values}}


def view_action(action: Json, *, user_id: str, user_name: str, team: str, view: Json, values: Json,
                trigger_id: str) -> Json:
    """`block_actions` for a control in a modal or on App Home: no channel, no response_url."""
    return {
        "type": "block_actions",
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "container": {"type": "view", "view_id": view["id"]},
        "trigger_id": trigger_id,
        "team": _team(team),
        "enterprise": None,
        "is_enterprise_install": False,
        "view": with_state(view, values),
        "actions": [action],
    }


def view_submission(*, user_id: str, user_name: str, team: str, view: Json, values: Json,
                    trigger_id: str) -> Json:
    return {
        "type": "view_submission",
        "team": _team(team),
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "trigger_id": trigger_id,
        "view": {**with_state(view, values), "app_installed_team_id": team},
        "response_urls": [],
        "enterprise": None,
        "is_enterprise_install": False,
    }


def view_closed(*, user_id: str, user_name: str, team: str, view: Json, values: Json) -> Json:
    return {
        "type": "view_closed",
        "team": _team(team),
        "user": _user(user_id, user_name, team),
        "api_app_id": APP_ID,
        "token": TOKEN,
        "view": with_state(view, values),
        "is_cleared": False,
        "enterprise": None,
        "is_enterprise_install": False,
    }


def home_opened(*, user_id: str, team: str, bot_user_id: str, event_id: str, view: Json | None) -> Json:
    """The Events API envelope of `app_home_opened`; the event carries the Home view last published."""
    event: Json = {"type": "app_home_opened", "user": user_id, "channel": f"D{user_id.removeprefix('U')}",
                   "tab": "home", "event_ts": f"{time.time():.6f}"}
    if view is not None:
        event["view"] = view
    return {
        "token": TOKEN,
        "team_id": team,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": bot_user_id, "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }
