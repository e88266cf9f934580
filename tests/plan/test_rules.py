from datetime import UTC, date, datetime

from bot.plan.rules import ActionStatus, Rag, current_due, days_late, rag, today_in

TODAY = date(2026, 11, 22)


def test_an_action_due_today_is_amber():
    assert rag(ActionStatus.IN_PROGRESS, TODAY, TODAY) is Rag.AMBER


def test_an_open_action_due_yesterday_is_red():
    assert rag(ActionStatus.NOT_STARTED, date(2026, 11, 21), TODAY) is Rag.RED
    assert days_late(ActionStatus.NOT_STARTED, date(2026, 11, 21), TODAY) == 1


def test_a_complete_action_is_green_however_late():
    assert rag(ActionStatus.COMPLETE, date(2020, 1, 1), TODAY) is Rag.GREEN
    assert days_late(ActionStatus.COMPLETE, date(2020, 1, 1), TODAY) == 0


def test_the_revised_date_replaces_the_original_one():
    due = current_due(date(2026, 10, 31), date(2026, 12, 31))
    assert due == date(2026, 12, 31)
    assert rag(ActionStatus.IN_PROGRESS, due, TODAY) is Rag.AMBER
    assert current_due(date(2026, 10, 31), None) == date(2026, 10, 31)


def test_half_past_eleven_utc_on_a_summer_evening_is_already_tomorrow_in_london():
    late_evening = datetime(2026, 7, 14, 23, 30, tzinfo=UTC)
    assert today_in("Europe/London", late_evening) == date(2026, 7, 15)
    # So an action due on the 14th has just turned Red in London but not in UTC.
    assert rag(ActionStatus.IN_PROGRESS, date(2026, 7, 14), today_in("Europe/London", late_evening)) is Rag.RED
    assert rag(ActionStatus.IN_PROGRESS, date(2026, 7, 14), today_in("UTC", late_evening)) is Rag.AMBER


def test_in_winter_london_is_on_utc():
    assert today_in("Europe/London", datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == date(2026, 1, 14)
