"""The database schema: SQLAlchemy 2 typed models for plans, their actions and the audit trail.

Changes to these models need an Alembic revision in `storage/migrations/versions`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from storage.kinds import ActionStatus, EventKind, PostState, ReminderState, ReviewOutcome

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def stored_as_string(enum: type[StrEnum], length: int) -> Enum:
    """A StrEnum column stored as its values in a plain VARCHAR(length), as the migrations made it:
    no native enum type and no constraint of its own (the tables' CHECK constraints stay)."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Plan(Base):
    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    # The Slack workspace, or Enterprise Grid organisation, whose people see the plan ('' for a
    # single-token install). Slack requests see only their own (storage/scope.py).
    workspace: Mapped[str] = mapped_column(String(32), default="", server_default="", index=True)
    title: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text, default="")
    channel_id: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    schedule: Mapped[str] = mapped_column(String(500), default="monthly")
    # When the schedule last changed (or the plan was created): no summary is due before it.
    schedule_since: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    # Completing an action needs at least one evidence item.
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    # Months after completion an action's effectiveness review falls due; None: no reviews.
    review_months: Mapped[int | None] = mapped_column(Integer, default=6)

    recommendations: Mapped[list[Recommendation]] = relationship(
        back_populates="plan", order_by="Recommendation.number"
    )
    actions: Mapped[list[Action]] = relationship(back_populates="plan", order_by="Action.position")
    admins: Mapped[list[PlanAdmin]] = relationship(back_populates="plan")

    __table_args__ = (CheckConstraint("key <> ''", name="key_not_empty"),)


class Recommendation(Base):
    __tablename__ = "recommendations"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[Plan] = relationship(back_populates="recommendations")
    actions: Mapped[list[Action]] = relationship(
        back_populates="recommendation", order_by="Action.position"
    )

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


class Role(Base):
    """An owner role ("Head of Protection"); the role stays on the action when people change jobs."""

    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The workspace whose plans use it (as `Plan.workspace`): each workspace names its own roles.
    workspace: Mapped[str] = mapped_column(String(32), default="", server_default="")
    name: Mapped[str] = mapped_column(String(200))
    # Lower-cased, whitespace-folded name: roles match case-insensitively.
    name_key: Mapped[str] = mapped_column(String(200))

    members: Mapped[list[RoleMember]] = relationship(back_populates="role")

    __table_args__ = (UniqueConstraint("workspace", "name_key"),)


class RoleAlias(Base):
    """A name a role had before it was renamed or merged into another: an import that still
    says "Head of Protection and Prevention" finds the role it became."""

    __tablename__ = "role_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    workspace: Mapped[str] = mapped_column(String(32), default="", server_default="")
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("workspace", "name_key"),)


class RoleMember(Base):
    """A Slack user who holds a role, within the organisation that user belongs to: their
    Enterprise Grid enterprise id, else their own team id ('' = any organisation). See
    `bot.plan.identity`."""

    __tablename__ = "role_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"))
    org_id: Mapped[str] = mapped_column(String(32), default="")
    user_id: Mapped[str] = mapped_column(String(32))

    role: Mapped[Role] = relationship(back_populates="members")

    __table_args__ = (
        UniqueConstraint("role_id", "org_id", "user_id"),
        Index("ix_role_members_user", "user_id"),
    )


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    recommendation_id: Mapped[int] = mapped_column(ForeignKey("recommendations.id"))
    ref: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    # Its place in the plan, 0, 1, 2, … in (recommendation number, position, id) order, kept so
    # by the importer (the only writer of numbers and positions): a page is one indexed range.
    sort_key: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    description: Mapped[str] = mapped_column(Text)
    original_due: Mapped[date] = mapped_column(Date)
    revised_due: Mapped[date | None] = mapped_column(Date)
    revision_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ActionStatus] = mapped_column(stored_as_string(ActionStatus, 16), default=ActionStatus.NOT_STARTED)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by every change; lets a writer refuse to overwrite a change it has not seen.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Waiting on someone outside the organisation (a national body, a supplier), since when.
    blocked_reason: Mapped[str | None] = mapped_column(Text)
    blocked_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Moved to business as usual: where it now lives (a service plan, a team), and a note.
    bau_where: Mapped[str | None] = mapped_column(Text)
    bau_note: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    recommendation: Mapped[Recommendation] = relationship(back_populates="actions")
    owners: Mapped[list[ActionOwner]] = relationship(
        back_populates="action", order_by="ActionOwner.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("plan_id", "ref"),
        CheckConstraint(
            "status IN ('not_started', 'in_progress', 'complete', 'bau')", name="status_known"
        ),
        CheckConstraint(
            "revised_due IS NULL OR (revision_reason IS NOT NULL AND revision_reason <> '')",
            name="revision_has_reason",
        ),
        # An open action has no completion date; a complete one may have none recorded (an
        # import without a completion date column), shown as "date not recorded".
        CheckConstraint("status = 'complete' OR completed_at IS NULL", name="completed_at_matches"),
        CheckConstraint("description <> ''", name="description_not_empty"),
        CheckConstraint("(blocked_reason IS NULL) = (blocked_since IS NULL)", name="blocked_has_reason"),
        Index("ix_actions_plan_status", "plan_id", "status"),
        Index("ix_actions_plan_sort_key", "plan_id", "sort_key"),
        # Counts a plan's actions by colour from the index alone (queries.rag_counts).
        Index("ix_actions_plan_status_due", "plan_id", "status", text("coalesce(revised_due, original_due)")),
        # The few blocked actions of a plan, for the same counts.
        Index("ix_actions_plan_blocked", "plan_id", "status", sqlite_where=text("blocked_since IS NOT NULL"),
              postgresql_where=text("blocked_since IS NOT NULL")),
    )


