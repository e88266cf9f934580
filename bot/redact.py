"""Slack tokens never reach a log: a logging filter that blanks them out of every record.

planbot itself never logs a token, but slack_sdk logs whole Web API answers at DEBUG, and the
answer to `oauth.v2.access` carries a workspace's new bot token. `planbot` puts this filter on
its log handlers, so LOG_LEVEL=DEBUG is safe to turn on.
"""

from __future__ import annotations

import logging
import re

# Bot, user, app-level, refresh and configuration tokens: xoxb-…, xoxp-…, xapp-…, xoxe.xoxb-…, xoxe-…
TOKEN = re.compile(r"\b(xox[a-z]|xapp)([.-])[A-Za-z0-9.-]+")


def redact(text: str) -> str:
    return TOKEN.sub(lambda m: f"{m[1]}{m[2]}(redacted)", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def redact_tokens(handler: logging.Handler) -> None:
    """Blank out tokens in what `handler` writes."""
    handler.addFilter(RedactTokens())
