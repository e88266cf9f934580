"""`/plan settings`: an admin gets the board paper settings in a modal, pre-filled; a submission
is checked before the ack (each problem beside its field, nothing written), saved as the admin
in the signed payload (audited), and a replay changes nothing. Others are refused."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.plan.paper.settings import FIELDS, paper_settings
from bot.plan.queries import get_plan
from bot.slack import texts
from bot.slack.ids import PAPER_INPUT, CallbackId
from bot.slack.paper_settings import block_id
from storage.kinds import EventKind
from storage.models import ActionEvent
from tests.helpers.plans import ADMIN, ALICE, load


def values(**settings: str) -> dict:
    return {block_id(name): {PAPER_INPUT: {"type": "plain_text_input", "value": settings.get(name)}}
            for name in FIELDS}


def open_settings(planbot, user=ADMIN) -> dict:
    reply = planbot.command("settings", user=user)
    assert reply.status == 200
    assert texts.PAPER_SETTINGS_OPENED.format(plan="ppr") in reply.text
    [call] = planbot.fake.calls_to("views.open")
    assert call.response["ok"], call.response
    return call.response["view"]


def trail(planbot) -> list[tuple[str, str | None]]:
    with planbot.sessions.read() as session:
        return [tuple(r) for r in session.execute(
            select(ActionEvent.actor, ActionEvent.new_value).where(ActionEvent.kind == EventKind.PAPER_SETTING)
            .order_by(ActionEvent.id))]


def test_an_admin_sets_the_papers_cover_and_sections_in_a_modal(planbot, now):
    load(planbot.sessions, now)
    view = open_settings(planbot)
    assert view["callback_id"] == CallbackId.PAPER_SETTINGS
    assert json.loads(view["private_metadata"]) == {"plan": "ppr"}
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["label"]["text"] for b in inputs][:3] == ["Meeting", "Meeting date", "Agenda item"]
    assert all(b["optional"] for b in inputs) and len(view["blocks"]) <= 100

    reply = planbot.submit(view, values(meeting="Performance and Resources Board", meeting_date="30/09/2021",
                                        risks="Recruitment of the business engagement SM.", attach="docx"),
                           user=ADMIN)
    assert reply.status == 200
    answer = reply.json
    assert answer["response_action"] == "update"
    assert "Saved the board paper settings of plan `ppr`: meeting, meeting date, risks and mitigations, attach" in (
        answer["view"]["blocks"][0]["text"]["text"])
    with planbot.sessions.read() as session:
        settings = paper_settings(session, get_plan(session, "ppr"))
    assert (settings.meeting, settings.shown("meeting_date"), settings.attach.value) == (
        "Performance and Resources Board", "30 September 2021", "docx")
    assert [actor for actor, _ in trail(planbot)] == [ADMIN] * 4

    # Opened again, the form shows what is set.
    planbot.fake.reset()
    again = open_settings(planbot)
    shown = {b["block_id"]: b["element"].get("initial_value") for b in again["blocks"] if b["type"] == "input"}
    assert shown[block_id("meeting_date")] == "30 September 2021" and shown[block_id("background")] is None


def test_bad_settings_are_answered_beside_their_fields_and_nothing_is_written(planbot, now):
    load(planbot.sessions, now)
    view = open_settings(planbot)
    reply = planbot.submit(view, values(meeting="Board", meeting_date="31/02/2021", for_publication="maybe"),
                           user=ADMIN)
    answer = reply.json
    assert answer["response_action"] == "errors"
    assert set(answer["errors"]) == {block_id("meeting_date"), block_id("for_publication")}
    assert "February has no day 31" in answer["errors"][block_id("meeting_date")]
    assert trail(planbot) == []


def test_someone_who_is_no_admin_is_refused_the_form_and_the_submission(planbot, now):
    load(planbot.sessions, now)
    reply = planbot.command("settings", user=ALICE)
    assert "Only admins of plan `ppr` can do that" in reply.text
    assert planbot.fake.calls_to("views.open") == []
    view = open_settings(planbot)  # an admin's form, submitted by someone else: the payload says who
    answer = planbot.submit(view, values(meeting="Board"), user=ALICE).json
    assert answer["response_action"] == "errors"
    assert "Only admins of plan `ppr` can do that" in answer["errors"][block_id("meeting")]
    assert trail(planbot) == []


def test_a_replayed_submission_changes_nothing_and_is_answered_as_the_first(planbot, now):
    load(planbot.sessions, now)
    view = open_settings(planbot)
    body = planbot.submit_body(view, values(meeting="Board"), user=ADMIN)
    first = planbot.post(body, "application/x-www-form-urlencoded")
    replay = planbot.post(body, "application/x-www-form-urlencoded")
    assert first.json == replay.json and first.json["response_action"] == "update"
    assert len(trail(planbot)) == 1
