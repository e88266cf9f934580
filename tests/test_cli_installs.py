"""Serving many workspaces from the command line: the installations, the key's rotation, and a
plan imported into (or moved to) one workspace."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy import select, text

from bot.localslack import LocalSlack
from bot.slack.installs import EncryptedInstallationStore, encryption_keys
from storage.db import Sessions
from storage.models import ActionEvent, Plan
from tests.helpers.plans import PEER_REVIEW_CSV
from tests.helpers.workspaces import (
    CLIENT_ID,
    ENCRYPTION_KEY,
    OTHER_KEY,
    TEAM_A,
    TEAM_B,
    ManyWorkspacesServer,
)


def planbot(database_url: str, *args: str, key: str = ENCRYPTION_KEY) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_CLIENT_ID": CLIENT_ID, "PLANBOT_ENCRYPTION_KEY": key}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
                          env=env, timeout=120)


def bot_tokens(sessions: Sessions, key: str) -> dict[str, str]:
    return EncryptedInstallationStore(CLIENT_ID, sessions.engine, encryption_keys(key)).bot_tokens()


def test_rotating_the_key_re_encrypts_every_token(installed: ManyWorkspacesServer, fake_slack: LocalSlack,
                                                  database_url: str):
    issued = {TEAM_A: fake_slack.oauth.tokens_of(TEAM_A)[0], TEAM_B: fake_slack.oauth.tokens_of(TEAM_B)[0]}
    with installed.sessions.engine.connect() as connection:
        before = connection.execute(text("SELECT bot_token FROM slack_bots ORDER BY id")).scalars().all()

    rotated = planbot(database_url, "installs", "rekey", key=f"{OTHER_KEY},{ENCRYPTION_KEY}")

    assert rotated.returncode == 0, rotated.stderr
    assert "Re-encrypted 4 tokens" in rotated.stdout  # each bot token, in slack_bots and slack_installations
    with installed.sessions.engine.connect() as connection:
        after = connection.execute(text("SELECT bot_token FROM slack_bots ORDER BY id")).scalars().all()
    assert not set(before) & set(after)
    assert bot_tokens(installed.sessions, OTHER_KEY) == issued  # the new key alone opens them
    with pytest.raises(InvalidToken):
        bot_tokens(installed.sessions, ENCRYPTION_KEY)
    # A key that opens none of them changes nothing, and says so.
    refused = planbot(database_url, "installs", "rekey", key=ENCRYPTION_KEY)
    assert refused.returncode == 1 and "opens with none of the keys" in refused.stderr
    assert bot_tokens(installed.sessions, OTHER_KEY) == issued


def test_a_changed_ciphertext_is_refused_not_read(installed: ManyWorkspacesServer):
    with installed.sessions.engine.begin() as connection:
        stored = connection.execute(text("SELECT id, bot_token FROM slack_bots ORDER BY id")).first()
        assert stored is not None
        flipped = stored[1][:-6] + ("A" if stored[1][-6] != "A" else "B") + stored[1][-5:]
        connection.execute(text("UPDATE slack_bots SET bot_token = :t WHERE id = :i"), {"t": flipped, "i": stored[0]})
    with pytest.raises(InvalidToken):
        bot_tokens(installed.sessions, ENCRYPTION_KEY)
    assert isinstance(encryption_keys(f"{OTHER_KEY},{ENCRYPTION_KEY}"), MultiFernet)


def test_installs_list_names_the_workspaces_and_never_a_token(installed: ManyWorkspacesServer,
                                                              fake_slack: LocalSlack, database_url: str):
    listed = planbot(database_url, "installs", "list")
    assert listed.returncode == 0, listed.stderr
    assert TEAM_A in listed.stdout and TEAM_B in listed.stdout and "Fire A" in listed.stdout
    for team in (TEAM_A, TEAM_B):
        assert fake_slack.oauth.tokens_of(team)[0] not in listed.stdout + listed.stderr
    new_key = planbot(database_url, "installs", "new-key")
    assert encryption_keys(new_key.stdout.strip())


def test_a_plan_is_imported_into_a_workspace_and_moved_with_an_audit_event(database_url: str, sessions: Sessions):
    imported = planbot(database_url, "import", str(PEER_REVIEW_CSV), "--plan", "ppr", "--workspace", TEAM_A)
    assert imported.returncode == 0, imported.stderr
    again = planbot(database_url, "import", str(PEER_REVIEW_CSV), "--plan", "ppr", "--workspace", TEAM_B)
    assert again.returncode == 1 and "There is already a plan `ppr`" in again.stderr
    updated = planbot(database_url, "import", str(PEER_REVIEW_CSV), "--plan", "ppr")  # finds it in its workspace
    assert updated.returncode == 0, updated.stderr
    with sessions.scoped(TEAM_A).read() as session:
        assert session.scalar(select(Plan.key)) == "ppr"
    with sessions.scoped(TEAM_B).read() as session:
        assert session.scalar(select(Plan.key)) is None

    moved = planbot(database_url, "move", "ppr", "--workspace", TEAM_B)

    assert moved.returncode == 0, moved.stderr
    with sessions.scoped(TEAM_B).read() as session:
        assert session.scalar(select(Plan.key)) == "ppr"
        event = session.scalars(select(ActionEvent).order_by(ActionEvent.id.desc())).first()
        assert event is not None and (event.kind, event.old_value, event.new_value) == ("plan_workspace", TEAM_A,
                                                                                         TEAM_B)
    with sessions.scoped(TEAM_A).read() as session:
        assert session.scalar(select(Plan.key)) is None
    assert planbot(database_url, "audit", "verify", "ppr").returncode == 0


def test_serving_many_workspaces_needs_the_key_and_http(database_url: str):
    no_key = planbot(database_url, "serve", "--port", "0", key="")
    assert no_key.returncode == 1
    assert "SLACK_CLIENT_SECRET" in no_key.stderr and "PLANBOT_ENCRYPTION_KEY" in no_key.stderr
    socket = planbot(database_url, "serve", "--socket")
    assert socket.returncode == 1 and "Socket Mode serves one workspace" in socket.stderr
