from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest

from bot.plan.schedule import (
    DEFAULT_SCHEDULE,
    Schedule,
    ScheduleError,
    Slot,
    due_slot,
    next_slot,
    parse_schedule,
    slots_between,
)

LONDON = "Europe/London"
ENGLAND = holidays.country_holidays("GB", subdiv="ENG", years=range(2024, 2029))
MONTHLY = DEFAULT_SCHEDULE
QUARTERLY = Schedule("quarterly")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def monthly_slot(year: int, month: int, tz: str = LONDON) -> Slot:
    start = datetime(year, month, 1, tzinfo=ZoneInfo(tz))
    [slot] = slots_between(MONTHLY, tz, start, start + timedelta(days=28))
    return slot


def test_bank_holidays_come_from_the_england_and_wales_calendar() -> None:
    assert date(2027, 3, 29) in ENGLAND  # Easter Monday: not a Scottish bank holiday
    assert date(2027, 8, 30) in ENGLAND  # last Monday of August
    assert date(2027, 8, 2) not in ENGLAND  # Scotland's first Monday of August
    assert date(2027, 1, 4) not in ENGLAND  # Scotland's observed 2 January


def test_january_2027_summary_waits_for_monday_after_new_years_day_and_the_weekend() -> None:
    assert date(2027, 1, 1) in ENGLAND
    assert monthly_slot(2027, 1) == Slot("2027-01", "January 2027", utc(2027, 1, 4, 9))


def test_may_2027_skips_the_weekend_and_the_early_may_bank_holiday() -> None:
    assert date(2027, 5, 1).weekday() == 5
    assert ENGLAND.get(date(2027, 5, 3)) == "May Day"
    assert monthly_slot(2027, 5) == Slot("2027-05", "May 2027", utc(2027, 5, 4, 8))


def test_easter_monday_on_the_first_of_april_2024_moves_the_summary_to_the_second() -> None:
    assert ENGLAND.get(date(2024, 4, 1)) == "Easter Monday"
    assert monthly_slot(2024, 4).at == utc(2024, 4, 2, 8)


def test_august_2027_starts_on_a_sunday_and_monday_2nd_is_a_working_day_in_england() -> None:
    assert date(2027, 8, 1).weekday() == 6
    assert monthly_slot(2027, 8) == Slot("2027-08", "August 2027", utc(2027, 8, 2, 8))


def test_month_starting_on_a_saturday_goes_to_monday_the_third() -> None:
    assert date(2025, 2, 1).weekday() == 5
    assert monthly_slot(2025, 2).at == utc(2025, 2, 3, 9)


def test_new_year_on_a_saturday_with_an_observed_bank_holiday_goes_to_the_fourth() -> None:
    assert date(2028, 1, 3) in ENGLAND
    assert monthly_slot(2028, 1).at == utc(2028, 1, 4, 9)


def test_nine_oclock_london_is_nine_utc_in_gmt_and_eight_utc_in_bst() -> None:
    slots = slots_between(MONTHLY, LONDON, utc(2027, 2, 1), utc(2027, 12, 1))
    # Clocks go forward on 28 March 2027 and back on 31 October 2027.
    assert [(slot.period, slot.at) for slot in slots] == [
        ("2027-02", utc(2027, 2, 1, 9)),
        ("2027-03", utc(2027, 3, 1, 9)),
        ("2027-04", utc(2027, 4, 1, 8)),
        ("2027-05", utc(2027, 5, 4, 8)),
        ("2027-06", utc(2027, 6, 1, 8)),
        ("2027-07", utc(2027, 7, 1, 8)),
        ("2027-08", utc(2027, 8, 2, 8)),
        ("2027-09", utc(2027, 9, 1, 8)),
        ("2027-10", utc(2027, 10, 1, 8)),
        ("2027-11", utc(2027, 11, 1, 9)),
    ]
    assert {slot.at.astimezone(ZoneInfo(LONDON)).hour for slot in slots} == {9}


def test_new_york_plan_gets_its_summary_at_nine_new_york_time() -> None:
    tz = "America/New_York"
    assert monthly_slot(2027, 1, tz).at == utc(2027, 1, 4, 14)  # EST, England's bank holiday skipped
    assert monthly_slot(2027, 7, tz).at == utc(2027, 7, 1, 13)  # EDT


