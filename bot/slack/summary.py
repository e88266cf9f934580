"""The summary in Slack: Block Kit rendering, the poster the scheduler uses, `/plan summary`
previews with their "Post to channel" button, and `/plan schedule`.

A summary is one main message that carries the report itself and, when the plan is too big
for one message, replies in its thread with the detail (exceptions, recommendation tables).
Every message stays under Slack's limits (50 blocks, 3,000 characters a section) and under
a total size well below where Slack refuses a message as too long.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.plan.dates import format_date, format_long
from bot.plan.errors import InvalidInput
from bot.plan.publishing import ScheduleInfo, format_slot, plan_schedule, schedule_info, set_schedule
from bot.plan.queries import ActionView, get_plan, is_admin, resolve_plan
from bot.plan.rules import DEFAULT_TIMEZONE, Rag, today_in
from bot.plan.schedule import parse_schedule
from bot.plan.services import Actor, check_admin
from bot.plan.outline import (
    FIRST_SUMMARY,
    HEADING_DUE_SOON,
    HEADING_EXCEPTIONS,
    HEADING_RECOMMENDATIONS,
    NO_CHANGES,
    NO_DUE_SOON,
    NO_EXCEPTIONS,
)
from bot.plan.phrases import actor_name, change
from bot.plan.summary import (
    Summary,
    build_summary,
    current_period,
    parse_month,
    period_for_month,
    period_from_key,
    rag_key,
)
from bot.scheduler import Outcome, PostFailed, default_worker, publish
from bot.slack import texts
from bot.slack.blocks import MAX_BLOCKS, Message
from bot.slack.context import Deps
from bot.slack.errors import replies_on_error
from bot.slack.ids import ActionId, ViewSpec
from storage.models import SummaryPost

log = logging.getLogger("planbot.slack.summary")

SUMMARY_EVENT: Final = "planbot_summary"
PART_EVENT: Final = "planbot_summary_part"
SECTION_BUDGET: Final = 2900  # characters in a section's text; Slack allows 3,000
MESSAGE_BUDGET: Final = 11_000  # characters of text in a message; Slack refuses some near 13,000
REPLY_BLOCKS: Final = 48
PREVIEW_BLOCKS: Final = 2  # what a preview adds below the summary: a note and the button
MAIN_ITEMS: Final = 8  # items of each list the main message shows when the detail is in the thread
MAX_TEXT: Final = 3000  # the plain `text` fallback
RAG_EMOJI: Final = {Rag.RED: ":red_circle:", Rag.AMBER: ":large_orange_circle:", Rag.GREEN: ":large_green_circle:"}
RAG_WORDS: Final = {Rag.RED: "Red (overdue)", Rag.AMBER: "Amber (on track)", Rag.GREEN: "Green (complete)"}
_SLACK_USER = re.compile(r"[UW][A-Z0-9]{2,}")


def esc(text: str) -> str:
    """Text as Slack mrkdwn shows it literally (only &, < and > need escaping)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _who(actor: str) -> str:
    return f"<@{actor}>" if _SLACK_USER.fullmatch(actor) else esc(actor_name(actor))


def _when(at: datetime, tz: str) -> str:
    return format_long(at.astimezone(ZoneInfo(tz)).date())


def _due(a: ActionView) -> str:
    if a.revised_due:
        return f"{format_date(a.revised_due)} (was {format_date(a.original_due)})"
    return format_date(a.original_due)


def _days(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''} late"


def _action(a: ActionView) -> str:
    return f"{RAG_EMOJI[a.rag]} *{esc(a.ref)}* {esc(a.description)}"


@dataclass(frozen=True)
class _Group:
    """A heading and its items, packed into as many sections as they need."""

    heading: str
    items: tuple[str, ...]


def _sections(group: _Group) -> list[Block]:
    blocks: list[Block] = []
    first = f"*{group.heading}*"
    lines, size = [first], len(first)
    for item in group.items:
        item = _clip(item, SECTION_BUDGET - len(first) - 20)
        if size + 1 + len(item) > SECTION_BUDGET:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
            lines = [f"*{group.heading}* (continued)"]
            size = len(lines[0])
        lines.append(item)
        size += 1 + len(item)
    blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines))))
    return blocks


