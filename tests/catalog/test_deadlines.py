"""Deadline arithmetic: weekends, state holidays, statutory calendar periods, suspension."""

import datetime as dt

from buergerticket.catalog.deadlines import (
    add_calendar_days,
    add_working_days,
    count_days,
    extend_after_suspension,
    is_working_day,
)

D = dt.date


def test_working_days_skip_weekends():
    friday = D(2026, 11, 20)
    assert add_working_days(friday, 1, "NW") == D(2026, 11, 23)
    assert add_working_days(friday, 5, "NW") == D(2026, 11, 27)


def test_public_holidays_depend_on_the_federal_state():
    # Fronleichnam (4 June 2026) is a holiday in NRW, not in Berlin.
    wednesday = D(2026, 6, 3)
    assert not is_working_day(D(2026, 6, 4), "NW")
    assert is_working_day(D(2026, 6, 4), "BE")
    assert add_working_days(wednesday, 1, "NW") == D(2026, 6, 5)
    assert add_working_days(wednesday, 1, "BE") == D(2026, 6, 4)
    # Frauentag (8 March) only in Berlin (and MV since 2023); 2027-03-08 is a Monday.
    assert not is_working_day(D(2027, 3, 8), "BE")
    assert is_working_day(D(2027, 3, 8), "NW")


def test_christmas_and_new_year_are_skipped():
    # Heiligabend is a working day by law; 25th and 26th are holidays.
    assert add_working_days(D(2026, 12, 23), 3, "NW") == D(2026, 12, 29)
    assert add_working_days(D(2026, 12, 30), 2, "NW") == D(2027, 1, 4)


def test_calendar_period_ending_on_a_holiday_moves_to_the_next_working_day():
    # § 31 Abs. 3 VwVfG: 3 October 2026 (Saturday, Tag der Deutschen Einheit) → Monday.
    assert add_calendar_days(D(2026, 9, 19), 14, "NW") == D(2026, 10, 5)
    assert add_calendar_days(D(2026, 9, 17), 14, "NW") == D(2026, 10, 1)


def test_suspension_extends_by_the_waited_days_in_the_deadlines_unit():
    deadline = D(2026, 11, 27)  # Friday
    # Suspended Monday 16th, resumed Monday 23rd: five working days waited.
    assert count_days(D(2026, 11, 16), D(2026, 11, 23), "working", "NW") == 5
    assert extend_after_suspension(
        deadline, D(2026, 11, 16), D(2026, 11, 23), "working", "NW"
    ) == D(2026, 12, 4)
    # Calendar-day deadlines move by calendar days (7), landing on a Friday.
    assert extend_after_suspension(
        deadline, D(2026, 11, 16), D(2026, 11, 23), "calendar", "NW"
    ) == D(2026, 12, 4)
    assert (
        extend_after_suspension(deadline, D(2026, 11, 16), D(2026, 11, 16), "working", "NW")
        == deadline
    )
