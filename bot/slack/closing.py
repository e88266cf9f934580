"""Closing a plan in Slack: the closing modal (a page of open actions at a time, each marked
complete or moved to business as usual), its submission, and the closure report posted to the
plan's channel; and the changes the evidence and review modals make.

The buttons and modal callbacks are registered in `bot.slack.interactions` (beside the other
action buttons); this module holds what is particular to closing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from slack_bolt import Ack, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject
from sqlalchemy.orm import Session

from bot.plan import closure, evidence, queries, reviews, services
from bot.plan.closure_report import closure_outline, closure_report
from bot.plan.dates import format_long
from bot.plan.errors import InvalidInput, InvalidInputs, PlanError
from bot.plan.identity import Actor
from bot.plan.outline import Outline
from bot.plan.summary_text import run_text
from bot.scheduler import PostFailed, Refused
from bot.slack import blocks, deadline, deliveries, errors, modals, texts
from bot.slack.blocks import Message, fallback, header_block, section_block, shorten
from bot.slack.context import Deps
from bot.slack.ids import CLOSE_DECISION_BLOCK, CLOSE_WHERE_BLOCK, ClosingMetadata, ModalMetadata
from bot.slack.poster import SlackPoster
from bot.slack.request import caller_of, control_of
from bot.slack.summary_blocks import MESSAGE_BUDGET, REPLY_BLOCKS, SECTION_BUDGET, _blocks, _lay_out, _pages, mrkdwn
from storage.models import Action, Plan

log = logging.getLogger("planbot.slack")


def closing_view(session: Session, deps: Deps, plan: Plan, channel_id: str | None) -> dict[str, Any]:
    """The closing modal's next page: the first open actions still undecided."""
    page = closure.open_actions(session, plan, limit=modals.CLOSE_PAGE_SIZE)
    total = len(closure.open_actions(session, plan))
    shown = queries.action_views(session, [a.id for a in page], deps.today(plan.timezone))
    metadata = ClosingMetadata(plan_id=plan.id, action_ids=tuple(a.id for a in page), channel_id=channel_id)
    return modals.close_modal(queries.plan_view(plan), shown, metadata, total=total, offset=0)


def _decision_errors(error: PlanError, ids: dict[str, int]) -> dict[str, str]:
    """A closing refusal beside the decision (or "where") it is about; anything else beside the first."""
    problems = error.problems if isinstance(error, InvalidInputs) else [error]
    first = next(iter(ids.values()), 0)
    shown: dict[str, str] = {}
    for problem in problems:
        kind, _, ref = (problem.field or "").partition(":")
        action_id = ids.get(ref.casefold(), first)
        block = (CLOSE_WHERE_BLOCK if kind == "where" else CLOSE_DECISION_BLOCK).format(id=action_id)
        said = errors.say(problem)
        shown[block] = f"{shown[block]} {said}" if block in shown else said
    return shown


class _Refused(Exception):  # noqa: N818 - a refusal answered in the modal, not an error
    def __init__(self, shown: dict[str, str]) -> None:
        super().__init__("refused")
        self.errors = shown


