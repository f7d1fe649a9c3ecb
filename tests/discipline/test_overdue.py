"""Legal clocks: answer deadlines in working days, overdue detection around weekends, and the
cron-safe overdue notices."""

import datetime
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from discipline import services
from discipline.models import Violation
from tests import factories
from units.models import Notification

FRIDAY = datetime.date(2026, 11, 20)
NEXT_FRIDAY = datetime.date(2026, 11, 27)


def local(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def notify_on(day: datetime.date, violations, by, hour: int = 9):
    with mock.patch("django.utils.timezone.now", return_value=local(day, hour)):
        return services.notify_unit_heads(violations=violations, by=by)


@pytest.fixture
def earlier_violation(inspector, unit_a):
    """Occurred on the Thursday before FRIDAY, so it can be notified on that Friday."""
    return factories.violation(
        factories.staff(unit_a), by=inspector, occurred_at=local(FRIDAY - datetime.timedelta(1))
    )


def test_notified_on_a_friday_with_five_working_days_is_due_the_next_friday(
    inspector, unit_head_a, earlier_violation
):
    notify_on(FRIDAY, [earlier_violation], inspector)
    earlier_violation.refresh_from_db()
    assert earlier_violation.response_due == NEXT_FRIDAY


def test_friday_evening_in_vietnam_counts_as_friday(inspector, unit_head_a, earlier_violation):
    # 23:30 local on Friday is 16:30 UTC: still Friday for the clock.
    notify_on(FRIDAY, [earlier_violation], inspector, hour=23)
    earlier_violation.refresh_from_db()
    assert earlier_violation.response_due == NEXT_FRIDAY


def test_notified_on_a_saturday_is_due_the_friday_after(inspector, unit_head_a, unit_a):
    saturday = FRIDAY + datetime.timedelta(days=1)
    violation = factories.violation(
        factories.staff(unit_a), by=inspector, occurred_at=local(FRIDAY)
    )
    notify_on(saturday, [violation], inspector)
    violation.refresh_from_db()
    assert violation.response_due == NEXT_FRIDAY


def test_the_authority_sets_the_number_of_working_days(
    inspector, unit_head_a, earlier_violation, authority
):
    authority.response_working_days = 1
    authority.save()
    notify_on(FRIDAY, [earlier_violation], inspector)
    earlier_violation.refresh_from_db()
    assert earlier_violation.response_due == datetime.date(2026, 11, 23)  # Monday


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        (datetime.date(2026, 11, 26), False),  # Thursday before the deadline
        (NEXT_FRIDAY, False),  # the due day itself is still in time
        (datetime.date(2026, 11, 28), True),  # Saturday after: late
        (datetime.date(2026, 11, 30), True),  # Monday after: late
    ],
)
def test_overdue_means_notified_and_past_the_due_day(
    inspector, unit_head_a, earlier_violation, today, overdue
):
    notify_on(FRIDAY, [earlier_violation], inspector)
    found = Violation.objects.overdue(today).filter(pk=earlier_violation.pk).exists()
    assert found is overdue
    with mock.patch("django.utils.timezone.localdate", return_value=today):
        earlier_violation.refresh_from_db()
        assert earlier_violation.is_overdue is overdue


def test_answered_violation_is_never_overdue(inspector, unit_head_a, earlier_violation):
    notify_on(FRIDAY, [earlier_violation], inspector)
    services.acknowledge_violation(
        violation=earlier_violation, by=unit_head_a, corrective_action="Đã nhắc nhở."
    )
    assert not Violation.objects.overdue(datetime.date(2026, 12, 31)).exists()


# --- notify_overdue ------------------------------------------------------------------------------


