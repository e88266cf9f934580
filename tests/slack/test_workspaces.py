"""Many workspaces: installed through the real OAuth flow, each answered with its own token,
each seeing only its own plans, and uninstalled without losing its data."""

from __future__ import annotations

import logging

from sqlalchemy import text

from bot.localslack import LocalSlack
from tests.helpers.slackharness import find_button
from tests.helpers.workspaces import (
    ANNA,
    BEN,
    CHANNEL_A,
    CHANNEL_B,
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
    installed,  # noqa: F401 - a fixture
    many,  # noqa: F401 - a fixture
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
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackApiError

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
