"""Block Kit messages built with slack_sdk.models, checked against the limits Slack enforces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from slack_sdk.models.blocks import Block


@dataclass(frozen=True)
class Message:
    """A message's blocks and the plain `text` fallback that always goes beside them."""

    text: str
    blocks: list[Block]

    MAX_BLOCKS: ClassVar[int] = 50
    MAX_SECTION_TEXT: ClassVar[int] = 3000

    def to_dict(self) -> dict[str, Any]:
        if len(self.blocks) > self.MAX_BLOCKS:
            raise ValueError(f"a message has at most {self.MAX_BLOCKS} blocks, not {len(self.blocks)}")
        blocks = [block.to_dict() for block in self.blocks]
        for block in blocks:
            text = (block.get("text") or {}).get("text", "") if block.get("type") == "section" else ""
            if len(text) > self.MAX_SECTION_TEXT:
                raise ValueError(f"a section's text has at most {self.MAX_SECTION_TEXT} characters, not {len(text)}")
        return {"text": self.text, "blocks": blocks}
