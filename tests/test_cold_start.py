"""`planbot serve` starts without the libraries it does not need to answer: Alembic only when
the schema has to change, and the board paper's writers (matplotlib, python-docx, fpdf2), the
workbooks' openpyxl and the pack's Jinja2 only when one is made. Each is a tenth of a second
or more of every cold start (see the README, "Performance")."""

import os
import subprocess
import sys
from pathlib import Path

from storage.db import make_engine, upgrade

ROOT = Path(__file__).parents[1]
HEAVY = ("alembic", "mako", "pygments", "matplotlib", "docx", "fpdf", "openpyxl", "jinja2", "PIL", "numpy",
         "fontTools")

# `planbot serve` as deployed, up to the moment its server would start serving: there it says
# which of the heavy libraries it loaded, and stops.
SERVE_UNTIL_LISTENING = """
import os, sys
import bot.slack.server

def listening(server):
    print(",".join(sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1].split(",")))))
    sys.stdout.flush()
    os._exit(0)

bot.slack.server.serve_until_interrupted = listening
from bot.cli import main
main(["serve", "--host", "127.0.0.1", "--port", "0", "--no-scheduler", "--no-reminders"])
"""

OPEN_DATABASE = """
import sys
from storage.db import open_database
open_database(sys.argv[1]).engine.dispose()
print(",".join(sorted({name.split(".")[0] for name in sys.modules} & {"alembic", "mako"})))
"""


def run_python(code: str, *args: str, **env: str) -> str:
    result = subprocess.run([sys.executable, "-c", code, *args], check=False, capture_output=True, text=True,
                            timeout=120, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_started_planbot_serve_has_loaded_none_of_the_heavy_libraries(database_url, fake_slack):
    loaded = run_python(SERVE_UNTIL_LISTENING, ",".join(HEAVY), DATABASE_URL=database_url,
                        SLACK_API_URL=fake_slack.url, SLACK_BOT_TOKEN="xoxb-test-token",
                        SLACK_SIGNING_SECRET="test-signing-secret")
    assert loaded == ""


def test_the_command_line_loads_none_of_them_either():
    code = f"import sys, bot.cli; print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))"
    assert run_python(code) == "[]"


def test_alembic_loads_only_when_the_schema_has_to_change(tmp_path):
    new = f"sqlite:///{tmp_path / 'new.db'}"
    assert run_python(OPEN_DATABASE, new) == "alembic,mako"  # a new database: upgraded
    assert run_python(OPEN_DATABASE, new) == ""  # up to date: one query says so
    behind = f"sqlite:///{tmp_path / 'behind.db'}"
    engine = make_engine(behind)
    upgrade(engine, "0011")
    engine.dispose()
    assert run_python(OPEN_DATABASE, behind) == "alembic,mako"  # behind: upgraded
    assert run_python(OPEN_DATABASE, behind) == ""
