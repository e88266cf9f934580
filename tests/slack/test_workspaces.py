"""Many workspaces: installed through the real OAuth flow, each answered with its own token,
each seeing only its own plans, and uninstalled without losing its data."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select, text

from bot.localslack import LocalSlack
from bot.redact import redact_tokens
from bot.reminding import Reminders
from bot.scheduler import Scheduler
from bot.slack import texts
from bot.slack.ids import ActionId, BlockId, InputId
from bot.slack.installs import EachWorkspace, make_store
from bot.slack.poster import SlackSummaryPoster
from bot.slack.reminders import SlackCourier
from storage.db import Sessions
from storage.models import Action, ActionEvent, Plan, PlanAdmin, Role, RoleMember
from tests.helpers.slackharness import find_button
from tests.helpers.workspaces import (
    ANNA,
    BEN,
    CHANNEL_A,
    CHANNEL_B,
    CLIENT_SECRET,
    PLAN_A,
    PLAN_B,
    TEAM_A,
    TEAM_B,
    TITLE_A,
    TITLE_B,
    ManyWorkspacesServer,
    begin_install,
    get,
    install,
)


def bearer_of(call: object) -> str:
    return str(getattr(call, "headers", {}).get("authorization", "")).removeprefix("Bearer ")


def test_two_workspaces_install_through_the_oauth_flow_and_their_tokens_are_kept_encrypted(
        many: ManyWorkspacesServer, fake_slack: LocalSlack, caplog):
    caplog.set_level(logging.INFO)
    page = install(many, TEAM_A)
    assert "Thank you!" in page.body or "success" in page.body.lower()
    install(many, TEAM_B)
    token_a, = fake_slack.oauth.tokens_of(TEAM_A)
    token_b, = fake_slack.oauth.tokens_of(TEAM_B)
    assert token_a != token_b
    with many.sessions.engine.connect() as connection:
        bots = connection.execute(text("SELECT team_id, bot_token FROM slack_bots ORDER BY team_id")).all()
        every_cell = " ".join(str(cell) for table in ("slack_bots", "slack_installations", "slack_oauth_states")
                              for row in connection.execute(text(f"SELECT * FROM {table}")) for cell in row)
    assert [team for team, _ in bots] == [TEAM_A, TEAM_B]
    assert all(stored.startswith("gAAAA") for _, stored in bots)  # Fernet tokens, not Slack's
    for token in (token_a, token_b):
        assert token not in every_cell
        assert token.split("-")[-1] not in every_cell
        assert token not in caplog.text
    oauth_calls = fake_slack.calls_to("oauth.v2.access")
    assert len(oauth_calls) == 2 and all("basic" in c.headers["authorization"].lower() for c in oauth_calls)


def test_a_token_never_reaches_the_log_even_at_debug(many: ManyWorkspacesServer, fake_slack: LocalSlack, caplog):
    redact_tokens(caplog.handler)  # as `planbot` does to its handlers
    caplog.set_level(logging.DEBUG)
    install(many, TEAM_A)
    many.command("status", user=ANNA, team=TEAM_A, channel=CHANNEL_A)
    token, = fake_slack.oauth.tokens_of(TEAM_A)
    assert "xoxb-(redacted)" in caplog.text  # slack_sdk did log the answer that carried it
    assert token not in caplog.text and token.split("-")[-1] not in caplog.text
    assert CLIENT_SECRET not in caplog.text


def test_a_state_planbot_did_not_issue_or_one_already_used_is_refused(many: ManyWorkspacesServer,
                                                                      fake_slack: LocalSlack):
    started = begin_install(many, TEAM_A)
    nonce, _, signature = started.state.partition(".")
    forged_state = f"{nonce}.{'0' * len(signature)}"
    forged = get(started.callback.replace(started.state, forged_state), cookie=f"slack-app-oauth-state={forged_state}")
    assert forged.status == 401
    no_cookie = get(started.callback)
    assert no_cookie.status == 400
    assert fake_slack.calls_to("oauth.v2.access") == []  # refused before a code was ever traded
    done = get(started.callback, cookie=started.cookie)
    assert done.status == 200
    replayed = get(started.callback, cookie=started.cookie)
    assert replayed.status == 401
    assert len(fake_slack.calls_to("oauth.v2.access")) == 1
    assert len(fake_slack.oauth.tokens_of(TEAM_A)) == 1


def test_each_workspace_is_answered_with_its_own_token(installed: ManyWorkspacesServer, fake_slack: LocalSlack):
    token_a, = fake_slack.oauth.tokens_of(TEAM_A)
    token_b, = fake_slack.oauth.tokens_of(TEAM_B)
    installed.open_home_in(ANNA, TEAM_A)
    installed.open_home_in(BEN, TEAM_B)
    published = {c.args["user_id"]: bearer_of(c) for c in fake_slack.wait_for("views.publish", count=2)}
    assert published == {ANNA: token_a, BEN: token_b}
    assert TITLE_A in str(fake_slack.home_view(ANNA)) and TITLE_B not in str(fake_slack.home_view(ANNA))
    assert TITLE_B in str(fake_slack.home_view(BEN)) and TITLE_A not in str(fake_slack.home_view(BEN))
    # Bolt checks the token it found for each request with auth.test: each workspace's with its own.
    checked = {bearer_of(c) for c in fake_slack.calls_to("auth.test")}
    assert {token_a, token_b} <= checked
    status_a = installed.command("status", user=ANNA, team=TEAM_A, channel=CHANNEL_A)
    status_b = installed.command("status", user=BEN, team=TEAM_B, channel=CHANNEL_B)
    assert TITLE_A in status_a.text and TITLE_B not in status_a.text
    assert TITLE_B in status_b.text and TITLE_A not in status_b.text


def test_the_local_slack_refuses_a_token_of_another_workspace(installed: ManyWorkspacesServer,
                                                              fake_slack: LocalSlack):
    token_a, = fake_slack.oauth.tokens_of(TEAM_A)
    client = WebClient(token=token_a, base_url=fake_slack.url)
    assert client.auth_test()["team_id"] == TEAM_A
    assert client.chat_postMessage(channel=CHANNEL_A, text="hello")["ok"]
    for call, error in ((lambda: client.chat_postMessage(channel=CHANNEL_B, text="hello"), "channel_not_found"),
                        (lambda: client.users_info(user=BEN), "user_not_found"),
                        (lambda: client.conversations_open(users=BEN), "user_not_found")):
        fake_slack.expect_refusal(error)
        try:
            call()
        except SlackApiError as refused:
            assert refused.response["error"] == error
        else:
            raise AssertionError(f"the local Slack took {error}")
    fake_slack.expect_refusal("invalid_auth")
    try:
        WebClient(token="xoxb-made-up", base_url=fake_slack.url).auth_test()
    except SlackApiError as refused:
        assert refused.response["error"] == "invalid_auth"
    else:
        raise AssertionError("a made-up token was taken")


def trail_and_actions(server: ManyWorkspacesServer, team: str) -> tuple[int, list[tuple[str, str, object, int]]]:
    """The workspace's audit trail, admins and role holders (counted), and its actions as they stand."""
    with server.sessions.scoped(team).read() as session:
        events = session.scalar(select(func.count()).select_from(ActionEvent))
        actions = [(a.ref, a.status.value, a.revised_due, a.version) for a in session.scalars(select(Action))]
        admins = session.scalar(select(func.count()).select_from(PlanAdmin))
        holders = session.scalar(select(func.count()).select_from(RoleMember).where(RoleMember.org_id == team))
    return int(events or 0) + 1000 * int(admins or 0) + 100000 * int(holders or 0), actions


