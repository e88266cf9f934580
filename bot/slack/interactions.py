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
from typing import Any
from urllib.parse import urlsplit

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session, joinedload

from bot.plan import queries, services
from bot.plan.dates import format_long
from bot.plan.errors import Conflict, InvalidInput, NotFound, PlanError
from bot.plan.identity import Actor
from bot.plan.queries import ActionView
from bot.slack import blocks, closing, deadline, deliveries, errors, home, messages, modals, texts
from bot.slack.commands import in_channel
from bot.slack.context import Deps
from bot.slack.ids import ActionButton, ActionId, BlockId, CallbackId, ModalMetadata, ViewSpec
from bot.slack.request import caller_of, control_of
from bot.slack.response_url import ResponseUrl
from storage.models import Action, Plan

log = logging.getLogger("planbot.slack")

ButtonChange = Callable[[Session, Action, Actor, datetime], object]
# A modal's change returns what it did, in a sentence (said to the user if the redraw is lost).
ModalChange = Callable[[Session, Action, Actor, ModalMetadata, dict[str, Any], datetime], str]
ModalBuilder = Callable[[ActionView, ModalMetadata], dict[str, Any]]

# Where Slack's response URLs live; the local Slack's live on its API host.
SLACK_HOOKS_HOST = "hooks.slack.com"
# A click's change is made after its ack, so it may wait longer for its turn than a request
# answered in the ack (twenty people clicking at once queue for the write lock), and still ends
# in a reply: the change made, or "nothing was changed" when the database did not answer.
CHANGE_AFTER_ACK_SECONDS = 5.0

# Clicks whose change and redraw run after their ack at once; one more waits for a turn before
# its ack (deadline.Turns), so a flood of clicks cannot queue work faster than it is done.
CHANGES_AT_ONCE = 2  # as many as there are cores: more only take turns at the GIL

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


