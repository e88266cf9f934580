"""Each reminder is sent exactly once per recipient and day: across a crash between Slack's accept
and the record, through a 429 storm, with runners racing on one database, and with two
`planbot serve` processes on one PostgreSQL. And a run's SQL does not grow with what people hold.

The real slack_sdk client talks to the local Slack; nothing of planbot's is mocked.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.plan.reminders import LEASE
from storage.db import Sessions, make_engine
from storage.models import ReminderDelivery, ReminderMark
from tests.helpers.reminders import ADMIN, ALICE, MONDAY, Clock, add_people, courier_for, dms, load_plan, remind
from tests.plan.test_query_counts import statements
from tests.test_cli_summary import environment, serve, stop


class ProcessDied(BaseException):
    """Stands for the process being killed: nothing after it runs, not even error handling."""


class DiesAfterSlackAccepts(WebClient):
    """A slack_sdk client in a process that is killed just after Slack accepts its first post."""

    def chat_postMessage(self, **kwargs):  # type: ignore[override]
        super().chat_postMessage(**kwargs)
        raise ProcessDied


def ok_posts(fake) -> list:
    return [c for c in fake.calls_to("chat.postMessage") if c.status == 200 and c.response.get("ok")]


def deliveries(sessions) -> list[ReminderDelivery]:
    with sessions.read() as session:
        return list(session.scalars(select(ReminderDelivery).order_by(ReminderDelivery.recipient)))


def test_a_crash_between_slacks_accept_and_the_record_does_not_send_it_again(sessions, fake_slack):
    load_plan(sessions, roles={"Head of Protection": ALICE})
    add_people(fake_slack)
    clock = Clock(MONDAY)
    dying = courier_for(fake_slack, poster_client=DiesAfterSlackAccepts(token="xoxb-test-token",
                                                                        base_url=fake_slack.url))
    with pytest.raises(ProcessDied):
        remind(sessions, fake_slack, clock, courier=dying)
    [dm] = dms(fake_slack, ADMIN)  # the admin comes first, and the process dies just after
    [row] = [d for d in deliveries(sessions) if d.recipient == ADMIN]
    assert (row.state, row.message_ts) == ("claimed", None)  # Slack has it; the database does not know

    clock.now += timedelta(minutes=1)
    busy = remind(sessions, fake_slack, clock, worker="w2")
    assert "busy" in {o.kind for o in busy.outcomes}  # the dead process's claim holds until its lease ends
    clock.now = MONDAY + LEASE
    after = remind(sessions, fake_slack, clock, worker="w2")
    [recovered] = after.of("recovered")
    assert recovered.recipient == row.recipient and recovered.message_ts == dm["ts"]
    assert len(ok_posts(fake_slack)) == len({ADMIN, ALICE})  # the other person's, and the one recovered: once each
    [row] = [d for d in deliveries(sessions) if d.recipient == recovered.recipient]
    assert (row.state, row.message_ts, row.claimed_by, row.attempts) == ("sent", dm["ts"], "w2", 2)
    with sessions.read() as session:  # what the found message said is marked, so it is not sent again
        assert session.scalars(select(ReminderMark).where(ReminderMark.recipient == row.recipient)).all()
    assert remind(sessions, fake_slack, clock, worker="w3").outcomes == []


@pytest.mark.timeout(120)
def test_a_429_storm_is_ridden_out_after_each_retry_after_and_each_dm_goes_once(sessions, fake_slack):
    load_plan(sessions)
    add_people(fake_slack)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, times=4)

    report = remind(sessions, fake_slack, MONDAY, pace=0.2)

    assert sorted(o.kind for o in report.outcomes) == ["sent", "sent", "sent"]
    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in calls][:4] == [429, 429, 429, 429] and len(ok_posts(fake_slack)) == 3
    for before, after in zip(calls, calls[1:], strict=False):
        if before.status == 429:
            assert after.at - before.at >= 1.0, "a retry came before Slack's Retry-After"
    sent = [c.at for c in calls if c.status == 200]
    assert all(b - a >= 0.2 for a, b in zip(sent, sent[1:], strict=False)), "DMs were not spread out"
    recipients = Counter(c.args["metadata"]["event_payload"]["recipient"] for c in ok_posts(fake_slack))
    assert set(recipients.values()) == {1}


@pytest.mark.timeout(120)
def test_four_runners_on_two_engines_racing_send_each_dm_once(database_url, fake_slack):
    engines = [Sessions(make_engine(database_url)) for _ in range(2)]
    try:
        load_plan(engines[0])
        add_people(fake_slack)
        for day in (1, 2, 8):
            clock = Clock(datetime(2027, 3, day, 14, 30, tzinfo=UTC))
            barrier = threading.Barrier(4)
            outcomes: list = []
            errors: list = []

            def race(number: int, clock: Clock = clock, barrier: threading.Barrier = barrier) -> None:
                try:
                    barrier.wait()
                    outcomes.extend(remind(engines[number % 2], fake_slack, clock, worker=f"w{number}").outcomes)
                except BaseException as error:  # noqa: BLE001 - reported below
                    errors.append(error)

            threads = [threading.Thread(target=race, args=(n,)) for n in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            assert errors == []
            assert {o.kind for o in outcomes} <= {"sent", "busy", "already_sent"}
            sent = [o.recipient for o in outcomes if o.kind == "sent"]
            assert len(sent) == len(set(sent)) and sent
        per_day = Counter((c.args["metadata"]["event_payload"]["recipient"], c.args["metadata"]["event_payload"]["day"])
                          for c in ok_posts(fake_slack))
        assert set(per_day.values()) == {1}
        assert {state for d in deliveries(engines[0]) for state in [d.state]} == {"sent"}
    finally:
        for s in engines:
            s.engine.dispose()


@pytest.mark.timeout(180)
def test_two_planbot_serve_processes_on_one_postgresql_send_each_dm_once(postgres_url, fake_slack, tmp_path):
    sessions = Sessions(make_engine(postgres_url))
    try:
        load_plan(sessions)
        people = {f"UP{n:02d}": "Europe/London" for n in range(12)}
        rows = "\n".join(f"{6 + n}) Area {n},Deliver item {n},Role {n},22/02/2027," for n in range(12))
        load_plan(sessions, key="more", roles={f"Role {n}": f"UP{n:02d}" for n in range(12)},
                  csv_text="Recommendation,Actions,Owner,Delivery Date,Status\n" + rows + "\n")
        add_people(fake_slack)
        add_people(fake_slack, people)
        env = environment(postgres_url, fake_slack, PLANBOT_CLOCK_START="2027-03-01T14:30:00Z",
                          PLANBOT_REMINDER_INTERVAL="0.2", PLANBOT_REMINDER_PACE="0")
        processes = [serve(env, "--no-scheduler", log=tmp_path / f"serve{n}.log")[0] for n in range(2)]
        try:
            expected = 3 + 1 + len(people)  # Alice, Bob, Dave, the admin, and the twelve
            fake_slack.wait_for("chat.postMessage", expected, timeout=60)
            time.sleep(1.5)  # several more ticks of both: nothing more
        finally:
            for process in processes:
                stop(process)
        recipients = Counter(c.args["metadata"]["event_payload"]["recipient"] for c in ok_posts(fake_slack))
        assert len(recipients) == expected and set(recipients.values()) == {1}
        assert all(fake_slack.counts().get(m, 0) <= expected for m in ("conversations.open", "users.info"))
        logs = [(tmp_path / f"serve{n}.log").read_text() for n in range(2)]
        assert all("reminders started at" in log for log in logs)
    finally:
        sessions.engine.dispose()


def people_plan(people: int, actions_each: int) -> tuple[str, dict[str, str]]:
    rows = []
    for p in range(people):
        for a in range(actions_each):
            due = datetime(2027, 2, 1) + timedelta(days=a * 3)
            rows.append(f"{p * actions_each + a + 1}) Area,Item {a} of person {p},Role {p},{due:%d/%m/%Y},")
    return ("Recommendation,Actions,Owner,Delivery Date,Status\n" + "\n".join(rows) + "\n",
            {f"Role {p}": f"UQ{p:03d}" for p in range(people)})


def statements_of_a_run(sessions, fake, people: int, actions_each: int) -> int:
    csv_text, roles = people_plan(people, actions_each)
    load_plan(sessions, key=f"p{people}x{actions_each}", csv_text=csv_text, roles=roles)
    add_people(fake, {user: "Europe/London" for user in [*roles.values(), ADMIN]})
    remind(sessions, fake, MONDAY - timedelta(days=7))  # the first run looks up timezones and opens DMs
    with statements(sessions.engine) as seen:
        report = remind(sessions, fake, MONDAY)
    assert len(report.of("sent")) == people + 1  # and the admin, for the long overdue
    return len(seen)


def test_a_runs_statements_are_a_constant_per_person_whatever_each_holds(tmp_path, sqlite_template, fake_slack):
    counts = {}
    for people, actions_each in ((2, 1), (4, 1), (4, 6)):
        path = tmp_path / f"{people}x{actions_each}.db"
        path.write_bytes(sqlite_template.read_bytes())
        sessions = Sessions(make_engine(f"sqlite:///{path}"))
        counts[people, actions_each] = statements_of_a_run(sessions, fake_slack, people, actions_each)
        sessions.engine.dispose()
    per_person = (counts[4, 1] - counts[2, 1]) / 2
    assert counts[4, 6] == counts[4, 1], f"statements grew with the actions each person holds: {counts}"
    # A DM costs two transactions (the claim, then the record), each of which opens with SQLite's
    # busy timeout for its time limit (storage/db.py): 8 statements a person, whatever they hold.
    assert per_person <= 8, f"{per_person} statements a person: {counts}"
