"""`/plan summary` (a preview, for the caller only), `/plan schedule`, and the preview's "Post
to channel" button. `bot.slack.commands` hands both commands here; `register` adds the button."""

from __future__ import annotations

import re
from datetime import date
from typing import Final

from slack_bolt import Ack, App, BoltContext, Respond
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan.errors import InvalidInput
from bot.plan.identity import Actor
from bot.plan.publishing import plan_schedule, schedule_info, set_schedule
from bot.plan.queries import get_plan, is_admin, resolve_plan
from bot.plan.rules import DEFAULT_TIMEZONE, today_in
from bot.plan.schedule import parse_schedule
from bot.plan.services import check_admin
from bot.plan.summary import (
    build_summary,
    current_period,
    parse_month,
    period_for_month,
    period_from_key,
)
from bot.scheduler import default_worker, publish
from bot.slack import deliveries, texts
from bot.slack.blocks import Message
from bot.slack.context import Deps
from bot.slack.errors import replies_on_error
from bot.slack.ids import ActionId, ViewSpec
from bot.slack.poster import Posters, SlackSummaryPoster
from bot.slack.request import caller_of, control_of
from bot.slack.summary_blocks import outcome_text, preview_message, schedule_message
from storage.kinds import PostState
from storage.models import SummaryPost


def _split_summary_args(args: list[str], today: date) -> tuple[str | None, tuple[int, int] | None]:
    """[PLAN] [MONTH], where MONTH may be two words ("March 2027")."""
    for words in (2, 1):
        if len(args) >= words:
            try:
                return _only_plan(args[:-words]), parse_month(" ".join(args[-words:]), today)
            except InvalidInput:
                continue
    if len(args) > 1:
        parse_month(args[-1], today)  # says what is wrong with the month
    return _only_plan(args), None


def _only_plan(args: list[str]) -> str | None:
    if len(args) > 1:
        raise InvalidInput(texts.SUMMARY_USAGE)
    return args[0] if args else None


def summary_command(deps: Deps, *, actor: Actor, channel_id: str | None, args: list[str],
                    delivery: str | None = None) -> Message:
    """`/plan summary [PLAN] [MONTH]`: the preview, for the caller only (it changes nothing, so
    its `delivery` is not claimed)."""
    now = deps.clock()
    with deps.sessions_for(actor).read() as session:
        plan_key, month = _split_summary_args(args, today_in(DEFAULT_TIMEZONE, now))
        plan = resolve_plan(session, plan_key, channel_id)
        schedule = plan_schedule(plan)
        if month is not None:
            period = period_for_month(schedule, *month)
        else:
            period = current_period(schedule, plan.timezone, now)
        spec = ViewSpec(kind="summary", plan=plan.key, month=period.key)
        return render_preview(session, deps, spec, viewer=actor)


def render_preview(session: Session, deps: Deps, spec: ViewSpec, *, viewer: Actor) -> Message:
    """The summary a ViewSpec(kind="summary", plan=, month=) names, as a preview for this user."""
    now = deps.clock()
    plan = get_plan(session, spec.plan) if spec.plan else resolve_plan(session, None)
    period = period_from_key(spec.month) if spec.month else current_period(plan_schedule(plan), plan.timezone, now)
    summary = build_summary(session, plan, period, now)
    posted = session.scalar(select(SummaryPost).where(
        SummaryPost.plan_id == plan.id, SummaryPost.period == period.key, SummaryPost.state == PostState.POSTED))
    if posted is not None and posted.posted_at is not None:
        return preview_message(summary, admin=False, posted_to=posted.channel_id, posted_at=posted.posted_at)
    return preview_message(summary, admin=is_admin(session, plan.id, viewer.user_id))


_SCHEDULE_WORDS: Final = frozenset({"monthly", "quarterly", "off", "none", "default", "by", "exception",
                                    "quarterly-or-exception", "by-exception"})
_LINKED_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{8,}")


def _looks_like_schedule(word: str) -> bool:
    return word.lower() in _SCHEDULE_WORDS or word.upper().startswith(("RRULE:", "FREQ="))


def _channel_arg(word: str, here: str | None) -> str | None:
    if word.lower() == "here":
        if not here:
            raise InvalidInput(texts.SCHEDULE_HERE_NEEDS_CHANNEL, field="channel")
        return here
    if m := _LINKED_CHANNEL.fullmatch(word):
        return m[1]
    if _CHANNEL_ID.fullmatch(word):
        return word
    if word.startswith("#"):
        raise InvalidInput(texts.SCHEDULE_CHANNEL_NOT_LINKED.format(text=word), field="channel")
    return None


def schedule_command(deps: Deps, *, actor: Actor, channel_id: str | None, args: list[str],
                     delivery: str | None = None) -> Message:
    """`/plan schedule [PLAN] monthly|quarterly|off|RRULE:... [#channel|here]`; no arguments shows it.

    A change claims `delivery` (`bot.slack.deliveries`): a replay of it changes nothing."""
    words = list(args)
    channel = _channel_arg(words[-1], channel_id) if words else None
    if channel is not None:
        words = words[:-1]
    plan_key = None
    if words and not _looks_like_schedule(words[0]):
        plan_key, words = words[0], words[1:]
    schedule = parse_schedule(" ".join(words)) if words else None
    now = deps.clock()
    if schedule is None and channel is None:
        with deps.sessions_for(actor).read() as session:
            return schedule_message(schedule_info(session, resolve_plan(session, plan_key, channel_id), now))
    with deps.sessions_for(actor).begin() as session:
        deliveries.claim(session, delivery, now)
        plan = resolve_plan(session, plan_key, channel_id)
        changed = set_schedule(session, plan, actor, now, schedule=schedule, channel_id=channel)
        message = schedule_message(schedule_info(session, plan, now), changed)
        deliveries.answered(session, delivery, message.ephemeral())
        return message


def register(app: App, deps: Deps) -> None:
    posters = Posters(SlackSummaryPoster, deps.settings)
    worker = default_worker()

    @app.action(ActionId.POST_SUMMARY.value)
    def post_summary(ack: Ack, respond: Respond, context: BoltContext) -> None:
        ack()
        with replies_on_error(ack, respond):
            spec = control_of(context, ViewSpec)
            actor = caller_of(context).actor
            with deps.sessions_for(actor).read() as session:
                plan = get_plan(session, spec.plan or "")
                check_admin(session, plan, actor)
                period = period_from_key(spec.month) if spec.month else None
                tz = plan.timezone
            poster = posters.of(context.bot_token)
            outcome = publish(deps.sessions_for(actor), poster, plan_key=plan.key, period=period, clock=deps.clock,
                              worker=worker, actor=actor)
            link = None
            if outcome.kind in ("posted", "recovered") and outcome.channel_id and outcome.message_ts:
                link = poster.permalink(outcome.channel_id, outcome.message_ts)
            respond(text=outcome_text(outcome, tz, link), response_type="ephemeral", replace_original=False)
