"""The sandbox's JSON API as its page calls it, over real HTTP."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

from bot.sandbox.server import Sandbox


def call(sandbox: Sandbox, path: str, body: dict[str, Any], *,
         content_type: str = "application/json") -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(sandbox.url.rstrip("/") + path, data=json.dumps(body).encode(),
                                     headers={"Content-Type": content_type}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def get(sandbox: Sandbox, path: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(sandbox.url.rstrip("/") + path, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def state(sandbox: Sandbox, user: str) -> dict[str, Any]:
    status, _, body = get(sandbox, f"/sandbox/state?user={user}")
    assert status == 200, body
    return dict(json.loads(body))


def wait_for_state(sandbox: Sandbox, user: str, ready: Any, timeout: float = 5.0) -> dict[str, Any]:
    """The person's state once `ready(state)` holds (planbot works after its acks)."""
    deadline = time.monotonic() + timeout
    while not ready(seen := state(sandbox, user)):
        assert time.monotonic() < deadline, f"the sandbox never got there; last state: {json.dumps(seen)[:2000]}"
        time.sleep(0.05)
    return seen


def ephemerals(seen: dict[str, Any]) -> list[dict[str, Any]]:
    return [item for item in seen["timeline"] if item["kind"] == "ephemeral"]


def button(message: dict[str, Any], ref_pk: int, action_id: str) -> dict[str, str]:
    """block_id and action_id of an action's button, as the page would send them."""
    for block in message["blocks"]:
        for element in block.get("elements") or []:
            if element.get("action_id") == action_id and f'"action_id":{ref_pk},' in element.get("value", ""):
                return {"block_id": block["block_id"], "action_id": action_id}
    raise AssertionError(f"no {action_id} for action {ref_pk}")
