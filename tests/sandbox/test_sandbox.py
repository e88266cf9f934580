"""`planbot sandbox` without a browser: the page's JSON API drives the real app through signed
requests, on SQLite and PostgreSQL, and the sandbox stays local (loopback, its own secret, a
token no Slack accepts, the local Slack as its Web API)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tomllib
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.localslack import payloads as slack_payloads
from bot.plan import queries
from bot.plan.identity import Actor
from bot.plan.rules import ActionStatus
from bot.sandbox import payloads
from bot.sandbox.client import escape_mentions
from bot.sandbox.people import ADMIN, CHANNEL, MANAGER, NOBODY, OWNER, TEAM
from bot.sandbox.server import SANDBOX_TOKEN, Sandbox
from bot.sandbox.web import STATIC
from bot.slack.ids import ActionId
from tests.conftest import NOW, refusals_report
from tests.helpers.clicks import action_pk, action_row
from tests.helpers.sandboxapi import button, call, ephemerals, get, state, wait_for_state

ROOT = Path(__file__).parents[2]


@pytest.fixture
def on_database(database_url: str) -> Iterator[Sandbox]:
    """A sandbox on each backend's fresh database."""
    running = Sandbox.start(database_url=database_url, port=0, clock=lambda: NOW)
    running.serve_in_thread()
    yield running
    report = refusals_report(running.slack)
    running.close()
    if report:
        pytest.fail(report, pytrace=False)


def status_for(sandbox: Sandbox, user: str) -> dict:
    status, answer = call(sandbox, "/sandbox/command", {"user": user, "text": "status"})
    assert (status, answer["status"]) == (200, 200) and answer["elapsed"] < 3
    return ephemerals(state(sandbox, user))[-1]


def test_an_empty_database_gets_the_demo_plan_once_with_people_in_its_roles(database_url: str) -> None:
    first = Sandbox.start(database_url=database_url, port=0, clock=lambda: NOW)
    first.close()
    again = Sandbox.start(database_url=database_url, port=0, clock=lambda: NOW)
    try:
        assert first.loaded is not None
        assert first.loaded.endswith("Created plan ppr: 10 actions added, 0 updated, 0 unchanged.")
        assert again.loaded is None
        with again.sessions.read() as session:
            plan = queries.get_plan(session, "ppr")
            assert plan.channel_id == CHANNEL
            assert queries.is_admin(session, plan.id, ADMIN.id)
            assert queries.user_roles(session, Actor(OWNER.id, TEAM)) == ["Head of Prevention and Protection"]
            assert queries.user_roles(session, Actor(MANAGER.id, TEAM)) == ["Head of Protection"]
            assert queries.user_roles(session, Actor(NOBODY.id, TEAM)) == []
    finally:
        again.close()


def test_a_typed_command_reaches_planbot_and_only_the_caller_sees_the_reply(on_database: Sandbox) -> None:
    reply = status_for(on_database, OWNER.id)

    assert reply["text"] == "Protection peer review: 1 overdue, 2 on track, 7 complete (70% complete)."
    assert reply["user"] == OWNER.id and reply["channel"] == CHANNEL
    assert ephemerals(state(on_database, ADMIN.id)) == []
    [shown] = on_database.slack.calls_to("command_reply")
    assert shown.ok


def test_an_owner_marks_complete_and_the_message_is_redrawn_in_place(on_database: Sandbox) -> None:
    reply = status_for(on_database, OWNER.id)
    pk = action_pk(on_database.sessions, "3.1")

    surface = {"type": "message", "ts": reply["ts"]}
    status, _ = call(on_database, "/sandbox/click", {"user": OWNER.id, "surface": surface,
                                                     **button(reply, pk, ActionId.COMPLETE)})

    assert status == 200
    seen = wait_for_state(on_database, OWNER.id, lambda s: "8 complete" in ephemerals(s)[0]["text"])
    assert [m["ts"] for m in ephemerals(seen)] == [reply["ts"]]
    assert action_row(on_database.sessions, "3.1").status == ActionStatus.COMPLETE


def test_someone_with_no_role_is_refused_and_only_they_are_told(on_database: Sandbox) -> None:
    reply = status_for(on_database, NOBODY.id)
    pk = action_pk(on_database.sessions, "3.1")

    call(on_database, "/sandbox/click", {"user": NOBODY.id, "surface": {"type": "message", "ts": reply["ts"]},
                                         **button(reply, pk, ActionId.COMPLETE)})

    seen = wait_for_state(on_database, NOBODY.id, lambda s: len(ephemerals(s)) == 2)
    assert ephemerals(seen)[1]["text"].startswith("Only the owners of 3.1 and the plan's admins can change it")
    assert action_row(on_database.sessions, "3.1").status != ActionStatus.COMPLETE
    assert ephemerals(state(on_database, OWNER.id)) == []


