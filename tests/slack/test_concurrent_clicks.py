"""Twenty people press "Mark complete" on one action at the same moment: every click is acked
in time, the action is completed exactly once, and everyone else is told it already was."""

import threading
from concurrent.futures import ThreadPoolExecutor

from bot.plan import queries, services
from bot.plan.rules import ActionStatus
from bot.slack.ids import ActionId
from tests.helpers.clicks import action_pk, action_row, button, events, posts_to, status_blocks, wait_for_posts
from tests.helpers.plans import ADMIN, ALICE, TEAM, load
from tests.helpers.slackharness import ACK_LIMIT_SECONDS

CLICKS = 20
OWNERS = [ALICE] + [f"UOWNER{n:02d}" for n in range(1, CLICKS - 1)]  # all hold "Head of Protection"


def test_twenty_simultaneous_completions_complete_the_action_exactly_once(planbot, now):
    load(planbot.sessions, now)
    with planbot.sessions.begin() as session:
        plan = queries.get_plan(session, "ppr")
        for user in OWNERS[1:]:
            services.map_role(session, plan, services.Actor(ADMIN, TEAM), now, "Head of Protection", user, org_id=TEAM)
    pk = action_pk(planbot.sessions, "1.1")
    complete = button(status_blocks(planbot), ActionId.COMPLETE, pk)
    clickers = OWNERS + [ADMIN]
    bodies = []
    for user in clickers:
        bodies.append((planbot.click_body(complete, user=user), planbot.last_response_url))
    start = threading.Barrier(CLICKS)

    def click(body: bytes):
        start.wait()
        return planbot.post(body, "application/x-www-form-urlencoded")

    with ThreadPoolExecutor(CLICKS) as pool:
        replies = list(pool.map(click, [body for body, _ in bodies]))

    assert [r.status for r in replies] == [200] * CLICKS
    assert max(r.elapsed for r in replies) < ACK_LIMIT_SECONDS
    for _, response_url in bodies:
        wait_for_posts(planbot, response_url, 1, timeout=20)
    (completed,) = events(planbot.sessions, "completed", pk)
    assert completed.actor in clickers
    assert action_row(planbot.sessions, "1.1").status == ActionStatus.COMPLETE
    told = {}
    for user, (_, response_url) in zip(clickers, bodies):
        if user == completed.actor:
            continue
        posts = wait_for_posts(planbot, response_url, 2, timeout=20)
        told[user] = [p.args.get("text") for p in posts if p.args.get("replace_original") in (False, "false")]
    assert told == {user: ["1.1 is already complete."] for user in clickers if user != completed.actor}
    winner_url = bodies[clickers.index(completed.actor)][1]
    assert [p.args["replace_original"] for p in posts_to(planbot, winner_url)] in ([True], ["true"])
    assert all(call.status == 200 for call in planbot.fake.calls_to("response_url"))
