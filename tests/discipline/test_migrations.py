"""Migrations of issue 7 that touch existing rows."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("discipline", "0003_roles"),
    ("inspections", "0001_initial"),
    ("units", "0002_notification"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.usefixtures("serialized_rollback_db")
def test_existing_rows_get_distinct_tokens_and_unlinked_sources_become_other():
    old = _migrate(BEFORE)
    Authority = old.get_model("units", "Authority")
    Unit = old.get_model("units", "Unit")
    Staff = old.get_model("units", "Staff")
    Violation = old.get_model("discipline", "Violation")
    User = old.get_model("auth", "User")
    authority = Authority.objects.create(
        name="Huyện thử", issuing_body="ỦY BAN NHÂN DÂN", abbreviation="UBND", place_name="X"
    )
    units = [
        Unit.objects.create(authority=authority, name=f"Xã {n}", code=f"X{n}") for n in range(3)
    ]
    staff = Staff.objects.create(authority=authority, unit=units[0], full_name="Nguyễn Văn A")
    by = User.objects.create(username="migration-test")
    common = {
        "staff": staff,
        "unit": units[0],
        "type_id": old.get_model("discipline", "ViolationType").objects.first().pk,
        "occurred_at": timezone.now(),
        "recorded_by": by,
    }
    task_source = Violation.objects.create(source="task", **common)
    feedback_source = Violation.objects.create(source="feedback", **common)
    visit_less_other = Violation.objects.create(source="other", **common)

    new = _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    NewUnit = new.get_model("units", "Unit")
    tokens = list(
        NewUnit.objects.filter(authority_id=authority.pk).values_list("feedback_token", flat=True)
    )
    assert len(set(tokens)) == 3 and all(len(t) == 12 for t in tokens)
    NewViolation = new.get_model("discipline", "Violation")
    sources = dict(NewViolation.objects.values_list("pk", "source"))
    assert sources[task_source.pk] == "other"
    assert sources[feedback_source.pk] == "other"
    assert sources[visit_less_other.pk] == "other"


def _rows(sql: str) -> set:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return set(cursor.fetchall())


@pytest.mark.usefixtures("serialized_rollback_db")
def test_the_tallies_change_shape_both_ways_and_still_equal_counting(unit_a, inspector):
    """0015 keys the monthly and answer tallies without the status; going back to 0014 and
    forward again refills each shape from the violations."""
    import datetime

    from tests import factories
    from tests.factories import local

    person = factories.staff(unit_a)
    dates = [local(2025, 6, 30, 23, 59), local(2025, 7, 1, 0, 0), local(2025, 7, 9, 9)]
    for when, status in zip(dates, ["acknowledged", "dismissed", "notified"], strict=True):
        violation = factories.violation(person, by=inspector, occurred_at=when)
        type(violation).objects.filter(pk=violation.pk).update(
            status=status, response_due=datetime.date(2025, 7, 20)
        )
    type_id = violation.type_id
    june, july = datetime.date(2025, 6, 1), datetime.date(2025, 7, 1)
    new_month = (
        "SELECT unit_id, month, type_id, counted, standing "
        "FROM discipline_violationmonthtally WHERE counted > 0"
    )
    new_due = (
        "SELECT unit_id, due_month, type_id, answered_late, count "
        "FROM discipline_violationduetally WHERE count > 0"
    )
    expected_month = {(unit_a.pk, june, type_id, 1, 1), (unit_a.pk, july, type_id, 1, 0)}
    expected_due = {(unit_a.pk, july, type_id, False, 3)}
    assert _rows(new_month) == expected_month
    assert _rows(new_due) == expected_due

    _migrate([("discipline", "0014_month_tally")])
    assert _rows(
        "SELECT unit_id, month, type_id, status, count FROM discipline_violationmonthtally"
    ) == {
        (unit_a.pk, june, type_id, "acknowledged", 1),
        (unit_a.pk, july, type_id, "dismissed", 1),
        (unit_a.pk, july, type_id, "notified", 1),
    }
    assert _rows("SELECT status, count FROM discipline_violationduetally WHERE count > 0") == {
        ("acknowledged", 1),
        ("dismissed", 1),
        ("notified", 1),
    }

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert _rows(new_month) == expected_month
    assert _rows(new_due) == expected_due


@pytest.mark.usefixtures("serialized_rollback_db")
def test_the_per_person_totals_go_and_come_back_summed_over_units(unit_a, unit_b, inspector):
    """0016's totals sum the per-person year tally over an Authority's units; reversed, the
    table goes; applied again, it is counted from the tally and follows it."""
    from tests import factories
    from tests.factories import local

    person = factories.staff(unit_a)
    for unit in (unit_a, unit_b, unit_b):
        violation = factories.violation(person, by=inspector, occurred_at=local(2025, 7, 1, 9))
        type(violation).objects.filter(pk=violation.pk).update(unit=unit, status="upheld")
    totals = "SELECT authority_id, year, staff_id, count FROM discipline_violationstaffyeartotal"
    expected = {(unit_a.authority_id, 2025, person.pk, 3)}
    assert _rows(totals) == expected

    _migrate([("discipline", "0015_coarser_tallies")])
    assert "discipline_violationstaffyeartotal" not in connection.introspection.table_names()
    type(violation).objects.filter(pk=violation.pk).update(status="dismissed")

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    assert _rows(totals) == {(unit_a.authority_id, 2025, person.pk, 2)}
    type(violation).objects.filter(pk=violation.pk).update(status="closed")
    assert _rows(totals) == expected
