"""docs/board-paper-september-2021-*.png: the board paper of PRODUCT.md's plan at 30 September
2021, as planbot writes it (PDF), rendered a PNG a page with poppler's pdftoppm, so a reader sees
the paper without running anything. The test checks that the pages there are the paper's pages;
to write them again (needs Debian's poppler-utils):
    PLANBOT_WRITE_SAMPLE=1 python -m pytest tests/plan/test_paper_docs.py -k sqlite
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.paper.formats import Format, make_paper, write
from bot.plan.paper.settings import set_paper_settings
from bot.plan.queries import get_plan
from bot.plan.services import Actor
from tests.helpers.papers import SEPTEMBER_SETTINGS, pdf_pages, png_size
from tests.helpers.september import PAPER_DAY, import_september, september_summary

DOCS = Path(__file__).parents[2] / "docs"
STEM = "board-paper-september-2021"
DPI = 80  # A4 at 80 dpi: 662 by 936 pixels, readable and small
PAGE_SIZE = (662, 936)


def september_paper_pdf(sessions) -> bytes:
    import_september(sessions)
    with sessions.begin() as session:
        set_paper_settings(session, get_plan(session, "ppr"), Actor.cli("secretary"), PAPER_DAY, SEPTEMBER_SETTINGS)
    summary = september_summary(sessions)
    with sessions.read() as session:
        made = make_paper(session, get_plan(session, "ppr"), summary)
    return write(made.paper, Format.PDF)


def test_the_docs_show_every_page_of_the_september_2021_paper(sessions, tmp_path):
    pdf = september_paper_pdf(sessions)
    pages = pdf_pages(pdf)
    if os.environ.get("PLANBOT_WRITE_SAMPLE"):
        if shutil.which("pdftoppm") is None:
            pytest.fail("PLANBOT_WRITE_SAMPLE needs pdftoppm: apt-get install -y poppler-utils")
        source = tmp_path / f"{STEM}.pdf"
        source.write_bytes(pdf)
        for old in DOCS.glob(f"{STEM}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-png", "-r", str(DPI), str(source), str(DOCS / STEM)], check=True)
    shown = sorted(DOCS.glob(f"{STEM}-*.png"))
    assert [p.name for p in shown] == [f"{STEM}-{n}.png" for n in range(1, pages + 1)]
    for page in shown:
        data = page.read_bytes()
        assert png_size(data) == PAGE_SIZE
        assert len(data) < 250_000, f"{page.name} is {len(data):,} bytes: keep docs small"