def test_quarterly_runs_only_in_january_april_july_and_october() -> None:
    slots = slots_between(QUARTERLY, LONDON, utc(2027, 1, 1), utc(2028, 1, 1))
    assert slots == [
        Slot("2027-Q1", "Q1 2027", utc(2027, 1, 4, 9)),
        Slot("2027-Q2", "Q2 2027", utc(2027, 4, 1, 8)),
        Slot("2027-Q3", "Q3 2027", utc(2027, 7, 1, 8)),
        Slot("2027-Q4", "Q4 2027", utc(2027, 10, 1, 8)),
    ]


def test_quarterly_next_slot_from_february_is_april() -> None:
    assert next_slot(QUARTERLY, LONDON, utc(2027, 2, 10)) == Slot("2027-Q2", "Q2 2027", utc(2027, 4, 1, 8))


def test_custom_weekly_rule_runs_every_monday_at_nine_local_without_skipping_bank_holidays() -> None:
    schedule = parse_schedule("RRULE:FREQ=WEEKLY;BYDAY=MO")
    slots = slots_between(schedule, LONDON, utc(2027, 3, 1), utc(2027, 4, 1))
    assert [slot.at for slot in slots] == [
        utc(2027, 3, 1, 9),
        utc(2027, 3, 8, 9),
        utc(2027, 3, 15, 9),
        utc(2027, 3, 22, 9),
        utc(2027, 3, 29, 8),  # Easter Monday, in BST
    ]
    assert slots[2].period == "2027-03-15"
    assert slots[2].label == "15 March 2027"


def test_custom_rule_honours_byhour_and_byminute() -> None:
    schedule = parse_schedule("FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=14;BYMINUTE=30")
    assert next_slot(schedule, LONDON, utc(2027, 1, 20)) == Slot(
        "2027-02-15", "15 February 2027", utc(2027, 2, 15, 14, 30)
    )


def test_fortnightly_rule_keeps_the_same_weeks_whatever_the_window() -> None:
    schedule = parse_schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE")
    year = slots_between(schedule, LONDON, utc(2027, 1, 1), utc(2028, 1, 1))
    assert all((b.at - a.at) in (timedelta(days=14), timedelta(days=14, hours=1), timedelta(days=14, hours=-1))
               for a, b in zip(year, year[1:]))
    for slot in year[5:12]:
        assert next_slot(schedule, LONDON, slot.at - timedelta(days=3)) == slot
        assert slots_between(schedule, LONDON, slot.at - timedelta(days=10), slot.at + timedelta(days=1)) == [slot]


def test_custom_rule_stops_at_until() -> None:
    schedule = parse_schedule("FREQ=WEEKLY;BYDAY=FR;UNTIL=20270312")
    slots = slots_between(schedule, LONDON, utc(2027, 3, 1), utc(2027, 4, 1))
    assert [slot.period for slot in slots] == ["2027-03-05", "2027-03-12"]
    assert next_slot(schedule, LONDON, utc(2027, 3, 13)) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ=SOMETIMES", "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("whenever", "try monthly, quarterly, off"),
        ("RRULE:FREQ=WEEKLY;BYDAY=XX", "BYDAY"),
        ("FREQ=HOURLY", "more often than once a day"),
        ("RRULE:FREQ=MINUTELY;INTERVAL=30", "more often than once a day"),
        ("FREQ=SECONDLY", "more often than once a day"),
        ("FREQ=DAILY;BYHOUR=9,17", "at most once a day"),
        ("FREQ=DAILY;COUNT=5", "COUNT is not supported"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY cannot be 0"),
        ("FREQ=WEEKLY;UNTIL=next-year", "UNTIL must look like"),
        ("DTSTART:20270101T090000\nRRULE:FREQ=DAILY", "single RRULE line"),
    ],
)
def test_unreadable_schedules_are_refused_with_a_message_naming_the_text(text: str, reason: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    message = str(caught.value)
    assert message.startswith(f'I can\'t read "{" ".join(text.split())}" as a schedule: ')
    assert reason in message


def test_hourly_rule_message_points_to_daily() -> None:
    with pytest.raises(ScheduleError, match="the finest is FREQ=DAILY"):
        parse_schedule("RRULE:FREQ=HOURLY")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Schedule("monthly")),
        ("default", Schedule("monthly")),
        (" Monthly ", Schedule("monthly")),
        ("QUARTERLY", Schedule("quarterly")),
        ("off", Schedule("off")),
        ("none", Schedule("off")),
        ("By  exception", Schedule("off")),
        ("RRULE:FREQ=WEEKLY;BYDAY=MO", Schedule("rrule", "FREQ=WEEKLY;BYDAY=MO")),
        ("freq=weekly; byday=mo", Schedule("rrule", "FREQ=WEEKLY;BYDAY=MO")),
    ],
)
def test_schedule_words_and_rules_are_read(text: str, expected: Schedule) -> None:
    assert parse_schedule(text) == expected


