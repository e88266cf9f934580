"""The Slack app manifests are installable as they are and ask only for what planbot uses."""

import json
from pathlib import Path

import pytest

MANIFESTS = Path(__file__).parents[1] / "manifests"
SCOPES = {"commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history",
          "im:write", "im:history",  # reminders: conversations.open, and finding an earlier DM before a retry
          "files:write"}  # the board paper and its chart, shared in the summary's thread


@pytest.mark.parametrize("name", ["http.json", "socket.json"])
def test_manifest_declares_the_plan_command_interactivity_and_app_home(name):
    manifest = json.loads((MANIFESTS / name).read_text())
    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/plan" and command["should_escape"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
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
