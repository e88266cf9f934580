"""The summary in Block Kit: `bot.plan.outline` drawn as Slack messages, and the replies around
it (the `/plan summary` preview, `/plan schedule`, what happened to a post).

A summary is one main message that carries the report itself and, when the plan is too big
for one message, replies in its thread with the detail (exceptions, recommendation tables).
Every message stays under Slack's limits (50 blocks, 3,000 characters a section) and under
a total size well below where Slack refuses a message as too long.

What the summary says comes from the outline; this module does only Slack's part: escaping,
mentions, emoji, and packing the outline into sections, messages and a thread.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.plan.errors import InvalidInput
from bot.plan.outline import (
    DASH,
    ActionRef,
    ActionTable,
    Change,
    Changes,
    Figure,
    Figures,
    Heading,
    Para,
    Part,
    Person,
    RecommendationExceptions,
    Rule,
    Run,
    Section,
    Tone,
    Words,
    outline,
)
from bot.plan.phrases import day_in
from bot.plan.publishing import ScheduleInfo, format_slot
from bot.plan.summary import Summary, period_from_key
from bot.plan.summary_text import run_text
from bot.scheduler import Outcome
from bot.slack import texts
from bot.slack.blocks import (
    MAX_BLOCKS,
    RAG_EMOJI,
    Message,
    button,
    content_chars,
    escape,
    fallback,
    fit,
    header_block,
    mention,
    section_block,
    shorten,
)
from bot.slack.ids import ActionId, ViewSpec

SECTION_BUDGET: Final = 2900  # characters in a section's text; Slack allows 3,000
MESSAGE_BUDGET: Final = 11_000  # characters of text in a message; Slack refuses some near 13,000
REPLY_BLOCKS: Final = 48
PREVIEW_BLOCKS: Final = 2  # what a preview adds below the summary: a note and the button
MAIN_ITEMS: Final = 8  # items of each list the main message shows when the detail is in the thread
HEADING_CHARS: Final = 400
SHORT_ITEM_CHARS: Final = 250  # an item in the main message, when the whole of it is in the thread
CONFIRM_TEXT_CHARS: Final = 300
CONTEXT_ELEMENTS: Final = 10
# A change is marked by what happened to it; one that became overdue by its (red) RAG.
CHANGE_EMOJI: Final = {Change.COMPLETED: "✅", Change.REVISED: "📅"}
# Slack's headings are only bold text: a divider marks where the report turns from the
# figures to what changed, and from there to the detail.
DIVIDED: Final = frozenset({Part.CHANGES, Part.RECOMMENDATIONS})
# The sections the main message shortens when the whole summary does not fit one message.
SHORTENED: Final = (Part.CHANGES, Part.EXCEPTIONS, Part.SLIPPAGE, Part.DUE_SOON)
IN_THE_THREAD: Final = {
    Part.CHANGES: texts.SUMMARY_THREAD_CHANGES,
    Part.EXCEPTIONS: texts.SUMMARY_THREAD_EXCEPTIONS,
    Part.SLIPPAGE: texts.SUMMARY_THREAD_SLIPPAGE,
    Part.DUE_SOON: texts.SUMMARY_THREAD_DUE_SOON,
}


def mrkdwn(run: Run) -> str:
    """A run of the outline in mrkdwn: people mentioned, their own words in italics, all escaped."""
    out: list[str] = []
    for span in run:
        match span:
            case Person(actor):
                out.append(mention(actor))
            case Words(text, _):
                out.append(f"_{escape(text)}_")
            case str():
                out.append(escape(span))
    return "".join(out)


def _action(action: ActionRef, icon: str | None = None) -> str:
    return f"{icon or RAG_EMOJI[action.rag]} *{escape(action.ref)}* {escape(action.description)}"


def _figure(figure: Figure) -> MarkdownTextObject:
    icon = f"{RAG_EMOJI[figure.rag]} " if figure.rag else ""
    moved = f" ({figure.change})" if figure.change is not None else ""
    return MarkdownTextObject(text=f"{icon}*{escape(figure.label)}*\n{escape(figure.value)}{moved}")


@dataclass(frozen=True)
class _Group:
    """A heading (mrkdwn, or none) and its items, packed into as many sections as they need."""

    heading: str | None
    items: tuple[str, ...]


_Piece = _Group | Block


class _Layout:
    """Collects a section's pieces: items gather under the heading before them, notes into
    context blocks, figures into a section's fields."""

    def __init__(self) -> None:
        self.pieces: list[_Piece] = []
        self.heading: str | None = None
        self.items: list[str] = []
        self.notes: list[str] = []
        self.open = False

    def start(self, heading: str) -> None:
        self._close()
        self.heading, self.open = heading, True

    def item(self, text: str) -> None:
        self._close_notes()
        self.items.append(text)
        self.open = True

    def note(self, text: str) -> None:
        self._close_group()
        if len(self.notes) == CONTEXT_ELEMENTS:
            self._close_notes()
        self.notes.append(text)

    def fields(self, fields: list[MarkdownTextObject]) -> None:
        self._close_notes()
        heading = self.heading if self.open and not self.items else None
        if heading is None:
            self._close_group()
        self.heading, self.items, self.open = None, [], False
        text = MarkdownTextObject(text=f"*{heading}*") if heading else None
        self.pieces.append(SectionBlock(text=text, fields=fields))

    def block(self, block: Block) -> None:
        self._close()
        self.pieces.append(block)

    def done(self) -> list[_Piece]:
        self._close()
        return self.pieces

    def _close(self) -> None:
        self._close_group()
        self._close_notes()

    def _close_group(self) -> None:
        if self.open:
            self.pieces.append(_Group(self.heading, tuple(self.items)))
        self.heading, self.items, self.open = None, [], False

    def _close_notes(self) -> None:
        if self.notes:
            self.pieces.append(ContextBlock(elements=[MarkdownTextObject(text=n) for n in self.notes]))
        self.notes = []


