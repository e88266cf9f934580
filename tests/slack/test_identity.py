"""Who acted, across one organisation's workspaces and across organisations, end to end.

The payloads are shaped like those Slack sends (as in bolt-python's scenario tests): on
Enterprise Grid a command and a click carry `enterprise_id` / `enterprise` beside the workspace
the person acts from; an org-wide install's events carry no team in `authorizations`; a click
in a Slack Connect channel carries the clicker's own team in `user.team_id`, not the host's
`team.id`. Each goes through the running app as a signed HTTP request.
"""

from __future__ import annotations

import json
import time
import urllib.parse
from typing import Any

from bot.localslack.payloads import FORM, payload_body
from bot.plan.rules import ActionStatus
from bot.slack import texts
from bot.slack.ids import ActionId, BlockId, InputId
from tests.helpers.clicks import action_pk, action_row, button, events, settle, status_blocks, wait_for_posts
from tests.helpers.plans import ADMIN, TEAM, load
from tests.helpers.slackharness import APP_ID, PlanbotServer, message_text

GRID = "E0FIRE"          # an Enterprise Grid organisation with two workspaces
NORTH, SOUTH = "T0NORTH", "T0SOUTH"
OWEN = "W0OWEN"          # a Grid member: Head of Protection, mapped from the north workspace
PARTNER = "T0PARTNER"    # another organisation, in the plan's channel through Slack Connect
PAT = "U0PAT"            # a guest from the partner organisation
ROLE = "Head of Protection"


def command(planbot: PlanbotServer, text: str, *, user: str, team: str, enterprise: str | None = None,
            org_wide: bool = False) -> dict[str, Any]:
    form = {
        "token": "legacy-token-unused", "team_id": team, "team_domain": team.lower(), "channel_id": "CPLAN",
        "channel_name": "plan", "user_id": user, "user_name": user.lower(), "command": "/plan", "text": text,
        "api_app_id": APP_ID, "is_enterprise_install": "true" if org_wide else "false",
        "response_url": planbot.fake.new_response_url(), "trigger_id": planbot.fake.new_trigger_id(),
        **({"enterprise_id": enterprise, "enterprise_name": "Fire and Rescue"} if enterprise else {}),
    }
    reply = planbot.post(urllib.parse.urlencode(form).encode(), FORM)
    assert reply.status == 200, reply.body
    return reply.json


def click(planbot: PlanbotServer, pressed: dict[str, Any], *, user: str, user_team: str, team: str,
          enterprise: str | None = None) -> None:
    """A block_actions click on a message in #plan; `user_team` is the clicker's own workspace."""
    planbot.last_response_url = planbot.fake.new_response_url()
    planbot.last_trigger_id = planbot.fake.new_trigger_id()
    ts = f"1700000000.{int(time.time() * 1000) % 1000000:06d}"
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": user_team},
        "api_app_id": APP_ID,
        "token": "legacy-token-unused",
        "container": {"type": "message", "message_ts": ts, "channel_id": "CPLAN", "is_ephemeral": True},
        "trigger_id": planbot.last_trigger_id,
        "team": {"id": team, "domain": team.lower(),
                 **({"enterprise_id": enterprise, "enterprise_name": "Fire and Rescue"} if enterprise else {})},
        "enterprise": {"id": enterprise, "name": "Fire and Rescue"} if enterprise else None,
        "is_enterprise_install": False,
        "channel": {"id": "CPLAN", "name": "plan"},
        "message": {"type": "message", "ts": ts, "text": "", "blocks": []},
        "state": {"values": {}},
        "response_url": planbot.last_response_url,
        "actions": [{"type": "button", "action_id": pressed["action_id"], "block_id": pressed.get("block_id", ""),
                     "value": pressed["value"], "text": pressed["text"], "action_ts": f"{time.time():.6f}"}],
    }
    assert planbot.post(payload_body(payload), FORM).status == 200


def submit(planbot: PlanbotServer, view: dict[str, Any], values: dict[str, Any], *, user: str, team: str,
           enterprise: str) -> None:
    payload = {
        "type": "view_submission",
        "team": {"id": team, "domain": team.lower(), "enterprise_id": enterprise, "enterprise_name": "Fire and Rescue"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": APP_ID,
        "token": "legacy-token-unused",
        "trigger_id": planbot.fake.new_trigger_id(),
        "view": {**view, "id": "V0MODAL", "team_id": team, "app_id": APP_ID, "app_installed_team_id": team,
                 "state": {"values": values}, "hash": "1664950703.CmTS8F7U"},
        "response_urls": [],
        "is_enterprise_install": False,
        "enterprise": {"id": enterprise, "name": "Fire and Rescue"},
    }
    reply = planbot.post(payload_body(payload), FORM)
    assert reply.status == 200 and reply.body in ("", "{}"), reply.body


def open_home_org_wide(planbot: PlanbotServer, user: str, *, workspace: str) -> None:
    """app_home_opened from an org-wide install: the authorization names the organisation only."""
    body = {
        "token": "legacy-token-unused", "team_id": workspace, "enterprise_id": GRID, "api_app_id": APP_ID,
        "event": {"type": "app_home_opened", "user": user, "channel": "D0OWEN", "tab": "home",
                  "event_ts": f"{time.time():.6f}"},
        "type": "event_callback", "event_id": f"Ev0{int(time.time() * 1000)}", "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": GRID, "team_id": None, "user_id": planbot.fake.bot_user_id,
                            "is_bot": True, "is_enterprise_install": True}],
        "is_ext_shared_channel": False,
    }
    assert planbot.post(json.dumps(body).encode(), "application/json").status == 200