def close_submitted(deps: Deps, ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A page of the closing modal: its decisions made in one transaction, then the next page, or
    (on the last) the plan closed and the closure report posted. Any problem is answered beside
    its field, and nothing is written."""
    if not deadline.start(ack):
        return
    caller = caller_of(context)
    next_view: dict[str, Any] | None = None
    metadata: ClosingMetadata | None = None
    try:
        metadata = control_of(context, ClosingMetadata)
        with deps.sessions_for(caller.actor).begin(limit=deadline.seconds_left(ack)) as session:
            deliveries.claim(session, caller.delivery, deps.clock())
            plan = session.get(Plan, metadata.plan_id)
            if plan is None:
                raise InvalidInput(texts.ACTION_GONE)
            page = [a for a in (session.get(Action, i) for i in metadata.action_ids) if a is not None]
            ids = {a.ref.casefold(): a.id for a in page}
            decisions, missing = modals.submitted_decisions(body["view"]["state"], [(a.id, a.ref) for a in page])
            if missing:
                raise _Refused(missing)
            try:
                if len(closure.open_actions(session, plan)) > len(page):  # more pages follow
                    closure.decide(session, plan, caller.actor, deps.clock(), decisions)
                    next_view = closing_view(session, deps, plan, metadata.channel_id)
                else:
                    closed = closure.close_plan(session, plan, caller.actor, deps.clock(), decisions)
            except PlanError as error:
                raise _Refused(_decision_errors(error, ids)) from error
            key, channel = plan.key, plan.channel_id
    except deliveries.Replayed:
        ack()
        return
    except _Refused as refused:
        ack(response_action="errors", errors=refused.errors)
        return
    except Exception as error:  # noqa: BLE001 - shown in the modal, with the id that is logged
        first = metadata.action_ids[0] if metadata is not None and metadata.action_ids else 0
        ack(response_action="errors", errors={CLOSE_DECISION_BLOCK.format(id=first): errors.explain(error)})
        return
    if next_view is not None:
        ack(response_action="update", view=next_view)
        return
    ack()
    said = texts.CLOSED.format(plan=blocks.escape(key), completed=len(closed.completed), moved=len(closed.moved),
                               reviews=closed.reviews)
    said += post_closure_report(deps, caller.actor, key, channel, context.bot_token)
    tell(client, caller.actor, metadata.channel_id, said)


def tell(client: WebClient, actor: Actor, channel_id: str | None, text: str) -> None:
    """A private line to the person who acted from a modal: in the channel they opened it from."""
    try:
        if channel_id:
            client.chat_postEphemeral(channel=channel_id, user=actor.user_id, text=text)
        else:
            client.chat_postMessage(channel=actor.user_id, text=text)
    except SlackApiError as error:
        log.warning("could not tell a user what their closing did (%s)", error.response.get("error"))


def closure_messages(doc: Outline) -> list[Message]:
    """The closure report in Block Kit: a main message, and as many thread replies as it needs."""
    laid: list[Block] = [header_block(doc.title),
                         section_block(shorten(f"*{mrkdwn(doc.headline)}*", SECTION_BUDGET))]
    for section in doc.sections:
        laid += _blocks(_lay_out(section))
    pages = _pages(laid, REPLY_BLOCKS, MESSAGE_BUDGET)
    text = fallback("{title}: {headline}", title=doc.title, headline=run_text(doc.headline))
    if len(pages) > 1:
        pages[0].append(ContextBlock(elements=[MarkdownTextObject(text=texts.CLOSURE_IN_THREAD.format(
            count=len(pages) - 1))]))
    return [Message(text if n == 0 else f"{doc.title} ({n + 1} of {len(pages)})", page) for n, page in
            enumerate(pages)]


def post_closure_report(deps: Deps, actor: Actor, plan_key: str, channel_id: str | None, token: str | None) -> str:
    """Post the closure report to the plan's channel, with the token of the workspace the admin
    closed it from; what to tell the admin about it."""
    if not channel_id:
        return texts.CLOSED_REPORT_NOT_POSTED.format(plan=plan_key)
    with deps.sessions_for(actor).read() as session:
        report = closure_report(session, queries.get_plan(session, plan_key), deps.clock())
    messages = closure_messages(closure_outline(report))
    poster = SlackPoster.from_settings(deps.settings, token=token, backoff=0.5)
    metadata = {"event_type": "planbot_closure_report", "event_payload": {"plan": plan_key}}
    try:
        ts = poster.post(channel_id, messages[0], metadata)
        for n, reply in enumerate(messages[1:], 2):
            part = {"event_type": "planbot_closure_report", "event_payload": {"plan": plan_key, "part": n}}
            poster.post(channel_id, reply, part, thread_ts=ts)
    except (Refused, PostFailed) as failed:
        log.warning("could not post the closure report of %s to %s: %s", plan_key, channel_id, failed)
        return texts.CLOSED_REPORT_FAILED.format(channel=channel_id, error=failed, plan=plan_key)
    return texts.CLOSED_REPORT_POSTED.format(channel=channel_id)


def add_evidence(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
                 state: dict[str, Any], now: datetime) -> str:
    """The evidence modal saved: the item added, and the action completed when the modal was opened
    by "Mark complete" on a plan that needs evidence."""
    url, description = modals.submitted_evidence(state)
    item = evidence.add_evidence(session, action, actor, now, url, description)
    if metadata.complete and action.status.is_open:
        services.complete(session, action, actor, now)
        return texts.EVIDENCE_AND_DONE.format(ref=blocks.escape(action.ref))
    return texts.EVIDENCE_ADDED.format(ref=blocks.escape(action.ref), number=item.number,
                                       url=blocks.link_url(item.url), label=blocks.fit(item.description or item.url,
                                                                                       150))


def answer_review(session: Session, action: Action, actor: Actor, metadata: ModalMetadata,  # noqa: PLR0917 - a ModalChange
                  state: dict[str, Any], now: datetime) -> str:
    comment, link, next_due = modals.submitted_review(state)
    if metadata.answer == "yes":
        reviews.answer_yes(session, action, actor, now, comment=comment, evidence_url=link)
        return texts.REVIEW_DONE_YES.format(ref=blocks.escape(action.ref))
    reviews.answer_not_yet(session, action, actor, now, reason=comment, next_due=next_due)
    assert next_due is not None
    return texts.REVIEW_DONE_NOT_YET.format(ref=blocks.escape(action.ref), date=format_long(next_due))
