"""When a plan's summary is due: schedules, their parsing, and the slots they produce.

Pure: no database, no Slack, no clock. Every function takes the times it needs.

Monthly and quarterly summaries fall on the first working day of the period (Monday to
Friday, not an England and Wales bank holiday) at 09:00 in the plan's timezone. A custom
schedule is an iCalendar RRULE whose occurrences fall at 09:00 local unless it gives
BYHOUR/BYMINUTE. A custom rule has no start date of its own: it is anchored at Monday
1 January 2001, so FREQ=WEEKLY alone means Mondays, FREQ=MONTHLY the 1st, and an INTERVAL
counts from there. Local times that a clock change skips or repeats resolve as zoneinfo
does with fold=0.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Final, Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta
from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from bot.plan.errors import InvalidInput

# "by-exception": each month's summary only when the plan has an exception or a change since the
# last one; "quarterly-or-exception": each quarter's always, and the other months' by exception.
ScheduleKind = Literal["monthly", "quarterly", "rrule", "off", "by-exception", "quarterly-or-exception"]
BY_EXCEPTION_WORDS: Final = frozenset({"by exception", "by-exception", "exception", "exceptions"})
QUARTERLY_OR_EXCEPTION_WORDS: Final = frozenset({
    "quarterly or by exception", "quarterly or exception", "quarterly-or-exception", "quarterly or by-exception",
    "quarterly by exception", "quarterly+exception",
})

SUMMARY_TIME: Final = time(9, 0)
QUARTER_MONTHS: Final = (1, 4, 7, 10)
MONTH_NAMES: Final = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

UNREADABLE: Final = 'I can\'t read "{text}" as a schedule: {reason}'
HINT: Final = ('try monthly, quarterly, off, "quarterly or by exception", "by exception", or an RRULE such as '
               "RRULE:FREQ=WEEKLY;BYDAY=MO")
TOO_FREQUENT: Final = "FREQ={freq} runs more often than once a day; the finest is FREQ=DAILY"
UNKNOWN_FREQ: Final = "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY"
NO_FREQ: Final = "an RRULE needs a FREQ, e.g. FREQ=MONTHLY"
NOT_A_PART: Final = '"{part}" is not NAME=VALUE'
ONE_LINE: Final = "give a single RRULE line (no DTSTART or other lines)"
NO_COUNT: Final = "COUNT is not supported (a schedule has no start date); end it with UNTIL=YYYYMMDD"
BAD_UNTIL: Final = "UNTIL must look like 20271231, 20271231T170000 or 20271231T170000Z"
ONCE_A_DAY: Final = "a schedule can run at most once a day; give one BYHOUR and one BYMINUTE"
NOT_ZERO: Final = "{name} cannot be 0"
NEVER: Final = "it never happens"
UNKNOWN_TZ: Final = 'I don\'t know the timezone "{tz}"'

# Custom rules have no DTSTART of their own; every rule is read from this one.
_ANCHOR: Final = datetime(2001, 1, 1, SUMMARY_TIME.hour, SUMMARY_TIME.minute)  # a Monday
_FREQS: Final = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
_TOO_FINE: Final = frozenset({"HOURLY", "MINUTELY", "SECONDLY"})
# How far ahead next_slot looks, and the span in which a custom rule must occur.
_HORIZON_YEARS: Final = 50
_UntilKind = Literal["utc", "local", "date"]
_UNTIL_FORMATS: Final[tuple[tuple[str, _UntilKind], ...]] = (
    ("%Y%m%dT%H%M%SZ", "utc"),
    ("%Y%m%dT%H%M%S", "local"),
    ("%Y%m%d", "date"),
)


class ScheduleError(InvalidInput, ValueError):
    """A schedule that cannot be read or used; str() is fit to show a user.

    An InvalidInput, so the one error path shows it; still a ValueError for older callers.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message, field="schedule")


