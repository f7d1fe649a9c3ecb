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