def _lay_out_changes(layout: _Layout, changes: Changes) -> None:
    icon = CHANGE_EMOJI.get(changes.kind)
    for item in changes.items:
        about = f"{_action(item.action, icon)}{DASH}{escape(changes.lead)} " if item.action else ""
        layout.item(about + mrkdwn(item.text))


def _lay_out(section: Section) -> list[_Piece]:
    layout = _Layout()
    if section.heading is not None:
        count = f" ({section.count})" if section.count else ""
        layout.start(fit(section.heading, HEADING_CHARS) + count)
    for node in section.body:
        match node:
            case Para(text, Tone.NOTE):
                layout.note(mrkdwn(text))
            case Para(text, tone):
                layout.item(f"*{mrkdwn(text)}*" if tone == Tone.STRONG else mrkdwn(text))
            case Heading(text):
                layout.start(fit(text, HEADING_CHARS))
            case Changes():
                _lay_out_changes(layout, node)
            case RecommendationExceptions(_, _, heading, entries):
                layout.start(fit(heading, HEADING_CHARS))
                for entry in entries:
                    layout.item(f"{_action(entry.action)}{DASH}{escape(entry.lateness)}\n{mrkdwn(entry.text)}")
            case Figures(_, rows, complete):
                layout.fields([_figure(f) for f in rows if f.rag is not None] + [_figure(complete)])
            case ActionTable(_, rows, _):
                for row in rows:
                    layout.item(_action(row.action) + DASH + DASH.join(escape(cell) for cell in row.cells))
            case Rule():
                layout.block(DividerBlock())
    return layout.done()


def _sections(group: _Group) -> list[Block]:
    blocks: list[Block] = []
    first = f"*{group.heading}*" if group.heading is not None else ""
    lines, size = ([first] if first else []), len(first)
    for whole in group.items:
        item = shorten(whole, SECTION_BUDGET - len(first) - 20)
        if lines and size + 1 + len(item) > SECTION_BUDGET:
            blocks.append(section_block("\n".join(lines)))
            lines = [texts.SUMMARY_CONTINUED.format(heading=group.heading)] if group.heading is not None else []
            size = len(lines[0]) if lines else 0
        lines.append(item)
        size += 1 + len(item)
    blocks.append(section_block("\n".join(lines)))
    return blocks