def _shortened(group: _Group, limit: int, more: str) -> tuple[_Group, bool]:
    if len(group.items) <= limit:
        return group, False
    items = tuple(_clip(item.split("\n")[0], 250) for item in group.items[:limit])
    return _Group(group.heading, items + (more.format(count=len(group.items) - limit),)), True


def _text_size(blocks: Iterable[Block]) -> int:
    total = 0

    def walk(node: Any) -> None:
        nonlocal total
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "text" and isinstance(value, str):
                    total += len(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk([block.to_dict() for block in blocks])
    return total


def _head(s: Summary) -> list[Block]:
    f, before = s.figures, (s.previous.figures if s.previous else None)
    fields = []
    for colour in (Rag.RED, Rag.AMBER, Rag.GREEN):
        moved = f" ({change(f.of(colour), before.of(colour))})" if before else ""
        fields.append(MarkdownTextObject(text=f"{RAG_EMOJI[colour]} *{RAG_WORDS[colour]}*\n{f.of(colour)}{moved}"))
    moved = f" ({change(f.percent_complete, before.percent_complete)} points)" if before else ""
    fields.append(MarkdownTextObject(text=f"*Complete*\n{f.percent_complete}% of {f.total}{moved}"))
    compared = FIRST_SUMMARY if s.previous is None else f"Compared with the {s.previous.period.label} summary."
    return [
        HeaderBlock(text=PlainTextObject(text=_clip(s.title, 150))),
        SectionBlock(text=MarkdownTextObject(text=f"*{esc(s.headline)}*\n{esc(s.progress())}")),
        SectionBlock(fields=fields),
        ContextBlock(elements=[MarkdownTextObject(text=esc(compared))]),
    ]


def _changes(s: Summary) -> _Group:
    tz = s.plan.timezone
    items: list[str] = []
    for c in s.completed:
        note = f": _{esc(c.note)}_" if c.note else ""
        items.append(f":white_check_mark: *{esc(c.action.ref)}* {esc(c.action.description)} — completed by "
                     f"{_who(c.actor)} on {_when(c.at, tz)}{note}")
    for a in s.newly_overdue:
        items.append(f"{_action(a)} — became overdue: due {format_date(a.due)}, {_days(a.days_late)}")
    for r in s.revised:
        dates = f"{format_date(r.old_due) if r.old_due else '?'} to {format_date(r.new_due) if r.new_due else '?'}"
        reason = f": _{esc(r.reason)}_" if r.reason else ""
        items.append(f":calendar: *{esc(r.action.ref)}* {esc(r.action.description)} — date revised from {dates} "
                     f"by {_who(r.actor)} on {_when(r.at, tz)}{reason}")
    return _Group(f"What changed {s.since_phrase()}", tuple(items) or (NO_CHANGES,))


def _exceptions(s: Summary) -> _Group:
    items = []
    for e in s.exceptions:
        a = e.action
        dates = f"original date {format_date(a.original_due)}"
        if a.revised_due:
            dates += f" · revised to {format_date(a.revised_due)}"
        reason = esc(e.latest_reason) if e.latest_reason else "none given"
        items.append(f"{_action(a)} — {_days(a.days_late)}\n"
                     f"      Owners: {esc(' / '.join(a.owners))} · {dates}\n"
                     f"      Latest reason: _{reason}_")
    heading = HEADING_EXCEPTIONS + (f" ({len(s.exceptions)})" if s.exceptions else "")
    return _Group(heading, tuple(items) or (NO_EXCEPTIONS,))


def _due_soon(s: Summary) -> _Group:
    items = tuple(f"{_action(a)} — {esc(' / '.join(a.owners))} — due {_due(a)}" for a in s.due_soon)
    heading = HEADING_DUE_SOON.format(days=s.due_soon_days) + (f" ({len(s.due_soon)})" if s.due_soon else "")
    return _Group(heading, items or (NO_DUE_SOON.format(days=s.due_soon_days),))


def _recommendations(s: Summary) -> list[_Group]:
    groups = []
    for rec in s.recommendations:
        heading = f"{rec.number}) {esc(rec.text)}" if rec.text else f"Recommendation {rec.number}"
        items = tuple(f"{_action(a)} — {esc(' / '.join(a.owners))} — due {_due(a)} — {a.status.label}"
                      for a in rec.actions)
        groups.append(_Group(_clip(heading, 400), items))
    return groups


def _footer(s: Summary) -> list[Block]:
    return [DividerBlock(), ContextBlock(elements=[MarkdownTextObject(text=esc(rag_key())),
                                                   MarkdownTextObject(text=esc(s.footer()))])]


def _pages(blocks: list[Block], max_blocks: int, budget: int) -> list[list[Block]]:
    pages: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        block_size = _text_size([block])
        if pages[-1] and (len(pages[-1]) >= max_blocks or size + block_size > budget):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += block_size
    return [page for page in pages if page]


@dataclass(frozen=True)
class SlackSummary:
    main: Message
    replies: tuple[Message, ...]


def summary_messages(s: Summary) -> SlackSummary:
    """The main message and, for a plan too big for one message, the detail as thread replies."""
    text = _clip(f"{s.title}: {s.headline} {s.progress()}", MAX_TEXT)
    changes, exceptions, due_soon, recs = _changes(s), _exceptions(s), _due_soon(s), _recommendations(s)
    recs_heading = SectionBlock(text=MarkdownTextObject(text=f"*{HEADING_RECOMMENDATIONS}*"))
    whole = [*_head(s), DividerBlock(), *_sections(changes), *_sections(exceptions), *_sections(due_soon),
             DividerBlock(), recs_heading, *[b for g in recs for b in _sections(g)], *_footer(s)]
    main_limit = MAX_BLOCKS - PREVIEW_BLOCKS
    if len(whole) <= main_limit and _text_size(whole) <= MESSAGE_BUDGET:
        return SlackSummary(Message(text, whole), ())

    more = "_…and {count} more, in full in the thread._"
    short_changes, changes_cut = _shortened(changes, MAIN_ITEMS, more)
    short_exceptions, exceptions_cut = _shortened(exceptions, MAIN_ITEMS, more)
    short_due, due_cut = _shortened(due_soon, MAIN_ITEMS, more)
    detail: list[Block] = []
    parts: list[str] = []
    for group, cut, name in ((changes, changes_cut, "every change"), (exceptions, exceptions_cut, "every exception"),
                             (due_soon, due_cut, "everything due soon")):
        if cut:
            detail += _sections(group)
            parts.append(name)
    detail += [recs_heading, *[b for g in recs for b in _sections(g)]]
    parts.append(HEADING_RECOMMENDATIONS.lower())
    pages = _pages(detail, REPLY_BLOCKS, MESSAGE_BUDGET)
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    thread_note = ContextBlock(elements=[MarkdownTextObject(
        text=f"In this message's thread ({len(pages)} replies): {listed}.")])
    main = [*_head(s), DividerBlock(), *_sections(short_changes), *_sections(short_exceptions),
            *_sections(short_due), thread_note, *_footer(s)]
    replies = tuple(Message(_clip(f"{s.title}: detail, part {n} of {len(pages)}", MAX_TEXT), page)
                    for n, page in enumerate(pages, 1))
    return SlackSummary(Message(text, main), replies)


def summary_metadata(plan_key: str, period: str, part: int | None = None) -> dict[str, Any]:
    """Marks a message as planbot's post of this plan's period (or a part of its thread)."""
    if part is None:
        return {"event_type": SUMMARY_EVENT, "event_payload": {"plan": plan_key, "period": period}}
    return {"event_type": PART_EVENT, "event_payload": {"plan": plan_key, "period": period, "part": part}}


def _marked(message: dict[str, Any], event_type: str, plan_key: str, period: str) -> dict[str, Any] | None:
    metadata = message.get("metadata") or {}
    payload = metadata.get("event_payload") or {}
    if metadata.get("event_type") == event_type and payload.get("plan") == plan_key and payload.get("period") == period:
        return payload
    return None


def _slack_problem(error: Exception) -> str:
    if isinstance(error, SlackApiError):
        code = error.response.get("error") if error.response is not None else None
        return f"Slack answered {code or error.response.status_code}"
    return f"Slack could not be reached ({error})"


class SlackSummaryPoster:
    """Posts summaries with slack_sdk (the scheduler's Poster).

    A post is retried with backoff when Slack answers 429 or 5xx or the network fails; before
    a retry it looks for the message it may have posted after all, so a retry never doubles
    a post. Reads (history, replies) use slack_sdk's own retry handlers.
    """

    def __init__(self, poster: WebClient, reader: WebClient, *, attempts: int = 4, backoff: float = 2.0,
                 pause: float = 1.0, history_limit: int = 200, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = poster
        self.reader = reader
        self.attempts = attempts
        self.backoff = backoff
        self.pause = pause  # between thread replies: chat.postMessage allows about one a second a channel
        self.history_limit = history_limit
        self.sleep = sleep
        self._rendered: tuple[Summary, SlackSummary] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> SlackSummaryPoster:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        # Only 429s are retried inside slack_sdk for posts: a 5xx may come after Slack stored
        # the message, so those retries look first (see _post).
        poster = WebClient(token=token, base_url=settings.api_url, timeout=15,
                           retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=3)])
        reader = WebClient(token=token, base_url=settings.api_url, timeout=15, retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            RateLimitErrorRetryHandler(max_retry_count=3),
            ServerErrorRetryHandler(max_retry_count=2),
        ])
        return cls(poster, reader, **options)

    def _messages(self, summary: Summary) -> SlackSummary:
        if self._rendered is None or self._rendered[0] is not summary:
            self._rendered = (summary, summary_messages(summary))
        return self._rendered[1]

    def _read(self, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except (SlackApiError, OSError) as error:
            raise PostFailed(_slack_problem(error)) from error

    def find(self, channel_id: str, plan_key: str, period: str) -> str | None:
        response = self._read(lambda: self.reader.conversations_history(
            channel=channel_id, limit=self.history_limit, include_all_metadata=True))
        for message in response.get("messages") or []:
            if _marked(message, SUMMARY_EVENT, plan_key, period) is not None:
                return str(message["ts"])
        return None

    def _parts(self, channel_id: str, thread_ts: str, plan_key: str, period: str) -> dict[int, str]:
        parts: dict[int, str] = {}
        cursor = None
        while True:
            response = self._read(lambda: self.reader.conversations_replies(
                channel=channel_id, ts=thread_ts, include_all_metadata=True, limit=200, cursor=cursor))
            for message in response.get("messages") or []:
                payload = _marked(message, PART_EVENT, plan_key, period)
                if payload is not None and isinstance(payload.get("part"), int):
                    parts[payload["part"]] = str(message["ts"])
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return parts

    def post_main(self, channel_id: str, summary: Summary) -> str:
        key, period = summary.plan.key, summary.period.key
        return self._post(channel_id, self._messages(summary).main, summary_metadata(key, period),
                          look=lambda: self.find(channel_id, key, period))

    def post_thread(self, channel_id: str, thread_ts: str, summary: Summary, *, check_existing: bool) -> None:
        key, period = summary.plan.key, summary.period.key
        replies = self._messages(summary).replies
        if not replies:
            return
        there = self._parts(channel_id, thread_ts, key, period) if check_existing else {}
        posted = 0
        for part, reply in enumerate(replies, 1):
            if part in there:
                continue
            if posted:
                self.sleep(self.pause)
            self._post(channel_id, reply, summary_metadata(key, period, part), thread_ts=thread_ts,
                       look=lambda part=part: self._parts(channel_id, thread_ts, key, period).get(part))
            posted += 1

    def _post(self, channel_id: str, message: Message, metadata: dict[str, Any], *,
              look: Callable[[], str | None], thread_ts: str | None = None) -> str:
        payload = message.to_dict()
        delay = self.backoff
        for attempt in range(1, self.attempts + 1):
            try:
                response = self.client.chat_postMessage(
                    channel=channel_id, text=payload["text"], blocks=payload["blocks"], metadata=metadata,
                    thread_ts=thread_ts, unfurl_links=False, unfurl_media=False)
                return str(response["ts"])
            except SlackApiError as error:
                status = error.response.status_code if error.response is not None else 0
                if status < 500 and status != 429:
                    raise PostFailed(_slack_problem(error)) from error
                problem = _slack_problem(error)
            except OSError as error:  # the network: the post may or may not have reached Slack
                problem = _slack_problem(error)
            if attempt == self.attempts:
                raise PostFailed(f"{problem}, {attempt} times")
            log.warning("posting to %s: %s; trying again in %.1fs", channel_id, problem, delay)
            self.sleep(delay)
            delay *= 2
            found = look()
            if found is not None:
                return found
        raise AssertionError("unreachable")

    def permalink(self, channel_id: str, ts: str) -> str | None:
        try:
            return str(self.reader.chat_getPermalink(channel=channel_id, message_ts=ts)["permalink"])
        except (SlackApiError, OSError):
            return None


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


def summary_command(deps: Deps, *, user_id: str, team_id: str, channel_id: str | None, args: list[str]) -> Message:
    """`/plan summary [PLAN] [MONTH]`: the preview, for the caller only."""
    now = deps.clock()
    with deps.sessions.read() as session:
        plan_key, month = _split_summary_args(args, today_in(DEFAULT_TIMEZONE, now))
        plan = resolve_plan(session, plan_key, channel_id)
        schedule = plan_schedule(plan)
        if month is not None:
            period = period_for_month(schedule, *month)
        else:
            period = current_period(schedule, plan.timezone, now)
        spec = ViewSpec(kind="summary", plan=plan.key, month=period.key)
        return render_preview(session, deps, spec, user_id=user_id, team_id=team_id)


def render_preview(session: Session, deps: Deps, spec: ViewSpec, *, user_id: str, team_id: str) -> Message:
    """The summary a ViewSpec(kind="summary", plan=, month=) names, as a preview for this user."""
    now = deps.clock()
    plan = get_plan(session, spec.plan) if spec.plan else resolve_plan(session, None)
    schedule = plan_schedule(plan)
    period = period_from_key(spec.month) if spec.month else current_period(schedule, plan.timezone, now)
    summary = build_summary(session, plan, period, now)
    rendered = summary_messages(summary)
    notes = [texts.SUMMARY_PREVIEW_NOTE]
    if rendered.replies:
        notes.append(texts.SUMMARY_PREVIEW_THREAD.format(count=len(rendered.replies)))
    posted = session.scalar(select(SummaryPost).where(
        SummaryPost.plan_id == plan.id, SummaryPost.period == period.key, SummaryPost.state == "posted"))
    button: Block | None = None
    if posted is not None and posted.posted_at is not None:
        notes.append(texts.SUMMARY_PREVIEW_POSTED.format(
            period=period.label, channel=posted.channel_id, when=_when(posted.posted_at, plan.timezone)))
    elif is_admin(session, plan.id, user_id):
        if plan.channel_id:
            value = ViewSpec(kind="summary", plan=plan.key, month=period.key).model_dump_json()
            button = ActionsBlock(elements=[ButtonElement(
                text=texts.POST_TO_CHANNEL, action_id=ActionId.POST_SUMMARY.value, value=value, style="primary",
                confirm=ConfirmObject(
                    title=texts.POST_CONFIRM_TITLE,
                    text=_clip(texts.POST_CONFIRM_TEXT.format(period=period.label, plan=plan.key,
                                                              channel=plan.channel_id), 300),
                    confirm=texts.POST_CONFIRM_YES, deny=texts.POST_CONFIRM_NO))])
        else:
            notes.append(texts.SUMMARY_PREVIEW_NO_CHANNEL.format(plan=plan.key))
    blocks: list[Block] = [*rendered.main.blocks,
                           ContextBlock(elements=[MarkdownTextObject(text=note) for note in notes])]
    if button is not None:
        blocks.append(button)
    return Message(_clip(texts.SUMMARY_PREVIEW_TEXT.format(title=summary.title), MAX_TEXT), blocks)


def outcome_text(outcome: Outcome, poster: SlackSummaryPoster | None, tz: str) -> str:
    period, plan, channel = outcome.period.label, outcome.plan_key, outcome.channel_id
    if outcome.kind in ("posted", "recovered"):
        link = poster.permalink(channel, outcome.message_ts) if poster and channel and outcome.message_ts else None
        if link:
            return texts.SUMMARY_POSTED_LINK.format(period=period, plan=plan, channel=channel, link=link)
        return texts.SUMMARY_POSTED.format(period=period, plan=plan, channel=channel)
    if outcome.kind == "already_posted":
        when = _when(outcome.posted_at, tz) if outcome.posted_at else "?"
        return texts.SUMMARY_ALREADY_POSTED.format(period=period, plan=plan, channel=channel, when=when)
    if outcome.kind == "busy":
        return texts.SUMMARY_BUSY.format(period=period, plan=plan)
    if outcome.kind == "lost":
        return texts.SUMMARY_LOST.format(period=period, plan=plan, channel=channel)
    return texts.SUMMARY_FAILED.format(period=period, plan=plan, error=outcome.error or "unknown error")


_SCHEDULE_WORDS: Final = frozenset({"monthly", "quarterly", "off", "none", "default", "by"})
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


def schedule_message(info: ScheduleInfo, changed: bool | None = None) -> Message:
    plan, tz = info.plan_key, info.timezone
    lines = []
    if changed is not None:
        lines.append(texts.SCHEDULE_CHANGED if changed else texts.SCHEDULE_UNCHANGED)
    if info.schedule.kind == "off":
        lines.append(texts.SCHEDULE_IS_OFF.format(plan=plan))
    else:
        channel = f"<#{info.channel_id}>" if info.channel_id else texts.SCHEDULE_NO_CHANNEL.format(plan=plan)
        lines.append(texts.SCHEDULE_IS.format(plan=plan, describe=info.schedule.describe(), timezone=tz,
                                              channel=channel))
        if info.due_now is not None:
            lines.append(texts.SCHEDULE_DUE.format(period=info.due_now.label))
        if info.next_run is not None:
            lines.append(texts.SCHEDULE_NEXT.format(when=format_slot(info.next_run, tz), period=info.next_run.label))
    if info.last_post is not None:
        try:
            label = period_from_key(info.last_post.period).label
        except InvalidInput:
            label = info.last_post.period
        lines.append(texts.SCHEDULE_LAST.format(period=label, when=_when(info.last_post.posted_at, tz)))
    text = "\n".join(lines)
    return Message(text, [SectionBlock(text=MarkdownTextObject(text=text))])


def schedule_command(deps: Deps, *, user_id: str, team_id: str, channel_id: str | None, args: list[str]) -> Message:
    """`/plan schedule [PLAN] monthly|quarterly|off|RRULE:... [#channel|here]`; no arguments shows it."""
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
        with deps.sessions.read() as session:
            return schedule_message(schedule_info(session, resolve_plan(session, plan_key, channel_id), now))
    with deps.sessions.begin() as session:
        plan = resolve_plan(session, plan_key, channel_id)
        changed = set_schedule(session, plan, Actor(user_id, team_id), now, schedule=schedule, channel_id=channel)
        return schedule_message(schedule_info(session, plan, now), changed)


def register(app: App, deps: Deps) -> None:
    poster = SlackSummaryPoster.from_settings(deps.settings)
    worker = default_worker()

    @app.action(ActionId.POST_SUMMARY.value)
    def post_summary(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        with replies_on_error(ack, respond):
            spec = ViewSpec.model_validate_json(body["actions"][0]["value"])
            user = body["user"]["id"]
            team = (body.get("team") or {}).get("id") or body["user"].get("team_id", "")
            actor = Actor(user, team)
            with deps.sessions.read() as session:
                plan = get_plan(session, spec.plan or "")
                check_admin(session, plan, actor)
                period = period_from_key(spec.month) if spec.month else None
                tz = plan.timezone
            outcome = publish(deps.sessions, poster, plan_key=plan.key, period=period, clock=deps.clock,
                              worker=worker, actor=actor)
            respond(text=outcome_text(outcome, poster, tz), response_type="ephemeral", replace_original=False)