@dataclass(frozen=True)
class Schedule:
    kind: ScheduleKind
    rule: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in get_args(ScheduleKind):
            raise ValueError(f"unknown schedule kind {self.kind!r}")
        if self.kind != "rrule" and self.rule is not None:
            raise ValueError(f"a {self.kind} schedule takes no rule")
        if self.kind == "rrule":
            if self.rule is None:
                raise ValueError("an rrule schedule needs a rule")
            _compile(self.rule)

    def describe(self) -> str:
        match self.kind:
            case "monthly":
                return f"first working day of each month at {SUMMARY_TIME:%H:%M}"
            case "quarterly":
                return f"first working day of each quarter at {SUMMARY_TIME:%H:%M}"
            case "by-exception":
                return (f"first working day of each month at {SUMMARY_TIME:%H:%M}, only when there is an exception "
                        "or a change since the last summary")
            case "quarterly-or-exception":
                return (f"quarterly or by exception: the first working day of each quarter at {SUMMARY_TIME:%H:%M}, "
                        "and of the other months when there is an exception or a change since the last summary")
            case "rrule":
                return f"custom: {self.rule}"
            case _:
                return "off"

    def text(self) -> str:
        return f"RRULE:{self.rule}" if self.kind == "rrule" else self.kind


DEFAULT_SCHEDULE: Final = Schedule("monthly")


@dataclass(frozen=True)
class Slot:
    period: str
    label: str
    at: datetime


@dataclass(frozen=True)
class _Until:
    kind: _UntilKind
    value: datetime

    def bound(self, zone: ZoneInfo) -> datetime:
        """The last instant an occurrence may fall at."""
        match self.kind:
            case "utc":
                return self.value.replace(tzinfo=UTC)
            case "local":
                return self.value.replace(tzinfo=zone)
            case _:
                return datetime.combine(self.value.date(), time.max, tzinfo=zone)


@dataclass(frozen=True)
class _CustomRule:
    body: str  # the RRULE without UNTIL, read with a DTSTART chosen per query
    freq: int
    interval: int
    until: _Until | None


def parse_schedule(text: str) -> Schedule:
    words = " ".join(text.split()).lower()
    if words in ("", "default", "monthly"):
        return Schedule("monthly")
    if words == "quarterly":
        return Schedule("quarterly")
    if words in QUARTERLY_OR_EXCEPTION_WORDS:
        return Schedule("quarterly-or-exception")
    if words in BY_EXCEPTION_WORDS:
        return Schedule("by-exception")
    if words in ("off", "none"):
        return Schedule("off")
    stripped = text.strip()
    if "\n" in stripped and "FREQ=" in stripped.upper():
        raise _unreadable(text, ONE_LINE)
    if stripped.upper().startswith("RRULE:"):
        rule = stripped[len("RRULE:"):]
    elif stripped.upper().startswith("FREQ="):
        rule = stripped
    else:
        raise _unreadable(text, HINT)
    if "\n" in rule or "\r" in rule or ":" in rule:
        raise _unreadable(text, ONE_LINE)
    rule = "".join(rule.split()).upper().strip(";")
    _compile(rule, shown=text)
    return Schedule("rrule", rule)


def always_posts(schedule: Schedule, slot: Slot) -> bool:
    """Whether the slot's summary goes out whatever the plan says, or only by exception (when the
    plan has an exception or a change since the last summary)."""
    if schedule.kind == "by-exception":
        return False
    if schedule.kind == "quarterly-or-exception":
        return "-Q" in slot.period
    return True


def slots_between(schedule: Schedule, tz: str, start: datetime, end: datetime) -> list[Slot]:
    _require_aware(start=start, end=end)
    return list(_slots_from(schedule, _zone(tz), start, end))


def next_slot(schedule: Schedule, tz: str, after: datetime) -> Slot | None:
    _require_aware(after=after)
    try:
        horizon = after + relativedelta(years=_HORIZON_YEARS)
    except (OverflowError, ValueError):
        horizon = datetime.max.replace(tzinfo=UTC)
    for slot in _slots_from(schedule, _zone(tz), after, horizon):
        if slot.at > after:
            return slot
    return None


