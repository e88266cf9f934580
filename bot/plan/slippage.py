"""Baseline against current dates: which actions slipped, by how much, how often, and why.

An action's baseline is its original delivery date; it has slipped when its current due date
(the revised one) is later. Each action's revisions and their reasons come from the audit trail.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.plan import queries
from bot.plan.queries import ActionView, PlanView
from storage.models import Action, Plan


@dataclass(frozen=True)
class Slip:
    """One action that slipped: how often its date was revised, and every reason given."""

    action: ActionView
    revisions: int
    reasons: tuple[str, ...]

    @property
    def days(self) -> int:
        return self.action.days_slipped


@dataclass(frozen=True)
class Slippage:
    plan: PlanView
    today: date
    total: int  # actions in the plan
    slips: tuple[Slip, ...]  # most slipped first

    @property
    def on_baseline(self) -> int:
        return self.total - len(self.slips)

    @property
    def percent_on_baseline(self) -> int:
        return round(100 * self.on_baseline / self.total) if self.total else 100

    @property
    def total_days(self) -> int:
        return sum(slip.days for slip in self.slips)

    @property
    def median_days(self) -> float:
        return float(statistics.median(slip.days for slip in self.slips)) if self.slips else 0.0

    @property
    def open_slips(self) -> tuple[Slip, ...]:
        return tuple(slip for slip in self.slips if slip.action.is_open)


def plan_slippage(session: Session, plan: Plan, today: date) -> Slippage:
    """The plan's slippage as it stands `today` (a fixed number of SQL statements)."""
    total = session.scalar(select(func.count()).select_from(Action).where(Action.plan_id == plan.id)) or 0
    return slippage_of(session, queries.plan_view(plan), today, total, queries.slipped_actions(session, plan, today))


def slippage_of(session: Session, plan: PlanView, today: date, total: int, actions: list[ActionView]) -> Slippage:
    """The slippage among `actions` (those that did not slip are left out), out of `total`."""
    slipped = [a for a in actions if a.slipped]
    ids = [a.id for a in slipped]
    counts = queries.revision_counts(session, ids)
    reasons = queries.revision_reasons(session, ids)
    slips = [Slip(a, max(1, counts.get(a.id, 0)), reasons.get(a.id) or _given(a.revision_reason)) for a in slipped]
    slips.sort(key=lambda slip: -slip.days)  # stable: ties stay in plan order
    return Slippage(plan=plan, today=today, total=total, slips=tuple(slips))


def _given(reason: str | None) -> tuple[str, ...]:
    return (reason,) if reason else ()
