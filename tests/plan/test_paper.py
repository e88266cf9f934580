"""The board paper of the September 2021 plan (PRODUCT.md), written as DOCX, PDF and HTML and
read back: every recommendation, action, owner and date; the exception with its reason and new
date; the cover fields that were set; no section printed empty; the chart a PNG of its size."""

from __future__ import annotations

import io
import re

import pypdf
import pytest
from sqlalchemy import select

from bot.paper.chart import SIZE
from bot.paper.formats import Format, attachments, make_paper, write
from bot.plan.errors import InvalidInput, InvalidInputs, NotAllowed
from bot.plan.outline import Part, outline
from bot.plan.paper.document import HEADING_ANALYSIS, HEADING_EXECUTIVE, RECOMMENDATIONS_NONE, Head
from bot.plan.paper.progress import progress_of
from bot.plan.paper.settings import SECTIONS, paper_settings, set_paper_settings
from bot.plan.phrases import due_date, owners
from bot.plan.queries import get_plan
from bot.plan.services import Actor
from storage.kinds import EventKind
from storage.models import ActionEvent
from tests.helpers.papers import SEPTEMBER_SETTINGS, docx_document, docx_text, pdf_text, png_size, squash
from tests.helpers.plans import BOB, TEAM
from tests.helpers.september import PAPER_DAY, REASON, import_september, september_summary

SECRETARY = Actor.cli("secretary")


def _paper(sessions, settings: dict[str, str] | None = None):
    import_september(sessions)
    if settings:
        with sessions.begin() as session:
            set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, settings)
    summary = september_summary(sessions)
    with sessions.read() as session:
        made = make_paper(session, get_plan(session, "ppr"), summary)
    return summary, made


def _expected(summary) -> list[str]:
    """What every format must print: each recommendation, action, owner and delivery date, and the
    exception's paragraph with its reason and its new date."""
    wanted = []
    for rec in summary.recommendations:
        wanted.append(rec.text)
        for a in rec.actions:
            wanted += [f"{a.ref} {a.description}", owners(a.owners), due_date(a)]
    wanted += [REASON, "revised once, to 30 September 2021", "Originally due 31 July 2021"]
    return wanted


def test_the_paper_has_every_recommendation_action_owner_date_and_the_exception_in_every_format(sessions):
    summary, made = _paper(sessions, SEPTEMBER_SETTINGS)
    wanted = _expected(summary)
    assert len(summary.recommendations) == 8 and summary.figures.total == 10
    texts = {
        Format.DOCX: docx_text(write(made.paper, Format.DOCX)),
        Format.PDF: pdf_text(write(made.paper, Format.PDF)),
        Format.HTML: write(made.paper, Format.HTML).decode("utf-8"),
    }
    for fmt, text in texts.items():
        flat = squash(text.replace("&amp;", "&").replace("&#x27;", "'").replace("&quot;", '"'))
        missing = [w for w in wanted if squash(w) not in flat]
        assert missing == [], f"{fmt}: missing {missing}"
        for label, value in (("Meeting", "Performance and Resources Board"), ("Meeting date", "30 September 2021"),
                             ("Agenda item", "7"), ("Report author", "Area Manager, Prevention and Protection"),
                             ("Presented by", "Head of Prevention and Protection"),
                             ("Type of report", "Information"), ("For publication", "Yes")):
            assert squash(label) in flat and squash(value) in flat, f"{fmt}: cover {label}"
        for heading in ("Recommendations", HEADING_EXECUTIVE, "Background", HEADING_ANALYSIS,
                        "Risks and mitigations", "Future plans", "Equality and diversity implications"):
            assert squash(heading) in flat, f"{fmt}: {heading}"
        assert squash(RECOMMENDATIONS_NONE) in flat
        # The executive summary is the outline's sentence, the one the Slack and Markdown summaries give.
        assert squash("All actions are complete or on track except one, under recommendation 1") in flat


