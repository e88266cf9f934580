"""Domain errors: each carries a short message that is safe to show to the person who asked.

A message is plain text written for any reader. The people it names are kept as user ids
(`Users`), and a suggested next step as a `Hint`, so each caller writes them its own way:
Slack as mentions and `/plan …`, the command line as ids and `planbot …`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Users:
    """Slack users named in a message, by id."""

    ids: tuple[str, ...]

    def __str__(self) -> str:
        return ", ".join(self.ids)


class Hint(StrEnum):
    """What to do next, said in the words of whoever shows the error."""

    SEE_STATUS = "see_status"  # look at the plan's actions and their references
    SET_SUMMARY_CHANNEL = "set_summary_channel"  # point the plan's summaries at a channel


Part = str | Users


class PlanError(Exception):
    """A refusal or bad input, with a message fit for the user."""

    def __init__(self, *parts: Part, field: str | None = None, hint: Hint | None = None,
                 plan_key: str | None = None) -> None:
        self.parts: tuple[Part, ...] = parts
        self.message = "".join(str(part) for part in parts)
        super().__init__(self.message)
        # The input the message is about (a modal field, a command argument), when there is one.
        self.field = field
        self.hint = hint
        self.plan_key = plan_key  # the plan a hint is about


class NotFound(PlanError):
    pass


class NotAllowed(PlanError):
    """A refusal. `holders` are the people who hold each role that may do it; `admins` are the
    plan's admins, who may do it too (kept apart: an admin is not a holder of the role)."""

    def __init__(self, *parts: Part, field: str | None = None,
                 holders: dict[str, tuple[str, ...]] | None = None, admins: tuple[str, ...] = ()) -> None:
        super().__init__(*parts, field=field)
        self.holders = dict(holders or {})
        self.admins = admins


class InvalidInput(PlanError):
    pass


class InvalidInputs(InvalidInput):
    """Several inputs are wrong at once (a modal shows each beside its field)."""

    def __init__(self, problems: list[InvalidInput]) -> None:
        parts: list[Part] = []
        for number, problem in enumerate(problems):
            parts += ([" "] if number else []) + list(problem.parts)
        super().__init__(*parts)
        self.problems = problems


class Conflict(PlanError):
    """The change no longer applies: someone else got there first."""


class PlanClosed(Conflict):
    """The plan is closed, so it is read-only (an admin can reopen it)."""


class AmbiguousPlan(PlanError):
    pass