def due_slot(schedule: Schedule, tz: str, now: datetime, not_before: datetime) -> Slot | None:
    _require_aware(now=now, not_before=not_before)
    zone = _zone(tz)
    if schedule.kind == "off" or now < not_before:
        return None
    # Look back from now in widening windows for the latest slot; stop at not_before.
    hi = now + timedelta(microseconds=1)
    step = timedelta(days=32)
    while True:
        lo = not_before if hi - not_before <= step else hi - step
        found = list(_slots_from(schedule, zone, lo, hi))
        if found:
            return found[-1]
        if lo == not_before:
            return None
        hi, step = lo, step * 2


def _slots_from(schedule: Schedule, zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[Slot]:
    """Slots with start <= at < end, in order, generated lazily."""
    match schedule.kind:
        case "monthly":
            yield from _working_day_slots(zone, start, end, quarterly=False)
        case "quarterly":
            yield from _working_day_slots(zone, start, end, quarterly=True)
        case "by-exception":
            yield from _working_day_slots(zone, start, end, quarterly=False)
        case "quarterly-or-exception":
            for monthly in _working_day_slots(zone, start, end, quarterly=False):
                year, month = (int(part) for part in monthly.period.split("-"))
                quarter = (month - 1) // 3 + 1
                in_quarter = Slot(f"{year}-Q{quarter}", f"Q{quarter} {year}", monthly.at)
                yield in_quarter if month in QUARTER_MONTHS else monthly
        case "rrule":
            assert schedule.rule is not None
            yield from _custom_slots(_compile(schedule.rule), zone, start, end)
        case _:
            return


def _working_day_slots(zone: ZoneInfo, start: datetime, end: datetime, *, quarterly: bool) -> Iterator[Slot]:
    # A slot lies in its own local month, so no month before start's local month can reach start.
    local_start = start.astimezone(zone)
    months = rrule(
        MONTHLY,
        dtstart=datetime(local_start.year, local_start.month, 1),
        bymonth=QUARTER_MONTHS if quarterly else None,
    )
    for month in months:
        day = _first_working_day(month.year, month.month)
        at = datetime.combine(day, SUMMARY_TIME, tzinfo=zone).astimezone(UTC)
        if at >= end:
            return
        if at < start:
            continue
        if quarterly:
            quarter = (month.month - 1) // 3 + 1
            yield Slot(f"{month.year}-Q{quarter}", f"Q{quarter} {month.year}", at)
        else:
            yield Slot(f"{month.year}-{month.month:02d}", f"{MONTH_NAMES[month.month - 1]} {month.year}", at)


def _first_working_day(year: int, month: int) -> date:
    # At most five weekdays of a month's first week, never all of them bank holidays.
    weekdays = rrule(DAILY, dtstart=datetime(year, month, 1), bymonthday=range(1, 8), byweekday=range(5))
    closed = _bank_holidays(year)
    return next(d.date() for d in weekdays if d.date() not in closed)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    import holidays  # noqa: PLC0415 - its calendars load at the first date checked, not at every start

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def _custom_slots(rule: _CustomRule, zone: ZoneInfo, start: datetime, end: datetime) -> Iterator[Slot]:
    until = rule.until.bound(zone) if rule.until else None
    dtstart = _anchor_near(rule, start.astimezone(zone).replace(tzinfo=None))
    for occurrence in rrulestr(rule.body, dtstart=dtstart):
        at = occurrence.replace(tzinfo=zone).astimezone(UTC)
        if at >= end or (until is not None and at > until):
            return
        if at < start:
            continue
        day = occurrence.date()
        yield Slot(day.isoformat(), f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}", at)


def _anchor_near(rule: _CustomRule, local: datetime) -> datetime:
    """A DTSTART whole intervals after _ANCHOR, at least one interval and a day before local.

    Moving DTSTART by whole intervals from a period boundary keeps the rule's occurrences;
    the spare interval keeps a partial first period (WKST, BYSETPOS) away from the answer.
    """
    target = local - timedelta(days=1)
    if target <= _ANCHOR:
        return _ANCHOR
    n = rule.interval
    if rule.freq == DAILY:
        steps = (target - _ANCHOR).days // n - 1
        return _ANCHOR + timedelta(days=max(steps, 0) * n)
    if rule.freq == WEEKLY:
        steps = (target - _ANCHOR).days // 7 // n - 1
        return _ANCHOR + timedelta(weeks=max(steps, 0) * n)
    if rule.freq == MONTHLY:
        months = (target.year - _ANCHOR.year) * 12 + target.month - 1
        return _ANCHOR + relativedelta(months=max(months // n - 1, 0) * n)
    return _ANCHOR + relativedelta(years=max((target.year - _ANCHOR.year) // n - 1, 0) * n)


@lru_cache(maxsize=256)
def _compile(rule: str, shown: str | None = None) -> _CustomRule:
    shown = f"RRULE:{rule}" if shown is None else shown
    parts: dict[str, str] = {}
    for part in rule.split(";"):
        name, sep, value = part.partition("=")
        if not sep or not name or not value:
            raise _unreadable(shown, NOT_A_PART.format(part=part))
        parts[name] = value
    freq = parts.get("FREQ")
    if freq is None:
        raise _unreadable(shown, NO_FREQ)
    if freq in _TOO_FINE:
        raise _unreadable(shown, TOO_FREQUENT.format(freq=freq))
    if freq not in _FREQS:
        raise _unreadable(shown, UNKNOWN_FREQ)
    if "COUNT" in parts:
        raise _unreadable(shown, NO_COUNT)
    if any(len(parts.get(name, "0").split(",")) > 1 for name in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        raise _unreadable(shown, ONCE_A_DAY)
    for name in ("BYMONTHDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"):
        if any(value.lstrip("+-") == "0" for value in parts.get(name, "").split(",")):
            raise _unreadable(shown, NOT_ZERO.format(name=name))
    until = _read_until(parts.pop("UNTIL"), shown) if "UNTIL" in parts else None
    body = ";".join(f"{name}={value}" for name, value in parts.items())
    try:
        rrulestr(body, dtstart=_ANCHOR)
        interval = int(parts.get("INTERVAL", "1"))
        if interval < 1:
            raise ValueError("INTERVAL must be 1 or more")
        compiled = _CustomRule(body=body, freq=_FREQS[freq], interval=interval, until=until)
        # dateutil tests UNTIL only against a match, so a rule that never matches runs on to
        # year 9999. Probe the years just before that limit, where it stops by itself.
        probe = _anchor_near(compiled, datetime(datetime.max.year - _HORIZON_YEARS, 1, 1))
        first = next(iter(rrulestr(body, dtstart=probe)), None)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as exc:
        raise _unreadable(shown, _reason(exc)) from exc
    if first is None:
        raise _unreadable(shown, NEVER)
    return compiled


def _read_until(value: str, shown: str) -> _Until:
    for fmt, kind in _UNTIL_FORMATS:
        try:
            return _Until(kind, datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise _unreadable(shown, BAD_UNTIL)


def _reason(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


_SHOWN_LENGTH = 80  # of unreadable schedule text quoted back


def _unreadable(text: str, reason: str) -> ScheduleError:
    shown = " ".join(text.split())
    if len(shown) > _SHOWN_LENGTH:
        shown = shown[:_SHOWN_LENGTH - 1] + "…"
    return ScheduleError(UNREADABLE.format(text=shown, reason=reason))


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(UNKNOWN_TZ.format(tz=tz)) from exc


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime")


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England and Wales bank holiday: the calendar summaries and
    reminders keep."""
    return day.weekday() < calendar.SATURDAY and day not in _bank_holidays(day.year)
