"""Block Kit renderers: plain data from `bot.plan.queries` in, a `Message` out.

Pure functions built with `slack_sdk.models`, so `to_dict()` validates what Slack would reject;
`Message.to_dict()` adds the checks slack_sdk does not make (50 blocks, section text and field
lengths). Everything a user typed is escaped before it goes into mrkdwn. Each list is a page
small enough to keep within those limits; the page says which slice it is and carries
"Previous page"/"Next page" buttons, so nothing is cut off silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, Final
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.plan.dates import format_date, format_long
from bot.plan.evidence import EvidenceItem
from bot.plan.outline import HEADING_REVIEWS, REVIEW_WORDS
from bot.plan.phrases import (
    DATE_NOT_RECORDED,
    actor_name,
    days_late,
    days_until,
    due_or_done,
    lateness,
    plural,
    slip,
    slippage_line,
)
from bot.plan.queries import (
    ActionDetail,
    ActionList,
    ActionView,
    EventView,
    Page,
    PlanView,
    RagCounts,
    StatusView,
)
from bot.plan.reviews import ReviewItem
from bot.plan.rules import ActionStatus, Rag
from bot.plan.slippage import Slippage
from bot.slack import texts
from bot.slack.ids import ActionButton, ActionId, ViewSpec
from storage.kinds import EventKind

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_HEADER_TEXT = 150
MAX_FALLBACK_TEXT = 3000
# Kept well under the ~13k characters of content reported to fail as msg_blocks_too_long.
MAX_CONTENT_CHARS = 12_000

STATUS_PAGE_SIZE = 12  # 12 actions + up to 12 recommendation headings: at most 40 blocks
LIST_PAGE_SIZE = 15  # two blocks an action: at most 34 blocks, and about 10k characters at most
HISTORY_SHOWN = 50

TITLE_CHARS = 150
OWNERS_CHARS = 150
REASON_CHARS = 200
RECOMMENDATION_CHARS = 300

# The one RAG emoji set: status lists, App Home and the summary all show these.
RAG_EMOJI: Final = {Rag.RED: "🔴", Rag.AMBER: "🟠", Rag.GREEN: "🟢", Rag.BAU: "🔵"}
_SLACK_USER = re.compile(r"[UW][A-Z0-9]+")
ACTION_BLOCK_PREFIX = "action."
NAV_BLOCK_ID = "nav"


class MessageTooLarge(ValueError):
    """A message breaks a Slack limit that slack_sdk does not check."""


@dataclass(frozen=True)
class Message:
    """A message's plain `text` fallback (for notifications) and its blocks."""

    text: str
    blocks: list[Block] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The message as Slack takes it, validated once (a shallow copy each call)."""
        return dict(self._validated)

    def ephemeral(self) -> dict[str, Any]:
        """The message as a reply only the person who asked sees (an ack's or a response URL's)."""
        return {"response_type": "ephemeral", **self._validated}

    @cached_property
    def _validated(self) -> dict[str, Any]:
        if not self.text.strip():
            raise MessageTooLarge("a message needs a plain text fallback")
        if len(self.text) > MAX_FALLBACK_TEXT:
            raise MessageTooLarge(f"fallback text is {len(self.text)} characters (limit {MAX_FALLBACK_TEXT})")
        if len(self.blocks) > MAX_BLOCKS:
            raise MessageTooLarge(f"{len(self.blocks)} blocks (limit {MAX_BLOCKS})")
        blocks = [block.to_dict() for block in self.blocks]
        for index, block in enumerate(blocks):
            text = _text_of(block.get("text"))
            if block.get("type") == "section" and len(text) > MAX_SECTION_TEXT:
                raise MessageTooLarge(f"block {index}: section text is {len(text)} characters")
            for item in block.get("fields") or []:
                if len(_text_of(item)) > MAX_FIELD_TEXT:
                    raise MessageTooLarge(f"block {index}: a field is {len(_text_of(item))} characters")
        content = content_chars(blocks)
        if content > MAX_CONTENT_CHARS:
            raise MessageTooLarge(f"{content} characters of text (limit {MAX_CONTENT_CHARS})")
        return {"text": self.text, "blocks": blocks}


def content_chars(blocks: Iterable[dict[str, Any]]) -> int:
    """The characters of text in blocks: section texts and fields, headers and context elements."""
    total = 0
    for block in blocks:
        total += len(_text_of(block.get("text")))
        total += sum(len(_text_of(item)) for item in block.get("fields") or [])
        if block.get("type") == "context":
            total += sum(len(_text_of(item)) for item in block.get("elements") or [])
    return total


def _text_of(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def escape(text: str) -> str:
    """Make text safe inside mrkdwn: no accidental links, mentions or @channel."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fallback(template: str, **values: object) -> str:
    """A message's plain `text`, the words notifications show, from a template and values that
    are each escaped: a title or a description never becomes a live link, mention or @channel."""
    return shorten(template.format(**{name: escape(str(value)) for name, value in values.items()}), MAX_FALLBACK_TEXT)


