"""The domain speaks data: its messages name people by id and carry hints as values; only the
renderers write Slack markup (`<@U…>`, `/plan …`) or the command line's words (`planbot …`)."""

import ast
import re
from pathlib import Path

import pytest

from bot import cli
from bot.plan import queries, services
from bot.plan.errors import Conflict, Hint, NotAllowed, NotFound, PlanError
from bot.plan.services import Actor
from bot.slack.errors import say
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, TEAM, load

DOMAIN = Path(__file__).parents[2] / "bot" / "plan"
# A mention, a channel link, a special mention, a `/plan` command, or *bold*.
SLACK_MARKUP = re.compile(r"<[@#!]|/plan\b|(?<![*\w])\*[^*\s][^*]*\*(?![*\w])")


def domain_strings() -> list[tuple[str, int, str]]:
    """Every string literal in bot/plan that is not a docstring."""
    found = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text())
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        found += [(path.name, node.lineno, node.value) for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]
    return found


def test_no_message_written_in_the_domain_contains_slack_markup():
    strings = domain_strings()
    assert len(strings) > 100  # the scan sees the domain's messages
    assert [s for s in strings if SLACK_MARKUP.search(s[2])] == []


def raised(sessions, change) -> PlanError:
    with pytest.raises(PlanError) as caught:
        with sessions.begin() as session:
            change(session)
    return caught.value


def test_errors_raised_by_the_services_carry_ids_and_hints_not_markup(sessions, now):
    load(sessions, now)
    plan = lambda s: queries.get_plan(s, "ppr")  # noqa: E731
    action = lambda s, ref: queries.get_action(s, plan(s), ref)  # noqa: E731
    admin, bob = Actor(ADMIN, TEAM), Actor(BOB, TEAM)
    errors = [
        raised(sessions, lambda s: services.complete(s, action(s, "1.1"), bob, now)),
        raised(sessions, lambda s: services.add_admin(s, plan(s), bob, now, BOB)),
        raised(sessions, lambda s: services.map_role(s, plan(s), admin, now, "Head of Protection", ALICE, org_id=TEAM)),
        raised(sessions, lambda s: services.unmap_role(s, plan(s), admin, now, "Head of Protection", MALLORY)),
        raised(sessions, lambda s: services.add_admin(s, plan(s), admin, now, ADMIN)),
        raised(sessions, lambda s: services.remove_admin(s, plan(s), admin, now, MALLORY)),
        raised(sessions, lambda s: services.remove_admin(s, plan(s), admin, now, ADMIN)),
        raised(sessions, lambda s: queries.get_action(s, plan(s), "9.9")),
    ]
    assert [type(e) for e in errors] == [NotAllowed, NotAllowed, Conflict, NotFound, Conflict, NotFound, Conflict,
                                         NotFound]
    assert [e for e in errors if SLACK_MARKUP.search(e.message)] == []
    refusal = errors[0]
    assert isinstance(refusal, NotAllowed)
    assert (refusal.holders, refusal.admins) == ({"Head of Protection": (ALICE,)}, (ADMIN,))
    assert errors[-1].hint == Hint.SEE_STATUS


def test_slack_writes_mentions_and_commands_and_the_command_line_writes_ids(sessions, now):
    load(sessions, now)
    with pytest.raises(NotAllowed) as refused:
        with sessions.begin() as session:
            services.complete(session, queries.get_action(session, queries.get_plan(session, "ppr"), "1.1"),
                              Actor(MALLORY, TEAM), now)
    assert say(refused.value) == ("Only the owners of 1.1 and the plan's admins can change it: "
                                  f"Head of Protection (<@{ALICE}>); admins: <@{ADMIN}>.")
    assert cli.say(refused.value) == ("Only the owners of 1.1 and the plan's admins can change it: "
                                      f"Head of Protection ({ALICE}); admins: {ADMIN}.")
    with pytest.raises(NotFound) as missing:
        with sessions.read() as session:
            queries.get_action(session, queries.get_plan(session, "ppr"), "9.9")
    assert say(missing.value) == 'Plan `ppr` has no action "9.9". Try `/plan status`.'
    assert cli.say(missing.value) == 'Plan `ppr` has no action "9.9". Try `planbot status ppr`.'
