"""Writing the paper in a format, and making it from the database: the one entry point for the
command line and the summary poster."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from bot.plan.paper.settings import Attach, paper_settings
from bot.plan.summary import Summary
from storage.models import Plan

if TYPE_CHECKING:
    from bot.plan.paper.document import Paper


class Format(StrEnum):
    DOCX = "docx"
    PDF = "pdf"
    HTML = "html"

    @property
    def mime(self) -> str:
        return MIME[self]


MIME: Final = {
    Format.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    Format.PDF: "application/pdf",
    Format.HTML: "text/html",
}


def write(paper: Paper, fmt: Format) -> bytes:
    """The paper in `fmt`: one writer for each, each a match over the paper's blocks."""
    from bot.paper import to_docx, to_html, to_pdf  # noqa: PLC0415 - each writer loads its library

    writers: dict[Format, Callable[[Paper], bytes]] = {
        Format.DOCX: to_docx.write_docx, Format.PDF: to_pdf.write_pdf, Format.HTML: to_html.write_html}
    return writers[fmt](paper)


@dataclass(frozen=True)
class Made:
    paper: Paper
    chart: bytes


def make_paper(session: Session, plan: Plan, summary: Summary) -> Made:
    """The paper for `summary` of `plan`, with its chart, from the plan's paper settings."""
    # Only a paper being made loads its builder and chart: `planbot serve` starts without them.
    from bot.paper.chart import chart_png  # noqa: PLC0415
    from bot.plan.paper.document import build_paper  # noqa: PLC0415
    from bot.plan.paper.progress import progress_of  # noqa: PLC0415

    chart = chart_png(progress_of(session, plan, summary))
    return Made(build_paper(summary, paper_settings(session, plan), chart), chart)


def file_stem(summary: Summary) -> str:
    """ppr-2027-03-board-paper"""
    return f"{summary.plan.key}-{summary.period.key}-board-paper"


@dataclass(frozen=True)
class Attachment:
    """A file the posted summary shares in its thread."""

    filename: str  # unique to the plan and period: how a retry finds it already there
    title: str
    data: bytes


CHART_TITLE: Final = "Progress chart"


def attachments(session: Session, plan: Plan, summary: Summary) -> tuple[Attachment, ...]:
    """What the plan's posted summary attaches: its paper (in the format the plan's settings
    choose) and the chart; nothing when the settings say off."""
    fmt = paper_settings(session, plan).attach
    if fmt == Attach.OFF:
        return ()
    made = make_paper(session, plan, summary)
    stem = file_stem(summary)
    return (Attachment(f"{stem}.{fmt.value}", made.paper.title, write(made.paper, Format(fmt.value))),
            Attachment(f"{stem}-chart.png", f"{CHART_TITLE} — {summary.period.label}", made.chart))
