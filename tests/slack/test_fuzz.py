"""Whatever a person can type, planbot answers in time with its own words: a bounded, seeded
fuzz of the `/plan` command and of the modals, sent as real signed requests into the running
app. No 5xx, no "something went wrong" (each of those is a reply nobody wrote), every ack
inside Slack's 3 seconds (the harness asserts it for each request)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.slack import texts
from bot.slack.commands import ALIASES, SUBCOMMANDS
from bot.slack.ids import ActionId
from tests.helpers.plans import ADMIN, ALICE, BOB, MALLORY, load
from tests.slack.test_modals import open_modal, revision, update

GENERIC = texts.UNEXPECTED.split("(")[0]  # "Sorry, something went wrong on our side "
FUZZ = settings(max_examples=250, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
MODAL_FUZZ = settings(FUZZ, max_examples=40)

# Any text Slack could send: any character a UTF-8 request body can carry (not half a surrogate pair).
anything = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
users = st.sampled_from([ALICE, ADMIN, BOB, MALLORY, "UNOBODY", "W0ENTERPRISE"])
known = st.sampled_from([
    "ppr", "PPR", "1.1", "1.2", "2.1", "3.1", "9.9", "here", "off", "monthly", "quarterly",
    "RRULE:FREQ=WEEKLY;BYDAY=MO", "add", "remove", "30", "0", "-1", "99999999999999999999", "Nov", "2026",
    '"', "'", "“", "”", "&lt;", "&amp;", "<", ">", "|",
])
slack_markup = st.one_of(
    st.builds("<@{}|{}>".format, users, anything), users.map("<@{}>".format),
    st.builds("<#{}|{}>".format, st.sampled_from(["CPLAN", "COTHER", "C0"]), anything),
    st.sampled_from(["<!here>", "<!subteam^S123|@team>", "<https://example.org|a link>", "<mailto:a@b.c>"]),
)
dates_typed = st.one_of(
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.dates().map(str),
    st.sampled_from(["31//12/2026", "31/02/2027", "30 Sep 2026", "tomorrow", "2027-13-01"]),
)
plain_words = st.one_of(known, slack_markup, dates_typed, anything)
# Some words carry a character no database stores, where a plan key, ref or note would be.
control = st.sampled_from(["\x00", "\x01", "\x08", "\x1b", "\x7f"])
words = st.one_of(plain_words, st.builds("{}{}{}".format, plain_words, control, plain_words))
subcommands = st.one_of(st.sampled_from([*SUBCOMMANDS, *ALIASES]), words)
command_texts = st.one_of(
    st.builds(lambda head, rest: " ".join([head, *rest]), subcommands, st.lists(words, max_size=3)),
    st.builds("{} {}".format, st.sampled_from(["note 1.1", "done 1.1", "extend 1.1 31/03/2027", "show"]),
              st.text(st.characters(exclude_categories=["Cs"]), min_size=2000, max_size=4000)),
    anything,
)


def plain_reply(reply) -> str:
    assert reply.status == 200, reply.body[:500]
    assert GENERIC not in reply.text, reply.text
    return reply.text


@FUZZ
@given(text=command_texts, user=users)
def test_any_command_text_gets_planbots_own_answer_in_time(planbot, now, text, user):
    if not hasattr(planbot, "fuzzed"):
        load(planbot.sessions, now)
        planbot.fake.add_user(BOB, name="bob")
        planbot.fake.expect_refusal("user_not_found", method="users.info")
        planbot.fuzzed = True
    plain_reply(planbot.command(text, user=user))


dates = st.one_of(st.dates().map(str), anything, st.none(), st.sampled_from(["2027-02-29", "2027-3-1", "31/03/2027"]))
reasons = st.one_of(anything, st.text(min_size=2990, max_size=3100), st.sampled_from(["", " ", "\n", "ok"]))


@MODAL_FUZZ
@given(new_date=dates, reason=reasons, note=reasons)
def test_any_modal_input_gets_planbots_own_answer_in_time(planbot, now, new_date, reason, note):
    if not hasattr(planbot, "modals"):
        load(planbot.sessions, now)
        # The same two modals are saved again and again: their message's response_url runs out.
        planbot.fake.expect_refusal("used_url", method="response_url")
        planbot.modals = (open_modal(planbot, "1.1", ActionId.REVISE)[0], open_modal(planbot, "1.1", ActionId.NOTE)[0])
    revise_view, note_view = planbot.modals
    for reply in (planbot.submit(revise_view, revision(new_date, reason)), planbot.submit(note_view, update(note))):
        assert reply.status == 200, reply.body[:500]
        if reply.body:
            assert reply.json["response_action"] == "errors"
            assert all(GENERIC not in said for said in reply.json["errors"].values()), reply.json
