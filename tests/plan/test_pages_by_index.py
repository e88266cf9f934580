"""A page of a plan is one range of its actions' places (`sort_key`), and its colours are
counted from an index: both must say exactly what reading every action would."""

from collections import Counter

from sqlalchemy import select, update

from bot.plan import evidence, queries, services
from bot.plan.rules import ActionStatus, Rag
from bot.plan.services import Actor
from storage.models import Action, Recommendation
from tests.helpers.plans import SMALL_PLAN, TODAY, big_plan_csv, import_csv, load

cli = Actor.cli("test")


def places(sessions, key: str) -> tuple[list[str], list[int]]:
    """The plan's refs in page order (recommendation, position, id) and their sort keys in that order."""
    with sessions.read() as session:
        rows = session.execute(
            select(Action.ref, Action.sort_key)
            .join(Recommendation, Recommendation.id == Action.recommendation_id)
            .where(Action.plan_id == queries.get_plan(session, key).id)
            .order_by(Recommendation.number, Action.position, Action.id)
        ).all()
    return [r.ref for r in rows], [r.sort_key for r in rows]


def status_refs(sessions, key: str, page_size: int) -> list[list[str]]:
    pages = []
    with sessions.read() as session:
        plan = queries.get_plan(session, key)
        offset = 0
        while True:
            view = queries.status(session, plan, TODAY, offset=offset, page_size=page_size)
            refs = [a.ref for r in view.recommendations for a in r.actions]
            if not refs:
                return pages
            pages.append(refs)
            offset += page_size


def test_each_action_is_numbered_in_page_order_and_a_reimport_that_moves_rows_renumbers_them(sessions, now):
    load(sessions, now)
    refs, keys = places(sessions, "ppr")
    assert refs == ["1.1", "1.2", "2.1", "3.1"] and keys == [0, 1, 2, 3]
    lines = SMALL_PLAN.splitlines()
    # Recommendation 3 first in the file, and a new action added to recommendation 1.
    added = ",Train the inspectors,Head of Protection,01/02/2027,Not started,,"
    moved = "\n".join([lines[0], lines[4], lines[1], added, lines[2], lines[3]]) + "\n"
    report = import_csv(sessions, moved, now=now)
    assert report.added == ["1.3"]
    refs, keys = places(sessions, "ppr")
    assert refs == ["1.1", "1.2", "1.3", "2.1", "3.1"]
    assert keys == [0, 1, 2, 3, 4]
    assert status_refs(sessions, "ppr", page_size=2) == [["1.1", "1.2"], ["1.3", "2.1"], ["3.1"]]


def test_status_pages_list_every_action_once_in_plan_order(sessions, now):
    load(sessions, now, csv_text=big_plan_csv(40, per_recommendation=7), key="big", map_owners=False)
    refs, keys = places(sessions, "big")
    assert keys == list(range(40))
    pages = status_refs(sessions, "big", page_size=12)
    assert [len(p) for p in pages] == [12, 12, 12, 4]
    assert [ref for page in pages for ref in page] == refs


def test_colours_counted_from_the_index_match_every_actions_own_colour(sessions, now):
    load(sessions, now, csv_text=big_plan_csv(60, per_recommendation=7), key="big", map_owners=False)

    def both() -> tuple[queries.RagCounts, Counter[Rag]]:
        with sessions.read() as session:
            plan = queries.get_plan(session, "big")
            ids = list(session.scalars(select(Action.id).where(Action.plan_id == plan.id)))
            colours = Counter(v.rag for v in queries.action_views(session, ids, TODAY))
            return queries.rag_counts(session, plan.id, TODAY), colours

    counted, read = both()
    assert min(read[Rag.RED], read[Rag.AMBER], read[Rag.GREEN]) > 0  # the plan has every colour
    assert (counted.red, counted.amber, counted.green) == (read[Rag.RED], read[Rag.AMBER], read[Rag.GREEN])
    with sessions.begin() as session:
        plan = queries.get_plan(session, "big")
        late = session.scalars(select(Action).where(Action.plan_id == plan.id, Action.status != "complete",
                                                    Action.original_due < TODAY, Action.revised_due.is_(None))
                               .order_by(Action.id).limit(3)).all()
        services.complete(session, late[0], cli, now)
        services.revise_due(session, late[1], cli, now, TODAY.replace(year=TODAY.year + 1), "moved on")
        done = session.scalars(select(Action).where(Action.plan_id == plan.id, Action.status == "complete")
                               .order_by(Action.id)).first()
        assert done is not None
        services.reopen(session, done, cli, now)
    after, read_after = both()
    assert (after.red, after.amber, after.green) == (read_after[Rag.RED], read_after[Rag.AMBER], read_after[Rag.GREEN])
    assert after.green == counted.green and after.red < counted.red  # one completed, one reopened, one moved on


def test_business_as_usual_and_blocked_counted_from_indexes_match_every_actions_own(sessions, now):
    load(sessions, now, csv_text=big_plan_csv(60, per_recommendation=7), key="big", map_owners=False)
    with sessions.begin() as session:
        plan = queries.get_plan(session, "big")
        open_ = session.scalars(select(Action).where(Action.plan_id == plan.id, Action.status != "complete")
                                .order_by(Action.id)).all()
        for action in open_[:4]:
            evidence.block(session, action, cli, now, "waiting on the county council")
        services.complete(session, open_[0], cli, now)  # blocked once, complete now: not counted blocked
        session.execute(update(Action).where(Action.id.in_([open_[1].id, open_[5].id]))
                        .values(status=ActionStatus.BAU, bau_where="Protection team's business plan"))

    with sessions.read() as session:
        plan = queries.get_plan(session, "big")
        ids = list(session.scalars(select(Action.id).where(Action.plan_id == plan.id)))
        views = queries.action_views(session, ids, TODAY)
        counted = queries.rag_counts(session, plan.id, TODAY)
    colours = Counter(v.rag for v in views)
    assert (counted.red, counted.amber, counted.green, counted.bau) == (
        colours[Rag.RED], colours[Rag.AMBER], colours[Rag.GREEN], colours[Rag.BAU])
    assert counted.bau == 2
    assert counted.blocked == sum(v.blocked for v in views) == 2  # the BAU one and the completed one left
