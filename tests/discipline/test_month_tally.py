"""ViolationMonthTally, kept by database triggers, always equals counting the violations by
unit, local month, type and status; and the dashboard and report figures read from it equal
counting the violations, for whole-month periods and date ranges that cut months."""

import datetime

import pytest
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from discipline import reports, services
from discipline.models import Violation, ViolationMonthTally
from tests import factories
from tests.factories import local
from units.models import Unit


def _tally() -> dict:
    return {
        (row.unit_id, row.month, row.type_id, row.status): row.count
        for row in ViolationMonthTally.objects.all()
        if row.count
    }


def _counted() -> dict:
    rows = (
        Violation.objects.annotate(
            month=TruncMonth("occurred_at", tzinfo=timezone.get_current_timezone())
        )
        .values("unit_id", "month", "type_id", "status")
        .annotate(n=Count("pk"))
    )
    found = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        found[(row["unit_id"], month, row["type_id"], row["status"])] = row["n"]
    return found


@pytest.mark.django_db
def test_month_tally_follows_every_change(unit_a, unit_b, inspector):
    # The last minute of June and the first of July, local time (UTC is 7 hours behind).
    june = factories.violation(
        factories.staff(unit_a), by=inspector, occurred_at=local(2025, 6, 30, 23, 59)
    )
    july = factories.violation(
        factories.staff(unit_a), by=inspector, code="absent", occurred_at=local(2025, 7, 1, 0, 0)
    )
    factories.violation(factories.staff(unit_b), by=inspector, occurred_at=local(2025, 7, 15, 9))
    tally = _tally()
    assert tally == _counted()
    assert tally[(unit_a.pk, datetime.date(2025, 6, 1), june.type_id, "recorded")] == 1
    assert tally[(unit_a.pk, datetime.date(2025, 7, 1), july.type_id, "recorded")] == 1

    services.notify_unit_heads(violations=[june], by=inspector)  # a status change
    assert _tally() == _counted()

    Violation.objects.filter(unit=unit_a).update(status="closed")  # bulk status change
    Violation.objects.filter(unit=unit_b).update(unit=unit_a)  # unit change
    assert _tally() == _counted()

    Violation.objects.filter(pk=july.pk).update(type=june.type)  # type change
    Violation.objects.filter(pk=june.pk).update(occurred_at=local(2025, 7, 1, 0, 1))  # month
    assert _tally() == _counted()
    assert (unit_a.pk, datetime.date(2025, 6, 1), june.type_id, "closed") not in _tally()

    Violation.objects.filter(pk=july.pk).update(occurred_at=local(2025, 7, 20, 8))  # same month
    assert _tally() == _counted()

    Violation.objects.filter(pk=june.pk).delete()
    assert _tally() == _counted()
    Violation.objects.all().delete()
    assert _tally() == _counted() == {}


def _plain(units, period):
    """The figures counted on the violations themselves, as before the tally."""
    found = {}
    for violation in reports.in_period(reports.counted_violations(units), period).select_related(
        "type"
    ):
        key = (violation.unit_id, violation.type.category)
        n, standing = found.get(key, (0, 0))
        found[key] = (n + 1, standing + (violation.status in Violation.STANDING_STATUSES))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "period",
    [
        reports.period_of("quarter", 2025, 3),
        reports.period_of("month", 2025, 7),
        reports.period_of("year", 2025),
        reports.custom_period(datetime.date(2025, 6, 30), datetime.date(2025, 7, 31)),
        reports.custom_period(datetime.date(2025, 7, 1), datetime.date(2025, 9, 29)),
        reports.custom_period(datetime.date(2025, 6, 15), datetime.date(2025, 8, 10)),
        reports.custom_period(datetime.date(2025, 7, 2), datetime.date(2025, 7, 20)),
    ],
    ids=lambda p: p.token if p.kind != "custom" else f"{p.start}..{p.end}",
)
def test_figures_from_the_tally_equal_counting(unit_a, unit_b, inspector, period):
    moments = [
        local(2025, 6, 30, 23, 59),
        local(2025, 7, 1, 0, 0),
        local(2025, 7, 1, 23, 59),
        local(2025, 7, 20, 12),
        local(2025, 7, 31, 23, 59),
        local(2025, 8, 10, 23, 59),
        local(2025, 8, 11, 0, 0),
        local(2025, 9, 29, 23, 59),
        local(2025, 9, 30, 23, 59),
        local(2025, 10, 1, 0, 0),
    ]
    statuses = ["recorded", "acknowledged", "upheld", "closed", "voided", "dismissed", "notified"]
    codes = ["late_early", "absent", "no_badge", "alcohol"]
    for i, moment in enumerate(moments * 2):
        unit = unit_a if i % 3 else unit_b
        violation = factories.violation(
            factories.staff(unit), by=inspector, code=codes[i % len(codes)], occurred_at=moment
        )
        status = statuses[i % len(statuses)]
        Violation.objects.filter(pk=violation.pk).update(
            status=status, void_reason="nhầm" if status == "voided" else ""
        )
    units = Unit.objects.filter(pk__in=[unit_a.pk, unit_b.pk])
    expected = _plain(units, period)
    assert reports.by_unit_and_category(units, period) == expected
    counted = reports.summary(units, period=period, today=datetime.date(2026, 1, 15))
    assert counted.violations == sum(n for n, _s in expected.values())
    assert counted.standing == sum(s for _n, s in expected.values())
    board = reports.dashboard(units, period=period, today=datetime.date(2026, 1, 15))
    assert board.total == counted.violations
    assert sum(m["total"] for m in board.months) == board.total
