"""The legal clocks of discipline/legal.py at their boundaries."""

import datetime

import pytest
from django.utils import timezone

from discipline import legal
from discipline.models import Violation
from tests import factories

D = datetime.date


def test_handling_limit_last_day_is_the_ninetieth_after_detection():
    clock = legal.handling_clock(detected_on=D(2026, 1, 1), today=D(2026, 1, 1))
    assert clock.last_day == D(2026, 4, 1)
    assert clock.days_left == 90


def test_handling_limit_on_its_last_day_is_not_expired():
    clock = legal.handling_clock(detected_on=D(2026, 1, 1), today=D(2026, 4, 1))
    assert clock.days_left == 0
    assert not clock.expired
    assert clock.state == "due"


def test_handling_limit_the_day_after_is_expired():
    clock = legal.handling_clock(detected_on=D(2026, 1, 1), today=D(2026, 4, 2))
    assert clock.expired
    assert clock.days_overdue == 1
    assert clock.state == "expired"


def test_extended_handling_limit_runs_150_days():
    clock = legal.handling_clock(detected_on=D(2026, 1, 1), extended=True, today=D(2026, 4, 2))
    assert clock.last_day == D(2026, 5, 31)
    assert not clock.expired
    assert "150" in clock.label


def test_a_decision_on_the_last_day_meets_the_limit_and_the_next_day_is_late():
    on_time = legal.handling_clock(
        detected_on=D(2026, 1, 1), decided_on=D(2026, 4, 1), today=D(2026, 6, 1)
    )
    late = legal.handling_clock(
        detected_on=D(2026, 1, 1), decided_on=D(2026, 4, 2), today=D(2026, 6, 1)
    )
    assert on_time.met and on_time.state == "met" and not on_time.expired
    assert not late.met and late.state == "late"


def test_limitation_at_reprimand_level_is_five_years_to_the_day():
    clock = legal.limitation_clock(
        occurred_on=D(2020, 3, 10), reprimand_level=True, today=D(2025, 3, 10)
    )
    assert clock.last_day == D(2025, 3, 10)
    assert clock.days_left == 0 and not clock.expired
    after = legal.limitation_clock(
        occurred_on=D(2020, 3, 10), reprimand_level=True, today=D(2025, 3, 11)
    )
    assert after.expired


def test_limitation_for_heavier_breaches_is_ten_years():
    clock = legal.limitation_clock(
        occurred_on=D(2020, 3, 10), reprimand_level=False, today=D(2025, 3, 11)
    )
    assert clock.last_day == D(2030, 3, 10)
    assert not clock.expired
    assert clock.days_left == (D(2030, 3, 10) - D(2025, 3, 11)).days


def test_limitation_from_29_february_ends_on_28_february():
    clock = legal.limitation_clock(
        occurred_on=D(2024, 2, 29), reprimand_level=True, today=D(2024, 3, 1)
    )
    assert clock.last_day == D(2029, 2, 28)


def test_visit_finding_is_detected_the_day_it_happened(unit_a, inspector):
    violation = Violation(
        source="visit",
        occurred_at=factories.local(2026, 3, 2, 7, 40),
        recorded_at=factories.local(2026, 3, 9, 9, 0),
    )
    assert legal.detected_on(violation) == D(2026, 3, 2)


def test_other_breaches_are_detected_when_recorded():
    violation = Violation(
        source="feedback",
        occurred_at=factories.local(2026, 3, 2, 7, 40),
        # 23:30 in Hà Nội on 9 March is still 9 March although it is 16:30 UTC.
        recorded_at=factories.local(2026, 3, 9, 23, 30),
    )
    assert legal.detected_on(violation) == D(2026, 3, 9)


@pytest.mark.django_db
def test_violation_without_decision_shows_both_limitation_periods(unit_a, inspector):
    violation = factories.violation(factories.staff(unit_a), by=inspector)
    clocks = legal.violation_clocks(violation, today=timezone.localdate())
    assert [c.last_day.year - c.start.year for c in clocks[1:]] == [5, 10]
    assert clocks[0].last_day == timezone.localdate() + datetime.timedelta(days=90)
