"""What people typed into a plan never becomes live Slack markup: not in blocks, and not in the
`text` fallback that notifications show, whether the message goes to the channel or to one person."""

import re
from typing import Any

from bot.plan.importer import import_plan
from bot.plan.queries import get_plan
from bot.plan.services import Actor, map_role
from bot.plan.spreadsheet import read_plan_csv
from bot.slack.ids import ActionId
from tests.helpers.clicks import action_pk, button, wait_for_posts
from tests.helpers.plans import ADMIN, ALICE, MALLORY, TEAM
from tests.helpers.slackharness import find_button

EVIL = "<!channel> <!here> <!everyone> <@UEVIL> <https://evil.example|click>"
EVIL_CSV = f"""\
Recommendation,Actions,Owner,Delivery Date,Status
1) Inspect {EVIL},Desc {EVIL},Head of Protection,01/11/2026,In progress
,Second {EVIL},Head of Protection,01/12/2026,Not started
"""
# What Slack would turn into a notification or a disguised link, if it came from the plan's data.
LIVE = re.compile(r"<!(?:channel|here|everyone)|<@UEVIL|<https://evil\.example")


def load_evil_plan(sessions, now) -> None:
    cli = Actor.cli("test")
    with sessions.begin() as session:
        import_plan(session, read_plan_csv(EVIL_CSV), key="ppr", actor=cli, now=now,
                           title=f"Review {EVIL}", channel_id="CPLAN", admins=(ADMIN,))
    with sessions.begin() as session:
        map_role(session, get_plan(session, "ppr"), Actor(ADMIN, TEAM), now, "Head of Protection", ALICE, org_id=TEAM)


def rendered_texts(message: Any) -> list[str]:
    """Every text Slack reads as markup: the message's `text` fallback and each mrkdwn text in it."""
    found: list[str] = []
    if isinstance(message, dict):
        if isinstance(message.get("text"), str):
            found.append(message["text"])
        for key, value in message.items():
            if key == "text" and isinstance(value, dict) and value.get("type") == "mrkdwn":
                found.append(value["text"])
            elif key != "text":
                found += rendered_texts(value)
    elif isinstance(message, list):
        for item in message:
            found += rendered_texts(item)
    return found


def test_no_fallback_or_reply_carries_live_markup_from_the_plans_data(planbot, now):
    load_evil_plan(planbot.sessions, now)
    replies = [planbot.command(text, user=ALICE) for text in
               ("status", "overdue", "due", "mine", "show 1.1", "show <!channel>", "note <!channel> hi",
                "nonsense<!channel>", "due <!channel> 5 <!here>")]
    replies.append(planbot.command("done 1.2", user=MALLORY))  # a refusal that names the action
    status = replies[0].json

    planbot.click(find_button(status["blocks"], ActionId.SHARE), user=ALICE)  # to the channel
    shared = planbot.fake.wait_for("chat.postMessage")[-1]
    planbot.click(button(status["blocks"], ActionId.COMPLETE, action_pk(planbot.sessions, "1.1")), user=ALICE)
    wait_for_posts(planbot, planbot.last_response_url, 1)
    summary = planbot.command("summary", user=ADMIN)
    planbot.click(find_button(summary.json["blocks"], ActionId.POST_SUMMARY), user=ADMIN)
    posted = planbot.fake.wait_for("chat.postMessage", 2)[-1]

    assert "Review" in shared.args["text"] and "Review" in posted.args["text"]  # the title is there, made safe
    assert "&lt;!channel&gt;" in shared.args["text"] and "&lt;!channel&gt;" in posted.args["text"]
    live = [text for reply in replies for text in rendered_texts(reply.json) if LIVE.search(text)]
    live += [f"{call.method}: {text}" for call in planbot.fake.calls
             for text in rendered_texts(call.args) if LIVE.search(text)]
    assert live == []
