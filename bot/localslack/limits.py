"""What Slack refuses in a message or a view, as the error Slack answers.

Pure functions over the JSON a client sends; the limits are the ones in SLACK-NOTES.md. And
the one rate limit that shapes planbot's posting, `chat.postMessage` at one message a second a
channel (`ChannelPace`), answered as Slack does: HTTP 429 with `Retry-After`.
"""

from __future__ import annotations

import math
import threading
from typing import Any

Json = dict[str, Any]

MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_MESSAGE_TEXT = 40_000
MAX_SECTION_TEXT = 3_000
MAX_SECTION_FIELDS = 10
MAX_FIELD_TEXT = 2_000
MAX_HEADER_TEXT = 150
MAX_ACTIONS_ELEMENTS = 25
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2_000
MAX_ID_LENGTH = 255
MAX_VIEW_TITLE = 24
MAX_PRIVATE_METADATA = 3_000
MESSAGES_A_SECOND_A_CHANNEL = 1.0


class ChannelPace:
    """One message a second a channel (Slack's `chat.postMessage` limit): `refuse(channel, now)`
    records a post and answers None, or, within a second of the channel's last post, answers the
    whole seconds to wait (its `Retry-After`) and records nothing."""

    def __init__(self, per_second: float = MESSAGES_A_SECOND_A_CHANNEL) -> None:
        self.gap = 1.0 / per_second
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def refuse(self, channel: str, now: float) -> int | None:
        with self._lock:
            last = self._last.get(channel)
            if last is not None and now - last < self.gap:
                return max(1, math.ceil(last + self.gap - now))
            self._last[channel] = now
            return None


def error(code: str, messages: list[str] | None = None) -> Json:
    """A Web API error body, with Slack's `response_metadata.messages` when there are details."""
    body: Json = {"ok": False, "error": code}
    if messages:
        body["errors"] = messages
        body["response_metadata"] = {"messages": [f"[ERROR] {m}" for m in messages]}
    return body


