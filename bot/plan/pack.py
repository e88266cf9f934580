"""The inspector's pack: one zip file an inspector or an audit committee opens offline.

`index.html` has the plan, its recommendations, each action's dates (baseline, and every
revision with its reason), owners, status, evidence links, review outcomes and the full audit
trail; `audit.csv` is that trail with each event's hash; `evidence.csv` every evidence item;
`summaries/PERIOD.md` each posted summary as it was posted; `closure-report.md` when the plan is
closed. Plain HTML, CSV and Markdown: nothing in it needs planbot or Slack to read. Dated, with
the plan's revision (its latest audit event) it was made at.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, select_autoescape
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.closure_report import closure_outline, closure_report
from bot.plan.dates import format_full
from bot.plan.evidence import EvidenceItem, evidence_of
from bot.plan.outline import REVIEW_WORDS
from bot.plan.phrases import actor_name, completed_on, owners
from bot.plan.queries import ActionView
from bot.plan.reviews import ReviewItem, reviews_of
from bot.plan.rules import today_in
from bot.plan.summary_text import markdown_of
from storage.kinds import EventKind, PostState
from storage.models import ActionEvent, Plan, SummaryPost

AUDIT_COLUMNS = ("seq", "at", "actor", "action", "kind", "old_value", "new_value", "reason", "hash")
EVIDENCE_COLUMNS = ("action", "url", "description", "added_by", "added_at", "removed_by", "removed_at")
NOT_KEPT = ("This summary was posted before planbot kept the text of what it posted; these are the figures "
            "it reported, as stored when it was posted:\n\n{figures}\n")

_TEMPLATES = Environment(autoescape=select_autoescape(default=True, default_for_string=True))


@dataclass(frozen=True)
class PostedSummary:
    period: str
    posted_at: datetime
    channel_id: str | None
    text: str

    @property
    def file(self) -> str:
        return f"summaries/{self.period}.md"


@dataclass(frozen=True)
class Pack:
    plan: Plan
    made_at: datetime
    revision: int
    last_hash: str | None
    actions: tuple[ActionView, ...]
    recommendation_texts: dict[int, str]
    events: tuple[ActionEvent, ...]
    evidence: dict[int, list[EvidenceItem]]
    reviews: tuple[ReviewItem, ...]
    summaries: tuple[PostedSummary, ...]
    counts: queries.RagCounts
    closure_markdown: str | None

    def zip_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("index.html", self.index_html())
            archive.writestr("audit.csv", self.audit_csv())
            archive.writestr("evidence.csv", self.evidence_csv())
            for summary in self.summaries:
                archive.writestr(summary.file, summary.text)
            if self.closure_markdown is not None:
                archive.writestr("closure-report.md", self.closure_markdown)
        return out.getvalue()

    def _local(self, at: datetime) -> str:
        return at.astimezone(ZoneInfo(self.plan.timezone)).strftime("%d/%m/%Y %H:%M")

    def _refs(self) -> dict[int, str]:
        return {a.id: a.ref for a in self.actions}

    def audit_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(AUDIT_COLUMNS)
        refs = self._refs()
        for e in self.events:
            writer.writerow((e.seq, e.at.isoformat(), e.actor, refs.get(e.action_id or 0, ""), e.kind.value,
                             e.old_value or "", e.new_value or "", e.reason or "", e.hash))
        return out.getvalue()

    def evidence_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(EVIDENCE_COLUMNS)
        refs = self._refs()
        for items in self.evidence.values():
            for i in items:
                writer.writerow((refs.get(i.action_id, ""), i.url, i.description, i.added_by, i.added_at.isoformat(),
                                 i.removed_by or "", i.removed_at.isoformat() if i.removed_at else ""))
        return out.getvalue()

    def _action(self, a: ActionView) -> dict[str, Any]:
        revisions = [{"at": self._local(e.at), "old": e.old_value, "new": e.new_value, "by": actor_name(e.actor),
                      "reason": e.reason or ""}
                     for e in self.events if e.action_id == a.id and e.kind == EventKind.REVISED]
        evidence = [{"url": i.url, "description": i.description, "by": actor_name(i.added_by),
                     "at": self._local(i.added_at), "removed": self._local(i.removed_at) if i.removed_at else None,
                     "removed_by": actor_name(i.removed_by or "")} for i in self.evidence.get(a.id, [])]
        reviews = []
        for v in self.reviews:
            if v.action_id != a.id:
                continue
            if v.outcome is None:
                reviews.append(f"due {format_full(v.due)}")
            else:
                when = self._local(v.answered_at) if v.answered_at else ""
                reviews.append(f"review due {format_full(v.due)}: {REVIEW_WORDS[v.outcome]}, {when}, by "
                               f"{actor_name(v.answered_by or '')}: {v.comment or ''}")
        return {
            "ref": a.ref, "description": a.description, "owners": owners(a.owners) or "none",
            "status": a.status.label, "rag": a.rag.value, "rag_label": a.rag.label,
            "original_due": format_full(a.original_due), "revisions": revisions,
            "completed": completed_on(a, self.plan.timezone) if a.status.value == "complete" else "not complete",
            "bau_where": a.bau_where, "bau_note": None,
            "blocked": a.blocked_reason if a.blocked else None,
            "blocked_since": self._local(a.blocked_since) if a.blocked_since else None,
            "evidence": evidence, "reviews": reviews,
        }

    def index_html(self) -> str:
        template = _TEMPLATES.from_string(files("bot.plan").joinpath("templates/pack.html").read_text("utf-8"))
        refs = self._refs()
        recommendations = [{"number": n, "text": text,
                            "actions": [self._action(a) for a in self.actions if a.recommendation == n]}
                           for n, text in sorted(self.recommendation_texts.items())]
        events = [{"seq": e.seq, "at": e.at.strftime("%Y-%m-%d %H:%M:%S"), "actor": actor_name(e.actor),
                   "ref": refs.get(e.action_id or 0, ""), "kind": e.kind.value.replace("_", " "),
                   "old": e.old_value or "", "new": e.new_value or "", "reason": e.reason or ""}
                  for e in self.events]
        closed = self.plan.closed_at
        return template.render(
            plan=self.plan, made=self._local(self.made_at), revision=self.revision, last_hash=self.last_hash,
            closed=format_full(today_in(self.plan.timezone, closed)) if closed else None,
            closed_by=actor_name(self.plan.closed_by or ""), summaries=self.summaries,
            closure=self.closure_markdown is not None, counts=self.counts, recommendations=recommendations,
            events=events)


def inspector_pack(session: Session, plan: Plan, now: datetime) -> Pack:
    today = today_in(plan.timezone, now)
    total = queries.rag_counts(session, plan.id, today).total
    view = queries.status(session, plan, today, page_size=max(total, 1))
    actions = tuple(a for rec in view.recommendations for a in rec.actions)
    texts = {rec.number: rec.text for rec in view.recommendations}
    events = tuple(session.scalars(select(ActionEvent).where(ActionEvent.plan_id == plan.id)
                                   .order_by(ActionEvent.seq)))
    posts = session.scalars(select(SummaryPost).where(SummaryPost.plan_id == plan.id,
                                                      SummaryPost.state == PostState.POSTED)
                            .order_by(SummaryPost.posted_at, SummaryPost.id))
    summaries = tuple(PostedSummary(p.period, p.posted_at, p.channel_id,
                                    p.posted_markdown or NOT_KEPT.format(figures=p.snapshot or "none kept"))
                      for p in posts if p.posted_at is not None)
    closure = markdown_of(closure_outline(closure_report(session, plan, now))) if plan.closed_at else None
    return Pack(plan=plan, made_at=now, revision=events[-1].id if events else 0,
                last_hash=events[-1].hash if events else None, actions=actions, recommendation_texts=texts,
                events=events, evidence=evidence_of(session, [a.id for a in actions], removed=True),
                reviews=tuple(reviews_of(session, plan)), summaries=summaries, counts=view.counts,
                closure_markdown=closure)
