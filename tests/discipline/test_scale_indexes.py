"""The indexes of migration 0013 serve the queries they were made for (PostgreSQL's EXPLAIN on
a small seeded database; sequential and bitmap scans are switched off so that the planner shows whether
an index can answer the query, whatever the table's size)."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from discipline import selectors
from discipline.models import Violation
from discipline.scale import BENCH_UNIT_ID
from units.models import Unit
from units.paginators import EstimatedCountPaginator

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="EXPLAIN plans are PostgreSQL's (DATABASE_URL)"
    ),
    pytest.mark.django_db,
]


@pytest.fixture
def seeded():
    call_command(
        "seed_scale",
        *["--units", "12", "--staff", "300", "--violations", "3000", "--visits", "200"],
        *["--letters", "20"],
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")


def _plan(queryset) -> str:
    return queryset.explain()


def test_list_by_unit_type_and_dates_uses_its_index(seeded):
    since = timezone.now() - datetime.timedelta(days=365)
    queryset = (
        Violation.objects.filter(unit_id=BENCH_UNIT_ID, type_id=1, occurred_at__gte=since).order_by(
            "-occurred_at", "-id"
        )
    )[:25]

    assert "violation_unit_type_date_idx" in _plan(queryset)


def test_newest_first_across_the_authority_reads_only_the_covering_index(seeded):
    queryset = Violation.objects.filter(unit__authority_id=1).order_by("-occurred_at", "-id")
    plan = _plan(queryset.values_list("pk", flat=True)[1000:1050])

    assert "Index Only Scan using violation_date_cover_idx" in plan


def test_home_counts_use_their_indexes(seeded):
    # An inspector's scope (every unit of the Authority), as count() asks: no order.
    in_scope = Violation.objects.filter(unit__in=Unit.objects.filter(authority_id=1)).order_by()

    # 0014's index on status and due date (with unit, type and answered_at) replaced 0013's.
    assert "violation_due_cover_idx" in _plan(in_scope.overdue().values("unit_id"))
    assert "violation_upheld_to_act_idx" in _plan(
        in_scope.filter(status="upheld", corrective_action="").values("unit_id")
    )


def test_admin_paginator_estimates_big_tables_and_counts_small_ones(seeded, inspector):
    everything = Violation.objects.order_by("-occurred_at", "-id")
    paginator = EstimatedCountPaginator(everything, 50)
    paginator.threshold = 1000
    estimate = paginator.count
    assert 2000 < estimate < 4500  # the planner's estimate of 3,000 rows, not a COUNT

    few = EstimatedCountPaginator(everything.filter(status="recorded"), 50)
    assert few.count == everything.filter(status="recorded").count()


def test_deep_pages_hold_the_same_rows_as_offset_pages(seeded):
    everything = selectors.violations_visible_to(
        type(
            "Keeper",
            (),
            {"is_authenticated": True, "is_superuser": True, "is_active": True, "pk": None},
        )()
    ).order_by("-occurred_at", "-id")
    paginator = EstimatedCountPaginator(everything, 50)
    paginator.deep_from = 100

    page = paginator.page(5)

    assert [v.pk for v in page] == list(everything.values_list("pk", flat=True)[200:250])
