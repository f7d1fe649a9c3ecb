"""Working-day arithmetic for legal clocks. Saturdays and Sundays are not working days;
public holidays are not modelled (yet), so deadlines may fall on a holiday."""

import datetime


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted).

    A violation notified on a Friday with 5 working days is due the next Friday.
    """
    current = start
    remaining = days
    while remaining > 0:
        current += datetime.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_back(end: datetime.date, days: int) -> list[datetime.date]:
    """The last `days` working days up to and including `end` if it is one, newest first."""
    found: list[datetime.date] = []
    current = end
    while len(found) < days:
        if is_working_day(current):
            found.append(current)
        current -= datetime.timedelta(days=1)
    return found
