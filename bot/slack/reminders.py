"""Reminders in Slack: the message (a DM to a person, or a post in a plan's channel), the
`Courier` that delivers it, `/plan reminders`, and the App Home mute button.

A DM lists the person's actions that reached a milestone, most urgent first, each with the
buttons of `/plan show`; a click redraws the DM in place (`draw_reminder`, through
`bot.slack.messages.draw`). Each message carries metadata naming its recipient and day, so that
a retry finds what an earlier attempt sent instead of sending it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any, Final

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.plan import queries
from bot.plan import reminders as domain
from bot.plan.dates import format_date, format_long
from bot.plan.errors import InvalidInput
from bot.plan.identity import Actor
from bot.plan.phrases import plural
from bot.plan.reminders import Item, MilestoneKind, Reminder, Section
from bot.scheduler import PostFailed
from bot.slack import blocks, deliveries, errors, home, texts
from bot.slack.blocks import Message
from bot.slack.context import Deps
from bot.slack.ids import ActionId, ViewSpec
from bot.slack.poster import SlackPoster
from bot.slack.request import Caller, caller_of

log = logging.getLogger("planbot.slack.reminders")

REMINDER_EVENT: Final = "planbot_reminder"
HISTORY_LIMIT: Final = 50
TITLE_CHARS: Final = 120


def reminder_metadata(recipient: str, day: date) -> dict[str, Any]:
    return {"event_type": REMINDER_EVENT, "event_payload": {"recipient": recipient, "day": day.isoformat()}}


def _label(reminder: Reminder, item: Item) -> str:
    """Why the item is in the message; once acted on (a message redrawn after a click), what became of it."""
    action = reminder.actions[item.action_id]
    if item.kind == MilestoneKind.REVIEW_DUE:
        return item.label
    if not action.is_open:
        return texts.REMINDER_NOW_COMPLETE
    if action.due != item.on:
        return texts.REMINDER_NOW_REVISED.format(date=format_long(action.due))
    return item.label


def _line(reminder: Reminder, item: Item, *, with_plan: bool) -> str:
    action = reminder.actions[item.action_id]
    plan = reminder.plans[item.plan_id]
    holders = reminder.holders.get(item.action_id, ())
    owners = blocks.owners_text(action.owners)
    if holders:
        owners += " (" + ", ".join(blocks.mention(u) for u in holders) + ")"
    label = _label(reminder, item)
    line = texts.REMINDER_LINE.format(
        plan=f"`{blocks.fit(plan.key, 40)}` " if with_plan else "", ref=blocks.fit(action.ref, 40),
        title=blocks.fit(blocks.one_line(action.description), TITLE_CHARS), owners=owners, label=label,
        due=format_date(item.on))
    if reason := reminder.reasons.get(item.action_id):
        line += texts.REMINDER_LATEST.format(reason=blocks.fit(blocks.one_line(reason), blocks.REASON_CHARS))
    return line


def _listed(reminder: Reminder, items: list[Item], heading: str, *, with_plan: bool) -> list[Block]:
    lines = [heading] + [_line(reminder, item, with_plan=with_plan) for item in items]
    sections: list[str] = []
    for line in lines:
        if sections and len(sections[-1]) + 1 + len(line) <= blocks.MAX_SECTION_TEXT:
            sections[-1] += "\n" + line
        else:
            sections.append(line)
    return [blocks.section_block(text) for text in sections]


def reminder_message(reminder: Reminder) -> Message:
    """One recipient's message of the day: their actions with buttons, then what admins should hear."""
    if reminder.is_channel:
        return _channel_message(reminder)
    view = ViewSpec(kind="reminder", day=reminder.day.isoformat())
    day = format_long(reminder.day)
    with_plan = len(reminder.plans) > 1
    shown: list[Block] = [blocks.header_block(texts.REMINDER_TITLE.format(day=day))]
    owned = reminder.section(Section.OWNED)
    if owned:
        shown.append(blocks.section_block(texts.REMINDER_OWNED.format(
            count=plural(len(owned), "action"), verb="needs" if len(owned) == 1 else "need")))
    for item in owned:
        action = reminder.actions[item.action_id]
        label = _label(reminder, item)
        shown.append(blocks.section_block(f"*{label}*\n{blocks.action_line(action, with_plan=with_plan)}"))
        if item.kind == MilestoneKind.REVIEW_DUE:  # the review's own question, through the same delivery
            shown.append(blocks.review_buttons(action.id, view))
        else:
            shown.append(blocks.action_buttons(action, view))
    unheld = reminder.section(Section.UNHELD)
    if unheld:
        heading = texts.REMINDER_UNHELD.format(count=plural(len(unheld), "action"))
        shown += _listed(reminder, unheld, heading, with_plan=with_plan)
        shown.append(blocks.context_block(texts.REMINDER_UNHELD_HINT))
    escalated = reminder.section(Section.ESCALATED)
    if escalated:
        shown += _listed(reminder, escalated, texts.REMINDER_ESCALATED.format(days=reminder.escalate_days),
                         with_plan=with_plan)
    if reminder.left_out:
        shown.append(blocks.context_block(texts.REMINDER_LEFT_OUT.format(count=f"{reminder.left_out:,}")))
    shown.append(blocks.context_block(texts.REMINDER_FOOTER))
    parts = []
    if owned:
        parts.append(texts.REMINDER_FALLBACK_OWNED.format(count=len(owned)))
    if unheld or escalated:
        parts.append(texts.REMINDER_FALLBACK_ADMIN.format(count=len(unheld) + len(escalated)))
    return Message(text=texts.REMINDER_FALLBACK.format(day=day, parts=", ".join(parts) or "nothing now"),
                   blocks=shown)


