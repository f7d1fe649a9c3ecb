"""manage.py seed_scale at a tiny scale: consistent rows, every status and type, a numbering
that matches the registers, and refusal where it could destroy real data."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Max, Min

from discipline.models import Evidence, Letter, Register, Violation, ViolationType
from discipline.scale import BENCH_UNIT_ID
from inspections.models import RollEntry, Visit
from units.models import Authority, Staff, Unit

needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="seed_scale needs PostgreSQL (DATABASE_URL)"
)
TINY = ["--units", "12", "--staff", "300", "--violations", "2000", "--visits", "300"]
TINY += ["--letters", "60"]


def _seed(*args):
    out = io.StringIO()
    call_command("seed_scale", *TINY, *args, stdout=out)
    return out.getvalue()


def _violation_indexes() -> dict[str, str]:
    """{name: definition} of the violation table's indexes, up to a partial index's WHERE
    (PostgreSQL prints the same condition with other casts once the index is rebuilt)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'discipline_violation'"
        )
        return {name: definition.split(" WHERE ")[0] for name, definition in cursor.fetchall()}


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="checks the SQLite refusal")
def test_it_refuses_sqlite():
    with pytest.raises(CommandError, match="PostgreSQL"):
        _seed()


@needs_postgresql
@pytest.mark.django_db
def test_it_seeds_consistent_rows_and_prints_timing():
    indexes_before = _violation_indexes()
    output = _seed()

    # The violation indexes, dropped for the load, are all back as they were defined.
    assert "violation indexes, built once" in output
    assert _violation_indexes() == indexes_before

    assert "Seeded in" in output and " s" in output
    assert Unit.objects.count() == 12
    assert Staff.objects.count() == 300
    assert Violation.objects.count() == 2000
    assert Visit.objects.count() == 300
    # The roll page's benchmark needs a unit of 200.
    assert Staff.objects.filter(unit_id=BENCH_UNIT_ID).count() == 200
    # Each violation's person worked in the violation's unit; visit findings match their roll.
    assert not Violation.objects.exclude(staff__unit_id=F("unit_id")).exists()
    assert (
        not Violation.objects.filter(source="visit").exclude(visit__unit_id=F("unit_id")).exists()
    )
    assert not RollEntry.objects.exclude(staff__unit_id=F("visit__unit_id")).exists()
    assert set(Violation.objects.values_list("status", flat=True)) == set(Violation.Status.values)
    assert set(Violation.objects.values_list("type_id", flat=True)) == set(
        ViolationType.objects.values_list("pk", flat=True)
    )
    assert Evidence.objects.count() == 200
    # Each year's letters are numbered 1..last_number with no gap, in date order.
    for register in Register.objects.all():
        numbers = register.letters.aggregate(low=Min("number"), high=Max("number"), n=Count("pk"))
        assert numbers == {"low": 1, "high": register.last_number, "n": register.last_number}
        dates = list(register.letters.order_by("number").values_list("issued_on", flat=True))
        assert dates == sorted(dates)
    assert Letter.objects.count() == 60
    assert not Letter.objects.filter(status="draft").exists()
    # The dashboards' tallies, filled once after loading, equal counting the violations.
    from tests.discipline import test_month_tally as tallies

    assert tallies._tally() == tallies._counted()
    assert tallies._due_tally() == tallies._due_counted()
    assert tallies._staff_tally() == tallies._staff_counted()
    assert tallies._staff_totals() == tallies._staff_totals_counted()
    # Every row passes the model's own checks (a sample of each kind).
    for model in (Violation, Letter, Visit, Staff):
        for pk in model.objects.order_by("?").values_list("pk", flat=True)[:20]:
            model.objects.get(pk=pk).full_clean(validate_unique=False, validate_constraints=False)


@needs_postgresql
@pytest.mark.django_db
def test_it_replaces_its_own_data_when_run_again():
    _seed()
    _seed()

    assert Violation.objects.count() == 2000
    assert Unit.objects.count() == 12


@needs_postgresql
@pytest.mark.django_db
def test_it_refuses_a_database_with_other_data_unless_forced(authority, violation_a):
    with pytest.raises(CommandError, match="--force"):
        _seed()
    assert Violation.objects.filter(pk=violation_a.pk).exists()

    _seed("--force")

    assert not Authority.objects.filter(name=authority.name).exists()
    assert Violation.objects.count() == 2000
