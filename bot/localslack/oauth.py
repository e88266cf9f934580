"""The local Slack's side of installing an app in many workspaces, as Slack plays it.

- `GET /oauth/v2/authorize?client_id=…&scope=…&state=…[&redirect_uri=…][&team=T…]`: the page a
  person approves the install on. There is nobody to click here, so it approves at once: it
  answers 302 to the app's redirect URL with a one-use `code` (10 minutes) and the `state` it was
  given. `team` chooses the workspace (Bolt passes on `/slack/install?team=…`); without it, the
  only workspace there is.
- `oauth.v2.access`: the app trades the code for a bot token, proving itself with its client id
  and secret (HTTP basic auth, as slack_sdk sends them, or form fields). A code works once, for
  the app it was issued to, with the redirect URL it was issued with. Each install issues a new
  token (`xoxb-T…-…`) for that workspace and its own bot user.
- Every other call's token must be one it issued and has not revoked (`invalid_auth`,
  `token_revoked`), and a token is only good in its own workspace: a channel or a person of
  another workspace is `channel_not_found` / `user_not_found` to it, as Slack answers.
  `auth.test` says which workspace and bot the token is for.

While no app is registered (`register_app`), the local Slack takes any token, as before: one
workspace, one bot token.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit

from bot.localslack.http import Reply
from bot.localslack.limits import error
from bot.localslack.records import Json

CODE_SECONDS = 600


@dataclass(frozen=True)
class Team:
    id: str
    name: str
    enterprise_id: str | None = None

    @property
    def bot_user_id(self) -> str:
        return f"U{self.id}BOT"

    @property
    def bot_id(self) -> str:
        return f"B{self.id}"


@dataclass
class _App:
    client_id: str
    client_secret: str
    app_id: str
    redirect_uri: str | None


@dataclass
class _Code:
    client_id: str
    team: Team
    redirect_uri: str | None
    scope: str
    issued: float
    used: bool = False


@dataclass
class OAuth:
    """Apps, workspaces, codes and the tokens issued: who may call, and for which workspace."""

    apps: dict[str, _App] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)  # channel id -> its workspace
    tokens: dict[str, Team] = field(default_factory=dict)  # live tokens
    revoked: set[str] = field(default_factory=set)
    _codes: dict[str, _Code] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def active(self) -> bool:
        return bool(self.apps)

    # Setting up

    def register_app(self, client_id: str, client_secret: str, *, app_id: str = "A0PLANBOT",
                     redirect_uri: str | None = None) -> None:
        with self._lock:
            self.apps[client_id] = _App(client_id, client_secret, app_id, redirect_uri)

    def add_team(self, team_id: str, name: str, *, enterprise_id: str | None = None) -> Team:
        team = Team(team_id, name, enterprise_id)
        with self._lock:
            self.teams[team_id] = team
        return team

    def add_channel(self, channel_id: str, team_id: str) -> None:
        with self._lock:
            self.channels[channel_id] = team_id

    def uninstall(self, team_id: str) -> list[str]:
        """Revoke every token of the workspace (what uninstalling the app does); the tokens revoked."""
        with self._lock:
            gone = [token for token, team in self.tokens.items() if team.id == team_id]
            for token in gone:
                del self.tokens[token]
                self.revoked.add(token)
        return gone

    def tokens_of(self, team_id: str) -> list[str]:
        with self._lock:
            return [token for token, team in self.tokens.items() if team.id == team_id]

    # The install

    def authorize(self, query: str) -> Reply:
        asked = dict(parse_qsl(query))
        with self._lock:
            app = self.apps.get(asked.get("client_id", ""))
            if app is None:
                return Reply(HTTPStatus.BAD_REQUEST, "invalid_client_id", {})
            if not asked.get("scope"):
                return Reply(HTTPStatus.BAD_REQUEST, "invalid_scope", {})
            redirect = asked.get("redirect_uri") or app.redirect_uri
            if not redirect or (app.redirect_uri and redirect != app.redirect_uri):
                return Reply(HTTPStatus.BAD_REQUEST, "bad_redirect_uri", {})
            wanted = asked.get("team")
            teams = [self.teams[wanted]] if wanted in self.teams else ([] if wanted else list(self.teams.values()))
            if len(teams) != 1:
                return Reply(HTTPStatus.BAD_REQUEST, "team_not_found" if wanted else "choose_a_team", {})
            code = f"{teams[0].id}.{secrets.token_hex(12)}"
            self._codes[code] = _Code(app.client_id, teams[0], asked.get("redirect_uri"), asked["scope"],
                                      time.monotonic())
        joiner = "&" if urlsplit(redirect).query else "?"
        back = urlencode({"code": code, "state": asked.get("state", "")})
        return Reply(HTTPStatus.FOUND, "", {"Location": f"{redirect}{joiner}{back}"})

    def access(self, args: Json, headers: dict[str, str]) -> Json:
        client_id, client_secret = _client_credentials(args, headers)
        with self._lock:
            app = self.apps.get(client_id)
            if app is None:
                return error("invalid_client_id")
            if not secrets.compare_digest(client_secret, app.client_secret):
                return error("bad_client_secret")
            code = self._codes.get(str(args.get("code") or ""))
            if code is None or code.used or time.monotonic() - code.issued > CODE_SECONDS:
                return error("invalid_code")
            if code.client_id != client_id:
                return error("invalid_code")
            if code.redirect_uri and args.get("redirect_uri") != code.redirect_uri:
                return error("bad_redirect_uri")
            code.used = True
            team = code.team
            token = f"xoxb-{team.id}-{secrets.token_hex(16)}"
            self.tokens[token] = team
        return {
            "ok": True,
            "app_id": app.app_id,
            "authed_user": {"id": f"U{team.id}INSTALLER"},
            "scope": code.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": {"id": team.enterprise_id, "name": team.enterprise_id} if team.enterprise_id else None,
            "is_enterprise_install": False,
        }

    # Every other call

    def caller(self, token: str) -> Team | Json:
        """The workspace a token is for, or Slack's refusal of it."""
        with self._lock:
            team = self.tokens.get(token)
            if team is not None:
                return team
            return error("token_revoked" if token in self.revoked else "invalid_auth")

    def refusal(self, team: Team, args: Json, users: dict[str, str]) -> Json | None:
        """Slack's answer to a token used on another workspace's channel or person (`users`:
        each known person's workspace), or None."""
        channel = str(args.get("channel") or "")
        with self._lock:
            if channel and self.channels.get(channel, team.id) != team.id:
                return error("channel_not_found")
        people = [str(args.get("user") or ""), *str(args.get("users") or "").split(",")]
        for person in filter(None, people):
            if users.get(person, team.id) != team.id:
                return error("user_not_found")
        return None

    def auth_test(self, team: Team) -> Json:
        return {
            "ok": True, "url": f"https://fake-{team.id.lower()}.slack.com/", "team": team.name, "user": "planbot",
            "team_id": team.id, "user_id": team.bot_user_id, "bot_id": team.bot_id,
            "enterprise_id": team.enterprise_id, "is_enterprise_install": False,
        }


def _client_credentials(args: Json, headers: dict[str, str]) -> tuple[str, str]:
    basic = headers.get("authorization", "")
    if basic.startswith("Basic "):
        try:
            decoded = base64.b64decode(basic.removeprefix("Basic ").strip()).decode()
        except ValueError:
            return "", ""
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return str(args.get("client_id") or ""), str(args.get("client_secret") or "")
