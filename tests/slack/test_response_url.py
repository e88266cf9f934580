"""Posting to a response_url: never more than Slack's 5 posts, Retry-After honoured, a refusal final."""

from bot.localslack import RESPONSE_URL_MAX_POSTS
from bot.slack.response_url import ResponseUrl


def test_a_post_slack_keeps_losing_stops_at_the_urls_five_posts(fake_slack):
    waits: list[float] = []
    url = ResponseUrl(fake_slack.new_response_url(), sleep=waits.append)
    fake_slack.fail_next("response_url", status=503, times=None)

    problem = url.post({"text": "redrawn"})

    assert problem is not None and "503" in problem
    assert len(fake_slack.calls_to("response_url")) == RESPONSE_URL_MAX_POSTS == url.posts
    assert waits == [0.25, 0.5, 1.0, 2.0]  # backing off between posts, not after the last


def test_a_rate_limited_post_waits_as_slack_says_and_posts_kept_back_stay_unused(fake_slack):
    waits: list[float] = []
    url = ResponseUrl(fake_slack.new_response_url(), sleep=waits.append)
    fake_slack.fail_next("response_url", status=429, retry_after=7)

    assert url.post({"text": "redrawn"}, keep=1) is None
    assert waits == [7.0] and url.posts == 2
    fake_slack.fail_next("response_url", status=500, times=None)
    assert url.post({"text": "again"}, keep=1) is not None
    assert url.posts == RESPONSE_URL_MAX_POSTS - 1


def test_a_refused_post_is_not_tried_again(fake_slack):
    url = ResponseUrl(fake_slack.new_response_url(), sleep=lambda seconds: None)

    with fake_slack.expecting_refusal("no_text"):
        problem = url.post({"response_type": "ephemeral"})

    assert problem is not None and "400" in problem and url.posts == 1
