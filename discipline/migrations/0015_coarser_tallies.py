"""The monthly and answer tallies without the status dimension: what the figures read.

Every dashboard and report reads the monthly tally as "violations that count (all but voided
and dismissed) and how many of them stand (acknowledged, upheld, closed)", and the answer tally
as "answers due on violations that are not voided": the status was only ever filtered out or
summed over. Keyed by status, a province's year had some 70,000 monthly rows (one per unit,
month, type and status); with two counters per (unit, month, type) it has about 16,000, and the
Authority's figures for a year are summed four times faster (21 -> 5 ms a query). The answer
tally likewise keeps one row per (unit, due month, type, lateness), counting only violations
that are not voided.

The triggers keep the same names and fire on the same changes; only what they write changes.
Both tallies are emptied and refilled from the violations."""

import importlib

from django.db import migrations, models

previous = importlib.import_module("discipline.migrations.0014_month_tally")

COUNTED = "('voided', 'dismissed')"  # NOT IN: the statuses that do not count
STANDING = previous.STANDING


def _pg_flags(row: str) -> str:
    return f"({row}.status IN {STANDING})::integer"


POSTGRESQL_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION discipline_violation_month_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status NOT IN {COUNTED} THEN
        UPDATE discipline_violationmonthtally
        SET counted = counted - 1, standing = standing - {_pg_flags("OLD")}
        WHERE unit_id = OLD.unit_id AND month = {previous._pg_month("OLD")}
            AND type_id = OLD.type_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status NOT IN {COUNTED} THEN
        INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, counted, standing)
        VALUES (NEW.unit_id, {previous._pg_month("NEW")}, NEW.type_id, 1, {_pg_flags("NEW")})
        ON CONFLICT (unit_id, month, type_id)
        DO UPDATE SET counted = discipline_violationmonthtally.counted + 1,
            standing = discipline_violationmonthtally.standing + EXCLUDED.standing;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION discipline_violation_due_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.response_due IS NOT NULL
            AND OLD.status <> 'voided' THEN
        UPDATE discipline_violationduetally SET count = count - 1
        WHERE unit_id = OLD.unit_id AND due_month = date_trunc('month', OLD.response_due)::date
            AND type_id = OLD.type_id AND answered_late = {previous._pg_late("OLD")};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.response_due IS NOT NULL
            AND NEW.status <> 'voided' THEN
        INSERT INTO discipline_violationduetally (unit_id, due_month, type_id, answered_late, count)
        VALUES (NEW.unit_id, date_trunc('month', NEW.response_due)::date, NEW.type_id,
            {previous._pg_late("NEW")}, 1)
        ON CONFLICT (unit_id, due_month, type_id, answered_late)
        DO UPDATE SET count = discipline_violationduetally.count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
