"""What the local Slack records: each call it answered, and each call it refused."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request the local Slack received, and what it answered.

    `method` is the Web API method (`chat.postMessage`) or `response_url`; `args` its
    parameters, with form-encoded JSON fields (`blocks`, `view`…) decoded.
    """

    method: str
    args: Json
    headers: Mapping[str, str]  # names lower-cased
    at: float  # time.monotonic() when received
    received_at: float  # time.time() when received
    path: str
    status: int
    response: Json | str  # the answered body: a dict for JSON answers, else the text
    injected: bool = False  # the answer was a fault asked for with fail_next()
    details: tuple[str, ...] = ()  # why it was refused, each with its JSON pointer

    @property
    def ok(self) -> bool:
        if self.status != HTTPStatus.OK:
            return False
        return not isinstance(self.response, dict) or bool(self.response.get("ok", True))

    @property
    def error(self) -> str | None:
        """Slack's error code when the call was answered with one."""
        if self.ok:
            return None
        if isinstance(self.response, dict):
            return str(self.response.get("error"))
        return self.response or str(self.status)


@dataclass(frozen=True)
class Refusal:
    """A call Slack would have refused: wrong content, an expired id, an unknown method…

    Faults injected with `fail_next()` are not refusals: the caller asked for them.
    """

    method: str
    error: str
    status: int
    details: tuple[str, ...]  # Slack's `errors`, each with its JSON pointer
    path: str

    def __str__(self) -> str:
        details = "".join(f"\n    {d}" for d in self.details)
        return f"{self.method} refused with {self.error} (HTTP {self.status}){details}"


def refusal_of(call: Call) -> Refusal | None:
    if call.ok or call.injected or call.error is None:
        return None
    details = call.details
    if not details and isinstance(call.response, dict):
        details = tuple(str(e) for e in call.response.get("errors") or ())
    return Refusal(call.method, call.error, call.status, details, call.path)
