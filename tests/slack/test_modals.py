"""The "Revise date" and "Add update" modals: opened straight away on the click's trigger_id,
validated before the ack (problems shown beside their fields, nothing written), and on
success the message that was clicked is drawn again in place."""

from datetime import date

from slack_sdk.models.views import View

from bot.localslack import LocalSlack
from bot.plan.errors import Conflict, InvalidInput, InvalidInputs
from bot.plan.queries import ActionView
from bot.plan.rules import ActionStatus, Rag
from bot.slack import modals, texts
from bot.slack.ids import ActionId, BlockId, CallbackId, InputId, ModalMetadata, ViewSpec
from bot.slack.interactions import is_response_url
from tests.helpers.clicks import (
    action_pk,
    action_row,
    button,
    events,
    has_button,
    posts_to,
    settle,
    status_blocks,
    wait_for_posts,
)
from tests.helpers.plans import ADMIN, ALICE, BOB, load
from tests.helpers.slackharness import both_transports, message_text


def revision(new_date, reason):
    return {
        BlockId.REVISE_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": new_date}},
        BlockId.REVISE_REASON: {InputId.REASON: {"type": "plain_text_input", "value": reason}},
    }


def update(text):
    return {BlockId.NOTE_TEXT: {InputId.TEXT: {"type": "plain_text_input", "value": text}}}


def open_modal(planbot, ref, action_id=ActionId.REVISE, user=ALICE):
    """Click the button on a real `/plan status` reply; the modal planbot opened, and the click's response_url."""
    pk = action_pk(planbot.sessions, ref)
    opened_before = len(planbot.fake.calls_to("views.open"))
    reply = planbot.click(button(status_blocks(planbot, user=user), action_id, pk), user=user)
    assert reply.status == 200
    call = planbot.fake.wait_for("views.open", opened_before + 1)[-1]
    assert call.response["ok"], call.response
    return call.response["view"], planbot.last_response_url


def element(view, block_id):
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)["element"]


def unchanged(planbot, ref, before, response_url):
    settle()
    assert (action_row(planbot.sessions, ref).version, len(events(planbot.sessions))) == before
    assert posts_to(planbot, response_url) == []
    assert planbot.fake.calls_to("views.publish") == []


def state(planbot, ref):
    return action_row(planbot.sessions, ref).version, len(events(planbot.sessions))


