"""The paper's progress chart as a PNG, drawn headless with matplotlib's Agg backend: the burn-up
(actions due on their original dates and on their current ones, against actions complete) and
the RAG mix at each posted summary, side by side."""

from __future__ import annotations

import io
from typing import Final

from bot.plan.paper.document import RAG_COLOURS
from bot.plan.paper.progress import Progress
from bot.plan.rules import Rag

# Inches at DPI: 1,500 by 600 pixels.
WIDTH_IN: Final = 10.0
HEIGHT_IN: Final = 4.0
DPI: Final = 150
SIZE: Final = (int(WIDTH_IN * DPI), int(HEIGHT_IN * DPI))
COLOURS: Final = {"red": f"#{RAG_COLOURS[Rag.RED][0]}", "amber": f"#{RAG_COLOURS[Rag.AMBER][0]}",
                  "green": f"#{RAG_COLOURS[Rag.GREEN][0]}", "baseline": "#7F8C8D", "current": "#1F4E79"}
# Label every nth month when there are many.
MONTH_LABELS: Final = 12
ALT_TEXT: Final = ("Progress chart. Left: actions complete against actions due, month by month, on their "
                   "original and current dates. Right: the RAG mix at each summary.")


def chart_png(progress: Progress) -> bytes:
    """The chart as PNG bytes, SIZE pixels."""
    import matplotlib  # noqa: PLC0415 - loaded only by the callers that draw
    matplotlib.use("Agg", force=True)
    from matplotlib.figure import Figure  # noqa: PLC0415

    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
    burn, mix = figure.subplots(1, 2, width_ratios=(3, 2))
    months = progress.months
    xs = list(range(len(months)))
    burn.step(xs, [m.due_baseline for m in months], where="mid", color=COLOURS["baseline"], linestyle="--",
              label="Due (original dates)")
    burn.step(xs, [m.due_current for m in months], where="mid", color=COLOURS["current"],
              label="Due (current dates)")
    burn.fill_between(xs, [m.complete for m in months], step="mid", color=COLOURS["green"], alpha=0.35)
    burn.step(xs, [m.complete for m in months], where="mid", color=COLOURS["green"], label="Complete")
    step = max(1, len(months) // MONTH_LABELS + (1 if len(months) % MONTH_LABELS else 0))
    burn.set_xticks(xs[::step], [m.label for m in months][::step], rotation=45, ha="right", fontsize=7)
    burn.set_ylim(0, max(1, progress.total) * 1.05)
    burn.set_ylabel("Actions")
    burn.set_title("Complete against due", fontsize=10)
    burn.legend(fontsize=7, loc="upper left")
    burn.grid(axis="y", alpha=0.3)

    mixes = progress.mixes
    ys = list(range(len(mixes)))
    red = [m.red for m in mixes]
    amber = [m.amber for m in mixes]
    green = [m.green for m in mixes]
    mix.bar(ys, green, color=COLOURS["green"], label="Green")
    mix.bar(ys, amber, bottom=green, color=COLOURS["amber"], label="Amber")
    mix.bar(ys, red, bottom=[g + a for g, a in zip(green, amber, strict=True)], color=COLOURS["red"], label="Red")
    mix.set_xticks(ys, [m.label for m in mixes], rotation=45, ha="right", fontsize=7)
    mix.set_title("RAG at each summary", fontsize=10)
    mix.legend(fontsize=7, loc="upper left")
    mix.grid(axis="y", alpha=0.3)

    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()
