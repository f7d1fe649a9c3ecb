"""ViolationTally, kept by database triggers, always equals counting the violations."""

import pytest
from django.db.models import Count

from discipline import selectors, services
from discipline.models import Violation, ViolationTally
from tests import factories


def _tally() -> dict:
    return {
        (row.unit_id, row.status): row.count for row in ViolationTally.objects.all() if row.count
    }


def _counted() -> dict:
    return {
        (row["unit_id"], row["status"]): row["n"]
        for row in Violation.objects.values("unit_id", "status").annotate(n=Count("pk"))
    }


@pytest.mark.django_db
def test_tally_follows_inserts_services_bulk_updates_and_moves(
    unit_a, unit_b, inspector, unit_head_a
):
    first = factories.violation(factories.staff(unit_a), by=inspector)
    factories.violation(factories.staff(unit_a), by=inspector, code="absent")
    factories.violation(factories.staff(unit_b), by=inspector)
    assert _tally() == _counted() == {(unit_a.pk, "recorded"): 2, (unit_b.pk, "recorded"): 1}

    services.notify_unit_heads(violations=[first], by=inspector)
    assert _tally() == _counted()

    Violation.objects.filter(unit=unit_a).update(status="closed")
    Violation.objects.filter(unit=unit_b).update(unit=unit_a)
    assert _tally() == _counted() == {(unit_a.pk, "closed"): 2, (unit_a.pk, "recorded"): 1}


@pytest.mark.django_db
def test_home_counts_match_plain_aggregates(unit_a, unit_b, inspector, unit_head_a):
    for code in ("late_early", "absent", "no_badge"):
        factories.violation(factories.staff(unit_a), by=inspector, code=code)
    factories.violation(factories.staff(unit_b), by=inspector)
    Violation.objects.filter(type__code="absent").update(status="upheld")

    for user, expected_total in ((inspector, 4), (unit_head_a, 3)):
        counts = selectors.attention_counts(user)
        assert counts["total"] == expected_total
        assert counts["recorded"] == expected_total - 1
        assert counts["standing_open"] == 1
        assert counts["upheld_to_act"] == 1
