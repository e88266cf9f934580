"""The local Slack plays Slack's side of an OAuth install, with the real slack_sdk client: a code
is traded once, by the app it was issued to, for a token good only in its own workspace."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.localslack import LocalSlack
from tests.helpers.workspaces import get

REDIRECT = "https://planbot.example/slack/oauth_redirect"


@pytest.fixture
def slack(fake_slack: LocalSlack) -> LocalSlack:
    fake_slack.oauth.register_app("1.2", "s3cret", redirect_uri=REDIRECT)
    fake_slack.oauth.add_team("TA", "Fire A")
    fake_slack.oauth.add_team("TB", "Fire B")
    fake_slack.add_user("UA", name="a", team_id="TA")
    fake_slack.oauth.add_channel("CA", "TA")
    return fake_slack


def approve(slack: LocalSlack, team: str, **extra: str) -> str:
    query = urlencode({"client_id": "1.2", "scope": "commands,chat:write", "state": "st", "team": team, **extra})
    answer = get(f"{slack.base_url}/oauth/v2/authorize?{query}")
    assert answer.status == 302
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT and parse_qs(back.query)["state"] == ["st"]
    return parse_qs(back.query)["code"][0]


def refused(slack: LocalSlack, error: str, call) -> None:
    slack.expect_refusal(error)
    with pytest.raises(SlackApiError) as raised:
        call()
    assert raised.value.response["error"] == error


def test_a_code_is_traded_once_for_a_token_of_its_workspace(slack: LocalSlack):
    client = WebClient(base_url=slack.url)
    code = approve(slack, "TA")
    answer = client.oauth_v2_access(client_id="1.2", client_secret="s3cret", code=code)
    assert (answer["team"]["id"], answer["token_type"]) == ("TA", "bot")
    token = answer["access_token"]
    assert token.startswith("xoxb-TA-") and slack.oauth.tokens_of("TA") == [token]
    assert WebClient(token=token, base_url=slack.url).auth_test()["team_id"] == "TA"
    refused(slack, "invalid_code", lambda: client.oauth_v2_access(client_id="1.2", client_secret="s3cret", code=code))


def test_the_wrong_secret_app_or_redirect_gets_no_token(slack: LocalSlack):
    client = WebClient(base_url=slack.url)
    code = approve(slack, "TB")
    refused(slack, "bad_client_secret", lambda: client.oauth_v2_access(client_id="1.2", client_secret="x", code=code))
    refused(slack, "invalid_client_id", lambda: client.oauth_v2_access(client_id="9.9", client_secret="s3cret",
                                                                       code=code))
    with_redirect = approve(slack, "TB", redirect_uri=REDIRECT)
    refused(slack, "bad_redirect_uri", lambda: client.oauth_v2_access(
        client_id="1.2", client_secret="s3cret", code=with_redirect, redirect_uri="https://elsewhere.example/"))
    assert slack.oauth.tokens_of("TB") == []
    slack.expect_refusal("bad_redirect_uri")
    assert get(f"{slack.base_url}/oauth/v2/authorize?" + urlencode(
        {"client_id": "1.2", "scope": "commands", "team": "TB", "redirect_uri": "https://evil.example/"})).status == 400


def test_a_token_is_refused_outside_its_workspace_and_once_revoked(slack: LocalSlack):
    token = WebClient(base_url=slack.url).oauth_v2_access(client_id="1.2", client_secret="s3cret",
                                                          code=approve(slack, "TB"))["access_token"]
    client = WebClient(token=token, base_url=slack.url)
    refused(slack, "channel_not_found", lambda: client.chat_postMessage(channel="CA", text="hello"))
    refused(slack, "user_not_found", lambda: client.users_info(user="UA"))
    assert slack.messages("CA") == []
    assert slack.oauth.uninstall("TB") == [token]
    refused(slack, "token_revoked", client.auth_test)
    refused(slack, "invalid_auth", WebClient(token="xoxb-TA-made-up", base_url=slack.url).auth_test)
