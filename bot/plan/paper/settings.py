"""A plan's paper settings: the cover fields and the sections a paper has and a summary has not,
and which format the posted summary attaches. Only plan admins change them; each change is an
audit event. A section with no text is left out of the paper."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from sqlalchemy.orm import Session

from bot.plan.dates import DateError, format_full, parse_date
from bot.plan.errors import InvalidInput, InvalidInputs
from bot.plan.services import Actor, check_admin, record
from bot.plan.storable import storable
from storage.kinds import EventKind
from storage.models import PaperSettings as PaperSettingsRow
from storage.models import Plan


class Attach(StrEnum):
    """What the posted summary attaches in its thread."""

    PDF = "pdf"
    DOCX = "docx"
    OFF = "off"


@dataclass(frozen=True)
class Field:
    name: str  # the setting's name: `planbot plan KEY --NAME`, the modal's block id, the audit event's
    label: str  # as the paper and the modal say it
    limit: int  # characters


# The cover block, in the paper's order.
COVER: Final = (
    Field("meeting", "Meeting", 200),
    Field("meeting_date", "Meeting date", 40),
    Field("agenda_item", "Agenda item", 50),
    Field("author", "Report author", 200),
    Field("presented_by", "Presented by", 200),
    Field("subject", "Subject", 300),
)
# The sections only a paper has, in its order; each is left out while it has no text.
SECTIONS: Final = (
    Field("background", "Background", 3000),
    Field("risks", "Risks and mitigations", 3000),
    Field("future_plans", "Future plans", 3000),
    Field("financial", "Financial implications", 1000),
    Field("legal", "Legal implications", 1000),
    Field("staffing", "Staffing implications", 1000),
    Field("equality", "Equality and diversity implications", 1000),
    Field("workforce", "Workforce engagement", 1000),
    Field("health_and_safety", "Health and safety implications", 1000),
    Field("consultation", "Consultation", 1000),
    Field("background_papers", "Background papers", 1000),
)
PUBLICATION: Final = Field("for_publication", "For publication", 10)
ATTACH: Final = Field("attach", "Attach to the summary", 10)
FIELDS: Final = {f.name: f for f in (*COVER, *SECTIONS, PUBLICATION, ATTACH)}
TYPE_OF_REPORT: Final = "Information"

TOO_LONG: Final = "The {label} is {length:,} characters; it can be at most {limit:,}."
NOT_YES_NO: Final = 'For publication is "{text}"; say yes or no.'
NOT_A_FORMAT: Final = 'Attach is "{text}"; say pdf, docx or off.'
UNKNOWN_FIELD: Final = 'There is no paper setting "{name}". The settings are: {names}.'
YES: Final = ("yes", "y", "true", "on")
NO: Final = ("no", "n", "false", "off")


@dataclass(frozen=True)
class PaperSettings:
    meeting: str = ""
    meeting_date: date | None = None
    agenda_item: str = ""
    author: str = ""
    presented_by: str = ""
    subject: str = ""
    for_publication: bool = True
    sections: Mapping[str, str] | None = None
    attach: Attach = Attach.PDF

    def section(self, name: str) -> str:
        return (self.sections or {}).get(name, "")

    def shown(self, name: str) -> str:
        """A setting as text: what the paper prints, the modal pre-fills, the audit trail records."""
        match name:
            case "meeting_date":
                return format_full(self.meeting_date) if self.meeting_date else ""
            case "for_publication":
                return "yes" if self.for_publication else "no"
            case "attach":
                return self.attach.value
            case _ if name in {f.name for f in SECTIONS}:
                return self.section(name)
        value = getattr(self, name)
        return str(value)


def _of(row: PaperSettingsRow | None) -> PaperSettings:
    if row is None:
        return PaperSettings()
    return PaperSettings(row.meeting, row.meeting_date, row.agenda_item, row.author, row.presented_by, row.subject,
                         row.for_publication, json.loads(row.sections or "{}"), Attach(row.attach))


def paper_settings(session: Session, plan: Plan) -> PaperSettings:
    return _of(session.get(PaperSettingsRow, plan.id))


def _clean(field: Field, text: str) -> str:
    clean = storable(text.strip(), what=f"The {field.label.lower()}", field=field.name)
    if len(clean) > field.limit:
        raise InvalidInput(TOO_LONG.format(label=field.label.lower(), length=len(clean), limit=field.limit),
                           field=field.name)
    return clean


def _value(field: Field, text: str) -> object:
    clean = _clean(field, text)
    match field.name:
        case "meeting_date":
            try:
                return parse_date(clean) if clean else None
            except DateError as problem:
                raise InvalidInput(f"The meeting date: {problem}", field=field.name) from None
        case "for_publication":
            if not clean or clean.lower() in YES:  # cleared: back to the default
                return True
            if clean.lower() in NO:
                return False
            raise InvalidInput(NOT_YES_NO.format(text=clean), field=field.name)
        case "attach":
            try:
                return Attach(clean.lower() or Attach.PDF)
            except ValueError:
                raise InvalidInput(NOT_A_FORMAT.format(text=clean), field=field.name) from None
    return clean


def parse_changes(changes: Mapping[str, str]) -> dict[str, object]:
    """The typed values of settings given as text, every problem at once (InvalidInputs)."""
    values: dict[str, object] = {}
    problems: list[InvalidInput] = []
    for name, text in changes.items():
        field = FIELDS.get(name)
        if field is None:
            problems.append(InvalidInput(UNKNOWN_FIELD.format(name=name, names=", ".join(FIELDS)), field=name))
            continue
        try:
            values[name] = _value(field, text)
        except InvalidInput as problem:
            problems.append(problem)
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidInputs(problems)
    return values


def set_paper_settings(session: Session, plan: Plan, actor: Actor, now: datetime,
                       changes: Mapping[str, str]) -> list[str]:
    """Change the plan's paper settings (text, as typed; "" clears one); the names of those that
    changed, each one audit event. Nothing is written if any value is refused."""
    check_admin(session, plan, actor)
    values = parse_changes(changes)
    row = session.get(PaperSettingsRow, plan.id)
    if row is None:
        row = PaperSettingsRow(plan_id=plan.id, meeting="", agenda_item="", author="", presented_by="", subject="",
                               for_publication=True, sections="{}", attach=Attach.PDF.value)
        session.add(row)
    before = _of(row)
    sections = dict(before.sections or {})
    changed: list[str] = []
    for name, value in values.items():
        if name in {f.name for f in SECTIONS}:
            if str(value) == sections.get(name, ""):
                continue
            if value:
                sections[name] = str(value)
            else:
                sections.pop(name, None)
        else:
            stored = value.value if isinstance(value, Attach) else value
            if getattr(row, name) == stored:
                continue
            setattr(row, name, stored)
        changed.append(name)
    row.sections = json.dumps(sections, sort_keys=True)
    after = _of(row)
    for name in changed:
        record(session, plan_id=plan.id, actor=actor, now=now, kind=EventKind.PAPER_SETTING,
               old=json.dumps({name: before.shown(name)}), new=json.dumps({name: after.shown(name)}))
    session.flush()
    return changed
