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
    assert "1 overdue" in message.text and "2 on track" in message.text and "7 complete" in message.text
    assert "Only visible to you" in message.text
    assert page.action_button(message, "3.1", "Mark complete").is_displayed()
    page.scroll_to_top_of(message)
    DOCS.mkdir(exist_ok=True)
    page.screenshot(DOCS / "sandbox-status.png", SHOWN_TIME)
    page.switch_to(ADMIN.id)
    page.wait.until(lambda d: page.find("#who").text.startswith(ADMIN.real_name))
    assert page.ephemerals() == []


def test_mark_complete_asks_first_then_redraws_the_message(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)
    message = status(page)

    page.action_button(message, "3.1", "Mark complete").click()
    page.confirm("Mark complete?")

    page.wait.until(lambda d: page.action_button(page.ephemerals()[0], "3.1", "Reopen"))
    redrawn = page.ephemerals()[0]
    assert "8 complete" in redrawn.text
    assert len(page.ephemerals()) == 1  # drawn again in place, not posted anew
    assert action_row(sandbox.sessions, "3.1").status == ActionStatus.COMPLETE


def test_revise_date_shows_errors_beside_the_fields_then_saves(page: Page, sandbox: Sandbox) -> None:
    due = action_row(sandbox.sessions, "3.1").original_due
    page.open(OWNER.id)
    page.action_button(status(page), "3.1", "Revise date").click()
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
    assert f"revised from {due:%d/%m/%Y}" in page.ephemerals()[0].text
    assert action_row(sandbox.sessions, "3.1").revision_reason == "The training provider moved the course"


def test_someone_with_no_role_is_refused_privately(page: Page, sandbox: Sandbox) -> None:
    page.open(NOBODY.id)
    message = status(page)

    page.action_button(message, "3.1", "Mark complete").click()
    page.confirm("Mark complete?")

    refusal = page.wait_for_ephemeral("can change it")
    assert "Only the owners of 3.1 and the plan's admins can change it" in refusal.text
    assert "@Priya Shah" in refusal.text and "@Morgan Reid" in refusal.text  # mentions drawn as names
    assert action_row(sandbox.sessions, "3.1").status != ActionStatus.COMPLETE
    page.switch_to(OWNER.id)
    page.wait.until(lambda d: page.find("#who").text.startswith(OWNER.real_name))
    assert page.ephemerals() == []


def test_app_home_shows_what_planbot_published(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)

    page.find("#open-home").click()

    home = page.wait.until(lambda d: page.find("#home") if page.find("#home .bk-header") else None)
    assert "3.1" in home.text and "This is included in the staff succession planning" in home.text
    assert sandbox.slack.home_view(OWNER.id) is not None
    page.action_button(home, "3.1", "Mark complete").click()
    page.confirm("Mark complete?")
    page.wait.until(lambda d: "Reopen" in page.find("#home").text)
    assert action_row(sandbox.sessions, "3.1").status == ActionStatus.COMPLETE


def test_a_call_slack_refuses_is_shown_in_red(page: Page, sandbox: Sandbox) -> None:
    sandbox.slack.trigger_ttl = 0.0  # every trigger_id has expired by the time planbot uses it
    sandbox.slack.expect_refusal("expired_trigger_id", method="views.open")
    page.open(OWNER.id)

    page.action_button(status(page), "3.1", "Revise date").click()

    refused = page.wait.until(lambda d: page.find_all("#timeline .message.refusal"))
    assert "Slack refused views.open: expired_trigger_id" in refused[0].text
    assert refused[0].value_of_css_property("color") != page.find("#composer").value_of_css_property("color")
    assert not page.find("#modal-layer").is_displayed()


def test_only_plan_commands_reach_planbot(page: Page, sandbox: Sandbox) -> None:
    page.open(OWNER.id)

    page.type("hello everyone")
    page.type("/remind me")

    notices = page.wait.until(lambda d: len(found := page.find_all("#timeline .message.notice")) == 2 and found)
    assert "only /plan commands reach planbot" in notices[0].text
    assert "/remind is not a valid command" in notices[1].text
    assert sandbox.slack.calls_to("command_reply") == []


