"""The summary laid out once: its sections, their headings, lists and tables, and the words.

Every rendering draws this outline and adds only its own markup: Markdown and plain text
(`bot.plan.summary_text`), Block Kit (`bot.slack.summary_blocks`), a board paper next. Which
items a section lists, in what order, under which heading and in what words is decided here
and nowhere else.

Nodes carry data rather than markup, so that each rendering can do its own: an action is its
ref, description and RAG (for an emoji or a colour); a person is the audit trail's actor (for
a Slack mention or a name); what someone wrote is marked as theirs (to escape, quote or set
in italics); a table is its columns and rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from bot.plan.dates import format_date
from bot.plan.phrases import RAG_WORDS, change, day_in, days_late, due_date, owners
from bot.plan.queries import ActionView
from bot.plan.rules import Rag
from bot.plan.summary import Summary, rag_key

HEADING_STANDING: Final = "Where the plan stands"
HEADING_EXCEPTIONS: Final = "Exceptions: overdue actions"
HEADING_DUE_SOON: Final = "Due in the next {days} days"
HEADING_RECOMMENDATIONS: Final = "Recommendation by recommendation"
NO_EXCEPTIONS: Final = "No action is overdue."
NO_DUE_SOON: Final = "Nothing is due in the next {days} days."
NO_CHANGES: Final = "No action was completed, became overdue or had its date revised."
FIRST_SUMMARY: Final = "This is the first summary of this plan, so there are no earlier figures to compare with."
# Between an action (ref and description) and what is said about it.
DASH: Final = " — "


class Part(StrEnum):
    """The sections of a summary, in order."""

    STANDING = "standing"
    CHANGES = "changes"
    EXCEPTIONS = "exceptions"
    DUE_SOON = "due_soon"
    RECOMMENDATIONS = "recommendations"
    FOOTER = "footer"


@dataclass(frozen=True)
class Person:
    """Someone in the audit trail: a Slack user id, or `cli:name` for the command line."""

    actor: str


@dataclass(frozen=True)
class Words:
    """What someone wrote (a note, a reason); `quoted` when it runs on inside a sentence."""

    text: str
    quoted: bool = False


Span = str | Person | Words
Run = tuple[Span, ...]


@dataclass(frozen=True)
class ActionRef:
    ref: str
    description: str
    rag: Rag


class Tone(StrEnum):
    PLAIN = "plain"
    STRONG = "strong"
    NOTE = "note"  # small print: the key, the footer, a remark beside the figures


@dataclass(frozen=True)
class Para:
    text: Run
    tone: Tone = Tone.PLAIN


@dataclass(frozen=True)
class Heading:
    """A heading inside a section (a section's own heading is `Section.heading`)."""

    text: str


@dataclass(frozen=True)
class Item:
    """A line of a list; when it is about an action, `text` follows the action's ref and
    description (after `DASH`)."""

    text: Run
    action: ActionRef | None = None


class Change(StrEnum):
    COMPLETED = "completed"
    OVERDUE = "overdue"
    REVISED = "revised"


@dataclass(frozen=True)
class Changes:
    """The actions that changed in one way, as a list under its own heading. `lead` is how an
    item starts when a rendering runs the lists together without their headings."""

    kind: Change
    heading: str
    lead: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Entry:
    """An action under a heading of its own, with the facts about it as a list."""

    action: ActionRef
    text: Run  # in the heading, after the action's ref and description
    details: tuple[Run, ...]


@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    change: str | None  # since the last summary; None when there is none to compare with
    rag: Rag | None = None


@dataclass(frozen=True)
class Figures:
    """The count of each RAG colour and the total, as a table; `complete` is the share done."""

    headers: tuple[str, ...]
    rows: tuple[Figure, ...]
    complete: Figure


@dataclass(frozen=True)
class ActionRow:
    action: ActionRef
    cells: tuple[str, ...]  # one for each of the table's `columns`


@dataclass(frozen=True)
class ActionTable:
    """Actions, a row each: the ref and description, then `columns`, then the RAG if `with_rag`."""

    columns: tuple[str, ...]
    rows: tuple[ActionRow, ...]
    with_rag: bool = False

    @property
    def headers(self) -> tuple[str, ...]:
        return ("Ref", "Action", *self.columns, *(("RAG",) if self.with_rag else ()))

    def cells(self, row: ActionRow) -> tuple[str, ...]:
        return (row.action.ref, row.action.description, *row.cells,
                *((row.action.rag.label,) if self.with_rag else ()))


@dataclass(frozen=True)
class Rule:
    pass


Node = Para | Heading | Changes | Entry | Figures | ActionTable | Rule


@dataclass(frozen=True)
class Section:
    part: Part
    heading: str | None
    body: tuple[Node, ...]
    count: int | None = None  # how many things it lists, for a rendering that shows it by the heading


@dataclass(frozen=True)
class Outline:
    title: str
    headline: str
    progress: str
    sections: tuple[Section, ...]

    def section(self, part: Part) -> Section:
        return next(s for s in self.sections if s.part == part)


def _ref(a: ActionView) -> ActionRef:
    return ActionRef(a.ref, a.description, a.rag)


def _standing(s: Summary) -> Section:
    f, before = s.figures, (s.previous.figures if s.previous else None)
    rows = tuple(Figure(RAG_WORDS[c], str(f.of(c)), change(f.of(c), before.of(c)) if before else None, c)
                 for c in (Rag.RED, Rag.AMBER, Rag.GREEN))
    rows += (Figure("Total", str(f.total), change(f.total, before.total) if before else None),)
    moved = f"{change(f.percent_complete, before.percent_complete)} points" if before else None
    headers = ("RAG", "Actions") + ((f"Change since {s.previous.period.label}",) if before and s.previous else ())
    body: list[Node] = [Figures(headers, rows, Figure("Complete", f"{f.percent_complete}% of {f.total}", moved)),
                        Para((s.progress(),))]
    if s.previous is None:
        body.append(Para((FIRST_SUMMARY,), Tone.NOTE))
    return Section(Part.STANDING, HEADING_STANDING, tuple(body))


def _changes(s: Summary) -> Section:
    tz = s.plan.timezone
    heading = f"What changed {s.since_phrase()}"
    if not s.has_changes:
        return Section(Part.CHANGES, heading, (Para((NO_CHANGES,)),))
    body: list[Node] = []
    if s.completed:
        items = tuple(Item(("by ", Person(c.actor), " on ", day_in(c.at, tz),
                            *((DASH, Words(c.note, quoted=True)) if c.note else ())), _ref(c.action))
                      for c in s.completed)
        body.append(Changes(Change.COMPLETED, f"Completed ({len(items)})", "completed", items))
    if s.newly_overdue:
        items = tuple(Item((f"due {format_date(a.due)}, {days_late(a.days_late)}",), _ref(a))
                      for a in s.newly_overdue)
        body.append(Changes(Change.OVERDUE, f"Newly overdue ({len(items)})", "became overdue:", items))
    if s.revised:
        revised = []
        for r in s.revised:
            dates = f"from {format_date(r.old_due) if r.old_due else '?'} to " + (
                format_date(r.new_due) if r.new_due else "?")
            reason = (DASH, Words(r.reason, quoted=True)) if r.reason else ()
            revised.append(Item((dates, *reason, DASH, "by ", Person(r.actor), " on ", day_in(r.at, tz)),
                                _ref(r.action)))
        body.append(Changes(Change.REVISED, f"Dates revised ({len(revised)})", "date revised", tuple(revised)))
    return Section(Part.CHANGES, heading, tuple(body))


def _exceptions(s: Summary) -> Section:
    if not s.exceptions:
        return Section(Part.EXCEPTIONS, HEADING_EXCEPTIONS, (Para((NO_EXCEPTIONS,)),))
    body: list[Node] = []
    for item in s.exceptions:
        a = item.action
        details: list[Run] = [(f"Owners: {owners(a.owners)}",), (f"Original date: {format_date(a.original_due)}",)]
        if a.revised_due:
            details.append((f"Revised date: {format_date(a.revised_due)}",))
        reason: Span = Words(item.latest_reason) if item.latest_reason else "none given"
        details.append(("Latest reason: ", reason))
        body.append(Entry(_ref(a), (days_late(a.days_late),), tuple(details)))
    return Section(Part.EXCEPTIONS, HEADING_EXCEPTIONS, tuple(body), count=len(s.exceptions))


def _due_soon(s: Summary) -> Section:
    heading = HEADING_DUE_SOON.format(days=s.due_soon_days)
    if not s.due_soon:
        return Section(Part.DUE_SOON, heading, (Para((NO_DUE_SOON.format(days=s.due_soon_days),)),))
    rows = tuple(ActionRow(_ref(a), (owners(a.owners), due_date(a), a.status.label)) for a in s.due_soon)
    return Section(Part.DUE_SOON, heading, (ActionTable(("Owners", "Due", "Status"), rows),), count=len(rows))


def _recommendations(s: Summary) -> Section:
    body: list[Node] = []
    for rec in s.recommendations:
        body.append(Heading(f"{rec.number}) {rec.text}" if rec.text else f"Recommendation {rec.number}"))
        rows = tuple(ActionRow(_ref(a), (owners(a.owners), due_date(a), a.status.label)) for a in rec.actions)
        body.append(ActionTable(("Owners", "Due", "Status"), rows, with_rag=True))
    return Section(Part.RECOMMENDATIONS, HEADING_RECOMMENDATIONS, tuple(body))


def _footer(s: Summary) -> Section:
    return Section(Part.FOOTER, None, (Rule(), Para((rag_key(),), Tone.NOTE), Para((s.footer(),), Tone.NOTE)))


def outline(s: Summary) -> Outline:
    """The summary's outline: what every rendering of it says, in order."""
    sections = (_standing(s), _changes(s), _exceptions(s), _due_soon(s), _recommendations(s), _footer(s))
    return Outline(title=s.title, headline=s.headline, progress=s.progress(), sections=sections)

