"""The one error path: domain errors become a short reply only the user sees; anything
unexpected is logged with an id that the user also sees. Never a stack trace, never silence.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.plan.errors import Hint, PlanError, Users
from bot.slack import blocks, deliveries, texts

log = logging.getLogger("planbot.slack")


def _reply(ack: Ack | None, respond: Respond | None, text: str) -> None:
    if ack is not None and ack.response is None:
        ack(text=text, response_type="ephemeral")
        return
    if respond is not None:
        try:
            respond(text=text, response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("could not send a reply to the user")


HINTS = {Hint.SEE_STATUS: texts.HINT_SEE_STATUS, Hint.SET_SUMMARY_CHANNEL: texts.HINT_SET_SUMMARY_CHANNEL}


def say(error: PlanError) -> str:
    """A domain error in Slack's words: its plain text escaped (so nothing it quotes, such as a
    title or what was typed, becomes a live link or @channel), the people it names as mentions,
    its hint as a `/plan` command."""
    said = "".join(", ".join(blocks.mention(u) for u in part.ids) if isinstance(part, Users) else blocks.escape(part)
                   for part in error.parts)
    if error.hint is not None:
        said += " " + HINTS[error.hint].format(plan=error.plan_key or "PLAN")
    return said


def unexpected(error: BaseException) -> str:
    """Log an unexpected error with a fresh id and return the message for the user."""
    error_id = uuid.uuid4().hex[:8]
    log.error("unexpected error %s", error_id, exc_info=error)
    return texts.UNEXPECTED.format(error_id=error_id)


@contextlib.contextmanager
def replies_on_error(ack: Ack | None, respond: Respond | None) -> Iterator[None]:
    """Wrap a listener's work: any error becomes an ephemeral reply, acked within time.

    Errors are caught rather than raised to Bolt: a listener that raises just after ack()
    can make Bolt drop the ack and answer Slack 404 three seconds later. A replayed delivery
    is answered as the first one was (`bot.slack.deliveries`), and nothing more is done.
    """
    try:
        yield
    except deliveries.Replayed as replay:
        log.info("a replayed request was answered as the first was; nothing changed")
        if ack is not None and ack.response is None:
            ack(**(replay.answer or {}))
    except PlanError as error:
        _reply(ack, respond, say(error))
    except Exception as error:  # noqa: BLE001 - the user gets an id, the log gets the trace
        _reply(ack, respond, unexpected(error))


def register(app: App) -> None:
    @app.error
    def last_resort(error: Exception, body: dict[str, Any], respond: Respond) -> None:
        message = say(error) if isinstance(error, PlanError) else unexpected(error)
        if body.get("response_url"):
            _reply(None, respond, message)