@pytest.mark.parametrize(
    ("schedule", "described"),
    [
        (Schedule("monthly"), "first working day of each month at 09:00"),
        (Schedule("quarterly"), "first working day of each quarter at 09:00"),
        (Schedule("rrule", "FREQ=WEEKLY;BYDAY=MO"), "custom: FREQ=WEEKLY;BYDAY=MO"),
        (Schedule("off"), "off"),
    ],
)
def test_schedules_describe_themselves_and_round_trip_through_text(schedule: Schedule, described: str) -> None:
    assert schedule.describe() == described
    assert parse_schedule(schedule.text()) == schedule


def test_off_gives_no_slots() -> None:
    off = parse_schedule("by exception")
    assert slots_between(off, LONDON, utc(2027, 1, 1), utc(2030, 1, 1)) == []
    assert next_slot(off, LONDON, utc(2027, 1, 1)) is None
    assert due_slot(off, LONDON, utc(2027, 6, 1), utc(2020, 1, 1)) is None


def test_slots_between_includes_start_and_excludes_end() -> None:
    march = utc(2027, 3, 1, 9)
    assert [s.period for s in slots_between(MONTHLY, LONDON, march, utc(2027, 4, 1, 8))] == ["2027-03"]
    slots = slots_between(MONTHLY, LONDON, march + timedelta(seconds=1), utc(2027, 4, 1, 8, 1))
    assert [s.period for s in slots] == ["2027-04"]


CREATED = utc(2027, 1, 10)
MARCH = Slot("2027-03", "March 2027", utc(2027, 3, 1, 9))
APRIL = Slot("2027-04", "April 2027", utc(2027, 4, 1, 8))


def test_due_at_the_scheduled_minute() -> None:
    assert due_slot(MONTHLY, LONDON, MARCH.at, CREATED) == MARCH


def test_bot_down_at_nine_and_back_at_two_runs_that_days_slot() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 3, 1, 14), CREATED) == MARCH


def test_bot_back_a_week_later_still_runs_this_months_slot() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 3, 8, 14), CREATED) == MARCH


def test_bot_back_next_month_after_its_slot_runs_only_the_new_slot() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 4, 6, 12), CREATED) == APRIL


def test_before_next_months_slot_the_latest_slot_is_still_this_months() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 4, 1, 7, 59), CREATED) == MARCH


def test_plan_created_after_this_months_slot_waits_for_next_month() -> None:
    created = utc(2027, 3, 3, 10)
    assert due_slot(MONTHLY, LONDON, utc(2027, 3, 20), created) is None
    assert due_slot(MONTHLY, LONDON, utc(2027, 4, 1, 7, 59), created) is None
    assert due_slot(MONTHLY, LONDON, utc(2027, 4, 1, 8), created) == APRIL


def test_plan_created_at_the_slot_minute_gets_that_slot() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 3, 1, 12), MARCH.at) == MARCH


def test_plan_created_years_ago_gets_only_the_current_slot() -> None:
    assert due_slot(MONTHLY, LONDON, utc(2027, 3, 20), utc(2019, 6, 1)) == MARCH


def test_next_slot_across_the_year_end() -> None:
    december = next_slot(MONTHLY, LONDON, utc(2027, 11, 20))
    assert december == Slot("2027-12", "December 2027", utc(2027, 12, 1, 9))
    # 1 January 2028 is a Saturday and Monday 3rd its observed bank holiday.
    assert next_slot(MONTHLY, LONDON, december.at) == Slot("2028-01", "January 2028", utc(2028, 1, 4, 9))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_slot(MONTHLY, LONDON, datetime(2027, 1, 1))


def test_unknown_timezone_is_a_schedule_error() -> None:
    with pytest.raises(ScheduleError, match='I don\'t know the timezone "Mars/Olympus"'):
        next_slot(MONTHLY, "Mars/Olympus", utc(2027, 1, 1))


def test_a_schedule_built_directly_with_a_bad_rule_is_refused() -> None:
    with pytest.raises(ScheduleError, match='I can\'t read "RRULE:FREQ=HOURLY" as a schedule'):
        Schedule("rrule", "FREQ=HOURLY")
