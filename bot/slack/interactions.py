"""Buttons on actions ("Mark complete", "Revise date", "Add update", "Reopen") and the modals
they open: who clicked comes from the signed payload, what was clicked from the button's value.

After a change the message the user clicked is drawn again in place (or their App Home is
published again), so no stale button stays live.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.plan import queries, services
from bot.plan.errors import Conflict, InvalidInput, NotFound, PlanError
from bot.plan.identity import Actor
from bot.plan.queries import ActionView
from bot.slack import errors, home, messages, modals, texts
from bot.slack.commands import in_channel
from bot.slack.context import Deps
from bot.slack.ids import ActionButton, ActionId, BlockId, CallbackId, ModalMetadata, ViewSpec
from bot.slack.request import caller_of, control_of
from storage.models import Action, Plan

log = logging.getLogger("planbot.slack")

ButtonChange = Callable[[Session, Action, Actor, datetime], object]
ModalChange = Callable[[Session, Action, Actor, ModalMetadata, dict[str, Any], datetime], object]
ModalBuilder = Callable[[ActionView, ModalMetadata], dict[str, Any]]

# views.open errors that mean our modal is wrong, not that the click came too late.
OUR_MISTAKES = frozenset({"invalid_arguments", "invalid_blocks", "not_authed", "invalid_auth", "missing_scope"})


@dataclass(frozen=True)
class Source:
    """Where a change was asked for, so that place can be drawn again afterwards."""

    actor: Actor
    view: ViewSpec
    response_url: str | None
    channel_id: str | None
    shareable: bool = True

    @property
    def on_home(self) -> bool:
        return self.view.kind == "home" or not self.response_url


def clicked(context: BoltContext, body: dict[str, Any]) -> tuple[ActionButton, Source]:
    button = control_of(context, ActionButton)
    caller = caller_of(context)
    source = Source(caller.actor, button.view, body.get("response_url"), caller.channel_id, not in_channel(body))
    return button, source


def load_action(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFound(texts.ACTION_GONE)
    return action


def replier(deps: Deps, client: WebClient, actor: Actor, response_url: str | None) -> Respond:
    """Where this user's replies go: the clicked message's response_url, else their App Home."""
    if response_url:
        return Respond(response_url=response_url)
    return home.HomeNotice(client, deps, actor)


def redraw(deps: Deps, client: WebClient, source: Source, notice: str | None = None) -> None:
    """Draw the place the user acted from again, as things stand now; `notice` goes beside it."""
    if source.on_home:
        home.publish(client, deps, source.actor, notice=notice)
        return
    with deps.sessions.read() as session:
        message = messages.draw(session, deps, source.view, viewer=source.actor, channel_id=source.channel_id,
                                shareable=source.shareable)
    respond = Respond(response_url=source.response_url)
    sent = respond(replace_original=True, **message.to_dict())
    if sent.status_code != HTTPStatus.OK:
        log.warning("could not redraw a message (%s %s)", sent.status_code, sent.body)
    if notice:
        respond(text=notice, response_type="ephemeral", replace_original=False)


def refresh_home(refresher: home.HomeRefresher, client: WebClient, source: Source) -> None:
    """After a change made from a message, the user's App Home shows it too (soon, off this thread)."""
    if not source.on_home:
        refresher.request(client, source.actor)


def change_from_button(  # noqa: PLR0917 - Bolt's listener arguments, passed on
    deps: Deps, refresher: home.HomeRefresher, ack: Ack, body: dict[str, Any], client: WebClient,
    context: BoltContext, *, change: ButtonChange,
) -> None:
    ack()
    with errors.replies_on_error(ack, replier(deps, client, caller_of(context).actor, body.get("response_url"))):
        button, source = clicked(context, body)
        notice = None
        try:
            with deps.sessions.begin() as session:
                change(session, load_action(session, button.action_id), source.actor, deps.clock())
        except Conflict as error:
            notice = errors.say(error)
        redraw(deps, client, source, notice)
        if notice is None:
            refresh_home(refresher, client, source)


