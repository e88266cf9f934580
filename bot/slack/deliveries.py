"""Each Slack delivery changes things once: a replay is answered as the first was, and changes nothing.

Slack signs a request over its timestamp and body, and Bolt accepts the signature while the
timestamp is within 5 minutes of now, either side. Whoever sees a request (a proxy's log, a
browser extension, a leaked capture) can send it again byte for byte in that window, and it
passes. A delivery's key is its `X-Slack-Signature`: a replay repeats it exactly, and no other
request has it (the body carries a fresh trigger_id, the timestamp moves on).

Every change claims its delivery's key in the transaction that makes the change: the key is the
table's primary key, so of two replicas handed the same delivery only one inserts it, and the
other (waiting on PostgreSQL for the first to commit, or behind SQLite's write lock) finds it
there and changes nothing. The reply the change gave is kept beside the key, to answer a replay
with. A change that fails rolls its claim back with it, so a replay of a refusal is refused again.
Keys are dropped once no replay of them could pass the signature check.

Over Socket Mode nobody else can deliver a request (it comes over planbot's own WebSocket,
opened with its app token), but Slack itself sends an envelope again when its ack did not come
in time: the connection dropped, or was replaced after a `disconnect`, while the app was working
on it. The re-sent envelope carries the same payload, and no two of Slack's deliveries have one
payload (each carries a fresh trigger_id, action_ts or event_id), so its key is the payload's
SHA-256.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from slack_bolt import BoltRequest
from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage.models import SlackDelivery

SIGNATURE_HEADER = "x-slack-signature"
SOCKET_MODE_PREFIX = "sm:"  # a signature starts "v0=": the two kinds of key never meet
# Bolt accepts a request timestamp up to 5 minutes either side of its clock, so the first
# delivery can come 5 minutes early and a replay 5 minutes late: 10 minutes between them.
REPLAY_WINDOW = timedelta(minutes=10)
# Keys past the window are dropped at most this often per database and process, not by every
# claim: the sweep was one more statement in every change, under SQLite's one write lock.
SWEEP_EVERY = timedelta(minutes=1)
_swept: dict[str, datetime] = {}  # database URL -> when this process last swept it


class Replayed(Exception):  # noqa: N818 - it is not an error: the request was handled before
    """This delivery was handled before. `answer` is what the first reply said (None: nothing)."""

    def __init__(self, answer: dict[str, Any] | None) -> None:
        super().__init__("a delivery that was handled before")
        self.answer = answer


def key_of(request: BoltRequest) -> str | None:
    """The delivery's key: its signature over HTTP, its payload's hash over Socket Mode."""
    if request.mode == "socket_mode":
        canonical = json.dumps(request.body, sort_keys=True, separators=(",", ":"))
        return SOCKET_MODE_PREFIX + hashlib.sha256(canonical.encode()).hexdigest()
    values = request.headers.get(SIGNATURE_HEADER) or []
    return values[0] if values else None


def marker(key: str | None) -> str:
    """A short id for this delivery that is safe to show (a message's metadata carries it):
    derived from the key when there is one, else fresh."""
    return hashlib.sha256(key.encode()).hexdigest()[:32] if key else uuid.uuid4().hex


def claim(session: Session, key: str | None, now: datetime) -> None:
    """Claim this delivery for the change `session` is making; Replayed if it was claimed before.

    Call it first in the change's transaction. With no key it claims nothing.
    """
    if key is None:
        return
    bind = session.get_bind()
    database = str(bind.engine.url)
    last = _swept.get(database)
    if last is None or abs(now - last) >= SWEEP_EVERY:  # abs: a clock set back sweeps too
        session.execute(delete(SlackDelivery).where(SlackDelivery.seen_at < now - REPLAY_WINDOW))
        _swept[database] = now
    dialect = postgresql if bind.dialect.name == "postgresql" else sqlite
    inserted = session.scalar(dialect.insert(SlackDelivery).values(key=key, seen_at=now)
                              .on_conflict_do_nothing(index_elements=["key"]).returning(SlackDelivery.key))
    if inserted is None:
        answer = session.scalar(select(SlackDelivery.answer).where(SlackDelivery.key == key))
        raise Replayed(json.loads(answer) if answer else None)


def answered(session: Session, key: str | None, answer: dict[str, Any]) -> dict[str, Any]:
    """Keep the reply this delivery's change gave (the ack's arguments), to answer a replay with."""
    if key is not None:
        session.execute(update(SlackDelivery).where(SlackDelivery.key == key).values(answer=json.dumps(answer)))
    return answer
