"""The sandbox in a real browser, used as planbot's users would use Slack: type `/plan status`,
mark an action complete through its confirm dialog, revise a date in the modal (errors beside
the fields), be refused privately as someone with no role, open App Home, see Slack's refusals
in red. The test writes the README's screenshots under docs/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.plan.rules import ActionStatus
from bot.sandbox.people import ADMIN, NOBODY, OWNER
from bot.sandbox.server import Sandbox
from tests.helpers.clicks import action_row
from tests.helpers.sandboxpage import Page, browser

DOCS = Path(__file__).parents[2] / "docs"
REQUIRED = "Please complete this required field."
SHOWN_TIME = "10:00 AM"  # NOW, the sandbox's pinned clock, in Europe/London


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    with browser() as chrome:
        yield chrome


@pytest.fixture
def page(driver: Any, sandbox: Sandbox) -> Page:
    return Page(driver, sandbox.url)


def status(page: Page) -> Any:
    before = len(page.ephemerals())
    page.type("/plan status")
    return page.wait_for_ephemeral("overdue", after=before)


def test_plan_status_shows_the_rag_counts_only_to_the_caller(page: Page) -> None:
    page.open(OWNER.id)

    message = status(page)

    assert "Protection peer review" in message.text
    assert "2 overdue" in message.text and "5 on track" in message.text and "3 complete" in message.text
    assert "Only visible to you" in message.text
    assert page.action_button(message, "3.2", "Mark complete").is_displayed()
    page.scroll_to_top_of(message)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(DOCS / "sandbox-status.png", SHOWN_TIME)
    page.switch_to(ADMIN.id)
    page.wait.until(lambda d: page.find("#who").text.startswith(ADMIN.real_name))
    assert page.ephemerals() == []


def test_mark_complete_asks_first_then_redraws_the_message(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)
    message = status(page)

    page.action_button(message, "3.2", "Mark complete").click()
    page.confirm("Mark complete?")

    page.wait.until(lambda d: page.action_button(page.ephemerals()[0], "3.2", "Reopen"))
    redrawn = page.ephemerals()[0]
    assert "4 complete" in redrawn.text
    assert len(page.ephemerals()) == 1  # drawn again in place, not posted anew
    assert action_row(sandbox.sessions, "3.2").status == ActionStatus.COMPLETE


def test_revise_date_shows_errors_beside_the_fields_then_saves(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)
    page.action_button(status(page), "3.2", "Revise date").click()
    modal = page.modal()
    assert "Revise due date" in modal.text

    page.find("#modal-submit").click()  # the reason left empty: Slack refuses it in the client
    assert page.wait_for_field_error("revise.reason") == REQUIRED

    page.find("#modal-body textarea").send_keys("The training provider moved the course")
    page.find("#modal-submit").click()  # the date left as it was: planbot answers with errors
    assert "already due on" in page.wait_for_field_error("revise.date")
    assert page.field_error("revise.reason") == "", page.field_error("revise.reason")
    page.screenshot(DOCS / "sandbox-revise-date.png", SHOWN_TIME)

    page.set_value("#modal-body input[type=date]", "2027-01-29")
    page.find("#modal-submit").click()
    page.modal_closed()

    page.wait.until(lambda d: "29/01/2027" in page.ephemerals()[0].text)
    assert "revised from 12/12/2026" in page.ephemerals()[0].text
    assert action_row(sandbox.sessions, "3.2").revision_reason == "The training provider moved the course"


def test_someone_with_no_role_is_refused_privately(page: Page, sandbox: Sandbox) -> None:
    page.open(NOBODY.id)
    message = status(page)

    page.action_button(message, "3.2", "Mark complete").click()
    page.confirm("Mark complete?")

    refusal = page.wait_for_ephemeral("can change it")
    assert "Only the owners of 3.2 and the plan's admins can change it" in refusal.text
    assert "@Priya Shah" in refusal.text and "@Morgan Reid" in refusal.text  # mentions drawn as names
    assert action_row(sandbox.sessions, "3.2").status != ActionStatus.COMPLETE
    page.switch_to(OWNER.id)
    page.wait.until(lambda d: page.find("#who").text.startswith(OWNER.real_name))
    assert page.ephemerals() == []


def test_app_home_shows_what_planbot_published(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)

    page.find("#open-home").click()

    home = page.wait.until(lambda d: page.find("#home") if page.find("#home .bk-header") else None)
    assert "3.2" in home.text and "Train two watch managers" in home.text
    assert sandbox.slack.home_view(OWNER.id) is not None
    page.action_button(home, "3.2", "Mark complete").click()
    page.confirm("Mark complete?")
    page.wait.until(lambda d: "Reopen" in page.find("#home").text)
    assert action_row(sandbox.sessions, "3.2").status == ActionStatus.COMPLETE


def test_a_call_slack_refuses_is_shown_in_red(page: Page, sandbox: Sandbox) -> None:
    sandbox.slack.trigger_ttl = 0.0  # every trigger_id has expired by the time planbot uses it
    sandbox.slack.expect_refusal("expired_trigger_id", method="views.open")
    page.open(OWNER.id)

    page.action_button(status(page), "3.2", "Revise date").click()

    refused = page.wait.until(lambda d: page.find_all("#timeline .message.refusal"))
    assert "Slack refused views.open: expired_trigger_id" in refused[0].text
    assert refused[0].value_of_css_property("color") != page.find("#composer").value_of_css_property("color")
    assert not page.find("#modal-layer").is_displayed()
