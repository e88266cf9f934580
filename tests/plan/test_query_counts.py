"""The number of SQL statements a request runs does not grow with the plan's size: the same
commands on a plan of 10 actions and one of 1,000 run exactly as many statements."""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from tests.helpers.plans import ADMIN, ALICE, big_plan_csv, load


@contextmanager
def statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(  # noqa: PLR0917 - SQLAlchemy's before_cursor_execute listener signature
        conn: object, cursor: object, statement: str, parameters: object, context: object,
              executemany: bool) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def plans(planbot, now):
    # Both plans have overdue, due and complete actions (the small one straddles today).
    load(planbot.sessions, now, csv_text=big_plan_csv(10), key="small")
    load(planbot.sessions, now, csv_text=big_plan_csv(1000), key="large", map_owners=False)
    return planbot


def run(planbot, text: str, user: str) -> int:
    with statements(planbot.sessions.engine) as seen:
        reply = planbot.command(text, user=user, channel="COTHER")
    assert reply.status == 200 and reply.json.get("blocks"), reply.body[:500]
    assert any(b.get("block_id", "").startswith("action.") for b in reply.json["blocks"]), "nothing listed"
    return len(seen)


@pytest.mark.parametrize("command,user", [
    ("status {plan}", ALICE),
    ("overdue {plan}", ALICE),
    ("due {plan} 3660", ALICE),
    ("mine {plan}", ALICE),
    ("show {plan} 1.2", ALICE),
    ("note {plan} 1.3 Progress is steady", ADMIN),
    ("done {plan} 1.2 Signed off", ADMIN),
])
def test_statements_per_request_do_not_grow_with_the_plan(plans, command, user):
    run(plans, "show small 1.1", ALICE)  # warm the connection pool (and nothing a command below draws)
    # A change sweeps expired delivery keys once a minute (bot.slack.deliveries): have it done.
    assert plans.command("note small 1.1 Warming up", user=ADMIN, channel="COTHER").status == 200
    small = run(plans, command.format(plan="small"), user)
    large = run(plans, command.format(plan="large"), user)
    assert small == large, f"{command}: {small} statements for 10 actions, {large} for 1,000"
    # A completion also schedules its effectiveness review (a check, the review, its audit event).
    assert small < 25


def test_a_plan_wide_list_is_drawn_once_per_change_and_drawn_again_after_one(plans):
    cold = run(plans, "status large", ALICE)
    warm = run(plans, "status large", ALICE)
    assert warm < cold  # served from the render cache: only the plan and its revision are read
    before = plans.command("status large", user=ALICE, channel="COTHER").text
    assert plans.command("done large 1.2 Signed off", user=ADMIN, channel="COTHER").status == 200
    after = plans.command("status large", user=ALICE, channel="COTHER").text
    assert after != before  # the change made a new revision, so the list was drawn again
