"""The local Slack answers the real slack_sdk clients the way Slack does, and records what it refuses."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.localslack import LocalSlack
from tests.conftest import refusals_report

METADATA = {"event_type": "plan_status", "event_payload": {"plan_id": 7}}


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def modal(blocks: list[dict] | None = None, **fields: str) -> dict:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Plan"},
        "blocks": [section("Loading…")] if blocks is None else blocks,
        **fields,
    }


@pytest.fixture
def client(fake_slack: LocalSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=fake_slack.url)


@pytest.fixture
def fake(fake_slack: LocalSlack) -> LocalSlack:
    return fake_slack


def test_auth_test_names_the_bot_and_team(client: WebClient, fake: LocalSlack) -> None:
    response = client.auth_test()

    assert response["user_id"] == "UBOT"
    assert response["team_id"] == "T1"
    assert response["bot_id"]
    assert response["url"].startswith("https://")
    [call] = fake.calls_to("auth.test")
    assert call.headers["authorization"] == "Bearer xoxb-test"


def test_a_call_without_token_is_not_authed(fake: LocalSlack) -> None:
    fake.expect_refusal("not_authed")
    with pytest.raises(SlackApiError) as raised:
        WebClient(base_url=fake.url).chat_postMessage(channel="C1", text="hi")

    assert raised.value.response["error"] == "not_authed"
    assert fake.messages("C1") == []


def test_posted_messages_come_back_newest_first_with_metadata_only_when_asked(
    client: WebClient, fake: LocalSlack
) -> None:
    first = client.chat_postMessage(channel="C1", text="first", blocks=[section("first")], metadata=METADATA)
    second = client.chat_postMessage(channel="C1", text="second", thread_ts=first["ts"])
    third = client.chat_postMessage(channel="C1", text="third")

    assert first["ts"] < second["ts"] < third["ts"]
    assert first["message"]["metadata"] == METADATA
    assert [m["text"] for m in fake.messages("C1")] == ["first", "second", "third"]
    assert fake.messages("C1")[1]["thread_ts"] == first["ts"]

    plain = client.conversations_history(channel="C1")["messages"]
    assert [m["text"] for m in plain] == ["third", "first"]  # replies stay in their thread
    assert all("metadata" not in m for m in plain)
    assert plain[1]["reply_count"] == 1

    full = client.conversations_history(channel="C1", include_all_metadata=True, limit=1, oldest=first["ts"])
    assert [m["text"] for m in full["messages"]] == ["third"]
    assert full["has_more"] is False
    older = client.conversations_history(channel="C1", include_all_metadata=True, oldest="0", limit=1)
    assert older["has_more"] is True
    assert client.conversations_history(
        channel="C1", include_all_metadata=True, cursor=older["response_metadata"]["next_cursor"]
    )["messages"][0]["metadata"] == METADATA


def test_update_replaces_text_and_blocks_in_place(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("message_not_found")
    posted = client.chat_postMessage(channel="C1", text="draft", blocks=[section("draft")])

    updated = client.chat_update(channel="C1", ts=posted["ts"], text="final", blocks=[section("final")])

    assert updated["ts"] == posted["ts"]
    [message] = fake.messages("C1")
    assert (message["ts"], message["text"], message["blocks"]) == (posted["ts"], "final", [section("final")])
    with pytest.raises(SlackApiError) as raised:
        client.chat_update(channel="C1", ts="1.000001", text="lost")
    assert raised.value.response["error"] == "message_not_found"


def test_fifty_blocks_pass_and_fifty_one_are_refused(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks")
    client.chat_postMessage(channel="C1", text="ok", blocks=[section(str(n)) for n in range(50)])

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="too many", blocks=[section(str(n)) for n in range(51)])

    assert raised.value.response["error"] == "invalid_blocks"
    assert [m["text"] for m in fake.messages("C1")] == ["ok"]


def test_section_text_over_3000_characters_is_refused(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks")
    client.chat_postEphemeral(channel="C1", user="U1", text="ok", blocks=[section("x" * 3000)])

    with pytest.raises(SlackApiError) as raised:
        client.chat_postEphemeral(channel="C1", user="U1", text="long", blocks=[section("x" * 3001)])

    assert raised.value.response["error"] == "invalid_blocks"


def test_blocks_without_text_are_accepted_but_recorded(client: WebClient, fake: LocalSlack) -> None:
    with pytest.warns(UserWarning):  # slack_sdk warns too
        client.chat_postMessage(channel="C1", blocks=[section("no fallback")])

    assert len(fake.messages("C1")) == 1
    assert fake.warnings == ["chat.postMessage: blocks without text in C1"]


def test_form_encoded_json_fields_are_decoded(client: WebClient, fake: LocalSlack) -> None:
    blocks = [section("form")]
    client.api_call("chat.postMessage", params={"channel": "C1", "text": "form", "blocks": json.dumps(blocks)})

    [call] = fake.calls_to("chat.postMessage")
    assert call.headers["content-type"] == "application/x-www-form-urlencoded"
    assert call.args["blocks"] == blocks
    assert fake.messages("C1")[0]["blocks"] == blocks


def test_trigger_id_works_once_and_only_within_its_ttl(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("expired_trigger_id")
    fake.trigger_ttl = 0.1
    trigger_id = fake.new_trigger_id()

    opened = client.views_open(trigger_id=trigger_id, view=modal(external_id="plan-7"))
    late = fake.new_trigger_id()
    time.sleep(0.15)

    for stale in (trigger_id, late, "123.456.unknown"):
        with pytest.raises(SlackApiError) as raised:
            client.views_open(trigger_id=stale, view=modal())
        assert raised.value.response["error"] == "expired_trigger_id"
    updated = client.views_update(external_id="plan-7", view=modal([section("Loaded")]))
    assert updated["view"]["id"] == opened["view"]["id"]
    assert fake.view(opened["view"]["id"])["blocks"] == [section("Loaded")]


def test_views_over_100_blocks_are_invalid_arguments(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_arguments")
    home = {"type": "home", "blocks": [section(str(n)) for n in range(100)]}
    published = client.views_publish(user_id="U1", view=home)
    assert fake.home_view("U1") == published["view"]

    home["blocks"].append(section("one too many"))
    with pytest.raises(SlackApiError) as raised:
        client.views_publish(user_id="U1", view=home)
    assert raised.value.response["error"] == "invalid_arguments"
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=fake.new_trigger_id(), view=modal(home["blocks"]))
    assert raised.value.response["error"] == "invalid_arguments"


def test_users_info_knows_only_added_users(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("user_not_found")
    fake.add_user("U1", name="ana", tz="Asia/Tokyo", real_name="Ana Lima")

    user = client.users_info(user="U1")["user"]

    assert (user["id"], user["name"], user["real_name"], user["tz"]) == ("U1", "ana", "Ana Lima", "Asia/Tokyo")
    assert user["tz_offset"] == 9 * 3600
    with pytest.raises(SlackApiError) as raised:
        client.users_info(user="U2")
    assert raised.value.response["error"] == "user_not_found"


def test_unknown_methods_are_refused_and_recorded(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("unknown_method")
    with pytest.raises(SlackApiError) as raised:
        client.api_call("pins.add", json={"channel": "C1"})

    assert raised.value.response["error"] == "unknown_method"
    assert fake.calls_to("pins.add")[0].args == {"channel": "C1"}


def test_response_url_takes_five_posts_and_refuses_the_sixth(fake: LocalSlack) -> None:
    fake.expect_refusal("used_url", method="response_url")
    url = fake.new_response_url()
    webhook = WebhookClient(url)

    answers = [webhook.send(text=f"reply {n}") for n in range(6)]

    assert [(a.status_code, a.body) for a in answers] == [(200, "ok")] * 5 + [(404, "used_url")]
    calls = fake.calls_to("response_url")
    assert [c.args["text"] for c in calls] == [f"reply {n}" for n in range(6)]


def test_response_url_refuses_too_many_blocks_with_http_400(fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks", method="response_url")
    request = urllib.request.Request(
        fake.new_response_url(),
        data=json.dumps({"text": "x", "blocks": [section(str(n)) for n in range(51)]}).encode(),
        headers={"Content-Type": "application/json"},
    )

    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=2)

    assert (raised.value.code, raised.value.read()) == (400, b"invalid_blocks")


def test_response_url_can_replace_the_message_it_belongs_to(client: WebClient, fake: LocalSlack) -> None:
    posted = client.chat_postMessage(channel="C1", text="Mark done?")
    url = fake.new_response_url(channel="C1", message_ts=posted["ts"])

    WebhookClient(url).send(text="Done", replace_original=True)

    assert [m["text"] for m in fake.messages("C1")] == ["Done"]


def test_rate_limited_call_says_when_to_retry(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("chat.postMessage", status=429, retry_after=7)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="too soon")

    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"
    assert raised.value.response.headers["Retry-After"] == "7"


def test_rate_limit_retry_handler_retries_and_succeeds(client: WebClient, fake: LocalSlack) -> None:
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=1))
    fake.fail_next("chat.postMessage", status=429, retry_after=0)  # the handler still sleeps up to 1 s

    client.chat_postMessage(channel="C1", text="eventually")

    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 200]
    assert [m["text"] for m in fake.messages("C1")] == ["eventually"]


def test_server_error_then_ok(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("chat.postMessage", status=500)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="lost")
    client.chat_postMessage(channel="C1", text="kept")

    assert raised.value.response.status_code == 500
    assert [m["text"] for m in fake.messages("C1")] == ["kept"]


def test_a_kept_fault_takes_effect_and_still_answers_the_fault(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("chat.postMessage", status=500, kept=True)
    url = fake.new_response_url()
    fake.fail_next("response_url", status=503, kept=True)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="kept after all")
    answered = WebhookClient(url, retry_handlers=[]).send(text="delivered after all")

    assert raised.value.response.status_code == 500
    assert answered.status_code == 503
    assert [m["text"] for m in fake.messages("C1")] == ["kept after all"]
    assert [m["text"] for m in fake.ephemerals()] == ["delivered after all"]
    assert [(c.method, c.status, c.injected) for c in fake.calls] == [
        ("chat.postMessage", 500, True), ("response_url", 503, True)]
    assert fake.refusals == []


def test_fail_next_can_answer_an_ok_false_error(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("views.publish", status=200, error="not_enabled", times=2)

    for _ in range(2):
        with pytest.raises(SlackApiError) as raised:
            client.views_publish(user_id="U1", view={"type": "home", "blocks": []})
        assert raised.value.response["error"] == "not_enabled"
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"]


def test_wait_for_returns_calls_made_from_another_thread(client: WebClient, fake: LocalSlack) -> None:
    threading.Timer(0.05, lambda: client.chat_postMessage(channel="C1", text="later")).start()

    [call] = fake.wait_for("chat.postMessage", timeout=2)

    assert call.args["text"] == "later"


def test_wait_for_names_what_it_saw_when_it_times_out(client: WebClient, fake: LocalSlack) -> None:
    client.auth_test()

    with pytest.raises(AssertionError, match=r"views\.open.*auth\.test"):
        fake.wait_for("views.open", timeout=0.05)


def test_reset_forgets_calls_messages_and_failures(client: WebClient, fake: LocalSlack) -> None:
    client.chat_postMessage(channel="C1", text="old")
    fake.fail_next("auth.test", status=500)

    fake.reset()

    assert fake.calls == [] and fake.messages("C1") == []
    assert client.auth_test()["ok"]


def button(action_id: str, text: str = "Go") -> dict:
    return {"type": "button", "action_id": action_id, "text": {"type": "plain_text", "text": text}}


def test_two_buttons_with_one_action_id_in_a_block_are_refused(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks")
    apart = [{"type": "actions", "elements": [button("plan.page")]} for _ in range(2)]
    client.chat_postMessage(channel="C1", text="ok", blocks=apart)

    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C1", text="dup", blocks=[
            {"type": "actions", "elements": [button("plan.page", "Previous"), button("plan.page", "Next")]}])

    assert raised.value.response["error"] == "invalid_blocks"
    [refusal] = fake.refusals
    assert (refusal.method, refusal.error) == ("chat.postMessage", "invalid_blocks")
    assert refusal.details == ("action_id 'plan.page' is already used in this block "
                               "[json-pointer:/blocks/0/elements/1/action_id]",)


def test_a_response_url_post_with_one_action_id_twice_in_a_block_is_refused(fake: LocalSlack) -> None:
    blocks = [{"type": "actions", "elements": [button("plan.page"), button("plan.page")]}]

    with fake.expecting_refusal("invalid_blocks", method="response_url"):
        answer = WebhookClient(fake.new_response_url()).send(text="page 2", blocks=blocks)

    assert (answer.status_code, answer.body) == (400, "invalid_blocks")


def test_button_text_over_75_characters_is_refused_in_messages_and_views(client: WebClient,
                                                                         fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks")
    fake.expect_refusal("invalid_arguments")
    long = [{"type": "actions", "elements": [button("a", "x" * 76)]}]
    client.chat_postMessage(channel="C1", text="ok", blocks=[{"type": "actions", "elements": [button("a", "x" * 75)]}])

    with pytest.raises(SlackApiError) as message:
        client.chat_postMessage(channel="C1", text="long", blocks=long)
    with pytest.raises(SlackApiError) as view:
        client.views_publish(user_id="U1", view={"type": "home", "blocks": long})

    assert message.value.response["error"] == "invalid_blocks"
    assert view.value.response["error"] == "invalid_arguments"
    assert "[json-pointer:/view/blocks/0/elements/0/text]" in view.value.response["errors"][0]


def test_refusals_are_recorded_and_injected_faults_are_not(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("chat.postMessage", status=500)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="lost")
    with pytest.raises(SlackApiError):
        client.chat_update(channel="C1", ts="1.000001", text="nowhere")

    assert [(r.method, r.error) for r in fake.refusals] == [("chat.update", "message_not_found")]
    assert fake.refusal_counts() == {"chat.update: message_not_found": 1}
    assert [(c.method, c.ok, c.injected) for c in fake.calls] == [
        ("chat.postMessage", False, True), ("chat.update", False, False)]
    assert [str(r) for r in fake.unexpected_refusals()] == ["chat.update refused with message_not_found (HTTP 200)"]
    fake.expect_refusal("message_not_found", method="chat.update")
    assert fake.unexpected_refusals() == []


def test_an_unexpected_refusal_is_reported_with_what_slack_said(client: WebClient) -> None:
    with LocalSlack() as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        assert refusals_report(slack) is None
        with pytest.raises(SlackApiError):
            client.chat_postMessage(channel="C1", text="x", blocks=[section(str(n)) for n in range(51)])
        report = refusals_report(slack)
        slack.expect_refusal("invalid_blocks", method="views.open")  # another method's: still unexpected
        assert refusals_report(slack) == report

    assert report is not None
    assert "refused 1 call(s)" in report
    assert "chat.postMessage refused with invalid_blocks (HTTP 200)" in report
    assert "no more than 50 items allowed [json-pointer:/blocks]" in report


def test_expecting_refusal_fails_when_none_came(fake: LocalSlack) -> None:
    with pytest.raises(AssertionError, match="expected a refusal with invalid_blocks"):
        with fake.expecting_refusal("invalid_blocks"):
            pass


def test_a_fault_can_last_until_cleared(client: WebClient, fake: LocalSlack) -> None:
    fake.fail_next("auth.test", status=503, times=None)

    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.auth_test()
    fake.clear_faults()

    assert client.auth_test()["ok"]
    assert fake.counts() == {"auth.test": 4}


def test_ephemerals_and_threads_are_held_as_slack_holds_them(client: WebClient, fake: LocalSlack) -> None:
    client.chat_postEphemeral(channel="C1", user="U1", text="only you")
    WebhookClient(fake.new_response_url()).send(text="your reply")
    parent = client.chat_postMessage(channel="C1", text="parent")
    client.chat_postMessage(channel="C1", text="reply", thread_ts=parent["ts"])
    client.chat_postMessage(channel="C1", text="other")

    assert [(m["text"], m.get("user")) for m in fake.ephemerals()] == [("only you", "U1"), ("your reply", None)]
    assert [m["text"] for m in fake.ephemerals(user="U1")] == ["only you"]
    assert [m["text"] for m in fake.thread("C1", parent["ts"])] == ["parent", "reply"]


def test_a_slack_for_another_process_accepts_ids_it_did_not_mint_and_keeps_little(fake: LocalSlack) -> None:
    with LocalSlack(accept_any_trigger_id=True, accept_any_response_url=True, keep=3) as slack:
        client = WebClient(token="xoxb-test", base_url=slack.url)
        slack.add_route("/bench/counts", lambda: {"calls": slack.counts()})
        for n in range(8):
            client.views_open(trigger_id=f"{n}.T1.made-up", view=modal())
            client.chat_postMessage(channel="C1", text=f"message {n}")
            WebhookClient(f"{slack.base_url}/response/made-up-{n}").send(text="redrawn")

        first_posts = slack.take_first_posts()
        with urllib.request.urlopen(slack.base_url + "/bench/counts", timeout=2) as answer:
            counts = json.loads(answer.read())

        assert slack.refusals == []
        assert len(slack.calls) < 6 and len(slack.messages("C1")) <= 3 and len(slack.modals()) <= 3
        assert slack.messages("C1")[-1]["text"] == "message 7"
        assert set(first_posts) <= {f"made-up-{n}" for n in range(8)} and "made-up-7" in first_posts
        assert all(abs(at - time.time()) < 60 for at in first_posts.values())
        assert slack.take_first_posts() == {}
        assert counts == {"calls": {"views.open": 8, "chat.postMessage": 8, "response_url": 8}}


# What a client of the local Slack (the sandbox) needs: whose ephemerals, command replies, changes.


def test_a_response_url_minted_for_someone_gives_them_its_ephemeral_posts(fake: LocalSlack) -> None:
    url = fake.new_response_url(channel="C1", user="UALICE")

    WebhookClient(url).send(text="Only you can see this")

    assert [(m["text"], m["user"], m["channel"]) for m in fake.ephemerals(user="UALICE")] == [
        ("Only you can see this", "UALICE", "C1")]
    assert fake.ephemerals(user="UBOB") == []
    assert fake.messages("C1") == []


def test_a_click_on_an_ephemeral_replaces_or_deletes_it_where_it_is(fake: LocalSlack) -> None:
    shown = fake.reply_to_command(channel="C1", user="UALICE", reply={"text": "Status", "blocks": [section("3 open")]})
    assert shown is not None
    replace = fake.new_response_url(channel="C1", message_ts=shown["ts"], user="UALICE")

    WebhookClient(replace).send(text="Status, redrawn", blocks=[section("2 open")], replace_original=True)

    [ephemeral] = fake.ephemerals(user="UALICE")
    assert (ephemeral["ts"], ephemeral["text"], ephemeral["blocks"]) == (shown["ts"], "Status, redrawn",
                                                                         [section("2 open")])
    WebhookClient(fake.new_response_url(channel="C1", message_ts=shown["ts"], user="UALICE")).send(
        text="", delete_original=True)
    assert fake.ephemerals(user="UALICE") == []


def test_someone_elses_ephemeral_is_not_replaced(fake: LocalSlack) -> None:
    shown = fake.reply_to_command(channel="C1", user="UALICE", reply={"text": "Alice's"})
    assert shown is not None

    WebhookClient(fake.new_response_url(channel="C1", message_ts=shown["ts"], user="UBOB")).send(
        text="Bob's", replace_original=True)

    assert [m["text"] for m in fake.ephemerals(user="UALICE")] == ["Alice's"]
    assert [m["text"] for m in fake.ephemerals(user="UBOB")] == ["Bob's"]


def test_a_command_reply_is_shown_to_its_caller_or_in_the_channel(fake: LocalSlack) -> None:
    private = fake.reply_to_command(channel="C1", user="UALICE", reply={"response_type": "ephemeral", "text": "Mine"})
    public = fake.reply_to_command(channel="C1", user="UALICE", reply={"response_type": "in_channel", "text": "All"})
    plain = fake.reply_to_command(channel="C1", user="UALICE", reply="Plain text")

    assert fake.reply_to_command(channel="C1", user="UALICE", reply="") is None
    assert private is not None and public is not None and plain is not None
    assert [m["text"] for m in fake.ephemerals(user="UALICE")] == ["Mine", "Plain text"]
    assert [m["text"] for m in fake.messages("C1")] == ["All"]


def test_a_command_reply_slack_would_refuse_is_a_refusal(fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_blocks", method="command_reply")

    shown = fake.reply_to_command(channel="C1", user="UALICE",
                                  reply={"text": "Too long", "blocks": [section("x" * 3001)]})

    assert shown is None
    assert fake.ephemerals() == []
    [refusal] = fake.refusals
    assert (refusal.method, refusal.error) == ("command_reply", "invalid_blocks")
    assert "must be less than 3001 characters [json-pointer:/blocks/0/text]" in refusal.details


def test_the_revision_counts_every_call_and_calls_since_returns_the_newer_ones(client: WebClient,
                                                                                fake: LocalSlack) -> None:
    start = fake.revision
    client.chat_postMessage(channel="C1", text="one")
    middle = fake.revision
    client.chat_postMessage(channel="C1", text="two")

    assert (middle, fake.revision) == (start + 1, start + 2)
    assert [c.args["text"] for c in fake.calls_since(start)] == ["one", "two"]
    assert [c.args["text"] for c in fake.calls_since(middle)] == ["two"]
    assert fake.calls_since(fake.revision) == []


def test_wait_for_change_wakes_on_a_call_from_another_thread(client: WebClient, fake: LocalSlack) -> None:
    start = fake.revision
    assert fake.wait_for_change(start, timeout=0.05) == start

    threading.Timer(0.1, lambda: client.chat_postMessage(channel="C1", text="later")).start()

    assert fake.wait_for_change(start, timeout=5) == start + 1


def test_files_upload_v2_shares_the_files_in_the_thread_in_one_message(client: WebClient, fake: LocalSlack) -> None:
    parent = client.chat_postMessage(channel="C1", text="Summary")["ts"]
    done = client.files_upload_v2(file_uploads=[{"file": b"%PDF-1.4 paper", "filename": "paper.pdf", "title": "Paper"},
                                                {"file": b"\x89PNG chart", "filename": "chart.png"}],
                                  channel="C1", thread_ts=parent)
    assert [f["title"] for f in done["files"]] == ["Paper", "chart.png"]
    [shared] = [m for m in fake.messages("C1") if "files" in m]
    assert shared["thread_ts"] == parent and [f["name"] for f in shared["files"]] == ["paper.pdf", "chart.png"]
    replies = client.conversations_replies(channel="C1", ts=parent)["messages"]
    assert replies[-1]["files"][0]["size"] == len(b"%PDF-1.4 paper")
    assert [f["data"] for f in fake.files("C1")] == [b"%PDF-1.4 paper", b"\x89PNG chart"]
    # The upload URL takes no token: the bytes are posted to it bare.
    assert all("authorization" not in c.headers for c in fake.calls_to("file_upload"))


def test_an_upload_is_seen_by_nobody_until_it_is_completed(client: WebClient, fake: LocalSlack) -> None:
    given = client.files_getUploadURLExternal(filename="paper.pdf", length=5)
    request = urllib.request.Request(given["upload_url"], data=b"12345", method="POST")
    with urllib.request.urlopen(request) as answer:
        assert answer.status == 200
    assert fake.pending_uploads() == [given["file_id"]] and fake.files() == [] and fake.messages("C1") == []
    client.files_completeUploadExternal(files=[{"id": given["file_id"], "title": "Paper"}], channel_id="C1")
    assert fake.pending_uploads() == [] and [f["title"] for f in fake.files("C1")] == ["Paper"]


def test_uploads_are_refused_as_slack_refuses_them(client: WebClient, fake: LocalSlack) -> None:
    fake.expect_refusal("invalid_arguments")
    fake.expect_refusal("file_not_found")
    fake.expect_refusal("length_mismatch")
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("files.getUploadURLExternal", params={"length": 5})  # no filename
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        client.api_call("files.getUploadURLExternal", params={"filename": "a.pdf", "length": 0})
    given = client.files_getUploadURLExternal(filename="paper.pdf", length=5)
    with pytest.raises(SlackApiError, match="file_not_found"):  # completed before its bytes came
        client.files_completeUploadExternal(files=[{"id": given["file_id"]}], channel_id="C1")
    short = urllib.request.Request(given["upload_url"], data=b"1234", method="POST")
    with pytest.raises(urllib.error.HTTPError) as wrong_length:
        urllib.request.urlopen(short)
    assert wrong_length.value.code == 400 and b"length_mismatch" in wrong_length.value.read()
    with urllib.request.urlopen(urllib.request.Request(given["upload_url"], data=b"12345", method="POST")):
        pass
    with pytest.raises(SlackApiError, match="invalid_arguments"):  # a thread that is not there
        client.files_completeUploadExternal(files=[{"id": given["file_id"]}], channel_id="C1", thread_ts="1.000001")
    client.files_completeUploadExternal(files=[{"id": given["file_id"]}], channel_id="C1")
    with pytest.raises(SlackApiError, match="invalid_arguments"):  # completed twice
        client.files_completeUploadExternal(files=[{"id": given["file_id"]}], channel_id="C1")
    with pytest.raises(SlackApiError, match="file_not_found"):
        client.files_completeUploadExternal(files=[{"id": "FNOSUCH"}], channel_id="C1")
    assert {r.method for r in fake.refusals} == {"files.getUploadURLExternal", "files.completeUploadExternal",
                                                 "file_upload"}
