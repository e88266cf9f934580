"""The closed sets stored as strings: an action's status, an audit event's kind, a summary post's state.

They live beside the models (which store them) so that storage never imports the domain;
`bot.plan.rules` re-exports `ActionStatus`.
"""

from __future__ import annotations

from enum import StrEnum


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    # Moved to business as usual when its plan closed: it lives on elsewhere (`Action.bau_where`),
    # and counts as neither complete nor overdue.
    BAU = "bau"

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete",
                "bau": "Business as usual"}[self.value]

    @property
    def is_open(self) -> bool:
        """Still to be done in the plan: neither complete nor moved to business as usual."""
        return self not in (ActionStatus.COMPLETE, ActionStatus.BAU)


class EventKind(StrEnum):
    """What an audit event records (`ActionEvent.kind`)."""

    # An action's own changes.
    IMPORTED = "imported"
    COMPLETED = "completed"
    REOPENED = "reopened"
    STATUS = "status"
    REVISED = "revised"
    NOTE = "note"
    OWNERS = "owners"
    RECOMMENDATION = "recommendation"
    DESCRIPTION = "description"
    ORIGINAL_DUE = "original_due"
    COMPLETED_AT = "completed_at"  # a completion date given (or corrected) by an import
    # The plan's.
    PLAN_CREATED = "plan_created"
    PLAN_TITLE = "plan_title"
    PLAN_CHANNEL = "plan_channel"
    SCHEDULE = "schedule"
    ADMIN_ADDED = "admin_added"
    ADMIN_REMOVED = "admin_removed"
    ROLE_MAPPED = "role_mapped"
    ROLE_UNMAPPED = "role_unmapped"
    ROLE_RENAMED = "role_renamed"
    ROLE_MERGED = "role_merged"
    SUMMARY_POSTED = "summary_posted"
    PLAN_WORKSPACE = "plan_workspace"  # the plan given to another workspace (serving many)
    # Reminders (bot/plan/reminders.py): a plan's settings, and a person's mute (in every open plan's trail).
    REMINDER_SETTINGS = "reminder_settings"
    REMINDERS_MUTED = "reminders_muted"
    REMINDERS_UNMUTED = "reminders_unmuted"
    # Closing the loop: evidence, blocked by others, closure, effectiveness reviews.
    EVIDENCE_ADDED = "evidence_added"
    EVIDENCE_REMOVED = "evidence_removed"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    MOVED_TO_BAU = "moved_to_bau"
    PLAN_CLOSED = "plan_closed"
    PLAN_REOPENED = "plan_reopened"
    PLAN_SETTINGS = "plan_settings"  # evidence required, the review interval
    REVIEW_SCHEDULED = "review_scheduled"
    REVIEW_ANSWERED = "review_answered"
    # The board paper (bot/plan/paper/settings.py): one event per setting changed.
    PAPER_SETTING = "paper_setting"


class PostState(StrEnum):
    """Where a period's summary post stands (`SummaryPost.state`)."""

    CLAIMED = "claimed"
    FAILED = "failed"
    POSTED = "posted"


class ReminderState(StrEnum):
    """Where a recipient's reminder of a day stands (`ReminderDelivery.state`)."""

    CLAIMED = "claimed"
    FAILED = "failed"
    SENT = "sent"


class ReviewOutcome(StrEnum):
    """An effectiveness review's answer (`EffectivenessReview.outcome`; empty while it is due)."""

    EMBEDDED = "embedded"  # "Yes": the improvement is embedded, the action is verified
    NOT_YET = "not_yet"  # under review again on `next_due`