@pytest.fixture
def late(inspector, unit_head_a, unit_head_b, unit_a, unit_b):
    """Two overdue violations in unit A, one in unit B, one answered and one still in time."""
    for user in (inspector, unit_head_a, unit_head_b):
        user.email = f"{user.username}@example.test"
        user.save()
    thursday = local(FRIDAY - datetime.timedelta(1))
    rows = [
        factories.violation(factories.staff(unit), by=inspector, occurred_at=thursday)
        for unit in (unit_a, unit_a, unit_b, unit_a)
    ]
    notify_on(FRIDAY, rows, inspector)
    in_time = factories.violation(factories.staff(unit_a), by=inspector, occurred_at=thursday)
    notify_on(datetime.date(2026, 11, 25), [in_time], inspector)
    services.acknowledge_violation(violation=rows[3], by=unit_head_a, corrective_action="Xong.")
    Notification.objects.all().delete()
    mail.outbox.clear()
    return rows[:3]


def _run(today, capture):
    out = StringIO()
    with capture(execute=True):
        call_command("notify_overdue", f"--date={today.isoformat()}", stdout=out)
    return out.getvalue()


def test_notify_overdue_tells_each_unit_head_and_the_inspectors_once(
    late, inspector, unit_head_a, unit_head_b, django_capture_on_commit_callbacks
):
    saturday = datetime.date(2026, 11, 28)
    output = _run(saturday, django_capture_on_commit_callbacks)
    assert "3 violation(s)" in output
    head_a = Notification.objects.get(user=unit_head_a)
    assert "2" in head_a.subject
    assert head_a.url == "/inbox/?status=overdue"
    assert Notification.objects.get(user=unit_head_b).subject.startswith("1")
    inspector_notice = Notification.objects.get(user=inspector)
    assert inspector_notice.body.count("\n") == 2  # three lines, one per overdue violation
    assert sorted(m.to[0] for m in mail.outbox) == [
        "head_a@example.test",
        "head_b@example.test",
        "inspector@example.test",
    ]
    for violation in late:
        violation.refresh_from_db()
        assert violation.overdue_notice_sent_at is not None
        record = violation.history.order_by("-history_id").first()
        assert (record.history_change_reason, record.history_user) == ("overdue", None)


def test_notify_overdue_run_twice_sends_each_notice_once(late, django_capture_on_commit_callbacks):
    saturday = datetime.date(2026, 11, 28)
    _run(saturday, django_capture_on_commit_callbacks)
    sent = (Notification.objects.count(), len(mail.outbox))
    output = _run(saturday, django_capture_on_commit_callbacks)
    assert "0 violation(s)" in output
    # And the next day (cron, daily) does not repeat them either.
    _run(saturday + datetime.timedelta(days=1), django_capture_on_commit_callbacks)
    assert (Notification.objects.count(), len(mail.outbox)) == sent == (3, 3)


def test_notify_overdue_on_the_due_day_sends_nothing(late, django_capture_on_commit_callbacks):
    _run(NEXT_FRIDAY, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()
    assert all(
        v.overdue_notice_sent_at is None
        for v in Violation.objects.filter(pk__in=[x.pk for x in late])
    )


def test_a_violation_that_becomes_overdue_later_gets_its_own_notice(
    late, inspector, unit_a, unit_head_a, django_capture_on_commit_callbacks
):
    _run(datetime.date(2026, 11, 28), django_capture_on_commit_callbacks)
    newer = factories.violation(
        factories.staff(unit_a), by=inspector, occurred_at=local(datetime.date(2026, 11, 23))
    )
    notify_on(datetime.date(2026, 11, 24), [newer], inspector)  # due Tuesday 1 December
    Notification.objects.filter(key="").delete()  # the new-violation notice
    _run(datetime.date(2026, 12, 2), django_capture_on_commit_callbacks)
    fresh = Notification.objects.filter(user=unit_head_a).order_by("-pk").first()
    assert fresh.subject.startswith("1")
    assert str(newer.staff) in fresh.body


def test_notify_overdue_rejects_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("notify_overdue", "--date=27/11/2026")
