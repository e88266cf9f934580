"""Owner roles renamed or merged after an import: audited, the people mapped to them kept, and
the old name still finding the role, so next month's copy of the same tracker changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.plan.errors import Conflict, NotAllowed, NotFound
from bot.plan.queries import get_action, get_plan, role_holders
from bot.plan.services import Actor, map_role, merge_roles, rename_role
from storage.models import ActionEvent, Role
from tests.helpers.plans import ALICE, BOB, MALLORY, TEAM, import_csv
from tests.helpers.september import PAPER_DAY, SEPTEMBER_CSV, import_september

CLI = Actor.cli("secretary")


def events(sessions, kind: str) -> list[tuple[int | None, str | None, str | None, str | None]]:
    with sessions.read() as session:
        rows = session.scalars(select(ActionEvent).where(ActionEvent.kind == kind).order_by(ActionEvent.id))
        return [(e.action_id, e.old_value, e.new_value, e.reason) for e in rows]


def owners_of(sessions, ref: str) -> list[str]:
    with sessions.read() as session:
        return [o.role.name for o in get_action(session, get_plan(session, "ppr"), ref).owners]


def test_merging_near_duplicates_moves_actions_and_people_and_keeps_the_old_name(sessions):
    import_september(sessions)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        map_role(session, plan, CLI, PAPER_DAY, "Corporate comms.", BOB, org_id=TEAM)
        map_role(session, plan, CLI, PAPER_DAY, "Head of Protection and Prevention", ALICE, org_id=TEAM)
        map_role(session, plan, CLI, PAPER_DAY, "Head of Prevention and Protection", ALICE, org_id=TEAM)
        merge_roles(session, CLI, PAPER_DAY, "Head of Protection and Prevention", "Head of Prevention and Protection")
        merge_roles(session, CLI, PAPER_DAY, "corporate comms.", "Corporate Comms")
    assert owners_of(sessions, "1.1") == ["Head of Prevention and Protection", "Corporate Comms"]
    with sessions.read() as session:
        names = set(session.scalars(select(Role.name)))
        action = get_action(session, get_plan(session, "ppr"), "1.1")
        holders = role_holders(session, action.id, Actor(ALICE, TEAM))
    assert {"Head of Protection and Prevention", "Corporate comms."}.isdisjoint(names)
    assert holders == {"Head of Prevention and Protection": (ALICE,), "Corporate Comms": (BOB,)}
    assert [(old, new) for _, old, new, _ in events(sessions, "role_merged")] == [
        ("Head of Protection and Prevention", "Head of Prevention and Protection"),
        ("Corporate comms.", "Corporate Comms")]
    owner_changes = events(sessions, "owners")
    assert owner_changes[-1][1:] == ("Head of Prevention and Protection / Corporate comms.",
                                     "Head of Prevention and Protection / Corporate Comms",
                                     "roles merged: Corporate comms. into Corporate Comms")
    # Next month's copy of the same tracker still says the old names: nothing changes.
    report = import_csv(sessions, SEPTEMBER_CSV.read_text(encoding="utf-8"), now=PAPER_DAY)
    assert (report.updated, report.unchanged) == ([], 10)
    assert not any("look like one role" in str(w) for w in report.warnings)


def test_renaming_a_role_keeps_who_holds_it_and_is_audited(sessions):
    import_september(sessions)
    with sessions.begin() as session:
        map_role(session, get_plan(session, "ppr"), CLI, PAPER_DAY, "Head of Ops Policy", BOB, org_id=TEAM)
        rename_role(session, CLI, PAPER_DAY, "head of ops policy", "Head of Operational Policy")
    assert owners_of(sessions, "2.1") == ["Head of Operational Policy"]
    with sessions.read() as session:
        action = get_action(session, get_plan(session, "ppr"), "2.1")
        assert role_holders(session, action.id, Actor(BOB, TEAM)) == {"Head of Operational Policy": (BOB,)}
    assert [(old, new) for _, old, new, _ in events(sessions, "role_renamed")] == [
        ("Head of Ops Policy", "Head of Operational Policy")]
    report = import_csv(sessions, SEPTEMBER_CSV.read_text(encoding="utf-8"), now=PAPER_DAY)
    assert report.unchanged == 10


def test_renaming_onto_another_role_asks_for_a_merge_and_only_admins_may_do_either(sessions):
    import_september(sessions)
    with sessions.begin() as session:
        with pytest.raises(Conflict, match="merge them"):
            rename_role(session, CLI, PAPER_DAY, "Corporate comms.", "corporate comms")
        with pytest.raises(NotFound, match='no role "Head of Nothing"'):
            merge_roles(session, CLI, PAPER_DAY, "Head of Nothing", "Corporate Comms")
        with pytest.raises(NotAllowed):
            rename_role(session, Actor(MALLORY, TEAM), PAPER_DAY, "Head of Ops Policy", "Ops")
        with pytest.raises(NotAllowed):
            merge_roles(session, Actor(MALLORY, TEAM), PAPER_DAY, "Corporate comms.", "Corporate Comms")