class ActionOwner(Base):
    __tablename__ = "action_owners"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"), primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    action: Mapped[Action] = relationship(back_populates="owners")
    role: Mapped[Role] = relationship()

    __table_args__ = (Index("ix_action_owners_role", "role_id"),)


class PlanAdmin(Base):
    __tablename__ = "plan_admins"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    user_id: Mapped[str] = mapped_column(String(32))

    plan: Mapped[Plan] = relationship(back_populates="admins")

    __table_args__ = (UniqueConstraint("plan_id", "user_id"),)


class ActionEvent(Base):
    """The append-only audit trail: one row per change, never updated or deleted.

    `action_id` is empty for plan-level changes (admins, role mapping, settings).
    The database itself refuses UPDATE, DELETE, REPLACE (SQLite) and TRUNCATE (PostgreSQL) on
    this table (migrations 0001 and 0005), and each event is hash-chained to the one before it.
    """

    __tablename__ = "action_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[EventKind] = mapped_column(stored_as_string(EventKind, 32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    # Tamper evidence (bot/plan/audit.py): the event's place in its plan's trail, and SHA-256
    # over the previous event's hash and this event's fields.
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        UniqueConstraint("plan_id", "seq"),
        Index("ix_action_events_action", "action_id", "id"),
        Index("ix_action_events_plan_at", "plan_id", "at"),
        Index("ix_action_events_plan_id_id", "plan_id", "id"),
    )


class SummaryPost(Base):
    """One monthly (or quarterly…) summary per plan and period: claimed before it is posted.

    `claimed`: a process holds it (until `claimed_at` + the lease); `failed`: the last attempt
    failed (`last_error`) and it is due again; `posted`: done, `message_ts` in `channel_id`.
    """

    __tablename__ = "summary_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"))
    period: Mapped[str] = mapped_column(String(32))
    state: Mapped[PostState] = mapped_column(stored_as_string(PostState, 16), default=PostState.CLAIMED)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The figures the summary reported, as JSON, so the next one can say how they moved.
    snapshot: Mapped[str | None] = mapped_column(Text)
    # The summary as it was posted (Markdown), for the inspector's pack.
    posted_markdown: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("plan_id", "period"),
        CheckConstraint("state IN ('claimed', 'failed', 'posted')", name="state_known"),
    )


class SlackDelivery(Base):
    """A request Slack delivered that changed something, kept while a replay of it could pass
    Slack's signature check: a replay is answered with `answer` (the first reply, as JSON, if it
    had one) and changes nothing. See `bot.slack.deliveries`."""

    __tablename__ = "slack_deliveries"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)  # its X-Slack-Signature
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answer: Mapped[str | None] = mapped_column(Text)


# Reminders (bot/plan/reminders.py): each plan's settings, what planbot knows of each person it
# reminds, one claimed delivery per recipient and day, and which milestones each recipient has had.


