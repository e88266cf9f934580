"""planbot serving many workspaces, installed through the real OAuth flow against the local Slack.

Two workspaces, each with its own plan, admin (who also holds "Head of Protection") and
channel: Fire A (`TEAM_A`: ANNA, #plan-a, plan `ppra`) and Fire B (`TEAM_B`: BEN, #plan-b, plan
`pprb`). `install(server, team)` goes through the flow as a browser would, without one: GET
/slack/install, follow its link to the local Slack's authorize page, then its redirect back to
/slack/oauth_redirect with the code, the state and the state cookie.
"""

from __future__ import annotations

import http.client
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from bot.config import Settings
from bot.localslack import LocalSlack
from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from storage.db import Sessions
from tests.helpers.plans import SMALL_PLAN
from tests.helpers.slackharness import SIGNING_SECRET, PlanbotServer, Reply

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
STATE_SECRET = "test-state-secret"
# Fernet keys for the tests only (made with `planbot installs new-key`).
ENCRYPTION_KEY = "hFHG4wv7j9SNzA20W4Wj_nWfePqGjw_W3gVIKCTYRfQ="
OTHER_KEY = "w4GxiktxuzOb84zvzfIeDd7tA6-4b_kJC9Y2Y7YvRgw="

TEAM_A, TEAM_B = "TFIREA", "TFIREB"
ANNA, BEN = "UANNA", "UBEN"
CHANNEL_A, CHANNEL_B = "CPLANA", "CPLANB"
PLAN_A, PLAN_B = "ppra", "pprb"
TITLE_A, TITLE_B = "Fire A peer review", "Fire B peer review"


def many_settings(fake: LocalSlack, *, key: str = ENCRYPTION_KEY) -> Settings:
    return Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=SecretStr(CLIENT_SECRET),
        slack_state_secret=SecretStr(STATE_SECRET),
        slack_signing_secret=SecretStr(SIGNING_SECRET),
        planbot_encryption_key=SecretStr(key),
        slack_api_url=fake.url,
        database_url="unused: the sessions are handed over",
    )


class ManyWorkspacesServer(PlanbotServer):
    """planbot serving many workspaces (no SLACK_BOT_TOKEN), over real HTTP."""

    def __init__(self, fake: LocalSlack, sessions: Sessions, clock: datetime) -> None:
        self.settings = many_settings(fake)
        super().__init__(fake, sessions, clock, settings=self.settings)

    def open_home_in(self, user: str, team: str) -> Reply:
        """The user opens planbot's App Home in their workspace."""
        return self.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                           "event_ts": f"{time.time():.6f}"}, team=team)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: str


def get(url: str, *, cookie: str | None = None) -> Answer:
    """One GET, redirects not followed (a browser would follow them; the test does, by hand)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode())
    finally:
        connection.close()


@dataclass
class Started:
    """An install begun: what the browser holds after the "Add to Slack" page and Slack's approval."""

    cookie: str
    callback: str  # the redirect back to planbot, with code and state

    @property
    def state(self) -> str:
        return parse_qs(urlsplit(self.callback).query)["state"][0]


def begin_install(server: ManyWorkspacesServer, team: str) -> Started:
    page = get(f"{server.url}/slack/install?team={team}")
    assert page.status == 200, page
    assert "Add to Slack" in page.body
    cookie = page.headers["set-cookie"].split(";")[0]
    link = re.search(r'<a href="([^"]+)"', page.body)
    assert link is not None, page.body
    authorize_url = link[1].replace("&amp;", "&")
    assert authorize_url.startswith(server.fake.base_url + "/oauth/v2/authorize?")
    approved = get(authorize_url)
    assert approved.status == 302, approved
    return Started(cookie, approved.headers["location"])


def install(server: ManyWorkspacesServer, team: str) -> Answer:
    started = begin_install(server, team)
    done = get(started.callback, cookie=started.cookie)
    assert done.status == 200, done
    return done


def set_up_workspaces(fake: LocalSlack, sessions: Sessions, now: datetime) -> None:
    """The two workspaces in the local Slack, and each one's plan in planbot's database."""
    fake.oauth.add_team(TEAM_A, "Fire A")
    fake.oauth.add_team(TEAM_B, "Fire B")
    fake.add_user(ANNA, name="anna", team_id=TEAM_A)
    fake.add_user(BEN, name="ben", team_id=TEAM_B)
    fake.oauth.add_channel(CHANNEL_A, TEAM_A)
    fake.oauth.add_channel(CHANNEL_B, TEAM_B)
    cli = Actor.cli("test")
    for team, key, title, channel, admin in ((TEAM_A, PLAN_A, TITLE_A, CHANNEL_A, ANNA),
                                             (TEAM_B, PLAN_B, TITLE_B, CHANNEL_B, BEN)):
        with sessions.scoped(team).begin() as session:
            import_plan(session, read_plan_csv(SMALL_PLAN), key=key, actor=cli, now=now, title=title,
                        channel_id=channel, admins=(admin,))
        with sessions.scoped(team).begin() as session:
            map_role(session, get_plan(session, key), Actor(admin, team, workspace=team), now,
                     "Head of Protection", admin, org_id=team)


@pytest.fixture
def many(fake_slack: LocalSlack, sessions: Sessions, now: datetime) -> Iterator[ManyWorkspacesServer]:
    """planbot serving many workspaces; Fire A and Fire B set up, neither installed yet."""
    set_up_workspaces(fake_slack, sessions, now)
    server = ManyWorkspacesServer(fake_slack, sessions, now)
    fake_slack.oauth.register_app(CLIENT_ID, CLIENT_SECRET, redirect_uri=f"{server.url}/slack/oauth_redirect")
    yield server
    server.close()


@pytest.fixture
def installed(many: ManyWorkspacesServer) -> ManyWorkspacesServer:
    """planbot serving Fire A and Fire B, both installed through the OAuth flow."""
    install(many, TEAM_A)
    install(many, TEAM_B)
    return many
