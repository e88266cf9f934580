"""`planbot report` and `planbot plan`, run as a user would: the console entry point in a
subprocess; the paper it writes read back."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from tests.helpers.papers import docx_text, pdf_text, squash
from tests.helpers.plans import load
from tests.test_cli_summary import environment, planbot

NOW = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[1]


def test_report_writes_the_board_paper_in_each_format(sessions, database_url, tmp_path):
    load(sessions, NOW)
    env = environment(database_url)
    for fmt in ("pdf", "docx", "html"):
        out = tmp_path / f"paper.{fmt}"
        run = planbot(env, "report", "ppr", "--format", fmt, "--output", str(out))
        assert run.returncode == 0, run.stderr
        assert run.stdout == f"Wrote {out}: Protection peer review — monthly update — November 2026 ({fmt.upper()}).\n"
        assert "fontTools" not in run.stderr
    assert squash("2.1 Recruit four inspectors") in squash(pdf_text((tmp_path / "paper.pdf").read_bytes()))
    assert "Head of Protection / Protection Manager" in docx_text((tmp_path / "paper.docx").read_bytes())
    assert "<h1>Protection peer review — monthly update — November 2026</h1>" in (
        tmp_path / "paper.html").read_text()
    # Without --output: named after the plan and period, in the working directory.
    run = subprocess.run([sys.executable, "-m", "bot.cli", "report", "--month", "2026-10", "--format", "html"],
                         env={**env, "PYTHONPATH": str(ROOT)}, cwd=tmp_path, capture_output=True, text=True,
                         timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Wrote ppr-2026-10-board-paper.html: ")
    assert (tmp_path / "ppr-2026-10-board-paper.html").read_text().startswith("<!DOCTYPE html>")


def test_plan_sets_and_shows_the_paper_settings_and_refuses_bad_ones_whole(sessions, database_url, tmp_path):
    load(sessions, NOW)
    env = environment(database_url)
    bad = planbot(env, "plan", "ppr", "--meeting", "Board", "--meeting-date", "31/02/2027", "--attach", "zip")
    assert bad.returncode == 1
    assert 'February has no day 31' in bad.stderr and 'Attach is "zip"; say pdf, docx or off.' in bad.stderr
    good = planbot(env, "plan", "ppr", "--meeting", "Performance and Resources Board", "--author", "A. Secretary",
                   "--for-publication", "no")
    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("Changed: --meeting, --author, --for-publication.\n")
    assert "  Meeting (--meeting): Performance and Resources Board\n" in good.stdout
    assert "  Risks and mitigations (--risks): (not set)\n" in good.stdout
    out = tmp_path / "paper.docx"
    assert planbot(env, "report", "ppr", "--format", "docx", "-o", str(out)).returncode == 0
    text = docx_text(out.read_bytes())
    assert "Meeting | Performance and Resources Board" in text and "For publication | No" in text
    assert "Risks and mitigations" not in text  # no text, no section
    again = planbot(env, "plan", "ppr", "--meeting", "Performance and Resources Board")
    assert again.stdout.startswith("Nothing to change.\n")
