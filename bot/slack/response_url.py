"""Posting to a click's response_url within Slack's limits, retrying a post that Slack lost.

A response_url takes at most 5 posts within 30 minutes. A post answered 429 is tried again
after its Retry-After, one answered 5xx (or lost to the network) after a short backoff that
doubles; anything else (404 `expired_url` or `used_url`, 400 `invalid_blocks`) is final. Every
post counts against the 5, and a caller can keep some back for what it still has to say.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Final

from slack_sdk.webhook import WebhookClient

log = logging.getLogger("planbot.slack")

MAX_POSTS: Final = 5  # Slack's limit for one response_url
BACKOFF: Final = 0.25  # seconds before retrying a 5xx or a network failure; doubled each time
MAX_WAIT: Final = 60.0  # seconds one post may spend waiting in all: far inside the URL's 30 minutes


def _retry_after(headers: dict[str, Any]) -> float | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class ResponseUrl:
    """One response_url, and how many of its 5 posts planbot has used."""

    def __init__(self, url: str, *, sleep: Callable[[float], None] = time.sleep, backoff: float = BACKOFF) -> None:
        self.url = url
        self.posts = 0
        self._sleep = sleep
        self._backoff = backoff
        # slack_sdk's own retry handlers would post without counting: this class retries.
        self._client = WebhookClient(url, timeout=10, retry_handlers=[])

    def post(self, payload: dict[str, Any], *, keep: int = 0) -> str | None:
        """Post `payload`, retrying what Slack lost, and leave `keep` posts unused.

        None once Slack has taken it; otherwise what went wrong the last time.
        """
        delay, waited = self._backoff, 0.0
        problem = "no post left on the response_url"
        while self.posts < MAX_POSTS - keep:
            self.posts += 1
            try:
                sent = self._client.send_dict(payload)
            except OSError as error:
                problem, wait = f"Slack could not be reached ({error})", delay
            else:
                if sent.status_code == HTTPStatus.OK:
                    return None
                problem = f"Slack answered {sent.status_code} {sent.body}"
                if sent.status_code == HTTPStatus.TOO_MANY_REQUESTS:
                    wait = _retry_after(sent.headers) or delay
                elif sent.status_code >= HTTPStatus.INTERNAL_SERVER_ERROR:
                    wait = delay
                else:
                    return problem
            if self.posts >= MAX_POSTS - keep or waited + wait > MAX_WAIT:
                break
            log.info("posting to a response_url: %s; trying again in %.2fs", problem, wait)
            self._sleep(wait)
            waited += wait
            delay *= 2
        return problem
