"""The HTTP server itself: health, and refusing requests that Slack did not sign."""

import time

from sqlalchemy import func, select

from storage.models import ActionEvent
from tests.helpers.plans import load


def event_count(sessions):
    with sessions.read() as session:
        return session.scalar(select(func.count()).select_from(ActionEvent))


def test_health_answers_200_when_the_database_is_reachable(planbot):
    reply = planbot.get("/healthz")
    assert reply.status == 200 and reply.json == {"ok": True, "database": "reachable"}


def test_a_forged_signature_is_refused_and_nothing_changes(planbot, now):
    load(planbot.sessions, now)
    before = event_count(planbot.sessions)
    body = planbot.command_body("done 1.1")
    reply = planbot.post(body, "application/x-www-form-urlencoded", secret="not-the-signing-secret")
    assert reply.status == 401
    assert event_count(planbot.sessions) == before
    assert planbot.fake.calls_to("response_url") == []


def test_a_request_older_than_five_minutes_is_refused_and_nothing_changes(planbot, now):
    load(planbot.sessions, now)
    before = event_count(planbot.sessions)
    body = planbot.command_body("done 1.1")
    reply = planbot.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60)
    assert reply.status == 401
    assert event_count(planbot.sessions) == before


def test_an_unknown_path_is_not_found(planbot):
    assert planbot.get("/nope").status == 404
