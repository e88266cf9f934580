"""Reading an action plan from a spreadsheet, with the headings people already use.

A file is first decoded into rows of cell text (CSV here; Excel workbooks in bot/plan/workbook.py),
and every format's rows are then read by the one `read_plan_records`. A file with any bad row is
refused whole: every problem is collected, by spreadsheet row number (the heading row is row 1),
before `SheetRefused` is raised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as default
from datetime import date

from bot.plan.dates import DateError, parse_date
from bot.plan.rules import ActionStatus, Rag
from bot.plan.storable import UNSTORABLE

# The headings an export writes; reading accepts these and the aliases in _HEADING_ALIASES.
HEADINGS: tuple[str, ...] = (
    "Recommendation",
    "Ref",
    "Actions",
    "Owner",
    "Delivery Date",
    "Revised Date",
    "Reason",
    "Status",
    "Notes",
    "Completed",
)
REQUIRED_HEADINGS: tuple[str, ...] = ("Recommendation", "Actions", "Owner", "Delivery Date")

# Status words, matched case-insensitively with "-" and "_" read as spaces: the status each
# means and, for the words boards use as a RAG ("Overdue", "Red", "On track"), the colour the
# file claims. planbot derives RAG from the dates; a claimed colour that disagrees is warned about.
STATUS_WORDS: dict[str, tuple[ActionStatus, Rag | None]] = {
    "complete": (ActionStatus.COMPLETE, Rag.GREEN),
    "completed": (ActionStatus.COMPLETE, Rag.GREEN),
    "done": (ActionStatus.COMPLETE, Rag.GREEN),
    "closed": (ActionStatus.COMPLETE, Rag.GREEN),
    "achieved": (ActionStatus.COMPLETE, Rag.GREEN),
    "delivered": (ActionStatus.COMPLETE, Rag.GREEN),
    "green": (ActionStatus.COMPLETE, Rag.GREEN),
    "blue": (ActionStatus.COMPLETE, Rag.GREEN),  # BRAG: blue is complete
    "in progress": (ActionStatus.IN_PROGRESS, None),
    "ongoing": (ActionStatus.IN_PROGRESS, None),
    "started": (ActionStatus.IN_PROGRESS, None),
    "open": (ActionStatus.IN_PROGRESS, None),
    "on track": (ActionStatus.IN_PROGRESS, Rag.AMBER),
    "amber": (ActionStatus.IN_PROGRESS, Rag.AMBER),
    "at risk": (ActionStatus.IN_PROGRESS, Rag.AMBER),
    "red": (ActionStatus.IN_PROGRESS, Rag.RED),
    "overdue": (ActionStatus.IN_PROGRESS, Rag.RED),
    "off track": (ActionStatus.IN_PROGRESS, Rag.RED),
    "late": (ActionStatus.IN_PROGRESS, Rag.RED),
    "delayed": (ActionStatus.IN_PROGRESS, Rag.RED),
    "behind": (ActionStatus.IN_PROGRESS, Rag.RED),
    "behind schedule": (ActionStatus.IN_PROGRESS, Rag.RED),
    "not started": (ActionStatus.NOT_STARTED, None),
    "not yet started": (ActionStatus.NOT_STARTED, None),
    # Rolled into business as usual: it lives on elsewhere, neither complete nor overdue.
    "business as usual": (ActionStatus.BAU, None),
    "bau": (ActionStatus.BAU, None),
    "transferred": (ActionStatus.BAU, None),
    "moved to business as usual": (ActionStatus.BAU, None),
    "rolled into business as usual": (ActionStatus.BAU, None),
}

# What the user reads when a file is refused.
MSG_EMPTY_FILE = "The file is empty; the first row must be the headings: {headings}."
MSG_MISSING_HEADINGS = "Missing {noun} {missing}; the headings found are: {found}."
MSG_REPEATED_HEADING = 'The heading "{heading}" means the same as "{earlier}"; keep only one.'
MSG_NO_ACTIONS = "There are no actions below the headings."
MSG_NO_RECOMMENDATION_ABOVE = "{column} is blank and there is no recommendation above it to continue."
MSG_BAD_RECOMMENDATION_NUMBER = '{column} "{text}" is not a recommendation number; write a whole number, like 1.'
MSG_COMPLETED_BUT_OPEN = '{column} "{text}" says it was completed, but {status} says "{word}"; clear one of them.'
MSG_RECOMMENDATION_TEXT_DIFFERS = "Recommendation {number} is given here with different text from row {row}."
MSG_BLANK_ACTION = "{column} is blank; describe the action."
MSG_BLANK_OWNER = '{column} is blank; give at least one role, like "Head of Protection".'
MSG_BLANK_DATE = "{column} is blank."
MSG_BAD_DATE = "{column} {error}"
MSG_REVISED_WITHOUT_REASON = '{column} "{text}" needs a reason; {where}.'
MSG_UNKNOWN_STATUS = '{column} "{text}" is not one I know; use one of: {words}, or leave it blank.'
MSG_REF_WITH_SPACE = 'Ref "{text}" has a space in it; use a short reference like 4.1.'
MSG_DUPLICATE_REF = 'Ref "{ref}" is already used on row {row}; give each action its own Ref.'
MSG_CELL_TOO_LONG = "{column} is {length:,} characters long; the most a cell may hold is {limit:,}."
MSG_CELL_TOO_LONG_FOR_CSV = "a cell is longer than {limit:,} characters, the most a cell may hold."
MSG_CONTROL_CHARACTER = "{column} contains a control character ({code}) that cannot be stored; remove it."

# The longest cell read: refs and role names are short, everything else is prose. (The CSV
# reader itself stops at 131,072 characters; such a cell is refused by row too.)
MAX_CELL_CHARS = 10_000
MAX_REF_CHARS = 32
MAX_ROLE_CHARS = 200

# A cell a spreadsheet would run as a formula (OWASP, CSV injection): exports put an apostrophe
# before it, and reading takes that apostrophe away again, so export -> import is exact.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# What the reader says and goes on: the import is made, and the report lists these by row.
WARN_IGNORED_COLUMN = 'The column "{heading}" is not one planbot reads, so it was ignored.'
WARN_NUMBERED = (
    "{column} gives no number{s} for {count} recommendation{s}, so {they} {were} numbered in file order: {numbers}."
)

_STATUS_WORDS_SHOWN = (
    "Complete, Completed, Done, Closed, Achieved, Delivered, Green, Blue, In progress, Ongoing, Started, Open, "
    "On track, Amber, At risk, Red, Overdue, Off track, Late, Delayed, Behind, Not started, Not yet started, "
    "Business as usual, BAU, Transferred"
)

# The headings people use in real trackers, normalised (`_normalise_heading`), by the field each fills.
_FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "recommendation": ("recommendation", "recommendations", "recommendation text", "area for improvement",
                       "areas for improvement", "finding"),
    "number": ("#", "no", "no.", "number", "rec", "rec no", "rec. no", "rec no.", "recommendation no",
               "recommendation no.", "recommendation number"),
    "ref": ("ref", "ref.", "action ref", "reference", "action no", "action no.", "action number"),
    "action": ("actions", "action", "action(s)", "actions to be taken", "action to be taken", "what we will do"),
    "owner": ("owner", "owners", "owner(s)", "action owner", "action owners", "action owner(s)", "lead",
              "lead officer", "responsible", "responsible officer"),
    "delivery_date": ("delivery date", "due date", "due", "target date", "deadline", "date due", "original date",
                      "original delivery date", "original target date", "target completion date"),
    "revised_date": ("revised date", "new date", "revised target", "revised target date", "revised due date",
                     "new target date", "revised delivery date", "new delivery date", "new completion date",
                     "revised deadline", "new due date"),
    "reason": ("reason", "revision reason", "latest reason", "reason for revision", "reason for change",
               "reason for delay"),
    "notes": ("notes", "note", "reason/notes", "notes/reason", "reason/comments", "comments", "comment", "update",
              "updates", "progress", "progress update", "latest update", "commentary", "remarks"),
    "status": ("status", "current status", "progress status"),
    "rag": ("rag", "rag status", "rag rating", "rag rate"),
    "completed": ("completed", "completion date", "date completed", "completed on", "actual completion date",
                  "date of completion", "completed date"),
}
_HEADING_ALIASES: dict[str, str] = {alias: field for field, aliases in _FIELD_ALIASES.items() for alias in aliases}
_FIELD_HEADINGS: dict[str, str] = {
    "recommendation": "Recommendation",
    "action": "Actions",
    "owner": "Owner",
    "delivery_date": "Delivery Date",
}
# A title row above the headings is skipped when a later one of the first rows looks like headings.
_HEADING_SEARCH_ROWS = 10
# A row with this many known headings is the heading row, not a title above it.
_HEADINGS_THAT_MAKE_A_HEADING_ROW = 2

_RECOMMENDATION = re.compile(
    r"(?:recommendation|rec\.?|r)?\s*(\d+)(?:\s*[).:\-\u2013\u2014]+(?!\d)|\s+|$)\s*(.*)",
    re.IGNORECASE | re.DOTALL,
)
_OWNER_SEPARATORS = re.compile(r"[/;\r\n]+")


@dataclass(frozen=True)
class RowProblem:
    row: int
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


class SheetRefused(ValueError):
    """The file was refused whole; `problems` lists every problem in row order."""

    def __init__(self, problems: Sequence[RowProblem]) -> None:
        self.problems: list[RowProblem] = sorted(problems, key=lambda problem: problem.row)
        super().__init__("\n".join(str(problem) for problem in self.problems))


@dataclass(frozen=True)
class TypedRag:
    """A colour the file claims for an action ("Red", "Overdue", "On track"), and where."""

    column: str  # the heading, as the file writes it
    word: str  # the cell, as typed
    rag: Rag


@dataclass(frozen=True)
class SheetAction:
    row: int
    recommendation: int
    ref: str
    description: str
    owners: tuple[str, ...]
    original_due: date
    revised_due: date | None
    revision_reason: str | None
    status: ActionStatus
    notes: str | None
    completed_on: date | None = None  # from a Completed / Completion date column
    typed_rag: TypedRag | None = None
    has_completed_column: bool = False


@dataclass(frozen=True)
class SheetPlan:
    recommendations: dict[int, str]
    actions: list[SheetAction]
    warnings: list[RowProblem] = default(default_factory=list)  # read anyway; the report lists them


def read_plan_csv(text: str) -> SheetPlan:
    """Read a plan from CSV text, or raise SheetRefused listing every problem in the file."""
    text = text.removeprefix("\ufeff")
    records: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        records.extend(reader)
    except csv.Error as error:
        if "field larger than field limit" not in str(error):
            raise SheetRefused([RowProblem(len(records) + 1, f"this row is not valid CSV: {error}.")]) from error
        problem = MSG_CELL_TOO_LONG_FOR_CSV.format(limit=csv.field_size_limit())
        raise SheetRefused([RowProblem(len(records) + 1, problem)]) from error
    return read_plan_records(records)


def read_plan_records(records: list[list[str]]) -> SheetPlan:
    """Read a plan from a file's rows of cell text, the first being the spreadsheet's row 1.

    A cell is text as a CSV export writes it: a leading apostrophe that `protect_cell` put before
    a formula-looking value is taken away again."""
    return _SheetReader(records).read()


def protect_cell(value: str) -> str:
    """A cell as an export writes it: never a live formula in Excel, LibreOffice or Sheets."""
    if looks_like_formula(value) or _unprotect(value) != value:
        return "'" + value
    return value


def looks_like_formula(value: str) -> bool:
    """A cell a spreadsheet would run as a formula if it were typed in."""
    return value.startswith(_FORMULA_STARTS)


def _unprotect(value: str) -> str:
    rest = value[1:]
    if value.startswith("'") and (rest.startswith(_FORMULA_STARTS) or rest.startswith("'")):
        return rest
    return value


def _status_word(text: str) -> str:
    return " ".join(text.replace("-", " ").replace("_", " ").split()).lower()


def parse_status(text: str) -> ActionStatus | None:
    """The status a Status cell means (blank is not started), or None for an unknown word."""
    words = _status_word(text)
    if not words:
        return ActionStatus.NOT_STARTED
    known = STATUS_WORDS.get(words)
    return known[0] if known else None


def claimed_rag(text: str) -> Rag | None:
    """The colour a Status or RAG cell claims, if it claims one."""
    known = STATUS_WORDS.get(_status_word(text))
    return known[1] if known else None


def split_owners(text: str) -> tuple[str, ...]:
    """Owner roles separated by "/", ";" or new lines ("and" is part of a role), without repeats."""
    owners: list[str] = []
    seen: set[str] = set()
    for part in _OWNER_SEPARATORS.split(text):
        role = " ".join(part.split())
        if role and role.casefold() not in seen:
            seen.add(role.casefold())
            owners.append(role)
    return tuple(owners)


def _delimiter(text: str) -> str:
    header_line = next((line for line in text.splitlines() if line.strip()), "")
    try:
        return csv.Sniffer().sniff(header_line, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def _blank(cells: Iterable[str]) -> bool:
    return all(not cell.strip() for cell in cells)


def _normalise_heading(cell: str) -> str:
    """Owner(s) -> owner(s); "Reason / Notes:" -> reason/notes; "Due date *" -> due date."""
    words = " ".join(cell.split()).lower().rstrip(":*").strip()
    return re.sub(r"\s*/\s*", "/", words)


class _SheetReader:
    """One pass over the records of a file, collecting actions and problems."""

    def __init__(self, records: list[list[str]]) -> None:
        self.records = records
        self.problems: list[RowProblem] = []
        self.columns: dict[str, int] = {}
        self.headings: dict[str, str] = {}  # field -> the heading as the file writes it
        self.recommendations: dict[int, str] = {}
        self.recommendation_rows: dict[int, int] = {}  # number -> the row that gave its text
        self.actions: list[SheetAction] = []
        self.ref_rows: dict[str, int] = {}
        self.actions_per_recommendation: dict[int, int] = {}
        self.current: int | None = None
        self.current_is_bad = False
        self.warnings: list[RowProblem] = []
        self.numbered: list[int] = []  # recommendations the file gave no number, numbered in file order
        self.numbered_row: int | None = None
        self.by_text: dict[str, int] = {}  # a recommendation's folded text -> its number

    def read(self) -> SheetPlan:
        heading_index = self._find_heading_row()
        if heading_index is None:
            raise SheetRefused([RowProblem(1, MSG_EMPTY_FILE.format(headings=", ".join(REQUIRED_HEADINGS)))])
        heading_row = heading_index + 1
        self._read_headings(self.records[heading_index], heading_row)
        if self.problems:
            raise SheetRefused(self.problems)
        for index in range(heading_index + 1, len(self.records)):
            self._read_row(self.records[index], index + 1)
        if not self.actions and not self.problems:
            self.problems.append(RowProblem(heading_row, MSG_NO_ACTIONS))
        if self.problems:
            raise SheetRefused(self.problems)
        if self.numbered:
            self._warn_numbered()
        warnings = sorted(self.warnings, key=lambda warning: warning.row)
        return SheetPlan(recommendations=self.recommendations, actions=self.actions, warnings=warnings)

    def _warn_numbered(self) -> None:
        count = len(self.numbered)
        many = count > 1
        first, last = self.numbered[0], self.numbered[-1]
        consecutive = self.numbered == list(range(first, last + 1))
        shown = [str(n) for n in self.numbered]
        if count > 2 and consecutive:  # noqa: PLR2004 - two numbers read better as "1 and 2"
            numbers = f"{first} to {last}"
        else:
            numbers = ", ".join(shown[:-1]) + (" and " if many else "") + shown[-1]
        assert self.numbered_row is not None
        self.warnings.append(RowProblem(self.numbered_row, WARN_NUMBERED.format(
            column=self.headings["recommendation"], count=count, s="s" if many else "",
            they="they" if many else "it", were="were" if many else "was", numbers=numbers)))

    def _find_heading_row(self) -> int | None:
        non_blank = [index for index, record in enumerate(self.records) if not _blank(record)]
        if not non_blank:
            return None
        for index in non_blank[:_HEADING_SEARCH_ROWS]:
            known = {_HEADING_ALIASES.get(_normalise_heading(cell)) for cell in self.records[index]}
            if sum(field in known for field in _FIELD_HEADINGS) >= _HEADINGS_THAT_MAKE_A_HEADING_ROW:
                return index
        return non_blank[0]

    def _read_headings(self, record: list[str], row: int) -> None:
        for index, cell in enumerate(record):
            field = _HEADING_ALIASES.get(_normalise_heading(cell))
            if field is None:
                if cell.strip():
                    heading = " ".join(cell.split())[:80]
                    self.warnings.append(RowProblem(row, WARN_IGNORED_COLUMN.format(heading=heading)))
                continue
            shown = " ".join(cell.split())
            if field in self.columns:
                earlier = self.headings[field]
                self.problems.append(RowProblem(row, MSG_REPEATED_HEADING.format(heading=shown, earlier=earlier)))
                continue
            self.columns[field] = index
            self.headings[field] = shown
        missing = [heading for field, heading in _FIELD_HEADINGS.items() if field not in self.columns]
        if missing:
            found = ", ".join(" ".join(cell.split()) for cell in record if cell.strip()) or "none"
            quoted = " and ".join(f'"{heading}"' for heading in missing)
            noun = "headings" if len(missing) > 1 else "heading"
            self.problems.append(
                RowProblem(row, MSG_MISSING_HEADINGS.format(noun=noun, missing=quoted, found=found))
            )

    def _cell(self, record: list[str], field: str) -> str:
        index = self.columns.get(field)
        if index is None or index >= len(record):
            return ""
        return _unprotect(record[index].strip())

    def _unstorable(self, cells: dict[str, str], row: int) -> bool:
        """Refuse cells no database can hold: over-long, or with control characters."""
        before = len(self.problems)
        for field, value in cells.items():
            column = self.headings[field]
            limit = MAX_REF_CHARS if field == "ref" else MAX_CELL_CHARS
            if len(value) > limit:
                self._problem(row, MSG_CELL_TOO_LONG.format(column=column, length=len(value), limit=limit))
            elif field == "owner" and any(len(role) > MAX_ROLE_CHARS for role in split_owners(value)):
                longest = max(len(role) for role in split_owners(value))
                self._problem(row, MSG_CELL_TOO_LONG.format(column=f"A role in {column}", length=longest,
                                                            limit=MAX_ROLE_CHARS))
            control = UNSTORABLE.search(value)
            if control:
                code = f"U+{ord(control[0]):04X}"
                self._problem(row, MSG_CONTROL_CHARACTER.format(column=column, code=code))
        return len(self.problems) > before

    def _problem(self, row: int, message: str) -> None:
        self.problems.append(RowProblem(row, message))

    def _read_row(self, record: list[str], row: int) -> None:
        cells = {field: self._cell(record, field) for field in self.columns}
        # A colour alone (a RAG cell beside nothing) is no action.
        if _blank(v for f, v in cells.items() if f != "rag") or self._unstorable(cells, row):
            return
        recommendation = self._read_recommendation(cells["recommendation"], cells.get("number", ""), row)
        if not any(value for field, value in cells.items() if field not in ("recommendation", "number", "rag")):
            return  # a row giving only a recommendation: its actions follow on the rows below
        problems_before = len(self.problems)

        description = cells["action"]
        if not description:
            self._problem(row, MSG_BLANK_ACTION.format(column=self.headings["action"]))
        owners = split_owners(cells["owner"])
        if not owners:
            self._problem(row, MSG_BLANK_OWNER.format(column=self.headings["owner"]))
        original_due = self._read_date(cells["delivery_date"], "delivery_date", row, required=True)
        revised_due = self._read_date(cells.get("revised_date", ""), "revised_date", row, required=False)
        reason = cells.get("reason", "") or None
        notes = cells.get("notes", "") or None
        if cells.get("revised_date") and not reason and not notes:
            self._problem(
                row,
                MSG_REVISED_WITHOUT_REASON.format(
                    column=self.headings["revised_date"],
                    text=cells["revised_date"],
                    where=self._reason_hint(),
                ),
            )
        if revised_due is not None and reason is None:
            reason = notes
        status, typed = self._read_status(cells, row)
        completed_on = self._read_date(cells.get("completed", ""), "completed", row, required=False)
        if completed_on is not None and status is not None:
            if status != ActionStatus.COMPLETE and cells.get("status"):
                self._problem(row, MSG_COMPLETED_BUT_OPEN.format(
                    column=self.headings["completed"], text=cells["completed"], status=self.headings["status"],
                    word=cells["status"]))
            status = ActionStatus.COMPLETE
        ref = self._read_ref(cells.get("ref", ""), recommendation, row)

        if len(self.problems) > problems_before or recommendation is None or ref is None:
            return
        assert original_due is not None and status is not None
        self.actions.append(
            SheetAction(
                row=row,
                recommendation=recommendation,
                ref=ref,
                description=description,
                owners=owners,
                original_due=original_due,
                revised_due=revised_due,
                revision_reason=reason,
                status=status,
                notes=notes,
                completed_on=completed_on,
                typed_rag=typed,
                has_completed_column="completed" in self.columns,
            )
        )

    def _read_status(self, cells: dict[str, str], row: int) -> tuple[ActionStatus | None, TypedRag | None]:
        """The status from Status (or, without that column, from a RAG column), and the colour the file claims:
        a RAG column's, else the Status word's ("Overdue", "On track")."""
        status_cell, rag_cell = cells.get("status", ""), cells.get("rag", "")
        for field, cell in (("status", status_cell), ("rag", rag_cell)):
            if cell and parse_status(cell) is None:
                self._problem(row, MSG_UNKNOWN_STATUS.format(column=self.headings[field], text=cell,
                                                             words=_STATUS_WORDS_SHOWN))
                return None, None
        # Without a Status column, a RAG column says whether the action is complete.
        status = parse_status(status_cell if "status" in self.columns else rag_cell)
        typed = None
        for field, cell in (("rag", rag_cell), ("status", status_cell)):
            colour = claimed_rag(cell) if cell else None
            if colour is not None:
                typed = TypedRag(self.headings[field], " ".join(cell.split()), colour)
                break
        return status, typed

    def _read_recommendation(self, cell: str, number_cell: str, row: int) -> int | None:
        column = self.headings["recommendation"]
        if not cell and not number_cell:
            if self.current is None and not self.current_is_bad:
                self._problem(row, MSG_NO_RECOMMENDATION_ABOVE.format(column=column))
                self.current_is_bad = True  # one problem is enough for the rows that follow
            return self.current
        if number_cell:
            match = _RECOMMENDATION.fullmatch(number_cell)
            if match is None or match[2].strip():
                self._problem(row, MSG_BAD_RECOMMENDATION_NUMBER.format(column=self.headings["number"],
                                                                        text=number_cell))
                self.current, self.current_is_bad = None, True
                return None
            number, text = int(match[1]), " ".join(cell.split())
        elif match := _RECOMMENDATION.fullmatch(cell):
            number, text = int(match[1]), match[2].strip()
        else:
            # Printed without numbers: the same text again continues it; new text is the next one.
            text = " ".join(cell.split())
            number = self.by_text.get(text.casefold()) or self._next_number(row)
        known = self.recommendations.get(number)
        if known is None or (not known and text):
            self.recommendations[number] = text
            self.recommendation_rows[number] = row
            if text:
                self.by_text.setdefault(" ".join(text.split()).casefold(), number)
        elif text and " ".join(text.split()) != " ".join(known.split()):
            earlier = self.recommendation_rows[number]
            self._problem(row, MSG_RECOMMENDATION_TEXT_DIFFERS.format(number=number, row=earlier))
        self.current, self.current_is_bad = number, False
        return number

    def _next_number(self, row: int) -> int:
        number = max(self.recommendations, default=0) + 1
        self.numbered.append(number)
        if self.numbered_row is None:
            self.numbered_row = row
        return number

    def _read_date(self, cell: str, field: str, row: int, *, required: bool) -> date | None:
        if not cell:
            if required:
                self._problem(row, MSG_BLANK_DATE.format(column=self.headings[field]))
            return None
        try:
            return parse_date(cell)
        except DateError as error:
            self._problem(row, MSG_BAD_DATE.format(column=self.headings[field], error=error))
            return None

    def _reason_hint(self) -> str:
        if "reason" in self.headings:
            return f"write it in {self.headings['reason']}"
        if "notes" in self.headings:
            return f"write it in {self.headings['notes']}"
        return "add a Reason column and write it there"

    def _read_ref(self, given: str, recommendation: int | None, row: int) -> str | None:
        count = 0
        if recommendation is not None:
            count = self.actions_per_recommendation.get(recommendation, 0) + 1
            self.actions_per_recommendation[recommendation] = count
        if given:
            if any(character.isspace() for character in given):
                self._problem(row, MSG_REF_WITH_SPACE.format(text=given))
                return None
            ref = given
        elif recommendation is not None:
            ref = f"{recommendation}.{count}"
        else:
            return None
        key = ref.casefold()
        if key in self.ref_rows:
            self._problem(row, MSG_DUPLICATE_REF.format(ref=ref, row=self.ref_rows[key]))
            return None
        self.ref_rows[key] = row
        return ref