def text_of(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text", ""))
    return "" if obj is None else str(obj)


def _too_long(limit: int, pointer: str) -> str:
    return f"must be less than {limit + 1} characters [json-pointer:{pointer}]"


def _too_many(limit: int, pointer: str) -> str:
    return f"no more than {limit} items allowed [json-pointer:{pointer}]"


def _element_errors(element: Any, where: str) -> list[str]:
    if not isinstance(element, dict):
        return [f"must be a JSON object [json-pointer:{where}]"]
    errors: list[str] = []
    if len(str(element.get("action_id", ""))) > MAX_ID_LENGTH:
        errors.append(_too_long(MAX_ID_LENGTH, f"{where}/action_id"))
    if element.get("type") == "button":
        if len(text_of(element.get("text"))) > MAX_BUTTON_TEXT:
            errors.append(_too_long(MAX_BUTTON_TEXT, f"{where}/text"))
        if len(str(element.get("value", ""))) > MAX_BUTTON_VALUE:
            errors.append(_too_long(MAX_BUTTON_VALUE, f"{where}/value"))
    return errors


def _duplicate_action_ids(elements: list[Any], where: str) -> list[str]:
    """Slack refuses a block in which two elements share an action_id."""
    errors: list[str] = []
    seen: set[str] = set()
    for number, element in enumerate(elements):
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if not action_id:
            continue
        if action_id in seen:
            errors.append(f"action_id {action_id!r} is already used in this block "
                          f"[json-pointer:{where}/elements/{number}/action_id]")
        seen.add(action_id)
    return errors


def _section_errors(block: Json, where: str) -> list[str]:
    errors: list[str] = []
    fields = block.get("fields") or []
    if "text" not in block and not fields:
        errors.append(f"must provide either text or fields [json-pointer:{where}]")
    if len(text_of(block.get("text"))) > MAX_SECTION_TEXT:
        errors.append(_too_long(MAX_SECTION_TEXT, f"{where}/text"))
    if len(fields) > MAX_SECTION_FIELDS:
        errors.append(_too_many(MAX_SECTION_FIELDS, f"{where}/fields"))
    for number, item in enumerate(fields):
        if len(text_of(item)) > MAX_FIELD_TEXT:
            errors.append(_too_long(MAX_FIELD_TEXT, f"{where}/fields/{number}"))
    if "accessory" in block:
        errors += _element_errors(block["accessory"], f"{where}/accessory")
    return errors


def block_errors(blocks: list[Any], max_blocks: int) -> list[str]:
    """Every reason Slack would refuse these blocks, each with its JSON pointer; [] if none."""
    errors: list[str] = []
    if len(blocks) > max_blocks:
        errors.append(_too_many(max_blocks, "/blocks"))
    for index, block in enumerate(blocks):
        where = f"/blocks/{index}"
        if not isinstance(block, dict) or "type" not in block:
            errors.append(f"missing required field: type [json-pointer:{where}]")
            continue
        if len(str(block.get("block_id", ""))) > MAX_ID_LENGTH:
            errors.append(_too_long(MAX_ID_LENGTH, f"{where}/block_id"))
        kind = block["type"]
        if kind == "section":
            errors += _section_errors(block, where)
        elif kind == "header":
            if len(text_of(block.get("text"))) > MAX_HEADER_TEXT:
                errors.append(_too_long(MAX_HEADER_TEXT, f"{where}/text"))
        elif kind in ("actions", "context"):
            elements = block.get("elements") or []
            limit = MAX_ACTIONS_ELEMENTS if kind == "actions" else MAX_CONTEXT_ELEMENTS
            if len(elements) > limit:
                errors.append(_too_many(limit, f"{where}/elements"))
            if kind == "actions":
                for number, element in enumerate(elements):
                    errors += _element_errors(element, f"{where}/elements/{number}")
                errors += _duplicate_action_ids(elements, where)
    return errors


def message_problem(args: Json) -> Json | None:
    """The error Slack answers for this message's content, or None if it is acceptable."""
    text, blocks = args.get("text"), args.get("blocks")
    if not text and not blocks and not args.get("attachments"):
        return error("no_text")
    if text is not None and len(str(text)) > MAX_MESSAGE_TEXT:
        return error("msg_too_long")
    if blocks is not None:
        if not isinstance(blocks, list):
            return error("invalid_blocks_format")
        errors = block_errors(blocks, MAX_MESSAGE_BLOCKS)
        if errors:
            return error("invalid_blocks", errors)
    return None


def view_errors(view: Any, expected_type: str | None = None) -> list[str]:
    """Every reason Slack would refuse this modal or Home tab (as `invalid_arguments`); [] if none."""
    if not isinstance(view, dict):
        return ["must be a JSON object [json-pointer:/view]"]
    errors: list[str] = []
    kind = view.get("type")
    if kind not in ("modal", "home") or (expected_type and kind != expected_type):
        errors.append(f"must be {expected_type or 'modal or home'} [json-pointer:/view/type]")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        errors.append("missing required field: blocks [json-pointer:/view/blocks]")
    else:
        found = block_errors(blocks, MAX_VIEW_BLOCKS)
        errors += [e.replace("[json-pointer:/", "[json-pointer:/view/") for e in found]
    if kind == "modal" and "title" not in view:
        errors.append("missing required field: title [json-pointer:/view]")
    for name in ("title", "submit", "close"):
        if len(text_of(view.get(name))) > MAX_VIEW_TITLE:
            errors.append(_too_long(MAX_VIEW_TITLE, f"/view/{name}/text"))
    if len(str(view.get("private_metadata", ""))) > MAX_PRIVATE_METADATA:
        errors.append(_too_long(MAX_PRIVATE_METADATA, "/view/private_metadata"))
    for name in ("callback_id", "external_id"):
        if len(str(view.get(name, ""))) > MAX_ID_LENGTH:
            errors.append(_too_long(MAX_ID_LENGTH, f"/view/{name}"))
    return errors
