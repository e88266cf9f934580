from datetime import date

import pytest

from bot.plan.dates import DateError, format_date, format_long, parse_date


@pytest.mark.parametrize(
    "text",
    [
        "31/07/2021",
        "31-07-2021",
        "31.07.2021",
        "31/07/21",
        "2021-07-31",
        "  31/07/2021\t",
        "31 / 07 / 2021",
        "31 Jul 2021",
        "31 July 2021",
        "31st July 2021",
        "July 31 2021",
        "July 31, 2021",
        "31-Jul-2021",
        "31-Jul-21",
        "31 JULY 2021",
    ],
)
def test_reads_every_way_a_plan_writes_31_july_2021(text: str) -> None:
    assert parse_date(text) == date(2021, 7, 31)


def test_reads_the_doubled_slash_slip_from_the_original_plan() -> None:
    assert parse_date("31//12/2021") == date(2021, 12, 31)


def test_reads_numeric_dates_day_first() -> None:
    assert parse_date("01/02/2022") == date(2022, 2, 1)
    assert parse_date("1/2/2022") == date(2022, 2, 1)


def test_reads_a_two_digit_year_as_this_century() -> None:
    assert parse_date("05/04/99") == date(2099, 4, 5)
    assert parse_date("05/04/00") == date(2000, 4, 5)


@pytest.mark.parametrize(
    "text", ["30 Sep 2026", "30 Sept 2026", "30 September 2026", "30th September 2026", "Sept 30 2026",
             "September 30, 2026", "Sep. 30, 2026"]
)  # fmt: skip
def test_reads_written_out_september_dates(text: str) -> None:
    assert parse_date(text) == date(2026, 9, 30)


@pytest.mark.parametrize("text", ["1st March 2022", "2nd March 2022", "3rd March 2022", "4th March 2022"])
def test_reads_ordinal_days(text: str) -> None:
    assert parse_date(text).month == 3


def test_reads_29_february_in_a_leap_year() -> None:
    assert parse_date("29/02/2024") == date(2024, 2, 29)
    assert parse_date("29/02/2000") == date(2000, 2, 29)


def test_refuses_29_february_in_a_year_that_is_not_a_leap_year() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("29/02/2021")
    assert (
        str(refused.value)
        == '"29/02/2021" is not a date: February 2021 has no day 29 (2021 is not a leap year).'
    )


def test_refuses_29_february_2100_which_is_not_a_leap_year() -> None:
    with pytest.raises(DateError, match="2100 is not a leap year"):
        parse_date("29 Feb 2100")


def test_refuses_a_day_the_month_does_not_have() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31/02/2021")
    assert str(refused.value) == '"31/02/2021" is not a date: February has no day 31.'


def test_refuses_31_april() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31 April 2022")
    assert str(refused.value) == '"31 April 2022" is not a date: April has no day 31.'


def test_refuses_day_zero() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("00/07/2021")
    assert str(refused.value) == '"00/07/2021" is not a date: there is no day 0.'


def test_refuses_a_month_above_twelve() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31/13/2021")
    assert str(refused.value) == '"31/13/2021" is not a date: there is no month 13.'


def test_refusing_a_month_first_date_reminds_that_dates_are_day_first() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("07/31/2021")
    assert str(refused.value) == (
        '"07/31/2021" is not a date: there is no month 31 (dates are day first, like 31/12/2026).'
    )


def test_refuses_a_three_digit_year() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31/07/202")
    assert str(refused.value) == '"31/07/202" is not a date: the year needs four digits (or two).'


def test_refuses_a_year_far_out_of_range() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("31/07/0021")
    assert str(refused.value) == '"31/07/0021" is not a date: the year 0021 is out of range.'


@pytest.mark.parametrize(
    "text",
    ["next week", "tomorrow", "Q3 2022", "31/07", "July 2021", "31 Julyish 2021", "44408", "31 07 2021"],
)
def test_refuses_what_is_not_a_date_with_an_example_of_one(text: str) -> None:
    with pytest.raises(DateError) as refused:
        parse_date(text)
    assert str(refused.value) == f'"{text}" is not a date I understand; write it like 31/12/2026.'


def test_refuses_a_blank_date() -> None:
    with pytest.raises(DateError) as refused:
        parse_date("   ")
    assert str(refused.value) == '"" is not a date I understand; write it like 31/12/2026.'


def test_a_date_error_is_a_value_error_that_keeps_the_text() -> None:
    with pytest.raises(ValueError) as refused:
        parse_date(" next week ")
    assert isinstance(refused.value, DateError)
    assert refused.value.text == "next week"


def test_formats_dates_uk_style() -> None:
    assert format_date(date(2021, 7, 31)) == "31/07/2021"
    assert format_date(date(2022, 2, 1)) == "01/02/2022"


def test_formats_long_dates_with_a_short_month_name() -> None:
    assert format_long(date(2021, 7, 31)) == "31 Jul 2021"
    assert format_long(date(2026, 9, 1)) == "1 Sep 2026"


def test_formatted_dates_read_back_as_the_same_date() -> None:
    for day in (date(2021, 1, 1), date(2024, 2, 29), date(2021, 12, 31)):
        assert parse_date(format_date(day)) == day
        assert parse_date(format_long(day)) == day