def is_response_url(url: str, api_url: str) -> bool:
    """Whether `url` can be a response_url Slack issued: https on Slack's hooks host, or on the
    host of the configured Web API (the local Slack). A modal's private_metadata carries one,
    and planbot posts there: it must not be made to post anywhere else."""
    parts, api = urlsplit(url), urlsplit(api_url)
    if parts.scheme == "https" and parts.netloc == SLACK_HOOKS_HOST:
        return True
    return bool(api.netloc) and (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def modal_metadata(deps: Deps, context: BoltContext) -> ModalMetadata:
    """The submitted modal's metadata; ValueError (a bad control) if its response_url is not Slack's."""
    metadata = control_of(context, ModalMetadata)
    if metadata.response_url is not None and not is_response_url(metadata.response_url, deps.settings.api_url):
        raise ValueError("a modal's response_url is not one Slack issues")
    return metadata


def clicked(context: BoltContext, body: dict[str, Any]) -> tuple[ActionButton, Source]:
    button = control_of(context, ActionButton)
    caller = caller_of(context)
    source = Source(caller.actor, button.view, body.get("response_url"), caller.channel_id, not in_channel(body))
    return button, source


def load_action(session: Session, action_id: int) -> Action:
    """The action, with its plan: held by the action, the plan stays in the session's identity map
    for the checks that ask for it (open? evidence? reviews?) instead of being read again by each."""
    action = session.get(Action, action_id, options=[joinedload(Action.plan)])
    if action is None:
        raise NotFound(texts.ACTION_GONE)
    return action


def replier(deps: Deps, client: WebClient, actor: Actor, response_url: str | None) -> Respond:
    """Where this user's replies go: the clicked message's response_url, else their App Home."""
    if response_url:
        return Respond(response_url=response_url)
    return home.HomeNotice(client, deps, actor)


@dataclass(frozen=True)
class Outcome:
    """What a click or a submission did to which action, for the user to hear if the message
    they clicked cannot be drawn again: `said` is a sentence in mrkdwn, `notice` a refusal."""

    ref: str
    said: str
    notice: str | None = None


def redraw(deps: Deps, client: WebClient, source: Source, outcome: Outcome) -> None:
    """Draw the place the user acted from again, as things stand now, with any notice beside it.

    A redraw Slack loses (429, 5xx, the network) is tried again within the response_url's 5
    posts, one kept back for the notice; if it never lands the user is told, privately, that the
    change was made and where to see it, so that a stale "Mark complete" never goes unexplained.
    """
    if source.on_home:
        home.publish(client, deps, source.actor, notice=outcome.notice)
        return
    with deps.sessions_for(source.actor).read() as session:
        message = messages.draw(session, deps, source.view, viewer=source.actor, channel_id=source.channel_id,
                                shareable=source.shareable)
    assert source.response_url is not None
    url = ResponseUrl(source.response_url)
    problem = url.post({"replace_original": True, **message.to_dict()}, keep=1)
    if problem is not None:
        log.warning("could not redraw a message: %s", problem)
        tell_redraw_lost(deps, client, source, outcome)
    elif outcome.notice:
        url.post({"text": outcome.notice, "response_type": "ephemeral", "replace_original": False})


def tell_redraw_lost(deps: Deps, client: WebClient, source: Source, outcome: Outcome) -> None:
    said = outcome.notice or outcome.said
    text = texts.REDRAW_LOST.format(said=said, ref=blocks.escape(outcome.ref))
    if not source.channel_id:
        home.publish(client, deps, source.actor, notice=text)
        return
    try:
        client.chat_postEphemeral(channel=source.channel_id, user=source.actor.user_id, text=text)
    except SlackApiError as error:
        log.warning("could not tell a user their message was not redrawn (%s)", error.response.get("error"))


def refresh_home(refresher: home.HomeRefresher, client: WebClient, source: Source) -> None:
    """After a change made from a message, the user's App Home shows it too (soon, off this thread)."""
    if not source.on_home:
        refresher.request(client, source.actor)


def change_from_button(  # noqa: PLR0917 - Bolt's listener arguments, passed on
    deps: Deps, refresher: home.HomeRefresher, ack: Ack, body: dict[str, Any], client: WebClient,
    context: BoltContext, *, change: ButtonChange, done: str,
) -> None:
    """Make the change the button names; `done` says it was made (a template taking `ref`)."""
    ack()
    with errors.replies_on_error(ack, replier(deps, client, caller_of(context).actor, body.get("response_url"))):
        button, source = clicked(context, body)
        notice = None
        try:
            with deps.sessions_for(source.actor).begin(limit=CHANGE_AFTER_ACK_SECONDS) as session:
                deliveries.claim(session, caller_of(context).delivery, deps.clock())  # a replay stops here
                action = load_action(session, button.action_id)
                ref = action.ref
                change(session, action, source.actor, deps.clock())
        except Conflict as error:
            notice = errors.say(error)
        redraw(deps, client, source, Outcome(ref, done.format(ref=blocks.escape(ref)), notice))
        if notice is None:
            refresh_home(refresher, client, source)


def open_modal(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext, *,  # noqa: PLR0913 - Bolt's arguments, then the modal's
               build: ModalBuilder, extra: dict[str, Any] | None = None, closed_ok: bool = False) -> None:
    """Open a modal on the click's trigger_id, which lives 3 s: one quick read, then views.open.
    `extra` goes into the modal's metadata; `closed_ok` for what a closed plan still takes."""
    ack()
    with errors.replies_on_error(ack, replier(deps, client, caller_of(context).actor, body.get("response_url"))):
        button, source = clicked(context, body)
        with deps.sessions_for(source.actor).read() as session:
            action = load_action(session, button.action_id)
            services.check_can_change(session, action, source.actor, closed_ok=closed_ok)
            plan = session.get(Plan, action.plan_id)
            assert plan is not None
            (shown,) = queries.action_views(session, [action.id], deps.today(plan.timezone))
        metadata = ModalMetadata(action_id=shown.id, version=shown.version, view=source.view,
                                 response_url=source.response_url, channel_id=source.channel_id,
                                 shareable=source.shareable, **(extra or {}))
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
    and nothing is written; on success the modal closes and the message is drawn again. A replay
    of a submission that was saved closes the modal as the first did, and changes nothing. The
    change has only the time left before Slack's deadline, so that what the modal says is true."""
    if not deadline.start(ack):
        return  # answered for already: nothing was changed
    caller = caller_of(context)
    actor = caller.actor
    try:
        metadata = modal_metadata(deps, context)
        with deps.sessions_for(actor).begin(limit=deadline.seconds_left(ack)) as session:
            deliveries.claim(session, caller.delivery, deps.clock())
            action = load_action(session, metadata.action_id)
            outcome = Outcome(action.ref, change(session, action, actor, metadata, body["view"]["state"],
                                                 deps.clock()))
    except deliveries.Replayed:
        ack()
        return
    except PlanError as error:
        ack(response_action="errors", errors=modals.field_errors(error, fields, default))
        return
    except Exception as error:  # noqa: BLE001 - shown in the modal, with the id that is logged
        ack(response_action="errors", errors={default.value: errors.explain(error)})
        return
    ack()
    source = Source(actor, metadata.view, metadata.response_url, metadata.channel_id, metadata.shareable)
    with errors.replies_on_error(None, replier(deps, client, actor, source.response_url)):
        redraw(deps, client, source, outcome)
        refresh_home(refresher, client, source)


def needs_evidence(deps: Deps, context: BoltContext) -> bool:
    """Whether the clicked action's plan needs evidence before completing, and it has none (one quick read)."""
    try:
        button = control_of(context, ActionButton)
        with deps.sessions_for(caller_of(context).actor).read() as session:
            action = session.get(Action, button.action_id, options=[joinedload(Action.plan)])
            if action is None or not action.status.is_open:
                return False
            services.check_evidence(session, action)
    except services.EvidenceNeeded:
        return True
    except Exception:  # noqa: BLE001 - the click goes its usual way, which reports any problem
        return False
    return False


def revise(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
           state: dict[str, Any], now: datetime) -> str:
    new_due, reason = modals.submitted_revision(state)
    if new_due is None:
        raise InvalidInput(texts.REVISE_MODAL_PICK_DATE, field="date")
    services.revise_due(session, action, actor, now, new_due, reason, expected_version=metadata.version)
    return texts.EXTENDED.format(ref=blocks.escape(action.ref), date=format_long(new_due))


def note(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
         state: dict[str, Any], now: datetime) -> str:
    services.add_note(session, action, actor, now, modals.submitted_note(state))
    return texts.NOTED.format(ref=blocks.escape(action.ref))


def register(app: App, deps: Deps) -> None:
    refresher = home.HomeRefresher(deps)
    turns = deadline.Turns(CHANGES_AT_ONCE)

    @app.action(ActionId.COMPLETE.value)
    def on_complete(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        # Acked (its turn had) before the read that decides what the click does: either way the
        # answer is empty, and the ack in open_modal or change_from_button is one Slack never sees.
        with turns.acked(ack):
            if needs_evidence(deps, context):  # a plan that needs evidence: the evidence modal instead
                open_modal(deps, ack, body, client, context, build=modals.evidence_modal, extra={"complete": True})
                return
            change_from_button(deps, refresher, ack, body, client, context, change=services.complete,
                               done=texts.DONE)

    @app.action(ActionId.ADD_EVIDENCE.value)
    def on_add_evidence(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_modal(deps, ack, body, client, context, build=modals.evidence_modal)

    @app.view(CallbackId.EVIDENCE.value)
    def on_evidence_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_modal(deps, refresher, ack, body, client, context, change=closing.add_evidence,
                          fields=modals.EVIDENCE_FIELDS, default=BlockId.EVIDENCE_URL)

    @app.action(ActionId.REVIEW_YES.value)
    def on_review_yes(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_modal(deps, ack, body, client, context, build=modals.review_modal, extra={"answer": "yes"},
                   closed_ok=True)

    @app.action(ActionId.REVIEW_NOT_YET.value)
    def on_review_not_yet(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        open_modal(deps, ack, body, client, context, build=modals.review_modal, extra={"answer": "not_yet"},
                   closed_ok=True)

    @app.view(CallbackId.REVIEW.value)
    def on_review_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        change_from_modal(deps, refresher, ack, body, client, context, change=closing.answer_review,
                          fields=modals.REVIEW_FIELDS, default=BlockId.REVIEW_COMMENT)

    @app.view(CallbackId.CLOSE.value)
    def on_close_submitted(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        closing.close_submitted(deps, ack, body, client, context)

    @app.action(ActionId.REOPEN.value)
    def on_reopen(ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        with turns.acked(ack):
            change_from_button(deps, refresher, ack, body, client, context, change=services.reopen,
                               done=texts.REOPENED)

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
