"""The summary as JSON-ready data (`planbot summary --format json`): the outline's executive
sentence, and the summary's facts, exceptions under their recommendations and slippage."""

from __future__ import annotations

from typing import Any

from bot.plan.outline import outline
from bot.plan.phrases import actor_name, lateness
from bot.plan.queries import ActionView
from bot.plan.summary import Summary, rag_key
from bot.plan.summary_text import run_text


def _action_dict(a: ActionView) -> dict[str, Any]:
    return {
        "ref": a.ref, "recommendation": a.recommendation, "description": a.description,
        "owners": list(a.owners), "original_due": a.original_due.isoformat(),
        "revised_due": a.revised_due.isoformat() if a.revised_due else None,
        "revision_reason": a.revision_reason, "status": a.status.value, "rag": a.rag.value,
        "days_late": a.days_late, "days_past_baseline": a.days_past_baseline, "days_slipped": a.days_slipped,
        "completed_at": a.completed_at.isoformat() if a.completed_at else None,
    }


def summary_dict(s: Summary) -> dict[str, Any]:
    """The summary as JSON-ready data."""
    doc = outline(s)
    previous = None
    if s.previous:
        previous = {"period": s.previous.period.key, "label": s.previous.period.label,
                    "posted_at": s.previous.posted_at.isoformat(),
                    "figures": s.previous.figures.to_dict() if s.previous.figures else None}
    texts = {r.number: r.text for r in s.recommendations}
    slippage = s.slippage
    return {
        "plan": {"key": s.plan.key, "title": s.plan.title, "source": s.plan.source, "timezone": s.plan.timezone},
        "period": {"key": s.period.key, "label": s.period.label, "cadence": s.period.cadence},
        "title": s.title,
        "headline": run_text(doc.headline, s.names),
        "generated_at": s.generated_at.isoformat(),
        "today": s.today.isoformat(),
        "figures": s.figures.to_dict(),
        "previous": previous,
        "changes_since": s.since.isoformat(),
        "completed": [{**_action_dict(c.action), "at": c.at.isoformat(), "by": c.actor,
                       "by_name": actor_name(c.actor, s.names), "note": c.note}
                      for c in s.completed],
        "newly_overdue": [_action_dict(a) for a in s.newly_overdue],
        "revised": [{**_action_dict(r.action), "from": r.old_due.isoformat() if r.old_due else None,
                     "to": r.new_due.isoformat() if r.new_due else None, "reason": r.reason,
                     "at": r.at.isoformat(), "by": r.actor, "by_name": actor_name(r.actor, s.names)}
                    for r in s.revised],
        "exceptions": [{**_action_dict(e.action), "recommendation_text": texts.get(e.action.recommendation, ""),
                        "latest_reason": e.latest_reason, "revisions": e.revisions,
                        "lateness": lateness(e.action, s.today)} for e in s.exceptions],
        "slippage": {
            "actions": slippage.total, "on_baseline": slippage.on_baseline,
            "percent_on_baseline": slippage.percent_on_baseline, "days_slipped": slippage.total_days,
            "median_days_slipped": slippage.median_days,
            "slipped": [{**_action_dict(slip.action), "revisions": slip.revisions, "reasons": list(slip.reasons)}
                        for slip in slippage.slips],
        },
        "due_soon": {"days": s.due_soon_days, "actions": [_action_dict(a) for a in s.due_soon]},
        "recommendations": [{"number": r.number, "text": r.text, "actions": [_action_dict(a) for a in r.actions]}
                            for r in s.recommendations],
        "footer": s.footer(),
        "rag_key": rag_key(),
    }