def test_a_section_without_text_is_left_out_never_printed_empty(sessions):
    _, made = _paper(sessions, {"background": "Where the plan came from."})
    headings = [b.text for b in made.paper.blocks if isinstance(b, Head)]
    assert "Background" in headings
    for field in SECTIONS:
        if field.name != "background":
            assert field.label not in headings
    document = docx_document(write(made.paper, Format.DOCX))
    # In the Word document, in body order: every heading has text or a table under it before the
    # next heading of its level or above.
    styles = {p._p: p.style.name for p in document.paragraphs}
    kinds: list[int] = []  # a heading's level, or 0 for text and tables
    for child in document.element.body.iterchildren():
        style = styles.get(child, "")
        kinds.append(int(style.removeprefix("Heading ")) if style.startswith("Heading ") else 0)
    assert kinds.count(1) == 5  # Recommendations, Executive summary, Background, the recommendations, Options…
    for here, after in zip(kinds, [*kinds[1:], 1], strict=True):
        assert not (here and 0 < after <= here), f"an empty section in {kinds}"
    # The cover leaves out what was not set (no meeting, no author), and prints what always holds.
    cover = [row.cells[0].text for row in document.tables[0].rows]
    assert cover == ["Subject", "Type of report", "For publication"]


def test_the_status_cell_is_coloured_by_its_rag(sessions):
    summary, made = _paper(sessions)
    document = docx_document(write(made.paper, Format.DOCX))
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "Recommendation")
    fills = {}
    for row in list(table.rows)[1:]:
        cell = row.cells[4]
        shading = cell._tc.find(".//{*}shd")
        fills[row.cells[1].text.split()[0]] = (cell.text, shading.get(shading.keys()[-1]))
    assert fills["1.1"] == ("Amber (in progress)", "F0B400")
    assert fills["2.2"] == ("Green (complete)", "2E8540")
    assert len(fills) == 10
    html = write(made.paper, Format.HTML).decode()
    assert '<td style="background:#F0B400;color:#000000">Amber (in progress)</td>' in html


def test_the_chart_is_a_png_of_its_size_embedded_in_every_format(sessions):
    _, made = _paper(sessions)
    assert png_size(made.chart) == SIZE == (1500, 600)
    document = docx_document(write(made.paper, Format.DOCX))
    [image] = [part for part in document.part.package.parts if part.content_type == "image/png"]
    assert png_size(image.blob) == SIZE
    pdf = write(made.paper, Format.PDF)
    assert b"/Subtype /Image" in pdf and b"/Width 1500" in pdf and b"/Height 600" in pdf
    html = write(made.paper, Format.HTML).decode()
    [uri] = re.findall(r'src="(data:image/png;base64,[^"]+)"', html)
    assert len(uri) > 1000


def test_the_html_paper_is_one_file_with_no_reference_outside_it(sessions):
    _, made = _paper(sessions, SEPTEMBER_SETTINGS)
    html = write(made.paper, Format.HTML).decode()
    assert html.startswith("<!DOCTYPE html>") and 'lang="en-GB"' in html
    references = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html) + re.findall(r"url\(([^)]*)\)", html)
    assert references and all(r.startswith("data:") for r in references), references
    assert "@import" not in html and "<script" not in html and "<link" not in html


def test_the_burn_up_counts_from_the_audit_trail_on_both_dates(sessions):
    summary, _ = _paper(sessions)
    with sessions.read() as session:
        progress = progress_of(session, get_plan(session, "ppr"), summary)
    months = {m.label: m for m in progress.months}
    july, september = months["Jul 2021"], months["Sep 2021"]
    # 1.1 was due 31 July 2021 on its original date; its current date is 30 September 2021.
    assert july.due_baseline - july.due_current == 1
    assert september.due_current == september.due_baseline
    assert progress.months[-1].complete == summary.figures.green
    assert [(m.label, m.red, m.amber, m.green) for m in progress.mixes] == [
        ("September 2021", summary.figures.red, summary.figures.amber, summary.figures.green)]


