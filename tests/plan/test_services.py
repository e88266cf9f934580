import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.plan import queries, services
from bot.plan.errors import Conflict, InvalidInput, InvalidInputs, NotAllowed
from bot.plan.rules import ActionStatus
from bot.plan.services import Actor
from bot.slack.errors import say
from storage.db import Sessions, make_engine
from storage.models import Action, ActionEvent
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, TEAM, load

alice, bob, admin, mallory = (Actor(u, TEAM) for u in (ALICE, BOB, ADMIN, MALLORY))


def events(sessions, kind=None):
    with sessions.read() as session:
        query = select(ActionEvent).order_by(ActionEvent.id)
        if kind:
            query = query.where(ActionEvent.kind == kind)
        return list(session.scalars(query))


def action(session, ref, key="ppr"):
    return queries.get_action(session, queries.get_plan(session, key), ref)


def test_an_owner_completes_their_action_with_one_audit_event(sessions, now):
    load(sessions, now)
    before = len(events(sessions))
    with sessions.begin() as session:
        services.complete(session, action(session, "1.1"), alice, now, note="Published on the website")
    after = events(sessions)
    assert len(after) == before + 1
    assert (after[-1].kind, after[-1].actor, after[-1].old_value, after[-1].new_value, after[-1].reason) == (
        "completed", ALICE, "in_progress", "complete", "Published on the website")
    with sessions.read() as session:
        done = action(session, "1.1")
        assert done.status == ActionStatus.COMPLETE and done.completed_at == now


def test_an_owner_cannot_complete_someone_elses_action(sessions, now):
    load(sessions, now)
    before = len(events(sessions))
    with pytest.raises(NotAllowed) as refused:
        with sessions.begin() as session:
            services.complete(session, action(session, "1.1"), bob, now)
    assert refused.value.holders == {"Head of Protection": (ALICE,)} and refused.value.admins == (ADMIN,)
    said = say(refused.value)  # as Slack shows it: the holders and, apart, the admins
    assert "Head of Protection" in said and f"<@{ALICE}>" in said
    assert f"<@{ADMIN}>" in said
    assert len(events(sessions)) == before
    with sessions.read() as session:
        assert action(session, "1.1").status == ActionStatus.IN_PROGRESS


def test_someone_with_no_role_can_change_nothing(sessions, now):
    load(sessions, now)
    for change in (
        lambda s: services.complete(s, action(s, "2.1"), mallory, now),
        lambda s: services.add_note(s, action(s, "2.1"), mallory, now, "hello"),
        lambda s: services.revise_due(s, action(s, "2.1"), mallory, now, date(2027, 1, 1), "late"),
        lambda s: services.reopen(s, action(s, "3.1"), mallory, now),
        lambda s: services.add_admin(s, queries.get_plan(s, "ppr"), mallory, now, MALLORY),
        lambda s: services.map_role(s, queries.get_plan(s, "ppr"), mallory, now, "Head of Protection", MALLORY,
                                    org_id=TEAM),
    ):
        with pytest.raises(NotAllowed):
            with sessions.begin() as session:
                change(session)
    assert [e.actor for e in events(sessions) if e.actor == MALLORY] == []


