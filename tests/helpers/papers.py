"""Reading back what a board paper wrote: the DOCX with python-docx, the PDF with pypdf (the test
extra), the PNG's header; and the September 2021 paper's settings as its board paper had them."""

from __future__ import annotations

import io
import struct

import docx
import pypdf

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The cover and sections of the 30 September 2021 paper (PRODUCT.md), as an admin would set them.
SEPTEMBER_SETTINGS = {
    "meeting": "Performance and Resources Board",
    "meeting_date": "30/09/2021",
    "agenda_item": "7",
    "author": "Area Manager, Prevention and Protection",
    "presented_by": "Head of Prevention and Protection",
    "subject": "Protection peer review: monthly update",
    "for_publication": "yes",
    "background": "In early 2021 the service's protection work was the subject of a peer review, which made "
                  "eight recommendations. This paper reports the progress of the action plan that answers them.",
    "risks": "Recruitment of the business engagement SM is the one risk to the plan; the post is being recruited to.",
    "future_plans": "Each improvement will be reviewed for effectiveness once it is complete.",
    "equality": "There are no equality and diversity implications arising from this report.",
}


def squash(text: str) -> str:
    """Text without any whitespace: a PDF's lines wrap where its table cells end."""
    return "".join(text.split())


def docx_document(data: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(data))


def docx_text(data: bytes) -> str:
    """Every paragraph and table cell of a DOCX, in order, a line each."""
    document = docx_document(data)
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def pdf_pages(data: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk; AssertionError if it is not a PNG."""
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG starts with its IHDR chunk"
    width, height = struct.unpack(">II", data[16:24])
    return width, height
