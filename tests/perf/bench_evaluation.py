"""Evaluation sheet and decisions benchmark (not a timed test: it prints figures, asserts only
correctness).

    DATABASE_URL=postgres://… .venv/bin/pytest -q -s tests/perf/bench_evaluation.py

Fills a throw-away test database with one Authority of BENCH_STAFF staff (30,000 by default),
BENCH_VIOLATIONS violations (100,000) over two years and 2,000 decisions, then prints the server
time of the evaluation page (first and a far page, one unit, people with a record only), the
decision list, and the .xlsx export for one unit and for the whole Authority."""

import datetime
import os
import random
import statistics
import time

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from discipline.models import Decision, Violation, ViolationType
from tests import factories
from units.models import Staff

STAFF = int(os.environ.get("BENCH_STAFF", "30000"))
VIOLATIONS = int(os.environ.get("BENCH_VIOLATIONS", "100000"))
DECISIONS = 2000


def _fill(authority, units, recorder):
    rng = random.Random(455)
    staff = Staff.objects.bulk_create(
        [
            Staff(
                authority=authority,
                unit=rng.choice(units),
                full_name=f"Nguyễn Thị Thử {i}",
                position="Chuyên viên",
            )
            for i in range(STAFF)
        ],
        batch_size=5000,
    )
    unit_of = {s.pk: s.unit_id for s in staff}
    ids = list(unit_of)
    types = list(ViolationType.objects.all())
    now = timezone.now()
    Violation.objects.bulk_create(
        [
            Violation(
                staff_id=(sid := rng.choice(ids)),
                unit_id=unit_of[sid],
                type=rng.choice(types),
                occurred_at=now - datetime.timedelta(days=rng.randint(1, 600)),
                status=rng.choice(["acknowledged", "upheld", "closed", "notified", "recorded"]),
                recorded_by=recorder,
            )
            for _ in range(VIOLATIONS)
        ],
        batch_size=5000,
    )
    decisions = []
    for i in range(DECISIONS):
        sid = rng.choice(ids)
        day = (now - datetime.timedelta(days=rng.randint(1, 600))).date()
        decisions.append(
            Decision(
                authority=authority,
                staff_id=sid,
                unit_id=unit_of[sid],
                form=rng.choice(Decision.Form.values),
                number=f"{i + 1}/QĐ-UBND",
                decided_on=day,
                year=day.year,
                decided_by="Chủ tịch UBND huyện",
                signer_name="Nguyễn Văn Thành",
                signer_position="Chủ tịch",
                recorded_by=recorder,
            )
        )
    Decision.objects.bulk_create(decisions, batch_size=2000)
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: fresh statistics, realistic plans.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _time(client, url, *, repeat=7, stream=False):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        if stream:
            b"".join(response.streaming_content)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    print(
        f"  {url:<48} median {statistics.median(times) * 1000:7.0f} ms, max {max(times) * 1000:7.0f} ms"
    )


def test_evaluation_and_decisions_at_scale(
    client, authority, unit_a, unit_b, leader, administrator
):
    units = [unit_a, unit_b, *[factories.unit(authority) for _ in range(20)]]
    start = time.perf_counter()
    _fill(authority, units, administrator)
    print(
        f"\n  filled {STAFF} staff, {VIOLATIONS} violations in {time.perf_counter() - start:.0f} s"
    )
    client.force_login(leader)
    sheet = reverse("discipline:evaluation_sheet")
    _time(client, sheet)
    _time(client, f"{sheet}?page=300")
    _time(client, f"{sheet}?unit={unit_a.pk}")
    _time(client, f"{sheet}?record=1")
    _time(client, reverse("discipline:decision_list"))
    export = reverse("discipline:evaluation_export")
    _time(client, f"{export}?unit={unit_a.pk}", repeat=3, stream=True)
    _time(client, export, repeat=1, stream=True)
