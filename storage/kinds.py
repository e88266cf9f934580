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

    @property
    def label(self) -> str:
        return {"not_started": "Not started", "in_progress": "In progress", "complete": "Complete"}[
            self.value
        ]


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