def test_either_role_of_a_shared_action_may_change_it_and_so_may_an_admin(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        services.add_note(session, action(session, "2.1"), alice, now, "Advert out")
        services.add_note(session, action(session, "2.1"), bob, now, "Interviews booked")
        services.complete(session, action(session, "1.2"), admin, now)
    assert [e.actor for e in events(sessions, "note")] == [ALICE, BOB]


def test_roles_held_in_another_slack_team_do_not_count(sessions, now):
    load(sessions, now)
    with pytest.raises(NotAllowed):
        with sessions.begin() as session:
            services.complete(session, action(session, "1.1"), Actor(ALICE, "TOTHER"), now)


def test_completing_twice_is_refused_the_second_time(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        services.complete(session, action(session, "1.1"), alice, now)
    with pytest.raises(Conflict, match="already complete"):
        with sessions.begin() as session:
            services.complete(session, action(session, "1.1"), alice, now)
    assert len(events(sessions, "completed")) == 1


def test_reopening_a_complete_action_puts_it_back_in_progress(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        services.reopen(session, action(session, "3.1"), admin, now, reason="Campaign relaunched")
    with sessions.read() as session:
        reopened = action(session, "3.1")
        assert (reopened.status, reopened.completed_at) == ("in_progress", None)
    with pytest.raises(Conflict, match="nothing to reopen"):
        with sessions.begin() as session:
            services.reopen(session, action(session, "1.1"), alice, now)


def test_revising_a_date_needs_a_future_new_date_and_a_reason(sessions, now):
    load(sessions, now)
    today = date(2026, 11, 22)
    cases = [
        (today - timedelta(days=1), "Supplier late", "date", "in the past"),
        (date(2026, 12, 1), "Supplier late", "date", "already due on 01/12/2026"),
        (date(2027, 1, 31), "   ", "reason", "reason"),
    ]
    for new_date, reason, field, words in cases:
        with pytest.raises(InvalidInput) as refused:
            with sessions.begin() as session:
                services.revise_due(session, action(session, "1.1"), alice, now, new_date, reason)
        assert refused.value.field == field and words in refused.value.message
    with pytest.raises(InvalidInputs) as both:
        with sessions.begin() as session:
            services.revise_due(session, action(session, "1.1"), alice, now, today - timedelta(days=3), "")
    assert [p.field for p in both.value.problems] == ["date", "reason"]
    assert [e for e in events(sessions, "revised") if e.actor == ALICE] == []


def test_a_revised_date_is_kept_with_its_reason_and_audited(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        services.revise_due(session, action(session, "1.1"), alice, now, date(2027, 1, 31), "Printer strike")
    with sessions.read() as session:
        revised = action(session, "1.1")
        assert (revised.original_due, revised.revised_due, revised.revision_reason) == (
            date(2026, 12, 1), date(2027, 1, 31), "Printer strike")
    last = events(sessions, "revised")[-1]
    assert (last.old_value, last.new_value, last.reason, last.actor) == (
        "2026-12-01", "2027-01-31", "Printer strike", ALICE
    )


def test_an_empty_update_is_refused(sessions, now):
    load(sessions, now)
    with pytest.raises(InvalidInput, match="update"):
        with sessions.begin() as session:
            services.add_note(session, action(session, "1.1"), alice, now, " ")


def test_admins_add_and_remove_admins_but_never_the_last_one(sessions, now):
    load(sessions, now)
    with sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        services.add_admin(session, plan, admin, now, ALICE)
    with sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        services.remove_admin(session, plan, alice, now, ADMIN)
    with pytest.raises(Conflict, match="last admin"):
        with sessions.begin() as session:
            services.remove_admin(session, queries.get_plan(session, "ppr"), alice, now, ALICE)
    assert [e.kind for e in events(sessions) if e.kind.startswith("admin")] == [
        "admin_added", "admin_added", "admin_removed"
    ]


def race(sessions_pair, click) -> list[str]:
    """Run `click(sessions, actor)` for Alice and Bob at once; each outcome is "completed" or the refusal."""
    outcomes: list[str] = []

    def run(sessions: Sessions, actor: Actor) -> None:
        try:
            click(sessions, actor)
            outcomes.append("completed")
        except Conflict as error:
            outcomes.append(error.message)

    threads = [threading.Thread(target=run, args=(s, a)) for s, a in zip(sessions_pair, (alice, bob))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return sorted(outcomes)


def test_two_people_completing_one_action_at_once_complete_it_once(database_url, now):
    """Two real connections, both reading the open action before either writes."""
    pair = Sessions(make_engine(database_url)), Sessions(make_engine(database_url))
    load(pair[0], now)
    barrier = threading.Barrier(2, timeout=10)

    def click(sessions: Sessions, actor: Actor) -> None:
        with sessions.read() as session:
            assert action(session, "2.1").status == "in_progress"
        barrier.wait()
        with sessions.begin() as session:
            services.complete(session, action(session, "2.1"), actor, now)

    assert race(pair, click) == ["2.1 is already complete.", "completed"]
    assert len(events(pair[0], "completed")) == 1
    for s in pair:
        s.engine.dispose()


def test_concurrent_completion_holds_on_postgresql_with_transactions_overlapping(postgres_url, now):
    """Both transactions have loaded the action when the first UPDATE lands."""
    pair = Sessions(make_engine(postgres_url)), Sessions(make_engine(postgres_url))
    load(pair[0], now)
    loaded = threading.Barrier(2, timeout=10)

    def click(sessions: Sessions, actor: Actor) -> None:
        with sessions.begin() as session:
            target = action(session, "2.1")
            loaded.wait()
            services.complete(session, target, actor, now)

    assert race(pair, click) == ["2.1 is already complete.", "completed"]
    with pair[0].read() as session:
        assert session.scalar(select(func.count()).select_from(ActionEvent).where(ActionEvent.kind == "completed")) == 1
        assert session.scalar(select(Action.version).where(Action.ref == "2.1")) == 2
    for s in pair:
        s.engine.dispose()
