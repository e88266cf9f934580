"""Text a database can store. What people type is refused, naming what they typed, when it holds
a character no database here keeps: NUL (PostgreSQL refuses it in text, and the request failed
with a generic error), the other control characters but tab and new lines (as the spreadsheet
import refuses them), and half a surrogate pair (not encodable at all).
"""

from __future__ import annotations

import re

from bot.plan.errors import InvalidInput

UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MESSAGE = "{what} contains a character that cannot be stored ({code}); remove it and try again."


def storable(value: str, *, what: str, field: str) -> str:
    """`value` itself, or InvalidInput about `field` ("The note", "note") if it cannot be stored."""
    found = UNSTORABLE.search(value)
    if found is None:
        return value
    raise InvalidInput(MESSAGE.format(what=what, code=f"U+{ord(found[0]):04X}"), field=field)