def open_modal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, *,
               build: ModalBuilder) -> None:
    """Open a modal on the click's trigger_id, which lives 3 s: one quick read, then views.open."""
    ack()
    with errors.replies_on_error(ack, replier(deps, client, caller_of(context).actor, body.get("response_url"))):
        button, source = clicked(context, body)
        with deps.sessions.read() as session:
            action = load_action(session, button.action_id)
            services.check_can_change(session, action, source.actor)
            plan = session.get(Plan, action.plan_id)
            assert plan is not None
            (shown,) = queries.action_views(session, [action.id], deps.today(plan.timezone))
        metadata = ModalMetadata(action_id=shown.id, version=shown.version, view=source.view,
                                 response_url=source.response_url, channel_id=source.channel_id,
                                 shareable=source.shareable)
        try:
            client.views_open(trigger_id=body["trigger_id"], view=build(shown, metadata))
        except SlackApiError as error:
            if error.response.get("error") in OUR_MISTAKES:
                raise
            log.warning("views.open failed (%s): asking the user to click again", error.response.get("error"))
            raise PlanError(texts.CLICK_AGAIN) from error


def change_from_modal(  # noqa: PLR0917 - Bolt's listener arguments, passed on
    deps: Deps,
    refresher: home.HomeRefresher,
    ack: Ack,
    body: dict[str, Any],
    client: WebClient,
    context: BoltContext,
    *,
    change: ModalChange,
    fields: dict[str, BlockId],
    default: BlockId,
) -> None:
    """Make the change before acking: any problem is answered inside the modal, field by field,
    and nothing is written; on success the modal closes and the message is drawn again."""
    actor = caller_of(context).actor
    try:
        metadata = control_of(context, ModalMetadata)
        with deps.sessions.begin() as session:
            action = load_action(session, metadata.action_id)
            change(session, action, actor, metadata, body["view"]["state"], deps.clock())
    except PlanError as error:
        ack(response_action="errors", errors=modals.field_errors(error, fields, default))
        return
    except Exception as error:  # noqa: BLE001 - shown in the modal, with the id that is logged
        ack(response_action="errors", errors={default.value: errors.unexpected(error)})
        return
    ack()
    source = Source(actor, metadata.view, metadata.response_url, metadata.channel_id, metadata.shareable)
    with errors.replies_on_error(None, replier(deps, client, actor, source.response_url)):
        redraw(deps, client, source)
        refresh_home(refresher, client, source)


def revise(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
           state: dict[str, Any], now: datetime) -> None:
    new_due, reason = modals.submitted_revision(state)
    if new_due is None:
        raise InvalidInput(texts.REVISE_MODAL_PICK_DATE, field="date")
    services.revise_due(session, action, actor, now, new_due, reason, expected_version=metadata.version)


def note(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
         state: dict[str, Any], now: datetime) -> None:
    services.add_note(session, action, actor, now, modals.submitted_note(state))


def register(app: App, deps: Deps) -> None:
    refresher = home.HomeRefresher(deps)

    @app.action(ActionId.COMPLETE.value)
    def on_complete(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_button(deps, refresher, ack, body, client, context, change=services.complete)

    @app.action(ActionId.REOPEN.value)
    def on_reopen(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_button(deps, refresher, ack, body, client, context, change=services.reopen)

    @app.action(ActionId.REVISE.value)
    def on_revise(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_modal(deps, ack, body, client, context, build=modals.revise_modal)

    @app.action(ActionId.NOTE.value)
    def on_note(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_modal(deps, ack, body, client, context, build=modals.note_modal)

    @app.view(CallbackId.REVISE.value)
    def on_revise_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_modal(deps, refresher, ack, body, client, context, change=revise, fields=modals.REVISE_FIELDS,
                          default=BlockId.REVISE_DATE)

    @app.view(CallbackId.NOTE.value)
    def on_note_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_modal(deps, refresher, ack, body, client, context, change=note, fields=modals.NOTE_FIELDS,
                          default=BlockId.NOTE_TEXT)
