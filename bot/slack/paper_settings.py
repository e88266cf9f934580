"""`/plan settings`: the board paper settings in a modal (each setting a text field, pre-filled),
and its submission, checked before the ack: every problem beside its field, nothing written;
saved, each change an audit event of the admin in the signed payload."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk.models.blocks import InputBlock, MarkdownTextObject, PlainTextInputElement, SectionBlock
from slack_sdk.models.views import View

from bot.plan import queries
from bot.plan.errors import InvalidInputs, PlanError
from bot.plan.paper.settings import FIELDS, SECTIONS, PaperSettings, set_paper_settings
from bot.slack import blocks, deadline, deliveries, errors, texts
from bot.slack.context import Deps
from bot.slack.ids import PAPER_BLOCK_PREFIX, PAPER_INPUT, CallbackId, PaperModalMetadata
from bot.slack.request import caller_of, control_of

# Slack's plain-text input takes at most 3,000 characters.
INPUT_MAX = 3000
MULTILINE = frozenset(f.name for f in SECTIONS)


def block_id(name: str) -> str:
    return PAPER_BLOCK_PREFIX + name


def paper_settings_modal(plan_key: str, settings: PaperSettings) -> dict[str, Any]:
    inputs = []
    for field in FIELDS.values():
        shown = settings.shown(field.name)
        element = PlainTextInputElement(action_id=PAPER_INPUT, multiline=field.name in MULTILINE,
                                        max_length=min(field.limit, INPUT_MAX), initial_value=shown or None)
        inputs.append(InputBlock(block_id=block_id(field.name), label=field.label, optional=True, element=element,
                                 hint=texts.PAPER_MODAL_HINTS.get(field.name)))
    return View(
        type="modal",
        callback_id=CallbackId.PAPER_SETTINGS.value,
        title=texts.PAPER_MODAL_TITLE,
        submit=texts.MODAL_SAVE,
        close=texts.MODAL_CANCEL,
        private_metadata=PaperModalMetadata(plan=plan_key).model_dump_json(),
        blocks=[SectionBlock(text=MarkdownTextObject(text=texts.PAPER_MODAL_INTRO.format(
            plan=blocks.escape(plan_key)))), *inputs],
    ).to_dict()


def submitted(state: dict[str, Any]) -> dict[str, str]:
    """Every setting's text as submitted ("" for one left empty)."""
    values = state.get("values") or {}
    return {name: str(((values.get(block_id(name)) or {}).get(PAPER_INPUT) or {}).get("value") or "")
            for name in FIELDS}


def problems_by_field(error: PlanError) -> dict[str, str]:
    """A refused submission as `response_action="errors"` wants it: each problem beside its
    setting's field; one about no field (a refusal) beside the first."""
    first = block_id(next(iter(FIELDS)))
    shown: dict[str, str] = {}
    for problem in error.problems if isinstance(error, InvalidInputs) else [error]:
        key = block_id(problem.field) if problem.field in FIELDS else first
        said = errors.say(problem)
        shown[key] = f"{shown[key]} {said}" if key in shown else said
    return shown


def saved_view(plan_key: str, changed: list[str]) -> dict[str, Any]:
    """What the modal shows once saved (it replaces the form)."""
    plan = blocks.escape(plan_key)
    text = (texts.PAPER_SETTINGS_SAVED.format(plan=plan, changed=", ".join(FIELDS[n].label.lower() for n in changed))
            if changed else texts.PAPER_SETTINGS_UNCHANGED.format(plan=plan))
    return View(type="modal", title=texts.PAPER_MODAL_TITLE, close=texts.MODAL_CLOSE,
                blocks=[SectionBlock(text=MarkdownTextObject(text=text))]).to_dict()


def register(app: App, deps: Deps) -> None:
    @app.view(CallbackId.PAPER_SETTINGS.value)
    def on_paper_settings_submitted(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
        """Checked and saved before the ack, inside Slack's deadline: what the modal says is true."""
        if not deadline.start(ack):
            return  # answered for already: nothing was changed
        caller = caller_of(context)
        try:
            metadata = control_of(context, PaperModalMetadata)
            with deps.sessions_for(caller.actor).begin(limit=deadline.seconds_left(ack)) as session:
                deliveries.claim(session, caller.delivery, deps.clock())
                plan = queries.get_plan(session, metadata.plan)
                changed = set_paper_settings(session, plan, caller.actor, deps.clock(),
                                             submitted(body["view"]["state"]))
                view = saved_view(plan.key, changed)
                deliveries.answered(session, caller.delivery, {"response_action": "update", "view": view})
        except deliveries.Replayed as replayed:
            ack(**(replayed.answer or {}))  # answered as the first was
            return
        except PlanError as error:
            ack(response_action="errors", errors=problems_by_field(error))
            return
        except Exception as error:  # noqa: BLE001 - shown in the modal, with the id that is logged
            ack(response_action="errors", errors={block_id(next(iter(FIELDS))): errors.explain(error)})
            return
        ack(response_action="update", view=view)
