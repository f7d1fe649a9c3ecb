"""Dashboard and report benchmark (not a timed test: it prints figures, asserts correctness).

    make bench-reports                                   # SQLite
    DATABASE_URL=postgres://… make bench-reports         # PostgreSQL (the figures that count)

Loads the demo district and times, as the demo `leader` through the full request cycle, the
dashboard, the report page, the .xlsx (every violation of the year on its last sheet) and the
.docx for the current year; then bulk-creates 100,000 violations spread over this year in 30
communes of 100 people each and times the same again. Runs on a throw-away test database
(test_<name> of DATABASE_URL), never on real data."""

import datetime
import random
import statistics
import time

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection, reset_queries
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from discipline.models import Violation, ViolationType
from units.models import Authority, Staff, Unit

VIOLATIONS = 100_000
UNITS = 30
PEOPLE = 100


def _timed(client, name: str, params: dict, repeat: int) -> tuple[float, float, int]:
    times, size = [], 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(reverse(f"discipline:{name}"), params)
        content = (
            b"".join(response.streaming_content)
            if getattr(response, "streaming", False)
            else response.content
        )
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (name, response.status_code)
        size = len(content)
    return statistics.median(times), max(times), size


def _bench(client, label: str, year: int) -> None:
    params = {"period": str(year)}
    print(f"\n{label} on {connection.vendor}: {Violation.objects.count():,} violations")
    for name, repeat in (("dashboard", 5), ("report", 5), ("report_docx", 3), ("report_xlsx", 1)):
        median, worst, size = _timed(client, name, params, repeat)
        print(
            f"  {name:<14} median {median * 1000:8.0f} ms   max {worst * 1000:8.0f} ms"
            f"   ({repeat} run{'s' if repeat > 1 else ''}, {size / 1024:,.0f} KiB)"
        )


def _bulk_violations(authority: Authority, recorder: User, year: int) -> None:
    rng = random.Random(455)
    units = Unit.objects.bulk_create(
        Unit(
            authority=authority,
            name=f"UBND xã Thử nghiệm {n:02d}",
            code=f"TN{n:02d}",
            kind="commune",
        )
        for n in range(UNITS)
    )
    people = Staff.objects.bulk_create(
        Staff(
            authority=authority,
            unit=unit,
            full_name=f"Người thử {unit.code}-{n:03d}",
            badge_number=f"TN-{unit.code}-{n:03d}",
        )
        for unit in units
        for n in range(PEOPLE)
    )
    types = list(ViolationType.objects.all())
    start = timezone.make_aware(datetime.datetime(year, 1, 1, 7, 0))
    span = (timezone.now() - datetime.timedelta(hours=1) - start).total_seconds()
    statuses = ["recorded", "notified", "acknowledged", "upheld", "closed", "dismissed"]
    batch = []
    for _ in range(VIOLATIONS):
        person = rng.choice(people)
        when = start + datetime.timedelta(seconds=rng.random() * span)
        status = rng.choice(statuses)
        notified = status != "recorded"
        batch.append(
            Violation(
                staff=person,
                unit_id=person.unit_id,
                type=rng.choice(types),
                occurred_at=when,
                status=status,
                recorded_by=recorder,
                response_due=(when + datetime.timedelta(days=7)).date() if notified else None,
                answered_at=when + datetime.timedelta(days=rng.randint(1, 10))
                if status not in ("recorded", "notified")
                else None,
            )
        )
        if len(batch) == 5000:
            Violation.objects.bulk_create(batch)
            batch = []
    Violation.objects.bulk_create(batch)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would, before the figures are read


@pytest.mark.django_db(transaction=True)
def test_dashboard_and_report_times(serialized_rollback_db, settings):
    settings.DEBUG = False
    call_command("loaddemo", "--force", verbosity=0)
    leader = User.objects.get(username="leader")
    client = Client()
    client.force_login(leader)
    year = timezone.localdate().year
    _bench(client, "Demo district", year)

    start = time.perf_counter()
    _bulk_violations(leader.staff.authority, leader, year)
    print(f"\n  (bulk-created {VIOLATIONS:,} violations in {time.perf_counter() - start:.1f} s)")
    reset_queries()
    _bench(client, "Province scale", year)
    response = client.get(reverse("discipline:dashboard"), {"period": str(year)})
    assert response.context["board"].total >= VIOLATIONS * 5 // 6 * 0.95
