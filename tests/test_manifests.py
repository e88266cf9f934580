"""The Slack app manifests are installable as they are and ask only for what planbot uses."""

import json
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from bot.slack.installs import BOT_SCOPES

MANIFESTS = Path(__file__).parents[1] / "manifests"
SCOPES = {"commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history",
          "im:write", "im:history",  # reminders: conversations.open, and finding an earlier DM before a retry
          "files:write"}  # the board paper and its chart, shared in the summary's thread


SCHEMA = MANIFESTS / "schema" / "manifest.schema.1.0.0.json"  # Slack's, vendored (manifests/schema/README.md)
ALL = sorted(path.name for path in MANIFESTS.glob("*.json"))


def test_there_are_the_three_ways_to_connect():
    assert ALL == ["http.json", "oauth.json", "socket.json"]


@pytest.mark.parametrize("name", ALL)
def test_manifest_is_valid_against_slacks_published_schema(name):
    schema = json.loads(SCHEMA.read_text())
    Draft7Validator.check_schema(schema)
    problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in Draft7Validator(schema).iter_errors(json.loads((MANIFESTS / name).read_text()))]
    assert problems == []


def test_the_schema_refuses_what_slack_would():
    schema = Draft7Validator(json.loads(SCHEMA.read_text()))
    manifest = json.loads((MANIFESTS / "oauth.json").read_text())
    breakages = {
        "features/slash_commands/0/command": lambda m: m["features"]["slash_commands"][0].update(command="plan"),
        "features/slash_commands/0/url": lambda m: m["features"]["slash_commands"][0].update(url="ftp://host/"),
        "settings": lambda m: m["settings"].update(unknown_setting=True),
    }
    for where, breaking in breakages.items():
        broken = json.loads(json.dumps(manifest))
        breaking(broken)
        assert ["/".join(map(str, e.absolute_path)) for e in schema.iter_errors(broken)] == [where]


@pytest.mark.parametrize("name", ALL)
def test_manifest_declares_the_plan_command_interactivity_and_app_home(name):
    manifest = json.loads((MANIFESTS / name).read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/plan" and command["should_escape"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"][0] == "app_home_opened"
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == SCOPES
    assert len(manifest["display_information"]["description"]) <= 139


def test_http_manifest_points_every_request_url_at_one_placeholder():
    manifest = json.loads((MANIFESTS / "http.json").read_text())
    urls = {
        manifest["features"]["slash_commands"][0]["url"],
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
    }
    assert urls == {"https://YOUR-PLANBOT-HOST/slack/events"}
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_socket_manifest_has_socket_mode_and_no_request_urls():
    manifest = json.loads((MANIFESTS / "socket.json").read_text())
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "request_url" not in json.dumps(manifest) and "url" not in manifest["features"]["slash_commands"][0]


def test_oauth_manifest_is_the_http_one_with_a_redirect_url_and_the_uninstall_events():
    http = json.loads((MANIFESTS / "http.json").read_text())
    oauth = json.loads((MANIFESTS / "oauth.json").read_text())
    assert oauth["oauth_config"]["redirect_urls"] == ["https://YOUR-PLANBOT-HOST/slack/oauth_redirect"]
    assert oauth["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened", "app_uninstalled",
                                                                      "tokens_revoked"]
    assert set(oauth["oauth_config"]["scopes"]["bot"]) == set(BOT_SCOPES) == SCOPES  # what the install asks for
    for manifest in (http, oauth):
        del manifest["oauth_config"], manifest["settings"]["event_subscriptions"]["bot_events"]
    assert oauth == http
