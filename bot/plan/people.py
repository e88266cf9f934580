"""People by name: the display and real names Slack's `users.info` gave for each user id, kept
in the database with when they were asked, so that papers, summaries and the command line say
"Alice Smith" rather than `UALICE`. Slack is asked again once a name is older than NAME_AGE;
an id is shown only when Slack has never said whose it is.

Reading names needs only the database (the command line has no Slack); the callers that talk
to Slack (the summary poster, `/plan owner`, reminders) refresh what is stale and `remember` it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Person

NAME_AGE: Final = timedelta(days=7)
NAME_LENGTH: Final = 200
CLI_PREFIX: Final = "cli:"


@dataclass(frozen=True)
class Name:
    display: str
    real: str

    @property
    def shown(self) -> str:
        """The real name (Alice Smith), else the display name (alice)."""
        return self.real.strip() or self.display.strip()


def name_from_profile(user: Mapping[str, object]) -> Name | None:
    """The names in a users.info `user` object, or None if it gives none."""
    profile = user.get("profile")
    profile = profile if isinstance(profile, Mapping) else {}
    real = str(profile.get("real_name") or user.get("real_name") or "")
    display = str(profile.get("display_name") or user.get("name") or "")
    name = Name(display[:NAME_LENGTH], real[:NAME_LENGTH])
    return name if name.shown else None


def is_slack_user(actor: str) -> bool:
    """An audit-trail actor that Slack can name: a user id, not `cli:…` or `planbot:…`."""
    return bool(actor) and ":" not in actor


def known_names(session: Session, user_ids: Iterable[str]) -> dict[str, str]:
    """user id -> the name to show, for those Slack has named."""
    wanted = sorted({u for u in user_ids if is_slack_user(u)})
    if not wanted:
        return {}
    rows = session.scalars(select(Person).where(Person.user_id.in_(wanted)))
    return {row.user_id: shown for row in rows if (shown := Name(row.display_name, row.real_name).shown)}


def stale(session: Session, user_ids: Iterable[str], now: datetime, age: timedelta = NAME_AGE) -> list[str]:
    """The user ids whose names were never asked, or asked longer than `age` ago."""
    wanted = sorted({u for u in user_ids if is_slack_user(u)})
    if not wanted:
        return []
    fresh = set(session.scalars(select(Person.user_id).where(Person.user_id.in_(wanted),
                                                             Person.checked_at > now - age)))
    return [u for u in wanted if u not in fresh]


def remember(session: Session, user_id: str, name: Name | None, now: datetime) -> None:
    """Keep what Slack said of `user_id` (None: it could not say; the old name, if any, stays)."""
    row = session.get(Person, user_id)
    if row is None:
        row = Person(user_id=user_id, display_name="", real_name="", checked_at=now)
        session.add(row)
    if name is not None:
        row.display_name, row.real_name = name.display, name.real
    row.checked_at = now
    session.flush()