def _channel_message(reminder: Reminder) -> Message:
    (plan,) = reminder.plans.values()
    items = list(reminder.items)
    shown: list[Block] = [blocks.header_block(texts.REMINDER_CHANNEL_TITLE.format(title=plan.title))]
    heading = texts.REMINDER_CHANNEL_INTRO.format(count=plural(len(items), "action"), days=reminder.channel_days)
    shown += _listed(reminder, items, heading, with_plan=False)
    fallback = texts.REMINDER_CHANNEL_FALLBACK.format(count=len(items), plan=plan.key, days=reminder.channel_days)
    return Message(text=blocks.shorten(fallback, blocks.MAX_FALLBACK_TEXT), blocks=shown)


def draw_reminder(session: Session, deps: Deps, spec: ViewSpec, *, viewer: Actor) -> Message:
    """The viewer's reminder of `spec.day`, its actions as they stand now (after a click in it)."""
    try:
        day = date.fromisoformat(spec.day or "")
    except ValueError:
        return blocks.notice(texts.REMINDER_GONE)
    reminder = domain.reminder_as_sent(session, viewer.user_id, day, deps.clock())
    if reminder is None:
        return blocks.notice(texts.REMINDER_GONE)
    return reminder_message(reminder)


def _problem(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        return f"Slack answered {code or error.response.status_code}"
    return f"Slack could not be reached ({error})"


class SlackCourier:
    """Delivers reminders with slack_sdk (the runner's Courier): posts go through the poster's
    retries (429 after Retry-After, 5xx after looking for the message first)."""

    def __init__(self, poster: SlackPoster) -> None:
        self.poster = poster
        self.client: WebClient = poster.reader

    @classmethod
    def from_settings(cls, settings: Settings, *, token: str | None = None, **options: Any) -> SlackCourier:
        return cls(SlackPoster.from_settings(settings, token=token, **{"history_limit": HISTORY_LIMIT, **options}))

    def _call(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (SlackApiError, OSError) as error:
            raise PostFailed(_problem(error)) from error

    def timezone_of(self, user_id: str) -> str | None:
        user = self._call(lambda: self.client.users_info(user=user_id))["user"] or {}
        tz = user.get("tz")
        return str(tz) if tz else None

    def open_dm(self, user_id: str) -> str:
        return str(self._call(lambda: self.client.conversations_open(users=user_id))["channel"]["id"])

    def find(self, channel_id: str, recipient: str, day: date) -> str | None:
        return self.poster.find_marked(channel_id, reminder_metadata(recipient, day))

    def send(self, channel_id: str, reminder: Reminder) -> str:
        return self.poster.post(channel_id, reminder_message(reminder),
                                reminder_metadata(reminder.recipient, reminder.day))


# `/plan reminders …`

OWN_WORDS: Final = ("mute", "unmute")


def reminders_command(deps: Deps, caller: Caller, words: list[str]) -> Message:
    lowered = [w.lower() for w in words]
    if lowered in (["mute"], ["unmute"]):
        with deps.sessions_for(caller.actor).begin() as session:
            deliveries.claim(session, caller.delivery, deps.clock())  # a replay stops here
            changed = domain.set_muted(session, caller.actor, deps.clock(), lowered == ["mute"])
            if lowered == ["mute"]:
                said = texts.REMINDERS_MUTED if changed else texts.REMINDERS_ALREADY_MUTED
            else:
                said = texts.REMINDERS_UNMUTED if changed else texts.REMINDERS_ALREADY_ON
            return _kept(session, caller, blocks.notice(said))
    plan_key = None
    if lowered and lowered[0] not in (*domain.SETTING_WORDS, "show", *OWN_WORDS):
        plan_key, words, lowered = words[0], words[1:], lowered[1:]
    if any(w in OWN_WORDS for w in lowered):
        raise InvalidInput(texts.REMINDERS_USAGE, field="setting")
    with deps.sessions_for(caller.actor).begin() as session:
        notice = None
        if lowered and lowered != ["show"]:
            deliveries.claim(session, caller.delivery, deps.clock())  # a replay stops here
            plan = queries.resolve_plan(session, plan_key, caller.channel_id)
            change = domain.parse_setting(words)
            changed = domain.change_setting(session, plan, caller.actor, deps.clock(), change)
            notice = texts.REMINDERS_CHANGED if changed else texts.REMINDERS_UNCHANGED
        else:
            plan = queries.resolve_plan(session, plan_key, caller.channel_id)
        text = show_text(plan.key, domain.reminder_config(session, plan), domain.is_muted(session, caller.user_id))
        message = blocks.notice(f"{notice} {text}" if notice else text)
        return _kept(session, caller, message) if notice else message


def _kept(session: Session, caller: Caller, message: Message) -> Message:
    """The reply to a change, kept with the delivery's claim so that a replay gets it too."""
    deliveries.answered(session, caller.delivery, message.ephemeral())
    return message


def show_text(plan_key: str, config: domain.Config, muted: bool) -> str:
    shown = texts.REMINDERS_SHOW.format(
        plan=blocks.escape(plan_key), state="on" if config.enabled else "off", soon=config.soon_days,
        near=config.near_days, hour=f"{config.hour:02d}", escalate=config.escalate_days,
        channel=config.channel_days, channel_state="on" if config.channel_enabled else "off")
    you = texts.REMINDERS_YOU.format(state=texts.REMINDERS_YOU_MUTED if muted else texts.REMINDERS_YOU_ON)
    return f"{shown}\n{you}"


def register(app: App, deps: Deps) -> None:
    def toggle(ack: Ack, client: WebClient, context: BoltContext, respond: Respond, muted: bool) -> None:
        ack()
        actor = caller_of(context).actor
        with errors.replies_on_error(None, home.HomeNotice(client, deps, actor)):
            with deps.sessions_for(actor).begin() as session:
                deliveries.claim(session, caller_of(context).delivery, deps.clock())  # a replay stops here
                domain.set_muted(session, actor, deps.clock(), muted)
            home.publish(client, deps, actor, notice=texts.REMINDERS_MUTED if muted else texts.REMINDERS_UNMUTED)

    @app.action(ActionId.MUTE_REMINDERS.value)
    def on_mute(ack: Ack, client: WebClient, context: BoltContext, respond: Respond) -> None:
        toggle(ack, client, context, respond, True)

    @app.action(ActionId.UNMUTE_REMINDERS.value)
    def on_unmute(ack: Ack, client: WebClient, context: BoltContext, respond: Respond) -> None:
        toggle(ack, client, context, respond, False)