@both_transports
def test_revise_date_opens_a_modal_straight_away_at_the_current_due_date(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    (opened,) = planbot.fake.calls_to("views.open")
    assert opened.args["trigger_id"] == planbot.last_trigger_id
    assert view["callback_id"] == CallbackId.REVISE and len(view["title"]["text"]) <= 24
    assert element(view, BlockId.REVISE_DATE) == {"type": "datepicker", "action_id": InputId.DATE,
                                                  "initial_date": "2026-12-01"}
    reason = element(view, BlockId.REVISE_REASON)
    assert reason["multiline"] is True and reason["action_id"] == InputId.REASON
    assert not any(b.get("optional") for b in view["blocks"])
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    assert (metadata.action_id, metadata.response_url, metadata.view.kind) == (
        action_pk(planbot.sessions, "1.1"), response_url, "status")
    assert "Publish the programme" in message_text({"view": view})


def test_the_date_picker_starts_at_the_revised_date_when_there_is_one(planbot, now):
    load(planbot.sessions, now)
    view, _ = open_modal(planbot, "2.1")
    assert element(view, BlockId.REVISE_DATE)["initial_date"] == "2026-11-20"
    assert "(originally 31 Oct 2026)" in message_text({"view": view})


@both_transports
def test_a_new_date_and_a_reason_revise_the_action_and_redraw_the_message(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    view, response_url = open_modal(planbot, "1.1")

    reply = planbot.submit(view, revision("2027-01-15", "Printer delayed"), user=ALICE)

    assert (reply.status, reply.body) == (200, "")
    row = action_row(planbot.sessions, "1.1")
    assert (row.revised_due, row.revision_reason) == (date(2027, 1, 15), "Printer delayed")
    (revised,) = events(planbot.sessions, "revised", pk)
    assert (revised.actor, revised.old_value, revised.new_value, revised.reason) == (
        ALICE, "2026-12-01", "2027-01-15", "Printer delayed")
    (redrawn,) = wait_for_posts(planbot, response_url, 1)
    assert redrawn.args["replace_original"] in (True, "true")
    assert "due 15/01/2027 (revised from 01/12/2026)" in message_text(redrawn.args)
    assert has_button(redrawn.args["blocks"], ActionId.REVISE, pk)
    (published,) = planbot.fake.wait_for("views.publish")
    assert published.args["user_id"] == ALICE


def test_a_past_date_is_answered_beside_the_date_and_nothing_is_written(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision("2026-11-01", "Because"), user=ALICE)
    assert reply.json == {"response_action": "errors",
                          "errors": {BlockId.REVISE_DATE: "01/11/2026 is in the past; pick today or later."}}
    unchanged(planbot, "1.1", before, response_url)


def test_the_same_date_is_answered_beside_the_date(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision("2026-12-01", "Because"), user=ALICE)
    assert reply.json["errors"] == {BlockId.REVISE_DATE: "1.1 is already due on 01/12/2026."}
    unchanged(planbot, "1.1", before, response_url)


def test_an_empty_reason_is_answered_beside_the_reason(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    for blank in ("", "   \n  ", None):
        reply = planbot.submit(view, revision("2027-01-15", blank), user=ALICE)
        assert reply.json["errors"] == {BlockId.REVISE_REASON: "Please give a reason for the new date."}
    unchanged(planbot, "1.1", before, response_url)


@both_transports
def test_a_past_date_and_an_empty_reason_are_both_answered_each_beside_its_field(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision("2025-01-01", " "), user=ALICE)
    assert reply.json == {"response_action": "errors", "errors": {
        BlockId.REVISE_DATE: "01/01/2025 is in the past; pick today or later.",
        BlockId.REVISE_REASON: "Please give a reason for the new date.",
    }}
    unchanged(planbot, "1.1", before, response_url)


def test_no_date_picked_is_answered_beside_the_date(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision(None, "Because"), user=ALICE)
    assert reply.json["errors"] == {BlockId.REVISE_DATE: texts.REVISE_MODAL_PICK_DATE}
    unchanged(planbot, "1.1", before, response_url)


def test_a_modal_submitted_by_someone_who_may_not_change_the_action_is_refused_in_the_modal(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision("2027-01-15", "Because"), user=BOB)
    assert reply.json["response_action"] == "errors"
    assert list(reply.json["errors"]) == [BlockId.REVISE_DATE]
    assert reply.json["errors"][BlockId.REVISE_DATE].startswith("Only the owners of 1.1")
    unchanged(planbot, "1.1", before, response_url)


def test_an_action_completed_while_the_modal_was_open_is_not_revised(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.1")
    assert planbot.command("done 1.1", user=ADMIN).status == 200
    before = state(planbot, "1.1")
    reply = planbot.submit(view, revision("2027-01-15", "Because"), user=ALICE)
    assert reply.json["errors"] == {BlockId.REVISE_DATE: "1.1 is complete; reopen it before revising its date."}
    unchanged(planbot, "1.1", before, response_url)


def test_a_revision_made_elsewhere_while_the_modal_was_open_is_not_overwritten(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "2.1")
    assert planbot.command("extend 2.1 28/02/2027 Budget moved", user=ADMIN).status == 200
    before = state(planbot, "2.1")
    reply = planbot.submit(view, revision("2027-01-15", "Because"), user=BOB)
    assert "changed while you were editing it" in reply.json["errors"][BlockId.REVISE_DATE]
    unchanged(planbot, "2.1", before, response_url)
    assert action_row(planbot.sessions, "2.1").revised_due == date(2027, 2, 28)


@both_transports
def test_add_update_writes_the_update_and_redraws_the_message(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.2", ActionId.NOTE, user=BOB)
    assert view["callback_id"] == CallbackId.NOTE and len(view["title"]["text"]) <= 24
    text = element(view, BlockId.NOTE_TEXT)
    assert (text["action_id"], text["multiline"]) == (InputId.TEXT, True)

    reply = planbot.submit(view, update("Model reviewed with the board"), user=BOB)

    assert (reply.status, reply.body) == (200, "")
    (noted,) = events(planbot.sessions, "note")
    assert (noted.actor, noted.reason, noted.action_id) == (BOB, "Model reviewed with the board",
                                                            action_pk(planbot.sessions, "1.2"))
    (redrawn,) = wait_for_posts(planbot, response_url, 1)
    assert redrawn.args["replace_original"] in (True, "true")
    assert planbot.fake.wait_for("views.publish")[0].args["user_id"] == BOB


def test_an_empty_update_is_answered_beside_the_text_and_nothing_is_written(planbot, now):
    load(planbot.sessions, now)
    view, response_url = open_modal(planbot, "1.2", ActionId.NOTE, user=BOB)
    before = state(planbot, "1.2")
    for blank in ("", "  \n ", None):
        reply = planbot.submit(view, update(blank), user=BOB)
        assert reply.json == {"response_action": "errors",
                              "errors": {BlockId.NOTE_TEXT: "Please give the update's text."}}
    unchanged(planbot, "1.2", before, response_url)


def test_an_expired_trigger_asks_the_user_to_click_again_and_the_click_is_still_acked(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    shown = status_blocks(planbot)
    planbot.fake.trigger_ttl = 0.0
    planbot.fake.expect_refusal("expired_trigger_id", method="views.open")

    reply = planbot.click(button(shown, ActionId.REVISE, pk), user=ALICE)

    assert reply.status == 200 and reply.elapsed < 3.0
    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert (told.args["text"], told.args["response_type"]) == (texts.CLICK_AGAIN, "ephemeral")
    assert told.args["replace_original"] in (False, "false")
    assert [c.response["error"] for c in planbot.fake.calls_to("views.open")] == ["expired_trigger_id"]
    assert events(planbot.sessions, "revised", pk) == []


def a_view(**changes):
    fields = dict(id=7, plan_key="ppr", ref="4.1", recommendation=4, description="Recruit two inspectors",
                  owners=("Head of Protection",), original_due=date(2026, 12, 31), revised_due=None,
                  revision_reason=None, status=ActionStatus.IN_PROGRESS, completed_at=None, version=3,
                  rag=Rag.AMBER, days_late=0)
    return ActionView(**{**fields, **changes})


METADATA = ModalMetadata(action_id=7, version=3, view=ViewSpec(kind="overdue", plan="ppr", offset=20),
                         response_url="https://hooks.slack.com/actions/T1/" + "9" * 200, channel_id="C1")


def test_the_modals_keep_within_slacks_limits_whatever_the_action():
    long = a_view(description="Recruit " * 2000, ref="R" * 32)
    for build in (modals.revise_modal, modals.note_modal):
        view = build(long, METADATA)
        View(**view).validate_json()
        assert len(view["title"]["text"]) <= 24 and len(view["private_metadata"]) <= 3000
        assert all(len(b["text"]["text"]) <= 3000 for b in view["blocks"] if b["type"] == "section")
        assert ModalMetadata.model_validate_json(view["private_metadata"]) == METADATA


def test_field_errors_put_each_problem_beside_its_field_and_the_rest_on_the_default():
    both = InvalidInputs([InvalidInput("Too early.", field="date"), InvalidInput("Why?", field="reason")])
    assert modals.field_errors(both, modals.REVISE_FIELDS, BlockId.REVISE_DATE) == {
        BlockId.REVISE_DATE: "Too early.", BlockId.REVISE_REASON: "Why?"}
    assert modals.field_errors(Conflict("Changed."), modals.REVISE_FIELDS, BlockId.REVISE_DATE) == {
        BlockId.REVISE_DATE: "Changed."}
    assert modals.field_errors(InvalidInput("Too long.", field="note"), modals.NOTE_FIELDS, BlockId.NOTE_TEXT) == {
        BlockId.NOTE_TEXT: "Too long."}


def test_submitted_values_are_read_from_the_view_state():
    assert modals.submitted_revision({"values": revision("2027-01-15", "Why")}) == (date(2027, 1, 15), "Why")
    assert modals.submitted_revision({"values": {}}) == (None, "")
    assert modals.submitted_note({"values": update("Done")}) == "Done"


def test_a_modal_whose_metadata_sends_its_redraw_elsewhere_is_refused_and_nothing_goes_there(planbot, now):
    load(planbot.sessions, now)
    view, _ = open_modal(planbot, "1.1", ActionId.NOTE)
    metadata = ModalMetadata.model_validate_json(view["private_metadata"])
    with LocalSlack() as elsewhere:
        forged = metadata.model_copy(update={"response_url": elsewhere.new_response_url()})

        reply = planbot.submit({**view, "private_metadata": forged.model_dump_json()}, update("Booked"), user=ALICE)

        settle()
        assert elsewhere.calls == []
    assert reply.json["response_action"] == "errors"
    assert "error id" in reply.json["errors"][BlockId.NOTE_TEXT]
    assert events(planbot.sessions, "note") == []


def test_only_slacks_hooks_host_or_the_configured_api_host_is_a_response_url():
    api = "http://127.0.0.1:4000/api/"
    assert is_response_url("https://hooks.slack.com/actions/T1/1/abc", api)
    assert is_response_url("http://127.0.0.1:4000/response/abc", api)
    for elsewhere in ("http://hooks.slack.com/actions/T1/1/abc", "https://hooks.slack.com.evil.example/a",
                      "https://hooks.slack.com@evil.example/a", "https://evil.example/hooks.slack.com",
                      "http://127.0.0.1:4001/response/abc", "https://127.0.0.1:4000/response/abc"):
        assert not is_response_url(elsewhere, api), elsewhere
