"""Many workspaces: planbot installed by OAuth, each workspace answered with its own token.

With SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET set (instead of
SLACK_BOT_TOKEN), Bolt serves `GET /slack/install` and `GET /slack/oauth_redirect`, and keeps
each installation with slack_sdk's SQLAlchemy stores in planbot's own database (their tables come
from planbot's migrations, revision 0009, never from the stores' `create_tables`):

- **Tokens are encrypted at rest** with PLANBOT_ENCRYPTION_KEY: cryptography's Fernet
  (AES-128-CBC with an HMAC-SHA256, so a changed ciphertext is refused, not decrypted to
  rubbish). The variable holds one key or several, comma-separated (`MultiFernet`): the first
  encrypts, any of them decrypts, and `planbot installs rekey` re-encrypts every token with the
  first, so an old key can then be dropped.
- **Each OAuth state is signed** with SLACK_STATE_SECRET (HMAC-SHA256) on top of slack_sdk's
  state store, which keeps it once and for ten minutes: a state planbot did not issue, or one
  already used, is refused before an installation is made.
- **Each request sees its own workspace's plans**: `read_workspace` puts the installation that
  answered it (its Grid organisation, else its workspace) in the context, and every listener's
  session is scoped to it (`storage.scope`).
- **Uninstalling** (`app_uninstalled`, `tokens_revoked`) deletes the workspace's tokens through
  Bolt's own listeners. Its plans, their audit trails and settings are kept; its summaries and
  reminders pause, because `EachWorkspace` runs them only for workspaces that have a bot token,
  and resume when it installs again.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, Text, column, select, table, update
from sqlalchemy.types import TypeDecorator

from bot.clock import Clock, utc_now
from bot.config import Settings
from bot.slack.request import WORKSPACE
from bot.ticking import Ticking
from storage.db import Sessions

log = logging.getLogger("planbot.installs")

# What planbot asks for when a workspace installs it (the manifests' bot scopes).
BOT_SCOPES = ("commands", "chat:write", "chat:write.public", "users:read", "channels:history", "groups:history",
              "im:write", "im:history", "files:write")
STATE_SECONDS = 600
TOKEN_COLUMNS = {
    "slack_installations": ("bot_token", "bot_refresh_token", "user_token", "user_refresh_token"),
    "slack_bots": ("bot_token", "bot_refresh_token"),
}


class EncryptionKeyError(ValueError):
    """PLANBOT_ENCRYPTION_KEY is missing or not a Fernet key."""


def encryption_keys(value: str | None) -> MultiFernet:
    """The keys PLANBOT_ENCRYPTION_KEY holds, the first encrypting: one or more Fernet keys,
    comma-separated (make one with `planbot installs new-key`)."""
    keys = [part.strip() for part in (value or "").split(",") if part.strip()]
    if not keys:
        raise EncryptionKeyError("PLANBOT_ENCRYPTION_KEY is not set: planbot keeps workspaces' tokens encrypted "
                                 "with it (make one with `planbot installs new-key`)")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except ValueError as error:
        raise EncryptionKeyError("PLANBOT_ENCRYPTION_KEY must be Fernet keys (32 url-safe base64-encoded bytes each), "
                        "comma-separated, the newest first") from error


def new_key() -> str:
    return Fernet.generate_key().decode()


class Encrypted(TypeDecorator[str]):
    """A text column stored encrypted with the given keys; read back decrypted."""

    impl = Text
    cache_ok = True

    def __init__(self, keys: MultiFernet) -> None:
        super().__init__()
        self.keys = keys

    def process_bind_param(self, value: str | None, dialect: object) -> str | None:
        return None if value is None else self.keys.encrypt(value.encode()).decode()

    def process_result_value(self, value: str | None, dialect: object) -> str | None:
        return None if value is None else self.keys.decrypt(value.encode()).decode()


class EncryptedInstallationStore(SQLAlchemyInstallationStore):
    """slack_sdk's SQLAlchemy installation store, its token columns encrypted (`Encrypted`)."""

    def __init__(self, client_id: str, engine: Engine, keys: MultiFernet) -> None:
        super().__init__(client_id=client_id, engine=engine, logger=logging.getLogger("planbot.installs.store"))
        for stored in (self.installations, self.bots):
            for name in TOKEN_COLUMNS[stored.name]:
                stored.c[name].type = Encrypted(keys)

    def create_tables(self) -> None:
        raise RuntimeError("planbot's migrations create the installation tables (`planbot db upgrade`)")

    def bot_tokens(self) -> dict[str, str]:
        """The latest bot token of each installed workspace (its Grid organisation, else itself)."""
        c = self.bots.c
        query = (select(c.enterprise_id, c.team_id, c.bot_token)
                 .where(c.client_id == self.client_id, c.bot_token.is_not(None))
                 .order_by(c.installed_at.desc(), c.id.desc()))
        tokens: dict[str, str] = {}
        with self.engine.connect() as connection:
            for enterprise_id, team_id, token in connection.execute(query):
                tokens.setdefault(workspace_key(enterprise_id, team_id), token)
        return tokens


class SignedStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's SQLAlchemy OAuth state store (each state used once, within its lifetime), each
    state signed with SLACK_STATE_SECRET so that one planbot did not issue never reaches it."""

    def __init__(self, secret: str, engine: Engine, expiration_seconds: int = STATE_SECONDS) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine,
                         logger=logging.getLogger("planbot.installs.state"))
        self._secret = secret.encode()

    def _signature(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    def issue(self, *args: Any, **kwargs: Any) -> str:
        nonce = super().issue()
        return f"{nonce}.{self._signature(nonce)}"

    def consume(self, state: str) -> bool:
        nonce, _, signature = (state or "").partition(".")
        if not hmac.compare_digest(signature, self._signature(nonce)):
            log.warning("an OAuth callback carried a state planbot did not issue; refused")
            return False
        return bool(super().consume(nonce))

    def create_tables(self) -> None:
        raise RuntimeError("planbot's migrations create the OAuth state table (`planbot db upgrade`)")


def workspace_key(enterprise_id: str | None, team_id: str | None) -> str:
    """Whose plans an installation sees: its Grid organisation's, else its workspace's."""
    return enterprise_id or team_id or ""


def authorize_url(settings: Settings) -> str:
    """Slack's authorize page beside its Web API (the local Slack's, in tests)."""
    base = settings.api_url.removesuffix("/").removesuffix("/api")
    return f"{base}/oauth/v2/authorize"


@dataclass(frozen=True)
class Installs:
    """What an app serving many workspaces is made with."""

    store: EncryptedInstallationStore
    states: SignedStateStore
    oauth: OAuthSettings


def make_store(settings: Settings, engine: Engine) -> EncryptedInstallationStore:
    """The installations of the app SLACK_CLIENT_ID, tokens opened with PLANBOT_ENCRYPTION_KEY."""
    keys = encryption_keys(settings.planbot_encryption_key.get_secret_value()
                           if settings.planbot_encryption_key else None)
    return EncryptedInstallationStore(settings.slack_client_id or "", engine, keys)


def make_installs(settings: Settings, engine: Engine) -> Installs:
    client_id = settings.slack_client_id or ""
    secret = settings.slack_client_secret.get_secret_value() if settings.slack_client_secret else ""
    state_secret = settings.slack_state_secret.get_secret_value() if settings.slack_state_secret else ""
    store = make_store(settings, engine)
    states = SignedStateStore(state_secret, engine)
    oauth = OAuthSettings(
        client_id=client_id, client_secret=secret, scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri, authorization_url=authorize_url(settings),
        installation_store=store, installation_store_bot_only=True, state_store=states,
        state_expiration_seconds=STATE_SECONDS, logger=logging.getLogger("planbot.installs.oauth"),
    )
    return Installs(store, states, oauth)


def read_workspace(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:  # noqa: A002 - Bolt's name
    """Bolt middleware, before `read_request`: the workspace whose installation answered."""
    found = context.authorize_result
    if found is not None:
        context[WORKSPACE] = workspace_key(found.enterprise_id, found.team_id)
    else:
        context[WORKSPACE] = workspace_key(context.enterprise_id, context.team_id)
    return next()


def register(app: App) -> None:
    """Uninstalling: Bolt's own listeners delete the tokens; planbot says what it means."""
    revoked = app.default_tokens_revoked_event_listener()
    uninstalled = app.default_app_uninstalled_event_listener()

    @app.event("tokens_revoked")
    def on_tokens_revoked(event: dict[str, Any], context: BoltContext) -> None:
        revoked(event=event, context=context)
        if (event.get("tokens") or {}).get("bot"):
            log.info("workspace %s revoked planbot's bot token: its plans are kept, their summaries and reminders "
                     "paused until it installs planbot again", context.get(WORKSPACE))

    @app.event("app_uninstalled")
    def on_app_uninstalled(context: BoltContext) -> None:
        uninstalled(context=context)
        log.info("workspace %s uninstalled planbot: its tokens are deleted; its plans are kept, their summaries "
                 "and reminders paused until it installs planbot again", context.get(WORKSPACE))