def one_line(text: str) -> str:
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def fit(text: str, limit: int) -> str:
    """Escape `text` and shorten it (visibly, with …) so that the escaped result fits `limit`."""
    raw = shorten(text, limit)
    escaped = escape(raw)
    while len(escaped) > limit:
        raw = shorten(raw, len(raw) - (len(escaped) - limit) - 1)
        escaped = escape(raw)
    return escaped


def mention(actor: str) -> str:
    """An audit-trail actor in mrkdwn: a Slack user as a mention, anyone else by name."""
    return f"<@{actor}>" if _SLACK_USER.fullmatch(actor) else escape(actor_name(actor))


def section_block(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def header_block(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=shorten(one_line(text), MAX_HEADER_TEXT), emoji=True))


def context_block(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


def button(label: str, action_id: ActionId, value: str, *, style: str | None = None,
            confirm: ConfirmObject | None = None) -> ButtonElement:
    return ButtonElement(text=PlainTextObject(text=label, emoji=True), action_id=action_id.value, value=value,
                         style=style, confirm=confirm)


def button_value(action: ActionView, view: ViewSpec) -> str:
    return ActionButton(action_id=action.id, version=action.version, view=view).model_dump_json(exclude_defaults=True)


def view_value(view: ViewSpec) -> str:
    return view.model_dump_json(exclude_defaults=True)


def action_buttons(action: ActionView, view: ViewSpec, *, details: bool = True,
                   evidence: bool = False) -> ActionsBlock:
    """The buttons under one action: complete/revise/update while open, reopen once complete or in
    business as usual; with `evidence`, "Add evidence" too."""
    value = button_value(action, view)
    if action.is_open:
        confirm = ConfirmObject(
            title=PlainTextObject(text=texts.CONFIRM_COMPLETE_TITLE),
            text=PlainTextObject(text=texts.CONFIRM_COMPLETE_TEXT.format(
                ref=shorten(action.ref, 32), title=shorten(one_line(action.description), 120))),
            confirm=PlainTextObject(text=texts.CONFIRM_COMPLETE_YES),
            deny=PlainTextObject(text=texts.CONFIRM_COMPLETE_NO),
        )
        elements = [
            button(texts.MARK_COMPLETE, ActionId.COMPLETE, value, style="primary", confirm=confirm),
            button(texts.REVISE_DATE, ActionId.REVISE, value),
            button(texts.ADD_UPDATE, ActionId.NOTE, value),
        ]
    else:
        elements = [button(texts.REOPEN, ActionId.REOPEN, value)]
    if evidence:
        elements.append(button(texts.ADD_EVIDENCE, ActionId.ADD_EVIDENCE, value))
    if details:
        shown = ViewSpec(kind="show", plan=action.plan_key, ref=action.ref)
        elements.append(button(texts.DETAILS, ActionId.SHOW, view_value(shown)))
    return ActionsBlock(block_id=f"{ACTION_BLOCK_PREFIX}{action.id}", elements=elements)


def nav_row(view: ViewSpec, page: Page | None, *, shareable: bool) -> list[Block]:
    """Previous/Next page and Share in channel, as one actions block (or none)."""
    elements: list[ButtonElement] = []
    if page is not None and page.offset > 0:
        previous = view.model_copy(update={"offset": max(0, page.offset - page.size)})
        elements.append(button(texts.PREVIOUS_PAGE, ActionId.PREVIOUS_PAGE, view_value(previous)))
    if page is not None and page.has_next:
        following = view.model_copy(update={"offset": page.offset + page.size})
        elements.append(button(texts.NEXT_PAGE, ActionId.NEXT_PAGE, view_value(following)))
    if shareable:
        elements.append(button(texts.SHARE, ActionId.SHARE, view_value(view)))
    return [ActionsBlock(block_id=NAV_BLOCK_ID, elements=elements)] if elements else []


def showing(page: Page, shown: int, noun: str) -> str:
    if page.total == 0 or shown == 0:
        return ""
    return texts.SHOWING.format(first=f"{page.offset + 1:,}", last=f"{page.offset + shown:,}",
                                total=f"{page.total:,}", noun=noun + ("" if page.total == 1 else "s"))


def rag_label(action: ActionView) -> str:
    """🔴 Red, 15 days late, 76 days past its original date: lateness against both dates."""
    label = f"{RAG_EMOJI[action.rag]} {action.rag.label}"
    if action.days_late:
        label += f", {days_late(action.days_late)}"
    if action.slipped and action.days_past_baseline > action.days_late:
        label += f", {plural(action.days_past_baseline, 'day')} past its original date"
    return label


def owners_text(owners: Sequence[str]) -> str:
    return fit(" / ".join(owners), OWNERS_CHARS) if owners else f"_{texts.NO_OWNER}_"


def action_line(action: ActionView, *, with_plan: bool = False, reason: str | None = None,
                days_until: date | None = None) -> str:
    """One action in a list: ref, short title, owner roles, due or revised date, RAG."""
    plan = f"`{fit(action.plan_key, 40)}` " if with_plan else ""
    title = fit(one_line(action.description), TITLE_CHARS)
    detail = f"{owners_text(action.owners)} · {due_or_done(action)} · {rag_label(action)}"
    if days_until is not None and action.is_open:
        days = (action.due - days_until).days
        detail += " · due today" if days == 0 else f" · in {plural(days, 'day')}"
    text = f"{RAG_EMOJI[action.rag]} {plan}*{fit(action.ref, 40)}* {title}\n{detail}"
    if action.blocked:
        text += "\n" + blocked_text(action)
    if reason:
        text += "\n" + texts.LATEST_REASON.format(reason=fit(one_line(reason), REASON_CHARS))
    return text


def blocked_text(action: ActionView) -> str:
    since = format_long(action.blocked_since.date()) if action.blocked_since else "?"
    return texts.BLOCKED_LINE.format(since=since, reason=fit(one_line(action.blocked_reason or ""), REASON_CHARS))


def apart_line(counts: RagCounts) -> str:
    """🔵 1 business as usual · ⛔ 2 blocked on others, or "" when there are none."""
    parts = []
    if counts.bau:
        parts.append(texts.APART_BAU.format(emoji=RAG_EMOJI[Rag.BAU], count=f"{counts.bau:,}"))
    if counts.blocked:
        parts.append(texts.APART_BLOCKED.format(count=f"{counts.blocked:,}"))
    return "   ".join(parts)


def status_message(data: StatusView, view: ViewSpec, *, shareable: bool = True) -> Message:
    plan, counts = data.plan, data.counts
    blocks: list[Block] = [
        header_block(plan.title),
        section_block(
            texts.RAG_LINE.format(red_emoji=RAG_EMOJI[Rag.RED], amber_emoji=RAG_EMOJI[Rag.AMBER],
                                  green_emoji=RAG_EMOJI[Rag.GREEN], red=f"{counts.red:,}",
                                  amber=f"{counts.amber:,}", green=f"{counts.green:,}")
            + "\n"
            + texts.PROGRESS_LINE.format(percent=counts.percent_complete, green=f"{counts.green:,}",
                                         total=f"{counts.total:,}",
                                         recommendations=f"{data.recommendation_count:,}")
            + (f"\n{apart}" if (apart := apart_line(counts)) else "")
        ),
    ]
    shown = sum(len(r.actions) for r in data.recommendations)
    context = [texts.AS_OF.format(plan=escape(plan.key), date=format_long(data.today))]
    if plan.closed:
        context.append(texts.PLAN_CLOSED)
    if page_line := showing(data.page, shown, "action"):
        context.append(page_line)
    blocks.append(context_block(" · ".join(context)))
    if counts.total == 0:
        blocks.append(section_block(texts.PLAN_EMPTY.format(plan=escape(plan.key))))
    for recommendation in data.recommendations:
        heading = f"*Recommendation {recommendation.number}*"
        if recommendation.text:
            heading += ": " + fit(one_line(recommendation.text), RECOMMENDATION_CHARS)
        blocks.append(section_block(heading))
        for action in recommendation.actions:
            blocks.append(section_block(action_line(action)))
            if not plan.closed:  # a closed plan is read-only
                blocks.append(action_buttons(action, view))
    blocks += nav_row(view, data.page, shareable=shareable)
    text = fallback(texts.STATUS_FALLBACK, title=one_line(plan.title), red=f"{counts.red:,}",
                    amber=f"{counts.amber:,}", green=f"{counts.green:,}", percent=counts.percent_complete)
    return Message(text=text, blocks=blocks)


def _list_message(data: ActionList, view: ViewSpec, *, title: str, context: list[str], empty: str,
                  text: str, shareable: bool, with_plan: bool = False,
                  with_reasons: bool = False, days_until: date | None = None) -> Message:
    blocks: list[Block] = [header_block(title)]
    if page_line := showing(data.page, len(data.items), "action"):
        context = [*context, page_line]
    if context:
        blocks.append(context_block(" · ".join(context)))
    if not data.items:
        blocks.append(section_block(empty))
    for action in data.items:
        reason = data.reasons.get(action.id) if with_reasons else None
        blocks.append(section_block(action_line(action, with_plan=with_plan, reason=reason, days_until=days_until)))
        blocks.append(action_buttons(action, view))
    blocks += nav_row(view, data.page, shareable=shareable)
    return Message(text=text, blocks=blocks)


def overdue_message(data: ActionList, view: ViewSpec, *, shareable: bool = True) -> Message:
    assert data.plan is not None
    plan = data.plan
    return _list_message(
        data, view,
        title=texts.OVERDUE_TITLE.format(title=one_line(plan.title)),
        context=[texts.AS_OF.format(plan=escape(plan.key), date=format_long(data.today))],
        empty=texts.OVERDUE_NONE.format(plan=escape(plan.key)),
        text=fallback(texts.OVERDUE_FALLBACK, count=f"{data.page.total:,}", plan=plan.key),
        shareable=shareable, with_reasons=True,
    )


def due_message(data: ActionList, days: int, view: ViewSpec, *, shareable: bool = True) -> Message:
    assert data.plan is not None
    plan = data.plan
    return _list_message(
        data, view,
        title=texts.DUE_TITLE.format(days=days, title=one_line(plan.title)),
        context=[texts.AS_OF.format(plan=escape(plan.key), date=format_long(data.today))],
        empty=texts.DUE_NONE.format(plan=escape(plan.key), days=days),
        text=fallback(texts.DUE_FALLBACK, count=f"{data.page.total:,}", plan=plan.key, days=days),
        shareable=shareable, days_until=data.today,
    )


def mine_message(data: ActionList, roles: Sequence[str], view: ViewSpec, *, admins: Sequence[str] = (),
                 shareable: bool = True) -> Message:
    if not roles:
        named = (" (" + ", ".join(mention(a) for a in admins) + ")") if admins else ""
        text = texts.MINE_NO_ROLES.format(admins=named)
        return Message(text=text, blocks=[header_block(texts.MINE_TITLE), section_block(text)])
    return _list_message(
        data, view,
        title=texts.MINE_TITLE,
        context=[texts.MINE_ROLES.format(roles=fit(", ".join(roles), 500))],
        empty=texts.MINE_NONE,
        text=fallback(texts.MINE_FALLBACK, count=f"{data.page.total:,}"),
        shareable=shareable, with_plan=True,
    )


def show_message(detail: ActionDetail, view: ViewSpec, *, shareable: bool = True,
                 evidence: Sequence[EvidenceItem] = (), reviews: Sequence[ReviewItem] = ()) -> Message:
    """One action in full: recommendation, owners and who holds them, dates, status, evidence,
    effectiveness reviews, history."""
    action, plan = detail.action, detail.plan
    blocks: list[Block] = [
        header_block(f"{action.ref}: {one_line(action.description)}"),
        section_block(fit(action.description, 2500)),
    ]
    owners = []
    for role in action.owners or ():
        people = detail.owner_users.get(role, ())
        held_by = ", ".join(mention(u) for u in people) if people else f"_{texts.NOBODY_MAPPED}_"
        owners.append(f"{fit(role, 200)}: {held_by}")
    fields = [
        f"*Status*\n{action.status.label}",
        f"*RAG*\n{rag_label(action)}",
        "*Owners*\n" + ("\n".join(owners) if owners else f"_{texts.NO_OWNER}_"),
        f"*{texts.SHOW_BASELINE}*\n{format_long(action.original_due)}",
    ]
    if action.revised_due is not None:
        fields.append(f"*Revised due*\n{format_long(action.revised_due)}")
    if action.slipped:
        fields.append(f"*{texts.SHOW_SLIPPAGE}*\n{slip(action.days_slipped, max(1, detail.revisions))}")
    if action.status == ActionStatus.COMPLETE:
        done = format_long(_local_day(action.completed_at, plan.timezone)) if action.completed_at else DATE_NOT_RECORDED
        fields.append(f"*Completed*\n{done}")
    blocks.append(SectionBlock(fields=[MarkdownTextObject(text=shorten(f, MAX_FIELD_TEXT)) for f in fields]))
    if action.slipped and action.is_open and detail.today is not None:
        blocks.append(section_block(f"*{texts.SHOW_AGAINST_BOTH}*\n{escape(lateness(action, detail.today))}"))
    if action.revised_due is not None and action.revision_reason:
        blocks.append(section_block("*Reason for the revised date*\n" + fit(action.revision_reason, 1500)))
    heading = f"*Recommendation {action.recommendation}*"
    if detail.recommendation_text:
        heading += ": " + fit(detail.recommendation_text, 1500)
    blocks.append(section_block(heading))
    if action.blocked:
        blocks.append(section_block(blocked_text(action)))
    if action.status == ActionStatus.BAU:
        blocks.append(section_block(texts.BAU_LINE.format(emoji=RAG_EMOJI[Rag.BAU],
                                                          where=fit(action.bau_where or "not recorded", 1000))))
    blocks.append(section_block(evidence_text(evidence, plan.timezone, required=plan.evidence_required)))
    if reviews:
        blocks.append(section_block(reviews_text(reviews, plan.timezone)))
    if not plan.closed:
        blocks.append(action_buttons(action, view, details=False, evidence=True))
    blocks.append(section_block(texts.SHOW_HISTORY))
    nav = nav_row(view, None, shareable=shareable)
    room = MAX_BLOCKS - len(blocks) - len(nav) - 1
    lines = [event_line(e, plan.timezone) for e in detail.history] or [f"_{texts.SHOW_NO_HISTORY}_"]
    budget = MAX_CONTENT_CHARS - content_chars(b.to_dict() for b in blocks) - 200  # the context line
    sections, used = _pack(lines, room, content=budget)
    blocks += [section_block(s) for s in sections]
    if used < len(lines) or len(detail.history) >= HISTORY_SHOWN:
        blocks.append(context_block(texts.SHOW_HISTORY_CUT.format(count=used)))
    blocks += nav
    text = fallback(texts.SHOW_FALLBACK, ref=action.ref, title=shorten(one_line(action.description), 200),
                    rag=action.rag.label)
    return Message(text=text, blocks=blocks)


EVIDENCE_SHOWN = 10


def evidence_text(items: Sequence[EvidenceItem], timezone: str, *, required: bool = False) -> str:
    if not items:
        return f"{texts.SHOW_EVIDENCE}\n" + (texts.SHOW_NO_EVIDENCE_REQUIRED if required else texts.SHOW_NO_EVIDENCE)
    lines = [texts.EVIDENCE_LINE.format(number=i.number, url=link_url(i.url), label=fit(i.description or i.url, 150),
                                        who=mention(i.added_by), when=format_long(_local_day(i.added_at, timezone)))
             for i in items[:EVIDENCE_SHOWN]]
    if len(items) > EVIDENCE_SHOWN:
        lines.append(texts.REVIEWS_MORE.format(count=len(items) - EVIDENCE_SHOWN))
    return shorten(texts.SHOW_EVIDENCE + "\n" + "\n".join(lines), MAX_SECTION_TEXT)


def link_url(url: str) -> str:
    """A URL inside <url|label>: nothing in it may close the link or start a label."""
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")


def review_line(r: ReviewItem, timezone: str) -> str:
    title = fit(one_line(r.description), TITLE_CHARS)
    if r.outcome is None:
        return texts.REVIEW_LINE.format(ref=fit(r.ref, 40), title=title, owners=owners_text(r.owners),
                                        due=format_long(r.due))
    comment = f": _{fit(one_line(r.comment), REASON_CHARS)}_" if r.comment else ""
    when = format_long(_local_day(r.answered_at, timezone)) if r.answered_at else "?"
    return texts.REVIEW_ANSWER_LINE.format(ref=fit(r.ref, 40), title=title, outcome=REVIEW_WORDS[r.outcome],
                                           when=when, who=mention(r.answered_by or ""), comment=comment)


def reviews_text(reviews: Sequence[ReviewItem], timezone: str) -> str:
    return shorten(f"*{HEADING_REVIEWS}*\n" + "\n".join(review_line(r, timezone) for r in reviews[:10]),
                   MAX_SECTION_TEXT)


def _pack(lines: Iterable[str], room: int, *, content: int,
          limit: int = MAX_SECTION_TEXT) -> tuple[list[str], int]:
    """Pack lines into at most `room` section texts of at most `limit` characters each, and at
    most `content` characters in all; also says how many lines went in."""
    sections: list[str] = []
    used = total = 0
    for given in lines:
        line = shorten(given, limit)
        total += len(line) + 1
        if total > content:
            break
        if sections and len(sections[-1]) + 1 + len(line) <= limit:
            sections[-1] += "\n" + line
        elif len(sections) < room:
            sections.append(line)
        else:
            break
        used += 1
    return sections, used


def _local_day(at: datetime, timezone: str) -> date:
    return at.astimezone(ZoneInfo(timezone)).date()


def _local(at: datetime, timezone: str) -> str:
    local = at.astimezone(ZoneInfo(timezone))
    return f"{format_long(local.date())} {local:%H:%M}"


def _date_value(value: str | None) -> str:
    if not value:
        return "none"
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return escape(value)


def _status_value(value: str | None) -> str:
    try:
        return ActionStatus(value or "").label.lower()
    except ValueError:
        return escape(value or "none")


def event_line(event: EventView, timezone: str) -> str:
    what = {
        EventKind.COMPLETED: "marked it complete",
        EventKind.REOPENED: "reopened it",
        EventKind.REVISED: f"moved the due date from {_date_value(event.old_value)} to {_date_value(event.new_value)}",
        EventKind.NOTE: "added an update",
        EventKind.STATUS: (
            f"changed the status from {_status_value(event.old_value)} to {_status_value(event.new_value)}"
        ),
        EventKind.IMPORTED: "imported it",
        EventKind.EVIDENCE_ADDED: (
            f"added evidence <{link_url(event.new_value or '')}|{fit(event.new_value or '', 200)}>"),
        EventKind.EVIDENCE_REMOVED: f"took evidence off ({fit(event.old_value or '', 200)})",
        EventKind.BLOCKED: "marked it blocked on others",
        EventKind.UNBLOCKED: "marked it no longer blocked",
        EventKind.MOVED_TO_BAU: f"moved it to business as usual: {fit(event.new_value or '', 300)}",
        EventKind.REVIEW_SCHEDULED: f"scheduled its effectiveness review for {_date_value(event.new_value)}",
        EventKind.REVIEW_ANSWERED: (
            "answered its effectiveness review: "
            + ("embedded" if event.new_value == "embedded" else "not embedded yet")),
        EventKind.OWNERS: (
            f"changed the owners from {fit(event.old_value or 'none', 300)} to {fit(event.new_value or 'none', 300)}"
        ),
    }.get(event.kind)
    if what is None:
        what = fit(event.kind.replace("_", " "), 60)
        if event.old_value or event.new_value:
            what += f": {fit(event.old_value or 'none', 300)} → {fit(event.new_value or 'none', 300)}"
    line = f"• {_local(event.at, timezone)} · {mention(event.actor)} {what}"
    if event.reason:
        line += f": _{fit(one_line(event.reason), 1200)}_"
    return line


def slippage_message(data: Slippage, view: ViewSpec, *, shareable: bool = True) -> Message:
    """`/plan slippage`: baseline against current dates, most slipped first, a page at a time."""
    plan = data.plan
    line = slippage_line(data.total, data.on_baseline, data.percent_on_baseline, data.total_days, data.median_days)
    blocks: list[Block] = [header_block(texts.SLIPPAGE_TITLE.format(title=one_line(plan.title))),
                           section_block(escape(line))]
    page = Page(view.offset, LIST_PAGE_SIZE, len(data.slips))
    shown = data.slips[view.offset:view.offset + LIST_PAGE_SIZE]
    context = [texts.AS_OF.format(plan=escape(plan.key), date=format_long(data.today))]
    if page_line := showing(page, len(shown), "action"):
        context.append(page_line)
    blocks.append(context_block(" · ".join(context)))
    if not data.slips:
        blocks.append(section_block(texts.SLIPPAGE_NONE.format(plan=escape(plan.key))))
    for item in shown:
        a = item.action
        standing = (days_late(a.days_late) if a.days_late else days_until(a, data.today) if a.is_open
                    else a.status.label.lower())
        dates = f"{format_date(a.original_due)} → {format_date(a.due)}"
        text = (f"{RAG_EMOJI[a.rag]} *{fit(a.ref, 40)}* {fit(one_line(a.description), TITLE_CHARS)}\n"
                f"{dates} · {slip(item.days, item.revisions)} · {standing}")
        if item.reasons:
            text += "\n" + texts.SLIPPAGE_REASONS.format(
                reasons=fit(one_line("; ".join(item.reasons)), REASON_CHARS * 2))
        blocks.append(section_block(text))
        blocks.append(action_buttons(a, view))
    blocks += nav_row(view, page, shareable=shareable)
    fallback = texts.SLIPPAGE_FALLBACK.format(plan=plan.key, line=line)
    return Message(text=shorten(fallback, MAX_FALLBACK_TEXT), blocks=blocks)


def help_message(intro: str | None = None) -> Message:
    blocks: list[Block] = [header_block(texts.HELP_TITLE)]
    if intro:
        blocks.append(section_block(intro))
    blocks.append(section_block(texts.HELP_INTRO))
    lines = [f"{usage}  {what}\n      e.g. `{example}`" for usage, what, example in texts.HELP_COMMANDS]
    blocks.append(section_block("\n".join(lines)))
    blocks.append(section_block(texts.HELP_ADMIN))
    blocks.append(context_block(texts.HELP_DATES))
    text = intro.replace("*", "") + " " + texts.HELP_FALLBACK if intro else texts.HELP_FALLBACK
    return Message(text=text, blocks=blocks)


def change_message(notice_text: str, action: ActionView, view: ViewSpec) -> Message:
    """The reply to a change: what happened, and the action as it now stands, with its buttons."""
    return Message(text=notice_text.replace("*", ""), blocks=[
        section_block(notice_text),
        section_block(action_line(action)),
        action_buttons(action, view),
    ])


def notice(text: str) -> Message:
    """A one-line reply (a confirmation or a refusal)."""
    return Message(text=text, blocks=[section_block(text)])


REVIEWS_SHOWN = 15  # due now: two blocks each


def review_buttons(action_id: int, view: ViewSpec) -> ActionsBlock:
    """Yes / Not yet under an action whose review is due. The value names the action (a review is
    not versioned: 1); who answers comes from the signed payload."""
    value = ActionButton(action_id=action_id, version=1, view=view).model_dump_json(exclude_defaults=True)
    return ActionsBlock(block_id=f"review.{action_id}", elements=[
        button(texts.REVIEW_YES, ActionId.REVIEW_YES, value, style="primary"),
        button(texts.REVIEW_NOT_YET, ActionId.REVIEW_NOT_YET, value),
    ])


def review_blocks(due: Sequence[ReviewItem], view: ViewSpec, room: int) -> list[Block]:
    """The reviews due now, each with its buttons, within `room` blocks."""
    shown: list[Block] = []
    for number, review in enumerate(due):
        if len(shown) + 3 > room:
            shown.append(context_block(texts.REVIEWS_MORE.format(count=len(due) - number)))
            break
        shown += [section_block(review_line(review, "UTC")), review_buttons(review.action_id, view)]
    return shown


def reviews_message(plan: PlanView, today: date, reviews: Sequence[ReviewItem], view: ViewSpec, *,
                    shareable: bool = True) -> Message:
    """`/plan reviews`: what is due now (with Yes / Not yet), then what is scheduled and what was answered."""
    due = [r for r in reviews if r.waiting and r.due <= today]
    later = [r for r in reviews if r.waiting and r.due > today]
    answered = [r for r in reviews if not r.waiting]
    shown: list[Block] = [header_block(texts.REVIEWS_TITLE.format(title=one_line(plan.title))),
                          context_block(texts.AS_OF.format(plan=escape(plan.key), date=format_long(today))
                                        + (f" · {texts.PLAN_CLOSED}" if plan.closed else ""))]
    if not reviews:
        shown.append(section_block(texts.REVIEWS_NONE.format(plan=escape(plan.key))))
    if due:
        shown.append(section_block(texts.REVIEWS_DUE.format(count=len(due))))
        shown += review_blocks(due, view, 2 * REVIEWS_SHOWN + 1)
    for heading, items in ((texts.REVIEWS_LATER, later), (texts.REVIEWS_ANSWERED, answered)):
        if items:
            lines = [review_line(r, plan.timezone) for r in items]
            sections, used = _pack(lines, 3, content=4000)
            shown.append(section_block(heading))
            shown += [section_block(s) for s in sections]
            if used < len(lines):
                shown.append(context_block(texts.REVIEWS_MORE.format(count=len(lines) - used)))
    shown += nav_row(view, None, shareable=shareable)
    return Message(text=fallback(texts.REVIEWS_FALLBACK, plan=plan.key, due=len(due)), blocks=shown)
