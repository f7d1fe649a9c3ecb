import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from discipline import services
from discipline.models import Violation
from tests import factories
from units.models import Notification


def test_record_violation_keeps_unit_and_actor(inspector, unit_a):
    person = factories.staff(unit_a)
    violation = factories.violation(person, by=inspector)
    assert violation.unit == unit_a
    assert violation.status == Violation.Status.RECORDED
    record = violation.history.get()
    assert (record.history_user, record.history_change_reason) == (inspector, "recorded")


def test_record_violation_in_future_saves_nothing(inspector, unit_a):
    person = factories.staff(unit_a)
    with pytest.raises(ValidationError) as error:
        factories.violation(
            person, by=inspector, occurred_at=timezone.now() + datetime.timedelta(minutes=5)
        )
    assert "occurred_at" in error.value.message_dict
    assert not Violation.objects.exists()


def test_record_violation_for_staff_of_other_unit_saves_nothing(inspector, unit_a, unit_b):
    person = factories.staff(unit_b)
    with pytest.raises(ValidationError) as error:
        factories.violation(person, by=inspector, unit=unit_a)
    assert "staff" in error.value.message_dict
    assert not Violation.objects.exists()


def test_record_violation_outside_scope_is_refused(other_inspector, unit_a):
    with pytest.raises(PermissionDenied):
        factories.violation(factories.staff(unit_a), by=other_inspector)


def test_void_needs_a_reason_and_keeps_the_row(inspector, violation_a):
    with pytest.raises(services.ViolationError):
        services.void_violation(violation=violation_a, by=inspector, reason="  ")
    services.void_violation(violation=violation_a, by=inspector, reason="Nhầm người")
    violation_a.refresh_from_db()
    assert violation_a.status == Violation.Status.VOIDED
    assert violation_a.void_reason == "Nhầm người"
    with pytest.raises(services.ViolationError):
        services.void_violation(violation=violation_a, by=inspector, reason="lần hai")


def test_notify_unit_heads_starts_the_clock_and_tells_the_head(
    inspector, unit_head_a, unit_a, unit_b
):
    thursday = timezone.make_aware(datetime.datetime(2026, 11, 19, 7, 40))
    violation_a = factories.violation(factories.staff(unit_a), by=inspector, occurred_at=thursday)
    violation_b = factories.violation(factories.staff(unit_b), by=inspector, occurred_at=thursday)
    friday = timezone.make_aware(datetime.datetime(2026, 11, 20, 9, 0))
    with mock.patch("django.utils.timezone.now", return_value=friday):
        done = services.notify_unit_heads(violations=[violation_a, violation_b], by=inspector)
    assert {v.pk for v in done} == {violation_a.pk, violation_b.pk}
    violation_a.refresh_from_db()
    assert violation_a.status == Violation.Status.NOTIFIED
    assert violation_a.response_due == datetime.date(2026, 11, 27)
    assert Notification.objects.filter(user=unit_head_a).count() == 1
    assert violation_a.history.order_by("-history_id").first().history_change_reason == "notified"


def test_notify_unit_heads_skips_violations_already_notified(inspector, unit_head_a, violation_a):
    services.notify_unit_heads(violations=[violation_a], by=inspector)
    assert services.notify_unit_heads(violations=[violation_a], by=inspector) == []
    assert Notification.objects.filter(user=unit_head_a).count() == 1