ATTEMPTS = (
    f"status {PLAN_A}", f"overdue {PLAN_A}", "due 90", "mine", f"show {PLAN_A} 1.1", "show 1.1",
    f"done {PLAN_A} 1.1", "done 1.1", f"note {PLAN_A} 1.1 Taken over", f"extend {PLAN_A} 1.1 31/03/2027 Taken over",
    f'owner {PLAN_A} "Head of Protection" <@{BEN}|ben>', f'owner remove {PLAN_A} "Head of Protection" <@{ANNA}|anna>',
    f"admin {PLAN_A} add <@{BEN}|ben>", f"admin {PLAN_A} remove <@{ANNA}|anna>", f"summary {PLAN_A}",
    f"schedule {PLAN_A} off", f"schedule {PLAN_A}", f"reminders {PLAN_A} off", f"reminders {PLAN_A}",
    f"slippage {PLAN_A}", 'role rename "Head of Protection" "Chief"',
)


def test_no_command_from_another_workspace_sees_or_changes_a_plan(installed: ManyWorkspacesServer):
    before = trail_and_actions(installed, TEAM_A)
    for attempt in ATTEMPTS:
        reply = installed.command(attempt, user=BEN, team=TEAM_B, channel=CHANNEL_B)
        assert reply.status == 200, attempt
        shown = reply.text
        # Nothing of Fire A's: not its title, channel or people (unless Ben typed them), nor its key
        # among the plans there are.
        for secret in (TITLE_A, CHANNEL_A, ANNA):
            assert secret not in shown or secret in attempt, (attempt, shown)
        assert f"`{PLAN_A}`" not in shown and f"Plans here: {PLAN_A}" not in shown, (attempt, shown)
    assert trail_and_actions(installed, TEAM_A) == before
    with installed.sessions.read() as session:
        role_names = set(session.scalars(select(Role.name)))
    assert "Head of Protection" in role_names  # the rename, if any, touched B's trail only


