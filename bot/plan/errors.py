"""Domain errors: each carries a short message that is safe to show to the person who asked."""

from __future__ import annotations


class PlanError(Exception):
    """A refusal or bad input, with a message fit for the user."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        # The input the message is about (a modal field, a command argument), when there is one.
        self.field = field


class NotFound(PlanError):
    pass


class NotAllowed(PlanError):
    pass


class InvalidInput(PlanError):
    pass


class InvalidInputs(InvalidInput):
    """Several inputs are wrong at once (a modal shows each beside its field)."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems


class Conflict(PlanError):
    """The change no longer applies: someone else got there first."""


class AmbiguousPlan(PlanError):
    pass
