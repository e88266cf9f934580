"""Reading what people type after `/plan`: subcommands, near-misses, quotes, mentions, dates."""

from datetime import date

import pytest

from bot.plan.errors import InvalidInput
from bot.slack import texts
from bot.slack.commands import (
    parse,
    parse_admin,
    parse_date_words,
    parse_due,
    parse_mention,
    parse_owner,
    plain,
    quoted_words,
)


@pytest.mark.parametrize("text", ["", "   ", "help", "HELP", "?"])
def test_nothing_or_help_asks_for_help(text):
    assert parse(text).name == "help"
    assert parse(text).problem is None


@pytest.mark.parametrize("text,name", [("status", "status"), ("Status ppr", "status"), ("OVERDUE", "overdue"),
                                       ("Done 1.1", "done"), ("complete 1.1", "done")])
def test_subcommands_are_case_insensitive(text, name):
    assert parse(text).name == name


def test_the_rest_is_kept_as_typed():
    parsed = parse("note 4.1   Spoke to  the board")
    assert parsed.rest == "4.1   Spoke to  the board"
    assert parsed.words == ["4.1", "Spoke", "to", "the", "board"]


@pytest.mark.parametrize("typed,meant", [("overdeu", "overdue"), ("stauts", "status"), ("extnd", "extend"),
                                         ("mien", "mine")])
def test_a_near_miss_suggests_the_command_meant(typed, meant):
    parsed = parse(typed)
    assert parsed.name == "help"
    assert parsed.problem == texts.DID_YOU_MEAN.format(word=typed, suggestion=meant)


def test_an_unknown_word_gets_help_saying_so():
    parsed = parse("frobnicate everything")
    assert parsed.name == "help"
    assert parsed.problem == texts.UNKNOWN_COMMAND.format(word="frobnicate")


@pytest.mark.parametrize("token,user", [("<@U123|alice>", "U123"), ("<@U123>", "U123"), ("<@W0ORG|bob>", "W0ORG")])
def test_mentions_arrive_escaped_with_or_without_a_name(token, user):
    assert parse_mention(token) == user


@pytest.mark.parametrize("token", ["@alice", "alice", "<#C123|plan>", "<@>"])
def test_anything_else_is_not_a_person(token):
    with pytest.raises(InvalidInput, match="is not a person"):
        parse_mention(token)


def test_quoted_phrases_stay_together_and_curly_quotes_count():
    assert quoted_words('"Head of Protection" <@U1|a>') == ["Head of Protection", "<@U1|a>"]
    assert quoted_words("“Head of Protection” <@U1|a>") == ["Head of Protection", "<@U1|a>"]


def test_an_unclosed_quote_is_explained():
    with pytest.raises(InvalidInput) as raised:
        quoted_words('"Head of Protection <@U1|a>')
    assert raised.value.message == texts.UNCLOSED_QUOTE


def test_owner_takes_a_quoted_or_bare_role_then_a_person():
    quoted = parse_owner('"Head of Protection" <@UALICE|alice>')
    assert (quoted.remove, quoted.role, quoted.user_id, quoted.plan) == (False, "Head of Protection", "UALICE", None)
    bare = parse_owner("Head of Protection <@UALICE>")
    assert bare.role == "Head of Protection"
    removed = parse_owner('remove "Head of Protection" <@UALICE|alice> ppr')
    assert (removed.remove, removed.plan) == (True, "ppr")


@pytest.mark.parametrize("rest", ["", '"Head of Protection"', "<@UALICE|alice>", '"A" <@U1|a> ppr extra'])
def test_owner_without_a_role_and_a_person_shows_how(rest):
    with pytest.raises(InvalidInput) as raised:
        parse_owner(rest)
    assert raised.value.message == texts.OWNER_USAGE


def test_owner_with_an_unresolved_at_name_says_to_mention_them():
    with pytest.raises(InvalidInput, match="is not a person"):
        parse_owner('"Head of Protection" @alice')


def test_admin_add_and_remove():
    assert parse_admin("add <@UBOB|bob>") == ("add", "UBOB", None)
    assert parse_admin("REMOVE <@UBOB> ppr") == ("remove", "UBOB", "ppr")
    for bad in ("", "add", "promote <@UBOB>", "add <@UBOB> ppr more"):
        with pytest.raises(InvalidInput):
            parse_admin(bad)


@pytest.mark.parametrize("words,expected", [
    (["31/03/2027", "Recruitment", "delayed"], (date(2027, 3, 31), 1)),
    (["2027-03-31", "why"], (date(2027, 3, 31), 1)),
    (["30", "Sep", "2027", "Contractor", "withdrew"], (date(2027, 9, 30), 3)),
    (["30-Sep-27", "why"], (date(2027, 9, 30), 1)),
])
def test_dates_are_day_first_iso_or_written_out(words, expected):
    assert parse_date_words(words) == expected


def test_a_bad_date_says_what_is_wrong_with_it():
    with pytest.raises(InvalidInput, match="February has no day 31"):
        parse_date_words(["31/02/2027", "a", "reason"])
    with pytest.raises(InvalidInput, match="February has no day 30"):
        parse_date_words(["30", "Feb", "2027", "reason"])
    with pytest.raises(InvalidInput, match='"soon" is not a date I understand'):
        parse_date_words(["soon", "because"])


def test_due_takes_days_and_a_plan_in_either_order():
    assert parse_due([]) == (None, 30)
    assert parse_due(["14"]) == (None, 14)
    assert parse_due(["ppr", "7"]) == ("ppr", 7)
    assert parse_due(["7", "ppr"]) == ("ppr", 7)


@pytest.mark.parametrize("words", [["0"], ["-3"], ["99999"], ["7", "8"], ["a", "b"]])
def test_due_refuses_nonsense(words):
    with pytest.raises(InvalidInput):
        parse_due(words)


def test_free_text_is_read_back_as_the_user_typed_it():
    assert plain("Spoke to <@U1|bob> &amp; <#C1|plan> about &lt;3 items&gt;") == "Spoke to @bob & #plan about <3 items>"
    assert plain("see <https://example.org|the report> or <https://example.org>") == (
        "see the report or https://example.org"
    )
    assert plain("<!channel> now") == "@channel now"
