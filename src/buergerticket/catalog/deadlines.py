"""Deadline arithmetic: working days per federal state, calendar-day statutory periods.

Public holidays come from the ``holidays`` package, which tracks the German
states' holiday laws (e.g. Frauentag in Berlin since 2019) so we don't have to.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays

from buergerticket.catalog.models import DeadlineUnit


@lru_cache(maxsize=64)
def _holidays(state: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays("DE", subdiv=state, years=year).keys())


def is_working_day(day: dt.date, state: str) -> bool:
    return day.weekday() < 5 and day not in _holidays(state, day.year)


def next_working_day(day: dt.date, state: str) -> dt.date:
    """``day`` itself if it is a working day, else the next one."""
    while not is_working_day(day, state):
        day += dt.timedelta(days=1)
    return day


def add_working_days(start: dt.date, days: int, state: str) -> dt.date:
    """The ``days``-th working day after ``start`` (``start`` itself does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, state):
            remaining -= 1
    return day


def add_calendar_days(start: dt.date, days: int, state: str) -> dt.date:
    """A statutory period in calendar days.

    § 31 Abs. 3 VwVfG / § 193 BGB: a period that ends on a Saturday, Sunday or
    public holiday ends on the next working day instead.
    """
    return next_working_day(start + dt.timedelta(days=days), state)


def count_days(start: dt.date, end: dt.date, unit: str, state: str) -> int:
    """Countable days in ``[start, end)`` — working days or calendar days."""
    if end <= start:
        return 0
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return (end - start).days
    total = 0
    day = start
    while day < end:
        if is_working_day(day, state):
            total += 1
        day += dt.timedelta(days=1)
    return total


def add_days(start: dt.date, days: int, unit: str, state: str) -> dt.date:
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return add_calendar_days(start, days, state)
    return add_working_days(start, days, state)


def deadline_for(intake_day: dt.date, days: int, unit: str, state: str) -> dt.date:
    return add_days(intake_day, days, unit, state)


def extend_after_suspension(
    deadline: dt.date, suspended_since: dt.date, resumed_on: dt.date, unit: str, state: str
) -> dt.date:
    """Fristhemmung: the suspended days are not counted, so the deadline moves by them.

    The days from the start of the suspension up to (not including) the day the
    case resumes are added in the deadline's own unit.
    """
    waited = count_days(suspended_since, resumed_on, unit, state)
    if waited == 0:
        return deadline
    if unit == DeadlineUnit.CALENDAR_DAYS:
        return add_calendar_days(deadline, waited, state)
    return add_working_days(deadline, waited, state)


def due_soon_threshold(today: dt.date, working_days: int, state: str) -> dt.date:
    """The last deadline that still counts as due soon."""
    return add_working_days(today, working_days, state)
