"""The modals buttons and commands open ("Revise date", "Add update", "Add evidence", an
effectiveness review's answer, closing a plan): pure functions from plain data to a
`slack_sdk` View, validated by `to_dict()` before they are sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.plan.closure import Decision
from bot.plan.dates import format_long
from bot.plan.errors import InvalidInputs, PlanError
from bot.plan.evidence import MAX_DESCRIPTION_LENGTH, MAX_URL_LENGTH
from bot.plan.queries import ActionView, PlanView
from bot.plan.services import MAX_NOTE_LENGTH
from bot.slack import errors, texts
from bot.slack.blocks import fit, one_line
from bot.slack.ids import (
    CLOSE_DECISION_BLOCK,
    CLOSE_NOTE_BLOCK,
    CLOSE_WHERE_BLOCK,
    BlockId,
    CallbackId,
    ClosingMetadata,
    InputId,
    ModalMetadata,
)

# A modal shows the action's title to remind the user what they are changing, not all of it.
TITLE_SHOWN = 300


def _title(action: ActionView) -> str:
    return fit(one_line(action.description), TITLE_SHOWN)


def revise_modal(action: ActionView, metadata: ModalMetadata) -> dict[str, Any]:
    original = (
        texts.REVISE_MODAL_ORIGINAL.format(date=format_long(action.original_due))
        if action.revised_due is not None
        else ""
    )
    summary = texts.REVISE_MODAL_ACTION.format(
        ref=fit(action.ref, 40), title=_title(action), due=format_long(action.due), original=original
    )
    return View(
        type="modal",
        callback_id=CallbackId.REVISE.value,
        title=texts.REVISE_MODAL_TITLE,
        submit=texts.MODAL_SAVE,
        close=texts.MODAL_CANCEL,
        private_metadata=metadata.model_dump_json(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=summary)),
            InputBlock(
                block_id=BlockId.REVISE_DATE.value,
                label=texts.REVISE_MODAL_DATE,
                element=DatePickerElement(action_id=InputId.DATE.value, initial_date=action.due.isoformat()),
            ),
            InputBlock(
                block_id=BlockId.REVISE_REASON.value,
                label=texts.REVISE_MODAL_REASON,
                hint=texts.REVISE_MODAL_REASON_HINT,
                element=PlainTextInputElement(
                    action_id=InputId.REASON.value, multiline=True, max_length=MAX_NOTE_LENGTH
                ),
            ),
        ],
    ).to_dict()


def note_modal(action: ActionView, metadata: ModalMetadata) -> dict[str, Any]:
    summary = texts.NOTE_MODAL_ACTION.format(ref=fit(action.ref, 40), title=_title(action))
    return View(
        type="modal",
        callback_id=CallbackId.NOTE.value,
        title=texts.NOTE_MODAL_TITLE,
        submit=texts.MODAL_SAVE,
        close=texts.MODAL_CANCEL,
        private_metadata=metadata.model_dump_json(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=summary)),
            InputBlock(
                block_id=BlockId.NOTE_TEXT.value,
                label=texts.NOTE_MODAL_TEXT,
                hint=texts.NOTE_MODAL_HINT,
                element=PlainTextInputElement(
                    action_id=InputId.TEXT.value, multiline=True, max_length=MAX_NOTE_LENGTH
                ),
            ),
        ],
    ).to_dict()


REVISE_FIELDS = {"date": BlockId.REVISE_DATE, "reason": BlockId.REVISE_REASON}
NOTE_FIELDS = {"note": BlockId.NOTE_TEXT, "text": BlockId.NOTE_TEXT}


def field_errors(error: PlanError, fields: dict[str, BlockId], default: BlockId) -> dict[str, str]:
    """A domain error as `response_action="errors"` wants it: each problem beside its field.

    A problem about no field of this modal (a refusal, a conflict) goes beside `default`.
    """
    problems = error.problems if isinstance(error, InvalidInputs) else [error]
    shown: dict[str, str] = {}
    for problem in problems:
        block = fields.get(problem.field or "", default).value
        said = errors.say(problem)
        shown[block] = f"{shown[block]} {said}" if block in shown else said
    return shown


def _value(state: dict[str, Any], block: BlockId, element: InputId) -> dict[str, Any]:
    return ((state.get("values") or {}).get(block.value) or {}).get(element.value) or {}


def submitted_revision(state: dict[str, Any]) -> tuple[date | None, str]:
    """The new date (None if none was picked) and the reason, from a submitted revise modal."""
    picked = _value(state, BlockId.REVISE_DATE, InputId.DATE).get("selected_date")
    try:
        new_due = date.fromisoformat(picked) if picked else None
    except ValueError:
        new_due = None
    return new_due, _value(state, BlockId.REVISE_REASON, InputId.REASON).get("value") or ""


def submitted_note(state: dict[str, Any]) -> str:
    return _value(state, BlockId.NOTE_TEXT, InputId.TEXT).get("value") or ""


def evidence_modal(action: ActionView, metadata: ModalMetadata) -> dict[str, Any]:
    """"Add evidence": a link (checked when saved) and what it shows. Opened by "Mark complete"
    on a plan that needs evidence, it completes the action once saved (`metadata.complete`)."""
    intro = texts.EVIDENCE_MODAL_ACTION.format(ref=fit(action.ref, 40), title=_title(action))
    if metadata.complete:
        intro += "\n" + texts.EVIDENCE_MODAL_NEEDED.format(ref=fit(action.ref, 40))
    return View(
        type="modal",
        callback_id=CallbackId.EVIDENCE.value,
        title=texts.EVIDENCE_MODAL_TITLE_TO_COMPLETE if metadata.complete else texts.EVIDENCE_MODAL_TITLE,
        submit=texts.MODAL_SAVE,
        close=texts.MODAL_CANCEL,
        private_metadata=metadata.model_dump_json(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=intro)),
            InputBlock(block_id=BlockId.EVIDENCE_URL.value, label=texts.EVIDENCE_MODAL_URL,
                       hint=texts.EVIDENCE_MODAL_URL_HINT,
                       element=PlainTextInputElement(action_id=InputId.URL.value, max_length=MAX_URL_LENGTH)),
            InputBlock(block_id=BlockId.EVIDENCE_DESCRIPTION.value, label=texts.EVIDENCE_MODAL_DESCRIPTION,
                       optional=True,
                       element=PlainTextInputElement(action_id=InputId.TEXT.value,
                                                     max_length=MAX_DESCRIPTION_LENGTH)),
        ],
    ).to_dict()


EVIDENCE_FIELDS = {"url": BlockId.EVIDENCE_URL, "description": BlockId.EVIDENCE_DESCRIPTION}


def submitted_evidence(state: dict[str, Any]) -> tuple[str, str]:
    return (_value(state, BlockId.EVIDENCE_URL, InputId.URL).get("value") or "",
            _value(state, BlockId.EVIDENCE_DESCRIPTION, InputId.TEXT).get("value") or "")


def review_modal(action: ActionView, metadata: ModalMetadata) -> dict[str, Any]:
    """"Yes, embedded" (a comment or a link) or "Not yet" (a reason and the next review's date)."""
    intro = texts.REVIEW_MODAL_ACTION.format(ref=fit(action.ref, 40), title=_title(action))
    fields: list[Block]
    if metadata.answer == "yes":
        fields = [
            InputBlock(block_id=BlockId.REVIEW_COMMENT.value, label=texts.REVIEW_MODAL_COMMENT, optional=True,
                       element=PlainTextInputElement(action_id=InputId.TEXT.value, multiline=True,
                                                     max_length=MAX_NOTE_LENGTH)),
            InputBlock(block_id=BlockId.REVIEW_LINK.value, label=texts.REVIEW_MODAL_LINK, optional=True,
                       element=PlainTextInputElement(action_id=InputId.URL.value, max_length=MAX_URL_LENGTH)),
        ]
    else:
        fields = [
            InputBlock(block_id=BlockId.REVIEW_COMMENT.value, label=texts.REVIEW_MODAL_REASON,
                       element=PlainTextInputElement(action_id=InputId.TEXT.value, multiline=True,
                                                     max_length=MAX_NOTE_LENGTH)),
            InputBlock(block_id=BlockId.REVIEW_DATE.value, label=texts.REVIEW_MODAL_NEXT,
                       element=DatePickerElement(action_id=InputId.DATE.value)),
        ]
    return View(
        type="modal",
        callback_id=CallbackId.REVIEW.value,
        title=texts.REVIEW_MODAL_TITLE_YES if metadata.answer == "yes" else texts.REVIEW_MODAL_TITLE_NOT_YET,
        submit=texts.MODAL_SAVE,
        close=texts.MODAL_CANCEL,
        private_metadata=metadata.model_dump_json(),
        blocks=[SectionBlock(text=MarkdownTextObject(text=intro)), *fields],
    ).to_dict()


REVIEW_FIELDS = {"comment": BlockId.REVIEW_COMMENT, "reason": BlockId.REVIEW_COMMENT, "url": BlockId.REVIEW_LINK,
                 "date": BlockId.REVIEW_DATE}


def submitted_review(state: dict[str, Any]) -> tuple[str, str, date | None]:
    """The comment (or reason), the link, and the next review's date, from a submitted review modal."""
    picked = _value(state, BlockId.REVIEW_DATE, InputId.DATE).get("selected_date")
    try:
        next_due = date.fromisoformat(picked) if picked else None
    except ValueError:
        next_due = None
    return (_value(state, BlockId.REVIEW_COMMENT, InputId.TEXT).get("value") or "",
            _value(state, BlockId.REVIEW_LINK, InputId.URL).get("value") or "", next_due)


# The closing modal: each open action on the page takes three inputs and a line of its own, so a
# page of 20 is 81 blocks, inside a modal's 100.
CLOSE_PAGE_SIZE = 20
CLOSE_CHOICES = (("complete", "CLOSE_COMPLETE"), ("bau", "CLOSE_BAU"))


def close_modal(plan: PlanView, actions: Sequence[ActionView], metadata: ClosingMetadata, *, total: int,
                offset: int) -> dict[str, Any]:
    """Close a plan: a page of its open actions, each to be marked complete or moved to business
    as usual (with where it now lives); the last page closes the plan."""
    intro = texts.CLOSE_MODAL_INTRO.format(plan=fit(plan.key, 40), title=fit(one_line(plan.title), 200))
    if actions:
        intro += "\n" + texts.CLOSE_MODAL_PAGE.format(first=offset + 1, last=offset + len(actions), total=total)
    else:
        intro += "\n" + texts.CLOSE_MODAL_NONE
    shown: list[Block] = [SectionBlock(block_id=BlockId.CLOSE_INTRO.value, text=MarkdownTextObject(text=intro))]
    options = [Option(value=value, text=PlainTextObject(text=getattr(texts, label))) for value, label in CLOSE_CHOICES]
    for action in actions:
        shown += [
            SectionBlock(text=MarkdownTextObject(text=f"*{fit(action.ref, 40)}* {_title(action)}")),
            InputBlock(block_id=CLOSE_DECISION_BLOCK.format(id=action.id), label=texts.CLOSE_DECISION,
                       element=StaticSelectElement(action_id=InputId.DECISION.value, options=options)),
            InputBlock(block_id=CLOSE_WHERE_BLOCK.format(id=action.id), label=texts.CLOSE_WHERE, optional=True,
                       hint=texts.CLOSE_WHERE_HINT,
                       element=PlainTextInputElement(action_id=InputId.TEXT.value, max_length=MAX_NOTE_LENGTH)),
            InputBlock(block_id=CLOSE_NOTE_BLOCK.format(id=action.id), label=texts.CLOSE_NOTE, optional=True,
                       element=PlainTextInputElement(action_id=InputId.TEXT.value, max_length=MAX_NOTE_LENGTH)),
        ]
    last = offset + len(actions) >= total
    return View(
        type="modal",
        callback_id=CallbackId.CLOSE.value,
        title=texts.CLOSE_MODAL_TITLE,
        submit=texts.CLOSE_MODAL_SUBMIT if last else texts.CLOSE_MODAL_NEXT,
        close=texts.MODAL_CANCEL,
        private_metadata=metadata.model_dump_json(),
        blocks=shown,
    ).to_dict()


def submitted_decisions(state: dict[str, Any], actions: Sequence[tuple[int, str]]) -> tuple[
        list[Decision], dict[str, str]]:
    """The closing decisions of a submitted page (action id, ref in order), and what is missing,
    keyed by block id."""
    values = state.get("values") or {}
    decisions: list[Decision] = []
    missing: dict[str, str] = {}
    for action_id, ref in actions:
        def text(block: str) -> str:
            return str(((values.get(block) or {}).get(InputId.TEXT.value) or {}).get("value") or "")
        picked = ((values.get(CLOSE_DECISION_BLOCK.format(id=action_id)) or {}).get(InputId.DECISION.value) or {})
        choice = (picked.get("selected_option") or {}).get("value")
        if choice not in ("complete", "bau"):
            missing[CLOSE_DECISION_BLOCK.format(id=action_id)] = texts.CLOSE_PICK
            continue
        decisions.append(Decision(ref, choice == "bau", text(CLOSE_WHERE_BLOCK.format(id=action_id)) or None,
                                  text(CLOSE_NOTE_BLOCK.format(id=action_id)) or None))
    return decisions, missing