class ReminderSettings(Base):
    """A plan's reminder settings; a plan without a row has the defaults."""

    __tablename__ = "reminder_settings"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    hour: Mapped[int] = mapped_column(Integer, default=9)
    soon_days: Mapped[int] = mapped_column(Integer, default=14)
    near_days: Mapped[int] = mapped_column(Integer, default=3)
    escalate_days: Mapped[int] = mapped_column(Integer, default=10)  # working days overdue: the admins' digest
    channel_days: Mapped[int] = mapped_column(Integer, default=20)  # working days overdue: the plan's channel
    channel_enabled: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        CheckConstraint("hour >= 8 AND hour <= 17", name="hour_in_the_day"),
        CheckConstraint("near_days >= 1 AND soon_days > near_days", name="windows_ordered"),
        CheckConstraint("escalate_days >= 1 AND channel_days >= 1", name="thresholds_positive"),
    )


class ReminderPerson(Base):
    """A person planbot reminds: their timezone as Slack last said, their DM channel, their mute."""

    __tablename__ = "reminder_people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64))
    timezone_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dm_channel_id: Mapped[str | None] = mapped_column(String(32))
    muted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReminderDelivery(Base):
    """One reminder message per recipient (a user id, or `channel:C…`) and local day, claimed
    before it is sent, as summary periods are (`claimed`, `failed`, `sent`). `items` is the JSON
    list of what it carries, so a retry can record what an earlier attempt already sent."""

    __tablename__ = "reminder_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    state: Mapped[ReminderState] = mapped_column(stored_as_string(ReminderState, 16), default=ReminderState.CLAIMED)
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    items: Mapped[str] = mapped_column(Text, default="[]")

    __table_args__ = (
        UniqueConstraint("recipient", "day"),
        CheckConstraint("state IN ('claimed', 'failed', 'sent')", name="state_known"),
    )


class ReminderMark(Base):
    """A milestone a recipient has had for an action, as of the action's date then: a new due
    date has no marks, so a revised date starts the milestones again."""

    __tablename__ = "reminder_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    recipient: Mapped[str] = mapped_column(String(64))
    due: Mapped[date] = mapped_column(Date)
    milestone: Mapped[str] = mapped_column(String(48))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("reminder_deliveries.id"))

    __table_args__ = (
        UniqueConstraint("action_id", "recipient", "due", "milestone"),
        Index("ix_reminder_marks_recipient", "recipient"),
    )


# Closing the loop (bot/plan/closure.py): evidence on actions, and effectiveness reviews.


class Evidence(Base):
    """A link that shows an action was done. Removing one sets `removed_at`: the row stays, as
    the audit trail's events do."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    url: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        CheckConstraint("url <> ''", name="url_not_empty"),
        Index("ix_evidence_action", "action_id"),
    )


class EffectivenessReview(Base):
    """Is a completed action's improvement embedded? One row per time of asking: due on `due`,
    answered (`outcome`) by someone; "not yet" schedules the next row."""

    __tablename__ = "effectiveness_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id"))
    due: Mapped[date] = mapped_column(Date)
    outcome: Mapped[ReviewOutcome | None] = mapped_column(stored_as_string(ReviewOutcome, 16))
    answered_by: Mapped[str | None] = mapped_column(String(64))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("action_id", "due"),
        CheckConstraint("outcome IS NULL OR outcome IN ('embedded', 'not_yet')", name="outcome_known"),
        CheckConstraint("(outcome IS NULL) = (answered_at IS NULL)", name="answered_when"),
        Index("ix_effectiveness_reviews_due", "due"),
    )


# The board paper (bot/plan/paper/): each plan's paper settings, and the names Slack gives people.


class PaperSettings(Base):
    """A plan's board paper settings: the cover fields, the sections only a paper has, and the
    format the summary attaches. An empty text is a section left out; a plan without a row has
    the defaults."""

    __tablename__ = "paper_settings"

    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id"), primary_key=True)
    meeting: Mapped[str] = mapped_column(String(200), default="")
    meeting_date: Mapped[date | None] = mapped_column(Date)
    agenda_item: Mapped[str] = mapped_column(String(50), default="")
    author: Mapped[str] = mapped_column(String(200), default="")
    presented_by: Mapped[str] = mapped_column(String(200), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    for_publication: Mapped[bool] = mapped_column(Boolean, default=True)
    # The sections a paper has and a summary has not, as a JSON object of section name to text.
    sections: Mapped[str] = mapped_column(Text, default="{}")
    attach: Mapped[str] = mapped_column(String(8), default="pdf")

    __table_args__ = (CheckConstraint("attach IN ('pdf', 'docx', 'off')", name="attach_known"),)


class Person(Base):
    """A Slack user's names as `users.info` last gave them, and when: asked again after a while."""

    __tablename__ = "people"

    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    real_name: Mapped[str] = mapped_column(String(200), default="")
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())
