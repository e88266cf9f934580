"""The `planbot` command line, run as a user would: the real console script in a subprocess."""

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from storage.db import Sessions, make_engine
from storage.models import Action, Plan
from tests.helpers.plans import DATA, PEER_REVIEW_CSV


def planbot(database_url: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], check=False, capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)


def plan_count(database_url: str) -> tuple[int, int]:
    sessions = Sessions(make_engine(database_url))
    with sessions.read() as session:
        result = (session.scalar(select(func.count()).select_from(Plan)),
                  session.scalar(select(func.count()).select_from(Action)))
    sessions.engine.dispose()
    return result


def test_a_file_with_bad_rows_3_and_5_is_refused_whole_naming_both(database_url):
    result = planbot(database_url, "import", str(DATA / "plan_with_bad_rows.csv"), "--plan", "ppr")
    assert result.returncode == 1
    assert "row 3:" in result.stderr and "row 5:" in result.stderr
    assert "31/02/2021" in result.stderr and "nothing was written" in result.stderr
    assert "Traceback" not in result.stderr
    assert plan_count(database_url) == (0, 0)


def test_import_status_and_export_from_the_command_line(empty_database_url, tmp_path):
    imported = planbot(empty_database_url, "import", str(PEER_REVIEW_CSV), "--plan", "ppr",
                       "--title", "Protection peer review", "--admin", "UADMIN")
    assert imported.returncode == 0, imported.stderr
    assert "Created plan ppr: 10 actions added" in imported.stdout
    status = planbot(empty_database_url, "status")
    assert status.returncode == 0
    assert "Protection peer review (ppr)" in status.stdout and "10 actions" in status.stdout
    out = tmp_path / "ppr.csv"
    exported = planbot(empty_database_url, "export", "ppr", "--output", str(out))
    assert exported.returncode == 0 and out.read_text().startswith("Recommendation,Ref,Actions")


def test_demo_loads_a_plan_showing_all_three_colours(empty_database_url):
    result = planbot(empty_database_url, "demo")
    assert result.returncode == 0, result.stderr
    assert all(word in result.stdout for word in ("RED", "AMBER", "GREEN"))
    assert plan_count(empty_database_url) == (1, 10)


def test_unknown_plan_is_a_short_message_not_a_traceback(database_url):
    result = planbot(database_url, "export", "nope")
    assert result.returncode == 1
    assert 'There is no plan "nope"' in result.stderr and "Traceback" not in result.stderr


def test_db_upgrade_on_an_empty_database(empty_database_url):
    result = planbot(empty_database_url, "db", "upgrade")
    assert result.returncode == 0 and "up to date" in result.stdout


def test_the_default_database_is_a_sqlite_file_in_the_working_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    result = subprocess.run([sys.executable, "-m", "bot.cli", "demo"], check=False, capture_output=True, text=True,
                            env={**env, "PYTHONPATH": str(Path(__file__).parents[1])}, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "planbot.db").exists()