def test_a_forged_button_or_modal_from_another_workspace_changes_nothing(installed: ManyWorkspacesServer,
                                                                        fake_slack: LocalSlack):
    shown = installed.command(f"show {PLAN_A} 1.1", user=ANNA, team=TEAM_A, channel=CHANNEL_A)
    complete = find_button(shown.json["blocks"], ActionId.COMPLETE)
    # Anna opens the revise modal on her action: the real view, its metadata naming Fire A's action.
    installed.click(find_button(shown.json["blocks"], ActionId.REVISE), user=ANNA, team=TEAM_A, channel=CHANNEL_A)
    modal = fake_slack.wait_for("views.open")[-1].response["view"]
    before = trail_and_actions(installed, TEAM_A)
    # Ben copies her button, value and all (Fire A's action id and version), and clicks it in Fire B;
    clicked = installed.click(complete, user=BEN, team=TEAM_B, channel=CHANNEL_B)
    assert clicked.status == 200
    refusal = fake_slack.wait_for("response_url")[-1]
    assert texts.ACTION_GONE in json.dumps(refusal.args)
    # and submits her modal's metadata from Fire B.
    submitted = installed.submit(modal, {
        BlockId.REVISE_DATE: {InputId.DATE: {"type": "datepicker", "selected_date": "2027-03-31"}},
        BlockId.REVISE_REASON: {InputId.REASON: {"type": "plain_text_input", "value": "Taken over"}},
    }, user=BEN, team=TEAM_B)
    assert submitted.status == 200
    assert trail_and_actions(installed, TEAM_A) == before
    # The same button works in its own workspace: what refused Ben was his workspace.
    installed.click(complete, user=ANNA, team=TEAM_A, channel=CHANNEL_A)
    fake_slack.wait_for("response_url", count=2)
    with installed.sessions.scoped(TEAM_A).read() as session:
        assert session.scalar(select(Action.status).where(Action.ref == "1.1")).value == "complete"


def each_workspace(server: ManyWorkspacesServer, clock: list[datetime]) -> tuple[EachWorkspace, EachWorkspace]:
    """`planbot serve`'s scheduler and reminders when serving many workspaces (cli._runners)."""
    store = make_store(server.settings, server.sessions.engine)

    def scheduler(scoped: Sessions, token: str) -> Scheduler:
        return Scheduler(scoped, SlackSummaryPoster.from_settings(server.settings, token=token, pause=0),
                         clock=lambda: clock[0])

    def reminders(scoped: Sessions, token: str) -> Reminders:
        return Reminders(scoped, SlackCourier.from_settings(server.settings, token=token), clock=lambda: clock[0],
                         pace=0)

    return (EachWorkspace("scheduler", store, server.sessions, scheduler, interval=60),
            EachWorkspace("reminders", store, server.sessions, reminders, interval=300))


def posts_by_token(fake_slack: LocalSlack) -> dict[str, set[str]]:
    posted: dict[str, set[str]] = {}
    for call in fake_slack.calls_to("chat.postMessage"):
        if call.ok:
            posted.setdefault(str(call.args["channel"]), set()).add(bearer_of(call))
    return posted