def test_paper_settings_are_set_by_admins_audited_and_refused_whole_when_one_is_wrong(sessions):
    import_september(sessions)
    with sessions.begin() as session:
        plan = get_plan(session, "ppr")
        with pytest.raises(NotAllowed):
            set_paper_settings(session, plan, Actor(BOB, TEAM), PAPER_DAY, {"meeting": "Board"})
    with pytest.raises(InvalidInputs) as refused:
        with sessions.begin() as session:
            set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY,
                               {"meeting": "Board", "meeting_date": "31/02/2021", "attach": "zip"})
    assert [p.field for p in refused.value.problems] == ["meeting_date", "attach"]
    assert "February has no day 31" in refused.value.message and 'Attach is "zip"' in refused.value.message
    with pytest.raises(InvalidInput, match="report author is 201 characters; it can be at most 200"):
        with sessions.begin() as session:
            set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, {"author": "x" * 201})
    with sessions.read() as session:
        assert paper_settings(session, get_plan(session, "ppr")).meeting == ""  # nothing half-written

    with sessions.begin() as session:
        changed = set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY,
                                     {"meeting": "Board", "risks": "Recruitment", "attach": "DOCX"})
        assert changed == ["meeting", "risks", "attach"]
        assert set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, {"meeting": "Board"}) == []
        assert set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, {"risks": ""}) == ["risks"]
    with sessions.read() as session:
        settings = paper_settings(session, get_plan(session, "ppr"))
        trail = session.execute(select(ActionEvent.actor, ActionEvent.old_value, ActionEvent.new_value)
                                .where(ActionEvent.kind == EventKind.PAPER_SETTING)
                                .order_by(ActionEvent.id)).all()
    assert (settings.meeting, settings.section("risks"), settings.attach.value) == ("Board", "", "docx")
    assert trail == [("cli:secretary", '{"meeting": ""}', '{"meeting": "Board"}'),
                     ("cli:secretary", '{"risks": ""}', '{"risks": "Recruitment"}'),
                     ("cli:secretary", '{"attach": "pdf"}', '{"attach": "docx"}'),
                     ("cli:secretary", '{"risks": "Recruitment"}', '{"risks": ""}')]


def test_the_summary_attaches_the_paper_in_the_format_the_plan_chooses_and_nothing_when_off(sessions):
    import_september(sessions)
    summary = september_summary(sessions)
    with sessions.read() as session:
        pdf, chart = attachments(session, get_plan(session, "ppr"), summary)
    assert (pdf.filename, chart.filename) == ("ppr-2021-09-board-paper.pdf", "ppr-2021-09-board-paper-chart.png")
    assert pdf.data.startswith(b"%PDF") and png_size(chart.data) == SIZE
    with sessions.begin() as session:
        set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, {"attach": "docx"})
    with sessions.read() as session:
        paper, _ = attachments(session, get_plan(session, "ppr"), summary)
    assert paper.filename.endswith(".docx") and "Protection peer review" in docx_text(paper.data)
    with sessions.begin() as session:
        set_paper_settings(session, get_plan(session, "ppr"), SECRETARY, PAPER_DAY, {"attach": "off"})
    with sessions.read() as session:
        assert attachments(session, get_plan(session, "ppr"), summary) == ()


def test_the_paper_draws_the_same_outline_as_the_summaries(sessions):
    summary, made = _paper(sessions)
    doc = outline(summary)
    text = made.paper.text()
    for section in doc.sections:
        if section.part in (Part.EXCEPTIONS, Part.CHANGES) and section.heading:
            assert section.heading in text
    assert made.paper.title == doc.title


def test_every_word_of_the_pdf_is_set_at_a_readable_size(sessions):
    _, made = _paper(sessions, SEPTEMBER_SETTINGS)
    sizes: set[float] = set()

    def seen(text, cm, tm, font, size):
        if text.strip():
            sizes.add(round(size * tm[0], 1))

    for page in pypdf.PdfReader(io.BytesIO(write(made.paper, Format.PDF))).pages:
        page.extract_text(visitor_text=seen)
    assert sizes and min(sizes) >= 8.0, sorted(sizes)
    assert max(sizes) == 17.0  # the title
