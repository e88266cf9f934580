"""The summary laid out once: its sections, their headings, lists and tables, and the words.

Every rendering draws this outline and adds only its own markup: Markdown and plain text
(`bot.plan.summary_text`), Block Kit (`bot.slack.summary_blocks`), the board paper
(`bot.plan.paper`, written by `bot.paper`). Which items a section lists, in what order, under
which heading and in what words is decided here and nowhere else.

Nodes carry data rather than markup, so that each rendering can do its own: an action is its
ref, description and RAG (for an emoji or a colour); a person is the audit trail's actor (for
a Slack mention or a name); what someone wrote is marked as theirs (to escape, quote or set
in italics); a table is its columns and rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final

from bot.plan.dates import format_date, format_full
from bot.plan.phrases import (
    RAG_WORDS,
    and_list,
    blocked_line,
    change,
    clip,
    day_in,
    days_late,
    due_date,
    lateness,
    owners,
    plural,
    slippage_line,
    times,
)
from bot.plan.queries import ActionView, RagCounts
from bot.plan.reviews import ReviewItem
from bot.plan.rules import Rag
from bot.plan.slippage import Slippage
from bot.plan.summary import ExceptionGroup, ExceptionItem, Summary, rag_key
from storage.kinds import ReviewOutcome

HEADING_STANDING: Final = "Where the plan stands"
HEADING_EXCEPTIONS: Final = "Exceptions: actions overdue or past their original date"
HEADING_SLIPPAGE: Final = "Baseline and slippage"
HEADING_DUE_SOON: Final = "Due in the next {days} days"
HEADING_RECOMMENDATIONS: Final = "Recommendation by recommendation"
HEADING_BLOCKED: Final = "Blocked on others"
HEADING_BAU: Final = "Moved to business as usual"
HEADING_REVIEWS: Final = "Effectiveness reviews"
REVIEW_WORDS: Final = {ReviewOutcome.EMBEDDED: "embedded (verified)", ReviewOutcome.NOT_YET: "not embedded yet"}
NO_EXCEPTIONS: Final = "No action is overdue or has slipped past its original date."
# How much of a recommendation's text the executive sentence names it by.
RECOMMENDATION_IN_A_SENTENCE: Final = 80
# Up to this many recommendations the executive sentence names with their text, then by number.
NAMED_WITH_TEXT: Final = 3
NAMED_BY_NUMBER: Final = 10
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
    SLIPPAGE = "slippage"
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
    """A heading inside a section (a section's own heading is `Section.heading`); `number` is the
    recommendation it introduces, if it introduces one."""

    text: str
    number: int | None = None


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
    BLOCKED = "blocked"  # where the plan stands: waiting on others
    BAU = "bau"  # moved to business as usual
    REVIEWS = "reviews"  # effectiveness reviews


@dataclass(frozen=True)
class Changes:
    """The actions that changed in one way, as a list under its own heading. `lead` is how an
    item starts when a rendering runs the lists together without their headings."""

    kind: Change
    heading: str
    lead: str
    items: tuple[Item, ...]


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
class ExceptionEntry:
    """An exception as a board reads it: the facts (for a rendering that lays them out its own
    way) and the same facts as a paragraph to read aloud."""

    action: ActionRef
    owners: tuple[str, ...]
    original_due: date
    revised_due: date | None
    revisions: int
    days_past_baseline: int
    days_late: int
    reason: str | None
    lateness: str  # after the action's ref and description: "62 days past its original date (…); …"
    text: Run


@dataclass(frozen=True)
class RecommendationExceptions:
    """The exceptions under one recommendation, which the board reads them under."""

    number: int
    text: str
    heading: str
    entries: tuple[ExceptionEntry, ...]


@dataclass(frozen=True)
class Rule:
    pass


Node = Para | Heading | Changes | Figures | ActionTable | RecommendationExceptions | Rule


class ClosurePart(StrEnum):
    """The sections of a closure report (`bot.plan.closure_report`), in order."""

    PERIOD = "period"
    DELIVERED = "delivered"
    MOVED = "moved"
    SLIPPAGE = "slippage"
    REVIEWS = "reviews"
    FOOTER = "footer"


@dataclass(frozen=True)
class Section:
    part: Part | ClosurePart
    heading: str | None
    body: tuple[Node, ...]
    count: int | None = None  # how many things it lists, for a rendering that shows it by the heading


@dataclass(frozen=True)
class Outline:
    title: str
    headline: Run  # the executive summary, one sentence
    progress: str
    sections: tuple[Section, ...]

    def section(self, part: Part | ClosurePart) -> Section:
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
    if f.bau:
        rows = (*rows[:3], Figure(RAG_WORDS[Rag.BAU], str(f.bau), change(f.bau, before.bau) if before else None,
                                  Rag.BAU), rows[3])
    body: list[Node] = [Figures(headers, rows, Figure("Complete", f"{f.percent_complete}% of {f.total}", moved)),
                        Para((s.progress(),))]
    if s.previous is None:
        body.append(Para((FIRST_SUMMARY,), Tone.NOTE))
    body += closing_lists(s.blocked, s.moved_to_bau, s.reviews, s.plan.timezone)
    return Section(Part.STANDING, HEADING_STANDING, tuple(body))


def blocked_item(a: ActionView, timezone: str) -> Item:
    since = f", since {day_in(a.blocked_since, timezone)}" if a.blocked_since else ""
    return Item(("waiting on others", since, ": ", Words(a.blocked_reason or "", quoted=True)), _ref(a))


def bau_item(a: ActionView) -> Item:
    return Item(("now lives in ", Words(a.bau_where or "where it went was not recorded")), _ref(a))


def review_item(r: ReviewItem, timezone: str) -> Item:
    """1.1 Develop a communications plan — embedded (verified) on 3 Mar 2022 by U…: “…”"""
    ref = ActionRef(r.ref, r.description, Rag.GREEN)
    if r.outcome is None:
        return Item((f"review due {format_full(r.due)}; owners: {owners(r.owners) or 'none'}",), ref)
    answered = day_in(r.answered_at, timezone) if r.answered_at else "?"
    said = REVIEW_WORDS[r.outcome]
    comment: Run = (": ", Words(r.comment, quoted=True)) if r.comment else ()
    return Item((f"{said} on {answered} by ", Person(r.answered_by or ""), *comment), ref)


def closing_lists(blocked: tuple[ActionView, ...], moved: tuple[ActionView, ...], reviews: tuple[ReviewItem, ...],
                  timezone: str) -> list[Node]:
    """What is blocked on others, what moved to business as usual, and the effectiveness reviews:
    each a list of its own, and none when there is nothing to say."""
    body: list[Node] = []
    if blocked:
        body.append(Changes(Change.BLOCKED, f"{HEADING_BLOCKED} ({len(blocked)})", blocked_line(len(blocked)) + ":",
                            tuple(blocked_item(a, timezone) for a in blocked)))
    if moved:
        body.append(Changes(Change.BAU, f"{HEADING_BAU} ({len(moved)})", "moved to business as usual:",
                            tuple(bau_item(a) for a in moved)))
    if reviews:
        body.append(Changes(Change.REVIEWS, f"{HEADING_REVIEWS} ({len(reviews)})", "effectiveness reviews:",
                            tuple(review_item(r, timezone) for r in reviews)))
    return body


def _newly_overdue(a: ActionView, today: date) -> str:
    return lateness(a, today) if a.slipped else f"due {format_date(a.due)}, {days_late(a.days_late)}"


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
        items = tuple(Item((_newly_overdue(a, s.today),), _ref(a)) for a in s.newly_overdue)
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


def recommendation_heading(number: int, text: str) -> str:
    return f"Recommendation {number}: {text}" if text else f"Recommendation {number}"


def _sentence(text: str) -> str:
    """The text ending in a full stop, unless it ends in one (or ! or ?) already."""
    return text if text.rstrip().endswith((".", "!", "?")) else text + "."


def _exception_text(item: ExceptionItem, today: date) -> Run:
    """The paragraph a board member reads aloud about one exception."""
    a = item.action
    said: list[Span] = [_sentence(f"Owners: {owners(a.owners) or 'none'}") + " "]
    if a.slipped and a.revised_due is not None:
        said.append(f"Originally due {format_full(a.original_due)}, revised {times(max(1, item.revisions))}, "
                    f"to {format_full(a.revised_due)}. ")
        until = (a.due - today).days
        if a.days_past_baseline:
            against = (f"{plural(a.days_late, 'day')} past the revised one" if a.days_late
                       else "due today on the revised one" if until == 0
                       else f"due on the revised one in {plural(until, 'day')}")
            said.append(f"It is {plural(a.days_past_baseline, 'day')} past its original date and {against}. ")
        else:
            said.append(f"It has slipped {plural(a.days_slipped, 'day')}; the revised date is in "
                        f"{plural(until, 'day')}. ")
    else:
        said.append(f"Due {format_full(a.due)}; it is {days_late(a.days_late)}. ")
    if item.latest_reason:
        said += ["Latest reason: ", Words(item.latest_reason, quoted=True)]
        if _sentence(item.latest_reason) != item.latest_reason:
            said.append(".")
    else:
        said.append("No reason has been given.")
    return tuple(said)


def _exception_entry(item: ExceptionItem, today: date) -> ExceptionEntry:
    a = item.action
    return ExceptionEntry(_ref(a), a.owners, a.original_due, a.revised_due, item.revisions, a.days_past_baseline,
                          a.days_late, item.latest_reason, lateness(a, today), _exception_text(item, today))


def _exceptions(s: Summary) -> Section:
    if not s.exceptions:
        return Section(Part.EXCEPTIONS, HEADING_EXCEPTIONS, (Para((NO_EXCEPTIONS,)),))
    body: list[Node] = [
        RecommendationExceptions(g.number, g.text, recommendation_heading(g.number, g.text),
                                 tuple(_exception_entry(item, s.today) for item in g.items))
        for g in s.exception_groups
    ]
    return Section(Part.EXCEPTIONS, HEADING_EXCEPTIONS, tuple(body), count=len(s.exceptions))


def _slippage(s: Summary) -> Section:
    return slippage_section(s.slippage)


def slippage_section(sl: Slippage) -> Section:
    """Baseline against current dates: the one slippage section of a summary and a closure report."""
    body: list[Node] = [Para((slippage_line(sl.total, sl.on_baseline, sl.percent_on_baseline, sl.total_days,
                                            sl.median_days),))]
    if sl.slips:
        rows = tuple(ActionRow(_ref(slip.action), (
            format_date(slip.action.original_due), format_date(slip.action.due), plural(slip.days, "day"),
            times(slip.revisions), "; ".join(slip.reasons) or "none given")) for slip in sl.slips)
        body.append(ActionTable(("Original date", "Now due", "Slipped", "Revised", "Reasons given"), rows,
                                with_rag=True))
    return Section(Part.SLIPPAGE, HEADING_SLIPPAGE, tuple(body), count=len(sl.slips) or None)


def _named(group: ExceptionGroup) -> str:
    """Recommendation 1 (Provide further evidence for the enhancement of the sharing of…)"""
    return f"{group.number} ({clip(group.text, RECOMMENDATION_IN_A_SENTENCE)})" if group.text else str(group.number)


def _one_exception(item: ExceptionItem) -> Run:
    """1.1 is 61 days past its original date of 31 July 2021 (“…”); new completion date 30 September 2021"""
    a = item.action
    original = format_full(a.original_due)
    if a.slipped and a.days_past_baseline:
        what = f"{a.ref} is {plural(a.days_past_baseline, 'day')} past its original date of {original}"
    elif a.slipped:
        what = f"{a.ref} has moved from its original date of {original}"
    else:
        what = f"{a.ref} is {days_late(a.days_late)} (due {format_full(a.due)})"
    reason: Run = (" (", Words(item.latest_reason, quoted=True), ")") if item.latest_reason else (
        ", with no reason given",)
    if a.slipped and a.revised_due is not None:
        late = f" (now {days_late(a.days_late)})" if a.days_late else ""
        when = f"; new completion date {format_full(a.revised_due)}{late}"
    else:
        when = "; no new date has been set"
    return (what, *reason, when)


def _headline(s: Summary) -> Run:
    """The executive summary, one sentence in the board's voice: how many exceptions, under which
    recommendations, and for a single one its reason and new date."""
    f, items, groups = s.figures, s.exceptions, s.exception_groups
    if f.total == 0:
        return ("The plan has no actions yet.",)
    if not items:
        return (_no_exceptions(f),)
    others = f.total - len(items)
    if len(items) == 1:
        lead = ("All actions are complete or on track except one, under" if others
                else "The plan's one action is an exception, under")
        return (f"{lead} recommendation {_named(groups[0])}: ", *_one_exception(items[0]), ".")
    overdue = sum(1 for item in items if item.action.days_late)
    if overdue == len(items):
        what = f"{len(items)} of {f.total} actions are overdue"
    elif overdue == 0:
        what = f"{len(items)} of {f.total} actions have slipped past their original dates"
    else:
        what = (f"{len(items)} of {f.total} actions are exceptions, {overdue} overdue and {len(items) - overdue} "
                "revised to a later date")
    if not others:
        what = what.replace(f"{len(items)} of {f.total} actions", f"All {f.total} actions", 1)
        return (f"{what}, {_where(groups)}.",)
    return (f"{what}, {_where(groups)}; {_the_rest(others, f.green)}.",)


def _no_exceptions(f: RagCounts) -> str:
    if f.green == f.total:
        return "All actions are complete."
    if f.bau and f.green + f.bau == f.total:
        but = "one, which was" if f.bau == 1 else f"{f.bau}, which were"
        return f"Every action was delivered except {but} moved to business as usual."
    return "All actions are complete or on track."


def _where(groups: tuple[ExceptionGroup, ...]) -> str:
    if len(groups) == 1:
        return f"under recommendation {_named(groups[0])}"
    if len(groups) <= NAMED_WITH_TEXT:
        return "under recommendations " + and_list([_named(g) for g in groups])
    if len(groups) <= NAMED_BY_NUMBER:
        return f"under {len(groups)} recommendations ({and_list([str(g.number) for g in groups])})"
    return f"under {len(groups)} recommendations"


def _the_rest(others: int, green: int) -> str:
    """the other is complete; the other 8 are on track; of the other 3, 1 is complete and 2 on track."""
    amber = others - green
    if green and amber:
        return f"of the other {others}, {green} {'is' if green == 1 else 'are'} complete and {amber} on track"
    state = "complete" if green else "on track"
    return f"the other is {state}" if others == 1 else f"the other {others} are {state}"


def _due_soon(s: Summary) -> Section:
    heading = HEADING_DUE_SOON.format(days=s.due_soon_days)
    if not s.due_soon:
        return Section(Part.DUE_SOON, heading, (Para((NO_DUE_SOON.format(days=s.due_soon_days),)),))
    rows = tuple(ActionRow(_ref(a), (owners(a.owners), due_date(a), a.status.label)) for a in s.due_soon)
    return Section(Part.DUE_SOON, heading, (ActionTable(("Owners", "Due", "Status"), rows),), count=len(rows))


def _recommendations(s: Summary) -> Section:
    body: list[Node] = []
    for rec in s.recommendations:
        body.append(Heading(f"{rec.number}) {rec.text}" if rec.text else f"Recommendation {rec.number}", rec.number))
        rows = tuple(ActionRow(_ref(a), (owners(a.owners), due_date(a), status_cell(a, s.evidence.get(a.id, 0))))
                     for a in rec.actions)
        body.append(ActionTable(("Owners", "Due", "Status"), rows, with_rag=True))
    return Section(Part.RECOMMENDATIONS, HEADING_RECOMMENDATIONS, tuple(body))


def status_cell(a: ActionView, evidence: int) -> str:
    """Complete · 2 evidence items · blocked on others"""
    cell = a.status.label
    if evidence:
        cell += f" · {plural(evidence, 'evidence item')}"
    if a.blocked:
        cell += " · blocked on others"
    return cell


def _footer(s: Summary) -> Section:
    return Section(Part.FOOTER, None, (Rule(), Para((rag_key(),), Tone.NOTE), Para((s.footer(),), Tone.NOTE)))


def outline(s: Summary) -> Outline:
    """The summary's outline: what every rendering of it says, in order."""
    sections = (_standing(s), _changes(s), _exceptions(s), _slippage(s), _due_soon(s), _recommendations(s),
                _footer(s))
    return Outline(title=s.title, headline=_headline(s), progress=s.progress(), sections=sections)

