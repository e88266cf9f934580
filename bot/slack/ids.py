"""The one home for Slack ids, and the small models that buttons and modals carry.

Button values and `private_metadata` say *what* a click is about, never *who may*: the
acting user always comes from the signed payload.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

COMMAND = "/plan"

# Numbers a control carries are bounded before anything reads them: a database id or version
# fits an INTEGER column (PostgreSQL's is 32-bit, and a bigger value fails there as an error),
# an offset and a number of days stay in the ranges the queries and dates can take.
MAX_INTEGER = 2**31 - 1
MAX_DUE_DAYS = 3660
DatabaseId = Annotated[int, Field(ge=1, le=MAX_INTEGER)]
Version = Annotated[int, Field(ge=1, le=MAX_INTEGER)]


class ActionId(StrEnum):
    COMPLETE = "plan.complete"
    REVISE = "plan.revise"
    NOTE = "plan.note"
    REOPEN = "plan.reopen"
    SHOW = "plan.show"
    PREVIOUS_PAGE = "plan.page.previous"  # Slack refuses a block in which two buttons share an id
    NEXT_PAGE = "plan.page.next"
    PAGE = "plan.page"  # on messages sent before Previous and Next had ids of their own
    SHARE = "plan.share"
    POST_SUMMARY = "plan.summary.post"
    MUTE_REMINDERS = "plan.reminders.mute"
    UNMUTE_REMINDERS = "plan.reminders.unmute"
    ADD_EVIDENCE = "plan.evidence.add"
    REVIEW_YES = "plan.review.yes"
    REVIEW_NOT_YET = "plan.review.not_yet"


class CallbackId(StrEnum):
    REVISE = "plan.revise.modal"
    NOTE = "plan.note.modal"
    EVIDENCE = "plan.evidence.modal"
    CLOSE = "plan.close.modal"
    REVIEW = "plan.review.modal"
    PAPER_SETTINGS = "plan.paper.modal"


class BlockId(StrEnum):
    REVISE_DATE = "revise.date"
    REVISE_REASON = "revise.reason"
    NOTE_TEXT = "note.text"
    EVIDENCE_URL = "evidence.url"
    EVIDENCE_DESCRIPTION = "evidence.description"
    CLOSE_INTRO = "close.intro"
    REVIEW_COMMENT = "review.comment"
    REVIEW_LINK = "review.link"
    REVIEW_DATE = "review.date"


class InputId(StrEnum):
    DATE = "date"
    REASON = "reason"
    TEXT = "text"
    URL = "url"
    DECISION = "decision"


ViewKind = Literal["status", "overdue", "due", "mine", "show", "summary", "home", "slippage", "reminder", "reviews"]

# The closing modal's blocks for one action, by the action's id.
CLOSE_DECISION_BLOCK = "close.decision.{id}"
CLOSE_WHERE_BLOCK = "close.where.{id}"
CLOSE_NOTE_BLOCK = "close.note.{id}"


class ViewSpec(BaseModel):
    """Which message a user is looking at, so it can be drawn again after a change or a page turn."""

    model_config = ConfigDict(frozen=True)

    kind: ViewKind
    plan: str | None = None
    ref: str | None = None
    offset: Annotated[int, Field(ge=0, le=MAX_INTEGER)] = 0
    days: Annotated[int, Field(ge=1, le=MAX_DUE_DAYS)] | None = None
    month: str | None = None
    day: Annotated[str, Field(max_length=10)] | None = None  # a reminder: the recipient's day it was sent for (ISO)


class ActionButton(BaseModel):
    """A button's value: the action and the version the user saw, and the message it sits in."""

    model_config = ConfigDict(frozen=True)

    action_id: DatabaseId
    version: Version
    view: ViewSpec


class ModalMetadata(BaseModel):
    """A modal's private_metadata: what it edits, and where to redraw the result."""

    model_config = ConfigDict(frozen=True)

    action_id: DatabaseId
    version: Version
    view: ViewSpec
    response_url: str | None = None
    channel_id: str | None = None
    shareable: bool = True  # False when the message is already in the channel
    complete: bool = False  # the evidence modal opened by "Mark complete": complete the action once it is saved
    answer: Literal["yes", "not_yet"] | None = None  # the review modal: which answer it records


class ClosingMetadata(BaseModel):
    """The closing modal's private_metadata: the plan, and which page of its open actions it shows."""

    model_config = ConfigDict(frozen=True)

    plan_id: DatabaseId
    action_ids: tuple[DatabaseId, ...]  # the open actions on this page, in order
    channel_id: str | None = None


class PaperModalMetadata(BaseModel):
    """The board paper settings modal's private_metadata: which plan it edits (never who may)."""

    model_config = ConfigDict(frozen=True)

    plan: str = Field(min_length=1, max_length=32)


PAPER_BLOCK_PREFIX = "paper."  # + a paper setting's name: the modal's block id for it
PAPER_INPUT = "value"