"""


def _sqlite_triggers() -> list[str]:
    month, late = previous._sqlite_month, previous._sqlite_late
    add = f"""
    INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, counted, standing)
    SELECT NEW.unit_id, {month("NEW")}, NEW.type_id, 1, NEW.status IN {STANDING}
    WHERE NEW.status NOT IN {COUNTED}
    ON CONFLICT (unit_id, month, type_id)
    DO UPDATE SET counted = counted + 1, standing = standing + excluded.standing;
    """
    remove = f"""
    UPDATE discipline_violationmonthtally
    SET counted = counted - 1, standing = standing - (OLD.status IN {STANDING})
    WHERE OLD.status NOT IN {COUNTED} AND unit_id = OLD.unit_id
        AND month = {month("OLD")} AND type_id = OLD.type_id;
    """
    add_due = f"""
    INSERT INTO discipline_violationduetally (unit_id, due_month, type_id, answered_late, count)
    SELECT NEW.unit_id, date(NEW.response_due, 'start of month'), NEW.type_id, {late("NEW")}, 1
    WHERE NEW.response_due IS NOT NULL AND NEW.status <> 'voided'
    ON CONFLICT (unit_id, due_month, type_id, answered_late) DO UPDATE SET count = count + 1;
    """
    remove_due = f"""
    UPDATE discipline_violationduetally SET count = count - 1
    WHERE OLD.response_due IS NOT NULL AND OLD.status <> 'voided' AND unit_id = OLD.unit_id
        AND due_month = date(OLD.response_due, 'start of month')
        AND type_id = OLD.type_id AND answered_late = {late("OLD")};
    """
    return previous.sqlite_month_statements(add, remove) + previous.sqlite_due_statements(
        add_due, remove_due
    )


SQLITE_DROP = [
    f"DROP TRIGGER violation_{tally}_tally_{event}"
    for tally in ("month", "due")
    for event in ("insert", "delete", "update")
]


def fill_sql(vendor: str) -> list[str]:
    """The INSERT … SELECT counting every existing violation into the monthly, answer and
    per-person year tallies (also used by seed_scale)."""
    pg = vendor == "postgresql"
    month = previous._pg_month("v") if pg else previous._sqlite_month("v")
    due_month = (
        "date_trunc('month', v.response_due)::date"
        if pg
        else "date(v.response_due, 'start of month')"
    )
    late = previous._pg_late("v") if pg else previous._sqlite_late("v")
    standing = f"v.status IN {STANDING}"
    standing_count = f"count(*) FILTER (WHERE {standing})" if pg else f"sum({standing})"
    return [
        "INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, counted, standing) "
        f"SELECT v.unit_id, {month}, v.type_id, count(*), {standing_count} "
        f"FROM discipline_violation v WHERE v.status NOT IN {COUNTED} "
        f"GROUP BY v.unit_id, {month}, v.type_id",
        "INSERT INTO discipline_violationduetally (unit_id, due_month, type_id, answered_late, count) "
        f"SELECT v.unit_id, {due_month}, v.type_id, {late}, count(*) "
        "FROM discipline_violation v WHERE v.response_due IS NOT NULL AND v.status <> 'voided' "
        f"GROUP BY v.unit_id, {due_month}, v.type_id, {late}",
        previous.fill_sql(vendor)[2],  # the per-person year tally, unchanged
    ]


TALLIES = "discipline_violationmonthtally, discipline_violationduetally"


def _empty(cursor, vendor: str) -> None:
    if vendor == "postgresql":
        # A new empty file, not 230,000 dead rows left for the refill to be scanned past.
        cursor.execute(f"TRUNCATE {TALLIES}")
    else:
        cursor.execute("DELETE FROM discipline_violationmonthtally")
        cursor.execute("DELETE FROM discipline_violationduetally")


def _fill(cursor, vendor: str, statements: list[str]) -> None:
    for statement in statements:
        cursor.execute(statement)
    if vendor == "postgresql":
        # Statistics for the rows just written: without them the planner took the unit
        # dashboards from 30 to 166 ms on the seeded province until autovacuum came by.
        cursor.execute(f"ANALYZE {TALLIES}")


def drop_triggers(apps, schema_editor):
    """The monthly and answer tallies' triggers stop and the tallies empty: before the columns
    change (0014's triggers), and when this migration is reversed (its own)."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER violation_month_tally_update ON discipline_violation;"
                "DROP TRIGGER violation_month_tally_insert_delete ON discipline_violation;"
                "DROP FUNCTION discipline_violation_month_tally();"
                "DROP TRIGGER violation_due_tally_update ON discipline_violation;"
                "DROP TRIGGER violation_due_tally_insert_delete ON discipline_violation;"
                "DROP FUNCTION discipline_violation_due_tally();"
            )
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
        _empty(cursor, connection.vendor)


def restore_old_triggers(apps, schema_editor):
    """Back to 0014: its status-keyed triggers, and its tallies refilled."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(previous.POSTGRESQL_TRIGGERS)
            cursor.execute(previous.POSTGRESQL_DUE_TRIGGERS)
        else:
            for statement in previous._sqlite_triggers() + previous._sqlite_due_triggers():
                cursor.execute(statement)
        _fill(cursor, connection.vendor, previous.fill_sql(connection.vendor)[:2])


def add_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_FUNCTIONS)
            # The triggers of 0014, with the same names and conditions, calling the new bodies.
            for block in (previous.POSTGRESQL_TRIGGERS, previous.POSTGRESQL_DUE_TRIGGERS):
                cursor.execute(block[block.index("CREATE TRIGGER") :])
        elif connection.vendor == "sqlite":
            for statement in _sqlite_triggers():
                cursor.execute(statement)
        else:
            raise RuntimeError(f"No violation tally triggers for {connection.vendor}.")
        _fill(cursor, connection.vendor, fill_sql(connection.vendor)[:2])


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0014_month_tally"),
    ]

    operations = [
        migrations.RunPython(drop_triggers, restore_old_triggers, elidable=False),
        migrations.RemoveConstraint(
            model_name="violationmonthtally", name="violation_month_tally_unique"
        ),
        migrations.RemoveField(model_name="violationmonthtally", name="status"),
        migrations.RenameField(
            model_name="violationmonthtally", old_name="count", new_name="counted"
        ),
        migrations.AddField(
            model_name="violationmonthtally",
            name="standing",
            field=models.IntegerField(default=0, verbose_name="of which standing"),
        ),
        migrations.AddConstraint(
            model_name="violationmonthtally",
            constraint=models.UniqueConstraint(
                fields=("unit", "month", "type"), name="violation_month_tally_unique"
            ),
        ),
        migrations.RemoveConstraint(
            model_name="violationduetally", name="violation_due_tally_unique"
        ),
        migrations.RemoveField(model_name="violationduetally", name="status"),
        migrations.AddConstraint(
            model_name="violationduetally",
            constraint=models.UniqueConstraint(
                fields=("unit", "due_month", "type", "answered_late"),
                name="violation_due_tally_unique",
            ),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