def _blocks(pieces: Iterable[_Piece]) -> list[Block]:
    return [b for piece in pieces for b in (_sections(piece) if isinstance(piece, _Group) else [piece])]


def _shortened(pieces: list[_Piece], limit: int) -> tuple[list[_Piece], bool]:
    """The pieces with at most `limit` items in all (a section's lists together: the exceptions'
    are one a recommendation), each cut to its first line; the rest is said to be in the thread."""
    out: list[_Piece] = []
    left = limit
    hidden = 0
    for piece in pieces:
        if not isinstance(piece, _Group):
            out.append(piece)
            continue
        if left <= 0 and piece.items:
            hidden += len(piece.items)
            continue
        kept = piece.items[:left] if len(piece.items) > left else piece.items
        hidden += len(piece.items) - len(kept)
        left -= len(kept)
        out.append(_Group(piece.heading, kept))
    if not hidden:
        return pieces, False
    groups = [index for index, piece in enumerate(out) if isinstance(piece, _Group)]
    for index in groups:
        group = out[index]
        assert isinstance(group, _Group)
        short = tuple(shorten(item.split("\n")[0], SHORT_ITEM_CHARS) for item in group.items)
        more = (texts.SUMMARY_MORE.format(count=hidden),) if index == groups[-1] else ()
        out[index] = _Group(group.heading, (*short, *more))
    return out, True


def _size(blocks: Iterable[Block]) -> int:
    return content_chars(block.to_dict() for block in blocks)


def _pages(blocks: list[Block], max_blocks: int, budget: int) -> list[list[Block]]:
    pages: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        block_size = _size([block])
        if pages[-1] and (len(pages[-1]) >= max_blocks or size + block_size > budget):
            pages.append([])
            size = 0
        pages[-1].append(block)
        size += block_size
    return [page for page in pages if page]


def _and(parts: Sequence[str]) -> str:
    return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]


@dataclass(frozen=True)
class SlackSummary:
    main: Message
    replies: tuple[Message, ...]


def summary_messages(s: Summary) -> SlackSummary:
    """The main message and, for a plan too big for one message, the detail as thread replies."""
    doc = outline(s)
    text = fallback("{title}: {headline} {progress}", title=doc.title, headline=run_text(doc.headline),
                    progress=doc.progress)
    head: list[Block] = [header_block(doc.title), section_block(shorten(f"*{mrkdwn(doc.headline)}*", SECTION_BUDGET))]
    laid = {section.part: _lay_out(section) for section in doc.sections}

    def drawn(part: Part, pieces: list[_Piece] | None = None) -> list[Block]:
        return [*([DividerBlock()] if part in DIVIDED else []), *_blocks(laid[part] if pieces is None else pieces)]

    whole = [*head, *(b for part in Part for b in drawn(part))]
    if len(whole) <= MAX_BLOCKS - PREVIEW_BLOCKS and _size(whole) <= MESSAGE_BUDGET:
        return SlackSummary(Message(text, whole), ())

    main = [*head, *drawn(Part.STANDING)]
    detail: list[Block] = []
    parts: list[str] = []
    for part in SHORTENED:
        short, cut = _shortened(laid[part], MAIN_ITEMS)
        main += drawn(part, short)
        if cut:
            detail += _blocks(laid[part])
            parts.append(IN_THE_THREAD[part])
    recommendations = doc.section(Part.RECOMMENDATIONS)
    detail += _blocks(laid[Part.RECOMMENDATIONS])
    parts.append((recommendations.heading or "").lower())
    pages = _pages(detail, REPLY_BLOCKS, MESSAGE_BUDGET)
    main.append(ContextBlock(elements=[MarkdownTextObject(
        text=texts.SUMMARY_THREAD_NOTE.format(count=len(pages), parts=_and(parts)))]))
    main += drawn(Part.FOOTER)
    replies = tuple(Message(fallback(texts.SUMMARY_DETAIL_TEXT, title=doc.title, part=n, count=len(pages)), page)
                    for n, page in enumerate(pages, 1))
    return SlackSummary(Message(text, main), replies)