def map_owen_from_the_north(planbot: PlanbotServer, now) -> None:
    load(planbot.sessions, now)
    planbot.fake.add_user(OWEN, name="owen", team_id=NORTH, enterprise_id=GRID)
    shown = message_text(command(planbot, f'owner "{ROLE}" <@{OWEN}|owen>', user=ADMIN, team=NORTH, enterprise=GRID))
    assert texts.ROLE_MAPPED.format(user=OWEN, role=ROLE) in shown


def test_a_grid_owner_marks_complete_from_another_workspace_of_the_organisation(planbot, now):
    map_owen_from_the_north(planbot, now)
    pk = action_pk(planbot.sessions, "1.1")

    click(planbot, button(status_blocks(planbot), ActionId.COMPLETE, pk), user=OWEN, user_team=SOUTH, team=SOUTH,
          enterprise=GRID)

    wait_for_posts(planbot, planbot.last_response_url, 1)
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    assert [e.actor for e in events(planbot.sessions, "completed")] == [OWEN]


def test_plan_mine_from_another_workspace_of_the_organisation_lists_his_roles(planbot, now):
    map_owen_from_the_north(planbot, now)

    shown = message_text(command(planbot, "mine", user=OWEN, team=SOUTH, enterprise=GRID))

    assert texts.MINE_ROLES.format(roles=ROLE) in shown and "Publish the programme" in shown


def test_an_update_submitted_from_another_workspace_of_the_organisation_is_his(planbot, now):
    map_owen_from_the_north(planbot, now)
    pk = action_pk(planbot.sessions, "1.1")
    click(planbot, button(status_blocks(planbot), ActionId.NOTE, pk), user=OWEN, user_team=SOUTH, team=SOUTH,
          enterprise=GRID)
    (opened,) = planbot.fake.wait_for("views.open")

    submit(planbot, opened.args["view"], {BlockId.NOTE_TEXT: {InputId.TEXT: {
        "type": "plain_text_input", "value": "Published on the website"}}}, user=OWEN, team=SOUTH, enterprise=GRID)

    assert [(e.actor, e.reason) for e in events(planbot.sessions, "note")] == [(OWEN, "Published on the website")]


def test_app_home_from_an_org_wide_install_shows_his_actions(planbot, now):
    map_owen_from_the_north(planbot, now)

    open_home_org_wide(planbot, OWEN, workspace=SOUTH)

    (published,) = planbot.fake.wait_for("views.publish")
    shown = message_text({"view": published.args["view"]})
    assert published.args["user_id"] == OWEN
    assert texts.MINE_ROLES.format(roles=ROLE) in shown and "Publish the programme" in shown


def test_a_slack_connect_guest_is_refused_until_mapped_and_allowed_once_mapped(planbot, now):
    load(planbot.sessions, now)
    pk = action_pk(planbot.sessions, "1.1")
    planbot.fake.add_user(PAT, name="pat", team_id=PARTNER)

    # The host workspace's team.id, the guest's own team in user.team_id.
    click(planbot, button(status_blocks(planbot), ActionId.COMPLETE, pk), user=PAT, user_team=PARTNER, team=TEAM)
    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert told.args["text"].startswith("Only the owners of 1.1")
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS

    shown = message_text(command(planbot, f'owner "{ROLE}" <@{PAT}|pat>', user=ADMIN, team=TEAM))
    assert texts.ROLE_MAPPED.format(user=PAT, role=ROLE) in shown
    click(planbot, button(status_blocks(planbot), ActionId.COMPLETE, pk), user=PAT, user_team=PARTNER, team=TEAM)

    wait_for_posts(planbot, planbot.last_response_url, 1)
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    assert [e.actor for e in events(planbot.sessions, "completed")] == [PAT]


def test_a_role_mapped_in_one_organisation_is_not_held_from_another(planbot, now):
    map_owen_from_the_north(planbot, now)
    pk = action_pk(planbot.sessions, "1.1")

    # Same user id, but the click says he acts from an organisation the mapping is not for.
    click(planbot, button(status_blocks(planbot), ActionId.COMPLETE, pk), user=OWEN, user_team=PARTNER, team=TEAM)

    (told,) = wait_for_posts(planbot, planbot.last_response_url, 1)
    assert told.args["text"].startswith("Only the owners of 1.1")
    settle()
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.IN_PROGRESS