def test_a_modal_submission_shows_planbots_errors_then_closes(on_database: Sandbox) -> None:
    reply = status_for(on_database, OWNER.id)
    pk = action_pk(on_database.sessions, "3.1")
    call(on_database, "/sandbox/click", {"user": OWNER.id, "surface": {"type": "message", "ts": reply["ts"]},
                                         **button(reply, pk, ActionId.REVISE)})
    [modal] = wait_for_state(on_database, OWNER.id, lambda s: s["modals"])["modals"]
    assert modal["callback_id"] == "plan.revise.modal"

    def values(day: str, reason: str) -> dict:
        return {"revise.date": {"date": {"type": "datepicker", "selected_date": day}},
                "revise.reason": {"reason": {"type": "plain_text_input", "value": reason}}}

    due = action_row(on_database.sessions, "3.1").original_due
    same = call(on_database, "/sandbox/submit", {"user": OWNER.id, "view_id": modal["id"],
                                                 "values": values(due.isoformat(), "Course moved")})
    assert same == (200, {"errors": {"revise.date": f"3.1 is already due on {due:%d/%m/%Y}."}})
    assert state(on_database, OWNER.id)["modals"] == [modal]

    saved = call(on_database, "/sandbox/submit", {"user": OWNER.id, "view_id": modal["id"],
                                                  "values": values("2027-01-29", "Course moved")})
    assert saved == (200, {})
    assert state(on_database, OWNER.id)["modals"] == []
    wait_for_state(on_database, OWNER.id, lambda s: "29/01/2027" in str(ephemerals(s)[0]["blocks"]))
    assert action_row(on_database.sessions, "3.1").revision_reason == "Course moved"


def test_a_summary_posted_from_its_preview_is_in_the_channel_for_everyone(on_database: Sandbox) -> None:
    call(on_database, "/sandbox/command", {"user": ADMIN.id, "text": "summary"})
    preview = ephemerals(state(on_database, ADMIN.id))[-1]
    assert "block_id" not in next(b for b in preview["blocks"] if b["type"] == "actions")

    # planbot's "Post to channel" sits in a block sent without a block_id: Slack makes one up
    status, _ = call(on_database, "/sandbox/click", {"user": ADMIN.id, "surface": {"type": "message",
                     "ts": preview["ts"]}, "block_id": "", "action_id": ActionId.POST_SUMMARY})

    assert status == 200
    seen = wait_for_state(on_database, OWNER.id, lambda s: any(i["kind"] == "message" for i in s["timeline"]))
    [posted] = [item for item in seen["timeline"] if item["kind"] == "message"]
    assert posted["text"].startswith("Protection peer review — monthly update")
    [post] = on_database.slack.calls_to("chat.postMessage")
    assert post.args["channel"] == CHANNEL


def test_app_home_is_what_planbot_published_for_that_person(on_database: Sandbox) -> None:
    assert call(on_database, "/sandbox/home", {"user": OWNER.id})[0] == 200

    seen = wait_for_state(on_database, OWNER.id, lambda s: s["home"])

    assert seen["home"]["type"] == "home"
    assert "This is included in the staff succession planning" in str(seen["home"]["blocks"])
    assert state(on_database, NOBODY.id)["home"] is None


def test_requests_to_slack_events_must_be_signed_with_this_sandboxs_own_secret(sandbox: Sandbox) -> None:
    body = slack_payloads.command_body("status", user=OWNER.id, team=TEAM, channel=CHANNEL,
                                       response_url=sandbox.slack.new_response_url(), trigger_id="1.T.x")
    forged = urllib.request.Request(sandbox.url + "slack/events", data=body, method="POST",
                                    headers=slack_payloads.signed_headers("guessed-secret", body))

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(forged, timeout=5)

    assert refused.value.code == 401
    secret = sandbox.settings.slack_signing_secret
    assert secret is not None and re.fullmatch(r"[0-9a-f]{64}", secret.get_secret_value())


def test_it_is_local_only_and_never_points_planbot_at_the_real_slack(sandbox: Sandbox, tmp_path: Path) -> None:
    other = Sandbox.start(database_url=f"sqlite:///{tmp_path / 'other.db'}", port=0, clock=lambda: NOW)
    try:
        assert sandbox.server.effective_host == "127.0.0.1"
        assert sandbox.settings.api_url == sandbox.slack.url
        assert sandbox.settings.api_url.startswith("http://127.0.0.1:")
        token = sandbox.settings.slack_bot_token
        assert token is not None and token.get_secret_value() == SANDBOX_TOKEN
        assert not re.fullmatch(r"xoxb-\d+-\d+-\w+", SANDBOX_TOKEN)  # the shape of every real bot token
        assert other.settings.slack_signing_secret != sandbox.settings.slack_signing_secret
        assert {c.method for c in sandbox.slack.calls} <= {"auth.test"}  # all planbot has called so far
    finally:
        other.close()


