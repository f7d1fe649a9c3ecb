"""The demo district's violations went through the real services: the history shows who took
each step, in order, at the time it happened."""

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from discipline.models import Violation
from units.models import Notification


@pytest.fixture
def demo(demo_district, db):
    """The demo, loaded once for this module (tests/conftest.py)."""


def _steps(violation):
    return list(
        violation.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    )


def test_demo_past_mailed_nobody_and_old_notices_are_read(
    db, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("loaddemo", "--force", verbosity=0)
    assert Notification.objects.exists()
    assert mailoutbox == [], [m.subject for m in mailoutbox]
    assert callbacks == []
    unithead = User.objects.get(username="unithead")
    assert unithead.email == "unithead@vinhhung.example"
    assert Notification.objects.filter(user=unithead).exists()
    assert Notification.objects.filter(user=unithead, read_at__isnull=True).count() < 5


def test_khanh_hung_answers_are_the_unit_heads_and_rulings_the_inspectors(demo):
    disputed_then_ruled = [
        v
        for v in Violation.objects.filter(unit__code="KH", ruled_at__isnull=False)
        if any(step == "disputed" for step, _ in _steps(v))
    ]
    assert disputed_then_ruled
    for violation in disputed_then_ruled:
        steps = _steps(violation)
        assert steps[:3] == [
            ("recorded", "inspector"),
            ("notified", "inspector"),
            ("disputed", "unithead"),
        ]
        assert steps[3][0] in ("upheld", "dismissed") and steps[3][1] == "inspector"


def test_demo_history_is_in_time_order_and_in_the_past(demo):
    from django.utils import timezone

    now = timezone.now()
    for violation in Violation.objects.exclude(status="recorded"):
        dates = list(
            violation.history.order_by("history_id").values_list("history_date", flat=True)
        )
        assert dates == sorted(dates), violation.pk
        assert dates[-1] <= now
        assert violation.notified_at == dates[1]