def test_mrkdwn_is_drawn_as_slack_draws_it(page: Page) -> None:
    page.open(OWNER.id)
    text = ("*bold* _italic_ ~gone~ `<code> *as is*` snake_case_name <https://example.org/a?b=1&amp;c=2|a link> "
            "<@U0OWNER001> <#C0PLAN0001> <!date^1795341600^{date_short} at {time}|22 Nov 2026> :white_check_mark: "
            "3 &lt; 4 &amp; <script>\n&gt; quoted")

    html = page.driver.execute_script("return BlockKit.mrkdwn(arguments[0], {people: {U0OWNER001: 'Priya Shah'},"
                                      " channels: {C0PLAN0001: 'protection-plan'}, tz: 'Europe/London'})", text)

    assert html.startswith("<b>bold</b> <i>italic</i> <s>gone</s> <code>&lt;code&gt; *as is*</code> snake_case_name ")
    assert '<a href="https://example.org/a?b=1&amp;c=2" target="_blank" rel="noopener">a link</a>' in html
    assert '<span class="mention" data-user="U0OWNER001">@Priya Shah</span>' in html
    assert '<span class="mention channel">#protection-plan</span>' in html
    assert "Nov 22, 2026 at 10:00 AM" in html
    assert "✅ 3 &lt; 4 &amp; script<br>" in html  # "<script>" is a link to no address: its words only
    assert html.endswith('<span class="quote">quoted</span>')


def test_every_kind_of_block_is_drawn_and_its_controls_send_what_slack_sends(page: Page) -> None:
    page.open(OWNER.id)
    option = {"text": {"type": "plain_text", "text": "Quarterly"}, "value": "quarterly"}
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Plan :fire:"}},
        {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "*Due*"},
         "fields": [{"type": "mrkdwn", "text": "one"}, {"type": "plain_text", "text": "two"}],
         "accessory": {"type": "overflow", "action_id": "more", "options": [option]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "as of today"},
                                         {"type": "image", "image_url": "http://127.0.0.1:9/x.png", "alt_text": "x"}]},
        {"type": "divider"},
        {"type": "actions", "block_id": "a", "elements": [
            {"type": "button", "action_id": "go", "style": "danger", "text": {"type": "plain_text", "text": "Delete"},
             "confirm": {"title": {"type": "plain_text", "text": "Sure?"}, "text": {"type": "plain_text", "text": "!"},
                         "confirm": {"type": "plain_text", "text": "Yes"}, "style": "danger"}},
            {"type": "static_select", "action_id": "cadence", "options": [option]},
            {"type": "datepicker", "action_id": "when"}]},
        {"type": "image", "image_url": "http://127.0.0.1:9/chart.png", "alt_text": "RAG chart"},
        {"type": "video"},
    ]

    drawn = page.driver.execute_script("""
        const sent = [];
        const root = BlockKit.render(arguments[0], {people: {}, channels: {}, tz: 'Europe/London',
            confirm: () => Promise.resolve(true),
            onAction: (element, blockId, chosen) => sent.push([element.action_id, blockId, chosen])});
        document.body.appendChild(root);
        root.querySelector('.overflow-item').click();
        const select = root.querySelector('select');
        select.value = 'quarterly';
        select.dispatchEvent(new Event('change'));
        const day = root.querySelector('input[type=date]');
        day.value = '2027-01-29';
        day.dispatchEvent(new Event('change'));
        root.querySelector('button.danger').click();
        return new Promise((resolve) => setTimeout(() => resolve({sent, html: root.innerHTML,
            kinds: Array.from(root.children).map((c) => c.className)}), 50));
    """, blocks)

    assert drawn["kinds"] == ["bk-header bk-block", "bk-section bk-block", "bk-context bk-block", "bk-divider bk-block",
                              "bk-actions bk-block", "bk-image bk-block", "bk-unsupported bk-block"]
    assert "Plan 🔥" in drawn["html"] and 'class="bk-fields"' in drawn["html"]
    assert drawn["sent"] == [["more", "s", {"value": "quarterly"}], ["cadence", "a", {"value": "quarterly"}],
                             ["when", "a", {"date": "2027-01-29"}], ["go", "a", {}]]