class EachWorkspace(Ticking):
    """Runs a runner (the summary scheduler, the reminders) at each tick for every workspace that
    has planbot installed, with that workspace's sessions and bot token. A workspace without a
    token (uninstalled, or revoked) is left out: its schedules pause, its data stays."""

    def __init__(self, name: str, store: EncryptedInstallationStore, sessions: Sessions,
                 make: Callable[[Sessions, str], Ticking], *, interval: float, clock: Clock = utc_now) -> None:
        self.name, self.store, self.sessions, self.make = name, store, sessions, make
        self.interval, self.clock = interval, clock
        self._runners: dict[str, tuple[str, Ticking]] = {}
        super().__init__()

    def tick(self) -> dict[str, object]:
        tokens = self.store.bot_tokens()
        for gone in sorted(set(self._runners) - set(tokens)):
            del self._runners[gone]
            log.info("%s: workspace %s has no bot token now; paused", self.name, gone)
        results: dict[str, object] = {}
        for workspace, token in sorted(tokens.items()):
            held = self._runners.get(workspace)
            if held is None or held[0] != _fingerprint(token):
                runner = self.make(self.sessions.scoped(workspace), token)
                held = self._runners[workspace] = (_fingerprint(token), runner)
            try:
                results[workspace] = held[1].tick()
            except Exception:  # noqa: BLE001 - one workspace's failure must not stop the others'
                log.exception("%s: workspace %s failed", self.name, workspace)
        return results

    def after_tick(self, result: object) -> None:
        if isinstance(result, dict):
            for workspace, value in result.items():
                held = self._runners.get(workspace)
                if held is not None:
                    held[1].after_tick(value)

    def describe(self) -> str:
        return f"for each installed workspace, checking every {self.interval:g}s"


def _fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rekey(engine: Engine, keys: MultiFernet) -> int:
    """Re-encrypt every stored token with the first key; the number of tokens re-encrypted.
    A token none of the keys opens stops it, changing nothing."""
    changed = 0
    with engine.begin() as connection:
        for name, columns in TOKEN_COLUMNS.items():
            raw = table(name, column("id"), *(column(c) for c in columns))
            for row in connection.execute(select(raw)).mappings().all():
                values: dict[str, str] = {}
                for c in columns:
                    if row[c] is not None:
                        try:
                            values[c] = keys.rotate(row[c].encode()).decode()
                        except InvalidToken as error:
                            raise EncryptionKeyError(
                                f"a token in {name} (row {row['id']}) opens with none of the keys in "
                                "PLANBOT_ENCRYPTION_KEY; nothing was re-encrypted") from error
                if values:
                    connection.execute(update(raw).where(raw.c.id == row["id"]).values(**values))
                    changed += len(values)
    return changed


def installed(store: EncryptedInstallationStore) -> list[tuple[str, str, str]]:
    """(workspace, team name, installed at) of each installation with a bot token, newest first."""
    c = store.bots.c
    with store.engine.connect() as connection:
        rows = connection.execute(select(c.enterprise_id, c.team_id, c.team_name, c.installed_at)
                                  .where(c.client_id == store.client_id, c.bot_token.is_not(None))
                                  .order_by(c.installed_at.desc())).all()
    return [(workspace_key(e, t), name or "", str(at)) for e, t, name, at in rows]