def test_the_page_and_its_files_are_served_and_the_api_takes_only_json(sandbox: Sandbox) -> None:
    status, kind, page = get(sandbox, "/")
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert '<script src="/static/sandbox.js"></script>' in page and "http" not in page.replace("http-equiv", "")
    for name, content_type in STATIC.items():
        assert get(sandbox, f"/static/{name}")[:2] == (200, content_type)
    assert get(sandbox, "/static/../server.py")[0] == 404
    assert get(sandbox, "/healthz")[0] == 200

    assert call(sandbox, "/sandbox/command", {"user": OWNER.id, "text": "status"},
                content_type="application/x-www-form-urlencoded") == (400, {"error": "send application/json"})
    assert call(sandbox, "/sandbox/command", {"user": "UNOBODY", "text": "status"})[0] == 400


def test_typed_mentions_are_escaped_as_slack_escapes_them() -> None:
    assert escape_mentions('owner "Head of Protection" @priya') == 'owner "Head of Protection" <@U0OWNER001|priya>'
    assert escape_mentions("schedule #protection-plan") == "schedule <#C0PLAN0001|protection-plan>"
    assert escape_mentions("note 3.2 mail a@b.org or @nobody") == "note 3.2 mail a@b.org or @nobody"


def test_a_click_in_an_ephemeral_message_is_sent_as_slack_sends_it() -> None:
    element = {"type": "button", "action_id": "plan.complete", "text": {"type": "plain_text", "text": "Mark complete"},
               "value": '{"action_id":5}', "style": "primary", "confirm": {"title": {}}}
    message = {"type": "message", "ts": "1700000000.000100", "text": "Status", "blocks": [], "channel": CHANNEL}

    action = payloads.action_of(element, "action.5", {})
    ephemeral = payloads.message_action(action, user_id=OWNER.id, user_name="priya", team=TEAM, channel=CHANNEL,
                                        channel_name="protection-plan", message=message, ephemeral=True,
                                        trigger_id="1.T.abc", response_url="http://127.0.0.1:1/response/k")
    shared = payloads.message_action(action, user_id=OWNER.id, user_name="priya", team=TEAM, channel=CHANNEL,
                                     channel_name="protection-plan", message=message, ephemeral=False,
                                     trigger_id="1.T.abc", response_url="http://127.0.0.1:1/response/k")

    assert {k: v for k, v in action.items() if k != "action_ts"} == {
        "type": "button", "action_id": "plan.complete", "block_id": "action.5",
        "text": {"type": "plain_text", "text": "Mark complete"}, "value": '{"action_id":5}', "style": "primary"}
    assert ephemeral["container"] == {"type": "message", "message_ts": "1700000000.000100", "channel_id": CHANNEL,
                                      "is_ephemeral": True}
    assert "message" not in ephemeral
    assert shared["message"] == {"type": "message", "ts": "1700000000.000100", "text": "Status", "blocks": []}
    assert ephemeral["user"] == {"id": OWNER.id, "username": "priya", "name": "priya", "team_id": TEAM}
    assert (ephemeral["type"], ephemeral["trigger_id"], ephemeral["response_url"]) == (
        "block_actions", "1.T.abc", "http://127.0.0.1:1/response/k")


def test_a_choice_in_a_select_or_overflow_sends_the_whole_option() -> None:
    option = {"text": {"type": "plain_text", "text": "Quarterly"}, "value": "quarterly"}
    select = {"type": "static_select", "action_id": "pick", "options": [option],
              "placeholder": {"type": "plain_text", "text": "Pick"}}

    action = payloads.action_of(select, "b", {"value": "quarterly"})

    assert action["selected_option"] == option
    with pytest.raises(payloads.NoSuchControl):
        payloads.action_of(select, "b", {"value": "weekly"})
    assert payloads.action_of({"type": "datepicker", "action_id": "d"}, "b", {"date": "2027-01-29"})[
        "selected_date"] == "2027-01-29"


def test_the_package_ships_the_page() -> None:
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    shipped = package_data["bot.sandbox"]
    static = ROOT / "bot" / "sandbox" / "static"
    for name in ["index.html", *STATIC]:
        assert (static / name).is_file()
        assert any(Path(f"static/{name}").match(pattern) for pattern in shipped), name


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_planbot_sandbox_prints_its_address_and_serves_the_page(tmp_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port), "--database",
         f"sqlite:///{tmp_path / 'sandbox.db'}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path, env=env)
    try:
        assert process.stdout is not None
        address = f"http://127.0.0.1:{port}/"
        lines: list[str] = []
        while len(lines) < 12 and not (lines and lines[-1].startswith("planbot sandbox: open")):
            lines.append(process.stdout.readline())  # the import's warnings, then what it loaded, then where
        assert "Created plan ppr: 10 actions added, 0 updated, 0 unchanged.\n" in lines
        assert f"planbot sandbox: open {address} in a browser (Ctrl-C stops it).\n" in lines
        with urllib.request.urlopen(address, timeout=5) as page:
            assert "planbot sandbox" in page.read().decode()
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_planbot_sandbox_says_when_its_port_is_taken(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "bot.cli", "sandbox", "--port", str(port), "--database",
             f"sqlite:///{tmp_path / 'sandbox.db'}"], capture_output=True, text=True, cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=False)

    assert result.returncode == 2
    assert f"planbot sandbox cannot listen on 127.0.0.1:{port}" in result.stderr