def installed_teams(server: ManyWorkspacesServer, *, until: set[str],
                    installs_until: set[str] | None = None) -> tuple[set[str], set[str]]:
    """The workspaces with a bot token, and with an installation, once they are `until` and
    `installs_until` (the uninstall listener runs after Slack's ack) or 5 seconds have passed."""
    deadline = time.monotonic() + 5
    while True:
        with server.sessions.engine.connect() as connection:
            bots = {row[0] for row in connection.execute(text("SELECT team_id FROM slack_bots"))}
            installs = {row[0] for row in connection.execute(text("SELECT team_id FROM slack_installations"))}
        if (bots == until and installs_until in (None, installs)) or time.monotonic() > deadline:
            return bots, installs
        time.sleep(0.05)


def test_summaries_and_reminders_go_out_with_each_workspace_token_and_pause_when_it_uninstalls(
        installed: ManyWorkspacesServer, fake_slack: LocalSlack):
    token_a, = fake_slack.oauth.tokens_of(TEAM_A)
    token_b, = fake_slack.oauth.tokens_of(TEAM_B)
    clock = [datetime(2026, 12, 1, 10, 0, tzinfo=UTC)]  # December's summary is due; 1.1 is due today
    scheduler, reminders = each_workspace(installed, clock)
    outcomes = scheduler.tick()
    assert set(outcomes) == {TEAM_A, TEAM_B}
    reminders.tick()
    posted = posts_by_token(fake_slack)
    assert posted[CHANNEL_A] == {token_a} and posted[CHANNEL_B] == {token_b}
    assert posted[fake_slack.dm_channel(ANNA) or "?"] == {token_a}
    assert posted[fake_slack.dm_channel(BEN) or "?"] == {token_b}

    # Fire B uninstalls planbot: Slack revokes its token and tells planbot.
    fake_slack.oauth.uninstall(TEAM_B)
    uninstalled = installed.event({"type": "app_uninstalled", "event_ts": "1700000000.000100"}, team=TEAM_B)
    assert uninstalled.status == 200
    assert installed_teams(installed, until={TEAM_A}, installs_until={TEAM_A}) == ({TEAM_A}, {TEAM_A})
    with installed.sessions.scoped(TEAM_B).read() as session:  # its plan and trail are kept
        plan = session.scalar(select(Plan).where(Plan.key == PLAN_B))
        assert plan is not None and session.scalar(select(func.count()).select_from(ActionEvent)) > 0

    clock[0] = datetime(2027, 1, 4, 10, 0, tzinfo=UTC)  # January's summary is due
    before = len(fake_slack.calls_to("chat.postMessage"))
    assert set(scheduler.tick()) == {TEAM_A}
    reminders.tick()
    later = fake_slack.calls_to("chat.postMessage")[before:]
    assert later and {bearer_of(c) for c in later} == {token_a}
    assert CHANNEL_B not in {c.args["channel"] for c in later}

    # Fire A revokes the bot token: it pauses too, and installing again brings it back.
    revoked = installed.event({"type": "tokens_revoked", "tokens": {"bot": [f"U{TEAM_A}BOT"]},
                               "event_ts": "1700000000.000200"}, team=TEAM_A)
    assert revoked.status == 200
    assert installed_teams(installed, until=set())[0] == set()
    assert scheduler.tick() == {}
    install(installed, TEAM_B)
    assert set(scheduler.tick()) == {TEAM_B}


@pytest.mark.parametrize("action_id, kind", [(ActionId.POST_SUMMARY, "summary"), (ActionId.SHARE, "status"),
                                             (ActionId.SHOW, "show"), (ActionId.NEXT_PAGE, "status")])
def test_a_forged_plan_in_a_button_value_shows_and_posts_nothing_of_another_workspace(
        installed: ManyWorkspacesServer, fake_slack: LocalSlack, action_id: ActionId, kind: str):
    forged = {"action_id": action_id, "block_id": "nav", "type": "button", "text": {"type": "plain_text", "text": "x"},
              "value": json.dumps({"kind": kind, "plan": PLAN_A, "ref": "1.1"})}
    clicked = installed.click(forged, user=BEN, team=TEAM_B, channel=CHANNEL_B)
    assert clicked.status == 200
    answered = json.dumps([c.args for c in fake_slack.wait_for("response_url")])
    assert TITLE_A not in answered and "Publish the programme" not in answered
    assert all(c.args.get("channel") != CHANNEL_A for c in fake_slack.calls_to("chat.postMessage"))
    assert all(TITLE_A not in json.dumps(c.args) for c in fake_slack.calls)
