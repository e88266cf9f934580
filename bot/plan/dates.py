"""Reading and writing dates the way a UK plan writes them: always day first.

Numeric dates are parsed by hand (never by a fuzzy parser, which reads 01/02 month first).
"""

from __future__ import annotations

import calendar
import re
from datetime import date

EXAMPLE = "31/12/2026"

MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_MONTHS_BY_NAME: dict[str, int] = {
    **{name.lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    **{name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)},
    "sept": 9,
}

_SEP = r"\s*[/.\-]+\s*"  # repeated separators forgive the slip 31//12/2021
_DAY_FIRST = re.compile(rf"(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d+)")
_YEAR_FIRST = re.compile(rf"(\d{{4}}){_SEP}(\d{{1,2}}){_SEP}(\d{{1,2}})")
_ORDINAL_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?", re.IGNORECASE)
_YEAR = re.compile(r"\d{2}|\d{4}")

MONTHS = len(MONTH_NAMES)
_DATE_WORDS = 3  # day, month and year, in either order
_SHORT_YEAR_DIGITS, _FULL_YEAR_DIGITS = 2, 4
LEAP_DAY = (2, 29)  # (month, day)
MIN_YEAR = 1900
MAX_YEAR = 2199


class DateError(ValueError):
    """A date that could not be read; str() is a short message fit to show the user."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        self.text = text
        self.reason = reason
        if reason is None:
            message = f'"{text}" is not a date I understand; write it like {EXAMPLE}.'
        else:
            message = f'"{text}" is not a date: {reason}.'
        super().__init__(message)


def parse_date(text: str) -> date:
    """Read a day-first date: 31/07/2021, 31-07-21, 2021-07-31, 30 Sep 2026, September 30, 2026."""
    shown = text.strip()
    if not shown:
        raise DateError(shown)
    if match := _YEAR_FIRST.fullmatch(shown):
        year, month, day = (int(group) for group in match.groups())
        return _build(shown, year, month, day)
    if match := _DAY_FIRST.fullmatch(shown):
        day, month = int(match[1]), int(match[2])
        return _build(shown, _year(shown, match[3]), month, day)
    return _parse_written(shown)


def format_date(d: date) -> str:
    """31/07/2021"""
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_long(d: date) -> str:
    """31 Jul 2021 (month names are English whatever the locale)."""
    return f"{d.day} {MONTH_NAMES[d.month - 1][:3]} {d.year}"


def _parse_written(shown: str) -> date:
    """30 Sep 2026, 30th September 2026, Sept 30 2026, September 30, 2026, 30-Sep-26."""
    words = [word for word in re.split(r"[\s,./\-]+", shown) if word]
    if len(words) != _DATE_WORDS:
        raise DateError(shown)
    if words[1].lower() in _MONTHS_BY_NAME:
        day_word, month_word, year_word = words
    elif words[0].lower() in _MONTHS_BY_NAME:
        month_word, day_word, year_word = words
    else:
        raise DateError(shown)
    day_match = _ORDINAL_DAY.fullmatch(day_word)
    if day_match is None or not _YEAR.fullmatch(year_word):
        raise DateError(shown)
    month = _MONTHS_BY_NAME[month_word.lower()]
    return _build(shown, _year(shown, year_word), month, int(day_match[1]))


def _year(shown: str, digits: str) -> int:
    if len(digits) == _SHORT_YEAR_DIGITS:
        return 2000 + int(digits)
    if len(digits) == _FULL_YEAR_DIGITS:
        return int(digits)
    raise DateError(shown, "the year needs four digits (or two)")


def _build(shown: str, year: int, month: int, day: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateError(shown, f"the year {year:04d} is out of range")
    if not 1 <= month <= MONTHS:
        if 1 <= day <= MONTHS:
            raise DateError(shown, f"there is no month {month} (dates are day first, like {EXAMPLE})")
        raise DateError(shown, f"there is no month {month}")
    if day < 1:
        raise DateError(shown, "there is no day 0")
    if day > calendar.monthrange(year, month)[1]:
        month_name = MONTH_NAMES[month - 1]
        if (month, day) == LEAP_DAY:
            raise DateError(shown, f"February {year} has no day 29 ({year} is not a leap year)")
        raise DateError(shown, f"{month_name} has no day {day}")
    return date(year, month, day)
