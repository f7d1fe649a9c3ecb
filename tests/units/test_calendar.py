import datetime

from units.calendar import add_working_days, working_days_back


def test_friday_plus_five_working_days_is_next_friday():
    friday = datetime.date(2026, 11, 20)
    assert add_working_days(friday, 5) == datetime.date(2026, 11, 27)


def test_saturday_start_counts_from_monday():
    saturday = datetime.date(2026, 11, 21)
    assert add_working_days(saturday, 1) == datetime.date(2026, 11, 23)


def test_working_days_back_skips_weekend():
    monday = datetime.date(2026, 11, 23)
    assert working_days_back(monday, 3) == [
        monday,
        datetime.date(2026, 11, 20),
        datetime.date(2026, 11, 19),
    ]
