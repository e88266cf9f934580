"""Text a database cannot store (NUL above all: PostgreSQL refuses it outright) is refused,
wherever a person can type it, with a private reply naming what they typed; nothing is written.
On both databases."""

import pytest

from bot.plan.storable import MESSAGE
from bot.slack.ids import ActionId, BlockId
from tests.helpers.clicks import events
from tests.helpers.plans import ADMIN, ALICE, load
from tests.slack.test_modals import open_modal, revision, update

TYPED = [
    ("note 1.1 Interviews\x00 booked", ALICE, "The note"),
    ("done 1.1 Signed off\x00", ALICE, "The note"),
    ("extend 1.1 31/03/2027 Recruitment\x00 delayed", ALICE, "The reason"),
    ("extend 1.1 31/03/20\x0027 Recruitment delayed", ALICE, "The date"),
    ("show 1.\x001", ALICE, "The action reference"),
    ("note ppr 1\x00.1 Interviews booked", ALICE, "The action reference"),
    ("status pp\x00r", ALICE, "The plan key"),
    ("due pp\x00r 14", ALICE, "The plan key"),
    ("mine \x00", ALICE, "The plan key"),
    ('owner "Head\x00 of Protection" <@UBOB|bob>', ADMIN, "The role name"),
    ("owner remove Head of Protection\x01 <@UBOB|bob>", ADMIN, "The role name"),
    ("admin add <@UBOB|b\x00ob>", ADMIN, "The person"),
    ("admin add <@UBOB|bob> pp\x00r", ADMIN, "The plan key"),
    ("sta\x00tus", ALICE, "The command"),
    ("schedule ppr month\x00ly", ADMIN, "The text after `/plan schedule`"),
    ("summary ppr Nov\x00 2026", ALICE, "The text after `/plan summary`"),
]


@pytest.mark.parametrize(("text", "user", "what"), TYPED, ids=[t for t, _, _ in TYPED])
def test_a_command_with_a_nul_or_control_character_is_refused_naming_what(planbot, now, text, user, what):
    load(planbot.sessions, now)
    before = len(events(planbot.sessions))
    reply = planbot.command(text, user=user)
    assert reply.status == 200
    assert reply.json["response_type"] == "ephemeral"
    code = next(f"U+{ord(c):04X}" for c in text if ord(c) < 0x20)
    assert reply.text == MESSAGE.format(what=what, code=code)
    assert len(events(planbot.sessions)) == before


def test_an_update_with_a_nul_is_refused_beside_its_field(planbot, now):
    load(planbot.sessions, now)
    view, _ = open_modal(planbot, "1.1", ActionId.NOTE)
    before = len(events(planbot.sessions))
    reply = planbot.submit(view, update("Interviews\x00 booked"))
    assert reply.json == {"response_action": "errors",
                          "errors": {BlockId.NOTE_TEXT: MESSAGE.format(what="The note", code="U+0000")}}
    assert len(events(planbot.sessions)) == before


def test_a_revision_reason_with_a_nul_is_refused_beside_its_field(planbot, now):
    load(planbot.sessions, now)
    view, _ = open_modal(planbot, "1.1", ActionId.REVISE)
    before = len(events(planbot.sessions))
    reply = planbot.submit(view, revision("2027-03-31", "Recruitment\x00 delayed"))
    assert reply.json == {"response_action": "errors",
                          "errors": {BlockId.REVISE_REASON: MESSAGE.format(what="The reason", code="U+0000")}}
    assert len(events(planbot.sessions)) == before
