"""The modals buttons open ("Revise date", "Add update"): pure functions from plain data to a
`slack_sdk` View, validated by `to_dict()` before they are sent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.plan.dates import format_long
from bot.plan.errors import InvalidInputs, PlanError
from bot.plan.queries import ActionView
from bot.plan.services import MAX_NOTE_LENGTH
from bot.slack import errors, texts
from bot.slack.blocks import fit, one_line
from bot.slack.ids import BlockId, CallbackId, InputId, ModalMetadata

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