def preview_message(s: Summary, *, admin: bool, posted_to: str | None = None,
                    posted_at: datetime | None = None) -> Message:
    """The summary as a preview for one person: whether it went out already, or (for an admin)
    a "Post to channel" button."""
    rendered = summary_messages(s)
    plan, period = s.plan, s.period
    notes = [texts.SUMMARY_PREVIEW_NOTE]
    if rendered.replies:
        notes.append(texts.SUMMARY_PREVIEW_THREAD.format(count=len(rendered.replies)))
    post: Block | None = None
    if posted_at is not None:
        notes.append(texts.SUMMARY_PREVIEW_POSTED.format(period=period.label, channel=posted_to,
                                                          when=day_in(posted_at, plan.timezone)))
    elif admin:
        if plan.channel_id:
            value = ViewSpec(kind="summary", plan=plan.key, month=period.key).model_dump_json()
            confirm = ConfirmObject(
                title=PlainTextObject(text=texts.POST_CONFIRM_TITLE),
                text=PlainTextObject(text=shorten(texts.POST_CONFIRM_TEXT.format(
                    period=period.label, plan=plan.key, channel=plan.channel_id), CONFIRM_TEXT_CHARS)),
                confirm=PlainTextObject(text=texts.POST_CONFIRM_YES),
                deny=PlainTextObject(text=texts.POST_CONFIRM_NO))
            post = ActionsBlock(elements=[button(texts.POST_TO_CHANNEL, ActionId.POST_SUMMARY, value,
                                                 style="primary", confirm=confirm)])
        else:
            notes.append(texts.SUMMARY_PREVIEW_NO_CHANNEL.format(plan=plan.key))
    blocks: list[Block] = [*rendered.main.blocks,
                           ContextBlock(elements=[MarkdownTextObject(text=note) for note in notes])]
    if post is not None:
        blocks.append(post)
    return Message(fallback(texts.SUMMARY_PREVIEW_TEXT, title=s.title), blocks)


def outcome_text(outcome: Outcome, tz: str, link: str | None = None) -> str:
    """What happened when someone asked for a summary to be posted."""
    period, plan, channel = outcome.period.label, outcome.plan_key, outcome.channel_id
    if outcome.kind in ("posted", "recovered"):
        paper = texts.SUMMARY_PAPER_REFUSED.format(error=outcome.attach_error) if outcome.attach_error else ""
        if link:
            return texts.SUMMARY_POSTED_LINK.format(period=period, plan=plan, channel=channel, link=link) + paper
        return texts.SUMMARY_POSTED.format(period=period, plan=plan, channel=channel) + paper
    if outcome.kind == "already_posted":
        when = day_in(outcome.posted_at, tz) if outcome.posted_at else "?"
        return texts.SUMMARY_ALREADY_POSTED.format(period=period, plan=plan, channel=channel, when=when)
    if outcome.kind == "busy":
        return texts.SUMMARY_BUSY.format(period=period, plan=plan)
    if outcome.kind == "lost":
        return texts.SUMMARY_LOST.format(period=period, plan=plan, channel=channel)
    return texts.SUMMARY_FAILED.format(period=period, plan=plan, error=outcome.error or "unknown error")


def schedule_message(info: ScheduleInfo, changed: bool | None = None) -> Message:
    """When and where a plan's summaries go, and (after a change) whether anything changed."""
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
        lines.append(texts.SCHEDULE_LAST.format(period=label, when=day_in(info.last_post.posted_at, tz)))
    text = "\n".join(lines)
    return Message(text, [section_block(text)])
