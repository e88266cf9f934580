"""The paper as one self-contained HTML file: styles inline, the chart a data: URI, nothing
fetched from anywhere."""

from __future__ import annotations

import base64
from html import escape

from bot.plan.paper.document import (
    RAG_COLOURS,
    Bullets,
    Chart,
    CoverBlock,
    Head,
    Numbered,
    Paper,
    Table,
    Text,
    Title,
)

STYLE = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; line-height: 1.4; max-width: 60em;
       margin: 2em auto; padding: 0 1em; color: #111; }
h1 { font-size: 17pt; } h2 { font-size: 14pt; margin-top: 1.4em; } h3 { font-size: 12pt; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0; }
th, td { border: 1px solid #777; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th { background: #e8e8e8; }
table.cover th { width: 30%; }
p.small { font-size: 9pt; color: #444; }
figure { margin: 1em 0; } figure img { width: 100%; height: auto; }
figcaption { font-size: 9pt; color: #444; }
"""


def _table(block: Table) -> str:
    widths = "".join(f'<col style="width:{w * 100:.0f}%">' for w in block.widths)
    head = "".join(f"<th>{escape(h)}</th>" for h in block.headers)
    rows = []
    column = block.rag_column % len(block.headers)
    for row in block.rows:
        cells = []
        for i, cell in enumerate(row.cells):
            style = ""
            if row.rag is not None and i == column:
                fill, ink = RAG_COLOURS[row.rag]
                style = f' style="background:#{fill};color:#{ink}"'
            cells.append(f"<td{style}>{escape(cell)}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table><colgroup>{widths}</colgroup><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def write_html(paper: Paper) -> bytes:
    out = [f'<!DOCTYPE html>\n<html lang="en-GB"><head><meta charset="utf-8"><title>{escape(paper.title)}</title>'
           f"<style>{STYLE}</style></head><body>"]
    for block in paper.blocks:
        match block:
            case Title(text):
                out.append(f"<h1>{escape(text)}</h1>")
            case CoverBlock(rows):
                out.append('<table class="cover">' + "".join(
                    f"<tr><th>{escape(label)}</th><td>{escape(value)}</td></tr>" for label, value in rows) + "</table>")
            case Head(level, text):
                out.append(f"<h{level + 1}>{escape(text)}</h{level + 1}>")
            case Text(text, strong, small):
                body = escape(text).replace("\n", "<br>")
                out.append(f'<p class="small">{body}</p>' if small else f"<p><strong>{body}</strong></p>"
                           if strong else f"<p>{body}</p>")
            case Numbered(items):
                out.append("<ol>" + "".join(f'<li value="{n}">{escape(text)}</li>' for n, text in items) + "</ol>")
            case Bullets(items):
                out.append("<ul>" + "".join(f"<li>{escape(text)}</li>" for text in items) + "</ul>")
            case Table():
                out.append(_table(block))
            case Chart(png, caption):
                data = base64.b64encode(png).decode("ascii")
                out.append(f'<figure><img src="data:image/png;base64,{data}" alt="{escape(caption)}">'
                           f"<figcaption>{escape(caption)}</figcaption></figure>")
    out.append("</body></html>\n")
    return "\n".join(out).encode("utf-8")
