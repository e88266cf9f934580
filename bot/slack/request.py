"""One reading of a Slack request: who acted, where, and what the clicked control carries.

`read_request` runs as a Bolt middleware before every listener, for slash commands,
block_actions, view_submission and events alike. It puts two things in Bolt's `context`:

- the `Caller`: planbot's `Actor` and the channel, from what Bolt extracted
  (`actor_user_id`/`user_id`, `actor_enterprise_id`/`enterprise_id`, `actor_team_id`/`team_id`,
  `channel_id`), with the person's own team taken from `user.team_id` where an interaction
  payload has it: Bolt's `team_id` there is the workspace the app acts in
  (`view.app_installed_team_id`, `team.id`), which in a Slack Connect channel is not theirs.
  An org-wide install has no team at all; the enterprise is then the organisation.
  Its `workspace` is the installation's (`bot.slack.installs`), whose plans the request sees.
- the value of the clicked button (or the submitted modal's `private_metadata`), parsed into its
  model from `bot.slack.ids`. It says *what*, never *who may*.

The `Caller` also carries the delivery's key (`bot.slack.deliveries`), which each change claims
so that a replayed request changes nothing.

Identity (see `bot.plan.identity`): a person's organisation is their Grid enterprise if any,
else their own team. A role mapped to them holds from any workspace of that organisation, and
nobody from another organisation (Slack Connect) holds a role unless mapped explicitly.
Listeners read both with `caller_of(context)` and `control_of(context, Model)`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from slack_bolt import BoltContext, BoltRequest, BoltResponse

from bot.plan.identity import Actor
from bot.slack import deliveries
from bot.slack.ids import (
    ActionButton,
    ActionId,
    CallbackId,
    ClosingMetadata,
    ModalMetadata,
    PaperModalMetadata,
    ViewSpec,
)

log = logging.getLogger("planbot.slack")

CALLER = "planbot_caller"
CONTROL = "planbot_control"
# The workspace whose installation answered the request, put in `context` by
# `bot.slack.installs.read_workspace` when planbot serves many workspaces; absent ('') otherwise.
WORKSPACE = "planbot_workspace"

# What each of planbot's buttons and modals carries.
BUTTON_VALUES: dict[str, type[BaseModel]] = {
    ActionId.COMPLETE: ActionButton,
    ActionId.REVISE: ActionButton,
    ActionId.NOTE: ActionButton,
    ActionId.REOPEN: ActionButton,
    ActionId.SHOW: ViewSpec,
    ActionId.PAGE: ViewSpec,  # on messages sent before Previous and Next had ids of their own
    ActionId.PREVIOUS_PAGE: ViewSpec,
    ActionId.NEXT_PAGE: ViewSpec,
    ActionId.SHARE: ViewSpec,
    ActionId.POST_SUMMARY: ViewSpec,
    ActionId.ADD_EVIDENCE: ActionButton,
    ActionId.REVIEW_YES: ActionButton,
    ActionId.REVIEW_NOT_YET: ActionButton,
}
MODAL_METADATA: dict[str, type[BaseModel]] = {
    CallbackId.REVISE: ModalMetadata,
    CallbackId.NOTE: ModalMetadata,
    CallbackId.EVIDENCE: ModalMetadata,
    CallbackId.REVIEW: ModalMetadata,
    CallbackId.CLOSE: ClosingMetadata,
    CallbackId.PAPER_SETTINGS: PaperModalMetadata,
}

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Caller:
    """Who sent a request, from which channel (None on App Home and in modals), and which
    delivery of Slack's it was (its key; see `bot.slack.deliveries`)."""

    actor: Actor
    channel_id: str | None = None
    delivery: str | None = None
    trigger_id: str | None = None  # a command's or a click's, for opening a modal (it lives 3 s)

    @property
    def user_id(self) -> str:
        return self.actor.user_id

    @property
    def team_id(self) -> str:
        return self.actor.team_id


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def read_caller(context: BoltContext, body: dict[str, Any], delivery: str | None = None) -> Caller:
    """planbot's reading of who sent this request, the same for every kind of request."""
    user = body.get("user")
    own_team = _text(user.get("team_id")) if isinstance(user, dict) else ""
    event = body.get("event")
    actor = Actor(
        user_id=_text(context.actor_user_id or context.user_id),
        team_id=own_team or _text(context.actor_team_id or context.team_id)
        # An event from an org-wide install: Bolt has no team, the envelope names the workspace.
        or (_text(body.get("team_id")) if isinstance(event, dict) else ""),
        enterprise_id=_text(context.actor_enterprise_id or context.enterprise_id),
        workspace=_text(context.get(WORKSPACE)),
    )
    container = body.get("container")
    channel = context.channel_id or (_text(container.get("channel_id")) if isinstance(container, dict) else "")
    if isinstance(event, dict) and event.get("type") == "app_home_opened":
        channel = ""  # the app's DM with the user, not a channel a plan can be linked to
    return Caller(actor, channel or None, delivery, _text(body.get("trigger_id")) or None)


def read_control(body: dict[str, Any]) -> BaseModel | None:
    """The parsed value of planbot's clicked button or submitted modal; None for anything else.

    A value that does not parse is logged and left out, and the listener answers with an error id.
    """
    try:
        if body.get("type") == "block_actions" and body.get("actions"):
            clicked = body["actions"][0]
            button = BUTTON_VALUES.get(clicked.get("action_id", ""))
            return button.model_validate_json(clicked.get("value") or "") if button else None
        if body.get("type") == "view_submission":
            view = body.get("view") or {}
            modal = MODAL_METADATA.get(view.get("callback_id", ""))
            return modal.model_validate_json(view.get("private_metadata") or "") if modal else None
    except ValidationError as error:
        log.warning("a control's value did not parse (%s errors)", error.error_count())
    return None


def read_request(context: BoltContext, body: dict[str, Any], request: BoltRequest,
                 next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt passes it by this name
    """Bolt middleware: the caller and the control's value into `context`, before any listener."""
    context[CALLER] = read_caller(context, body, deliveries.key_of(request))
    control = read_control(body)
    if control is not None:
        context[CONTROL] = control
    return next()


def caller_of(context: BoltContext) -> Caller:
    caller = context.get(CALLER)
    if not isinstance(caller, Caller):
        raise RuntimeError("read_request did not run: register it with app.use() before the listeners")
    return caller


def control_of(context: BoltContext, model: type[Model]) -> Model:
    """The clicked control's value as `model`; ValueError if it carried none of that kind."""
    control = context.get(CONTROL)
    if not isinstance(control, model):
        raise ValueError(f"the control carries no {model.__name__}")
    return control
