"""ViolationMonthTally and ViolationDueTally, kept by database triggers, always equal counting
the violations (by unit, local month and type: those that count and those that stand; by unit,
month of the due date, type and lateness of the answer: those not voided); and the dashboard
and report figures read from them equal counting the violations, for whole-month periods and
date ranges that cut months."""

import datetime

import pytest
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from discipline import reports, services
from discipline.models import (
    Violation,
    ViolationDueTally,
    ViolationMonthTally,
    ViolationStaffYearTally,
    ViolationStaffYearTotal,
)
from tests import factories
from tests.factories import local
from units.models import Unit

TODAY = datetime.date(2026, 1, 15)


def _tally() -> dict:
    return {
        (row.unit_id, row.month, row.type_id): (row.counted, row.standing)
        for row in ViolationMonthTally.objects.all()
        if row.counted or row.standing
    }


def _counted() -> dict:
    rows = (
        Violation.objects.exclude(status__in=[Violation.Status.VOIDED, Violation.Status.DISMISSED])
        .annotate(month=TruncMonth("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("unit_id", "month", "type_id")
        .annotate(
            n=Count("pk"), standing=Count("pk", filter=Q(status__in=Violation.STANDING_STATUSES))
        )
    )
    found = {}
    for row in rows:
        month = row["month"]
        if isinstance(month, datetime.datetime):
            month = timezone.localtime(month).date() if timezone.is_aware(month) else month.date()
        found[(row["unit_id"], month, row["type_id"])] = (row["n"], row["standing"])
    return found


def _due_tally() -> dict:
    return {
        (row.unit_id, row.due_month, row.type_id, row.answered_late): row.count
        for row in ViolationDueTally.objects.all()
        if row.count
    }


def _due_counted() -> dict:
    found = {}
    for v in Violation.objects.filter(response_due__isnull=False).exclude(status="voided"):
        late = v.answered_at is not None and timezone.localdate(v.answered_at) > v.response_due
        key = (v.unit_id, v.response_due.replace(day=1), v.type_id, late)
        found[key] = found.get(key, 0) + 1
    return found


def _staff_tally() -> dict:
    return {
        (row.year, row.unit_id, row.staff_id): row.count
        for row in ViolationStaffYearTally.objects.all()
        if row.count
    }


def _staff_counted() -> dict:
    found = {}
    for v in Violation.objects.filter(status__in=Violation.STANDING_STATUSES):
        key = (timezone.localtime(v.occurred_at).year, v.unit_id, v.staff_id)
        found[key] = found.get(key, 0) + 1
    return found


def _staff_totals() -> dict:
    return {
        (row.authority_id, row.year, row.staff_id): row.count
        for row in ViolationStaffYearTotal.objects.all()
        if row.count
    }


def _staff_totals_counted() -> dict:
    found = {}
    for v in Violation.objects.filter(status__in=Violation.STANDING_STATUSES).select_related(
        "unit"
    ):
        key = (v.unit.authority_id, timezone.localtime(v.occurred_at).year, v.staff_id)
        found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.django_db
def test_staff_year_tally_follows_every_change(unit_a, unit_b, inspector):
    person, other = factories.staff(unit_a), factories.staff(unit_b)
    # The last minute of 2024 and the first of 2025, local time.
    old = factories.violation(person, by=inspector, occurred_at=local(2024, 12, 31, 23, 59))
    new = factories.violation(person, by=inspector, occurred_at=local(2025, 1, 1, 0, 0))
    assert _staff_tally() == _staff_counted() == {}  # recorded: not standing yet
    Violation.objects.all().update(status="acknowledged")
    tally = _staff_tally()
    assert tally == _staff_counted()
    assert tally == {(2024, unit_a.pk, person.pk): 1, (2025, unit_a.pk, person.pk): 1}
    Violation.objects.filter(pk=old.pk).update(occurred_at=local(2025, 3, 1, 8))  # year
    assert _staff_tally() == _staff_counted() == {(2025, unit_a.pk, person.pk): 2}
    Violation.objects.filter(pk=new.pk).update(staff=other, unit=unit_b)  # person and unit
    assert _staff_tally() == _staff_counted()
    Violation.objects.filter(pk=new.pk).update(status="upheld")  # standing to standing
    Violation.objects.filter(pk=old.pk).update(status="dismissed")  # no longer standing
    assert _staff_tally() == _staff_counted() == {(2025, unit_b.pk, other.pk): 1}
    Violation.objects.all().delete()
    assert _staff_tally() == _staff_counted() == {}
    assert _staff_totals() == _staff_totals_counted() == {}


@pytest.mark.django_db
def test_staff_year_totals_follow_every_change(
    unit_a, unit_b, inspector, other_unit, other_inspector
):
    """The per-person totals (0016) sum a person's year over the units of one Authority,
    following the per-unit tally through every kind of change."""
    person = factories.staff(unit_a)
    elsewhere = other_unit  # another Authority
    stranger = factories.staff(elsewhere)
    first = factories.violation(person, by=inspector, occurred_at=local(2025, 3, 1, 8))
    second = factories.violation(person, by=inspector, occurred_at=local(2025, 4, 1, 8))
    third = factories.violation(stranger, by=other_inspector, occurred_at=local(2025, 4, 1, 8))
    assert _staff_totals() == _staff_totals_counted() == {}
    Violation.objects.all().update(status="acknowledged")
    authority = unit_a.authority_id
    assert _staff_totals() == _staff_totals_counted()
    assert _staff_totals() == {
        (authority, 2025, person.pk): 2,
        (elsewhere.authority_id, 2025, stranger.pk): 1,
    }
    # One violation moves to the person's other unit: two tally rows, the same total.
    Violation.objects.filter(pk=second.pk).update(unit=unit_b)
    assert len(_staff_tally()) == 3
    assert _staff_totals()[(authority, 2025, person.pk)] == 2
    assert _staff_totals() == _staff_totals_counted()
    Violation.objects.filter(pk=first.pk).update(occurred_at=local(2024, 12, 31, 23, 59))
    assert _staff_totals() == _staff_totals_counted()
    Violation.objects.filter(pk=first.pk).update(status="dismissed")
    assert _staff_totals() == _staff_totals_counted()
    Violation.objects.filter(pk=third.pk).update(staff=person, unit=unit_a)
    assert _staff_totals() == _staff_totals_counted() == {(authority, 2025, person.pk): 2}
    Violation.objects.filter(pk=first.pk).update(status="upheld")
    assert _staff_totals() == _staff_totals_counted()
    Violation.objects.all().delete()
    assert _staff_totals() == _staff_totals_counted() == {}


@pytest.mark.django_db
def test_due_tally_follows_every_change(unit_a, unit_b, inspector):
    first = factories.violation(factories.staff(unit_a), by=inspector)
    second = factories.violation(factories.staff(unit_b), by=inspector, code="absent")
    assert _due_tally() == _due_counted() == {}  # no due date yet: not counted

    # Due on 31/07; answered on the due day at 23:59 local time (on time), then a minute later.
    Violation.objects.filter(pk=first.pk).update(
        status="notified", response_due=datetime.date(2025, 7, 31)
    )
    Violation.objects.filter(pk=second.pk).update(
        status="notified", response_due=datetime.date(2025, 8, 1)
    )
    assert _due_tally() == _due_counted()
    Violation.objects.filter(pk=first.pk).update(
        status="acknowledged", answered_at=local(2025, 7, 31, 23, 59)
    )
    tally = _due_tally()
    assert tally == _due_counted()
    assert tally[(unit_a.pk, datetime.date(2025, 7, 1), first.type_id, False)] == 1
    Violation.objects.filter(pk=first.pk).update(answered_at=local(2025, 8, 1, 0, 0))
    tally = _due_tally()
    assert tally == _due_counted()
    assert tally[(unit_a.pk, datetime.date(2025, 7, 1), first.type_id, True)] == 1
    Violation.objects.filter(pk=first.pk).update(
        status="voided", void_reason="Ghi nhầm người"
    )  # not awaited
    assert (unit_a.pk, datetime.date(2025, 7, 1), first.type_id, True) not in _due_tally()
    assert _due_tally() == _due_counted()
    Violation.objects.filter(pk=first.pk).update(status="upheld")  # back
    assert _due_tally() == _due_counted()

    Violation.objects.filter(pk=first.pk).update(response_due=datetime.date(2025, 8, 5))
    Violation.objects.filter(pk=second.pk).update(unit=unit_a, type=first.type)
    assert _due_tally() == _due_counted()
    Violation.objects.filter(pk=second.pk).update(response_due=None)
    assert _due_tally() == _due_counted()
    Violation.objects.all().delete()
    assert _due_tally() == _due_counted() == {}


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
    assert tally[(unit_a.pk, datetime.date(2025, 6, 1), june.type_id)] == (1, 0)
    assert tally[(unit_a.pk, datetime.date(2025, 7, 1), july.type_id)] == (1, 0)

    services.notify_unit_heads(violations=[june], by=inspector)  # a status change
    assert _tally() == _counted()
    Violation.objects.filter(pk=june.pk).update(status="acknowledged")  # now standing
    assert _tally()[(unit_a.pk, datetime.date(2025, 6, 1), june.type_id)] == (1, 1)
    Violation.objects.filter(pk=june.pk).update(status="dismissed")  # no longer counts
    assert _tally() == _counted()
    assert (unit_a.pk, datetime.date(2025, 6, 1), june.type_id) not in _tally()
    Violation.objects.filter(pk=june.pk).update(
        status="voided", void_reason="Ghi nhầm người"
    )  # neither
    assert _tally() == _counted()

    Violation.objects.filter(unit=unit_a).update(status="closed")  # bulk status change
    Violation.objects.filter(unit=unit_b).update(unit=unit_a)  # unit change
    assert _tally() == _counted()

    Violation.objects.filter(pk=july.pk).update(type=june.type)  # type change
    Violation.objects.filter(pk=june.pk).update(occurred_at=local(2025, 7, 1, 0, 1))  # month
    assert _tally() == _counted()
    assert (unit_a.pk, datetime.date(2025, 6, 1), june.type_id) not in _tally()

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
    people = {unit_a.pk: factories.staff(unit_a), unit_b.pk: factories.staff(unit_b)}
    for i, moment in enumerate(moments * 2):
        unit = unit_a if i % 3 else unit_b
        person = people[unit.pk] if i % 2 else factories.staff(unit)
        violation = factories.violation(
            person, by=inspector, code=codes[i % len(codes)], occurred_at=moment
        )
        status = statuses[i % len(statuses)]
        due = moment.date() + datetime.timedelta(days=7 * (i % 3) - 3) if i % 4 else None
        answered = local(due.year, due.month, due.day, 23, 59) if due and i % 5 else None
        if answered and i % 2:
            answered += datetime.timedelta(minutes=1)  # the next local day: late
        Violation.objects.filter(pk=violation.pk).update(
            status=status,
            void_reason="nhầm" if status == "voided" else "",
            response_due=due,
            answered_at=answered,
        )
    units = Unit.objects.filter(pk__in=[unit_a.pk, unit_b.pk])
    expected = _plain(units, period)
    assert reports.by_unit_and_category(units, period) == expected
    counted = reports.summary(units, period=period, today=datetime.date(2026, 1, 15))
    assert counted.violations == sum(n for n, _s in expected.values())
    assert counted.standing == sum(s for _n, s in expected.values())
    board = reports.dashboard(units, period=period, today=datetime.date(2026, 1, 15))
    assert board.total == counted.violations
    # Repeat offenders (from the per-person year tally for a year) as counted on violations.
    standing = (
        reports.in_period(reports.counted_violations(units), period)
        .filter(status__in=Violation.STANDING_STATUSES)
        .values("staff_id")
        .annotate(n=Count("pk"))
    )
    offenders = {row["staff_id"]: row["n"] for row in standing if row["n"] >= 2}
    assert counted.repeat_offenders == board.offender_count == len(offenders)
    assert {o["staff_id"]: o["count"] for o in board.offenders} == offenders
    # Every unit of the Authority, told so (selectors.report_scope): a year's offenders come
    # from the per-person totals, and equal the figures summed from the tally.
    everywhere = Unit.objects.filter(authority_id=unit_a.authority_id)
    whole = reports.dashboard(everywhere, period=period, today=TODAY, authority=unit_a.authority_id)
    assert (whole.offenders, whole.offender_count) == (board.offenders, board.offender_count)
    assert reports.summary(
        everywhere, period=period, today=TODAY, authority=unit_a.authority_id
    ).repeat_offenders == len(offenders)
    assert sum(m["total"] for m in board.months) == board.total

    # Answers: as counted on the violations before the due tally, for several "todays".
    for today in (datetime.date(2025, 7, 20), datetime.date(2025, 8, 31), TODAY):
        plain = (
            reports._answers(units, "")
            .filter(response_due__gte=period.start, response_due__lte=period.end)
            .values("unit_id")
            .annotate(**reports._answer_counts(period, today))
            .order_by()
        )
        expected_answers = {row.pop("unit_id"): row for row in plain}
        assert reports.answers_by_unit(units, period, today) == expected_answers
        overdue = (
            reports._answers(units, "").filter(status="notified", response_due__lt=today).count()
        )
        assert reports.answers_summary(units, period, today) == {
            "answers_due": sum(r["answers_due"] for r in expected_answers.values()),
            "answers_late": sum(r["answers_late"] for r in expected_answers.values()),
            "answers_overdue_now": overdue,
        }
