"""Dashboards and reports at province scale: ViolationMonthTally, the violations per unit,
local month, type and status, and ViolationDueTally, the answers due per unit, month of the
due date, type, status and lateness, and ViolationStaffYearTally, the standing violations per
person, unit and local year (repeat offenders of a year), all kept by triggers on
discipline_violation (as ViolationTally in 0013) and filled from the existing rows; and two partial covering indexes
read without the table: repeat offenders (a period's standing violations by person) and
answers still missing past their due date or overdue now (replacing 0013's index on status
and due date, which included only the unit).

The month is that of occurred_at in the site's time zone (settings.TIME_ZONE, Asia/Ho_Chi_Minh):
on PostgreSQL with AT TIME ZONE; on SQLite, which has no time zone data, by the zone's fixed
offset (Vietnam has kept UTC+7 since 1975)."""

import datetime
import zoneinfo

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _pg_month(row: str) -> str:
    return f"date_trunc('month', {row}.occurred_at AT TIME ZONE '{settings.TIME_ZONE}')::date"


def _sqlite_offset() -> str:
    offset = zoneinfo.ZoneInfo(settings.TIME_ZONE).utcoffset(datetime.datetime(2000, 1, 1))
    return f"{int(offset.total_seconds() // 60):+d} minutes"


def _sqlite_month(row: str) -> str:
    return f"date({row}.occurred_at, '{_sqlite_offset()}', 'start of month')"


# The answer tally: the due date's month, and whether the answer's local day came after it.
def _pg_late(row: str) -> str:
    return (
        f"({row}.answered_at IS NOT NULL AND "
        f"({row}.answered_at AT TIME ZONE '{settings.TIME_ZONE}')::date > {row}.response_due)"
    )


def _sqlite_late(row: str) -> str:
    return (
        f"({row}.answered_at IS NOT NULL AND "
        f"date({row}.answered_at, '{_sqlite_offset()}') > {row}.response_due)"
    )


POSTGRESQL_TRIGGERS = f"""
CREATE FUNCTION discipline_violation_month_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE discipline_violationmonthtally SET count = count - 1
        WHERE unit_id = OLD.unit_id AND month = {_pg_month("OLD")}
            AND type_id = OLD.type_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, status, count)
        VALUES (NEW.unit_id, {_pg_month("NEW")}, NEW.type_id, NEW.status, 1)
        ON CONFLICT (unit_id, month, type_id, status)
        DO UPDATE SET count = discipline_violationmonthtally.count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER violation_month_tally_insert_delete
    AFTER INSERT OR DELETE ON discipline_violation
    FOR EACH ROW EXECUTE FUNCTION discipline_violation_month_tally();
CREATE TRIGGER violation_month_tally_update
    AFTER UPDATE OF unit_id, type_id, status, occurred_at ON discipline_violation
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
        OR OLD.type_id IS DISTINCT FROM NEW.type_id
        OR OLD.occurred_at IS DISTINCT FROM NEW.occurred_at)
    EXECUTE FUNCTION discipline_violation_month_tally();
"""
POSTGRESQL_DUE_TRIGGERS = f"""
CREATE FUNCTION discipline_violation_due_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.response_due IS NOT NULL THEN
        UPDATE discipline_violationduetally SET count = count - 1
        WHERE unit_id = OLD.unit_id AND due_month = date_trunc('month', OLD.response_due)::date
            AND type_id = OLD.type_id AND status = OLD.status
            AND answered_late = {_pg_late("OLD")};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.response_due IS NOT NULL THEN
        INSERT INTO discipline_violationduetally
            (unit_id, due_month, type_id, status, answered_late, count)
        VALUES (NEW.unit_id, date_trunc('month', NEW.response_due)::date, NEW.type_id,
            NEW.status, {_pg_late("NEW")}, 1)
        ON CONFLICT (unit_id, due_month, type_id, status, answered_late)
        DO UPDATE SET count = discipline_violationduetally.count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER violation_due_tally_insert_delete
    AFTER INSERT OR DELETE ON discipline_violation
    FOR EACH ROW EXECUTE FUNCTION discipline_violation_due_tally();
CREATE TRIGGER violation_due_tally_update
    AFTER UPDATE OF unit_id, type_id, status, response_due, answered_at ON discipline_violation
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
        OR OLD.type_id IS DISTINCT FROM NEW.type_id
        OR OLD.response_due IS DISTINCT FROM NEW.response_due
        OR OLD.answered_at IS DISTINCT FROM NEW.answered_at)
    EXECUTE FUNCTION discipline_violation_due_tally();
"""
STANDING = "('acknowledged', 'upheld', 'closed')"


def _pg_year(row: str) -> str:
    return f"extract(year FROM {row}.occurred_at AT TIME ZONE '{settings.TIME_ZONE}')::integer"


def _sqlite_year(row: str) -> str:
    return f"CAST(strftime('%Y', {row}.occurred_at, '{_sqlite_offset()}') AS INTEGER)"


POSTGRESQL_STAFF_TRIGGERS = f"""
CREATE FUNCTION discipline_violation_staff_year_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN {STANDING} THEN
        UPDATE discipline_violationstaffyeartally SET count = count - 1
        WHERE year = {_pg_year("OLD")} AND unit_id = OLD.unit_id AND staff_id = OLD.staff_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN {STANDING} THEN
        INSERT INTO discipline_violationstaffyeartally (year, unit_id, staff_id, count)
        VALUES ({_pg_year("NEW")}, NEW.unit_id, NEW.staff_id, 1)
        ON CONFLICT (year, unit_id, staff_id)
        DO UPDATE SET count = discipline_violationstaffyeartally.count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER violation_staff_year_tally_insert_delete
    AFTER INSERT OR DELETE ON discipline_violation
    FOR EACH ROW EXECUTE FUNCTION discipline_violation_staff_year_tally();
CREATE TRIGGER violation_staff_year_tally_update
    AFTER UPDATE OF unit_id, staff_id, status, occurred_at ON discipline_violation
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
        OR OLD.staff_id IS DISTINCT FROM NEW.staff_id
        OR OLD.occurred_at IS DISTINCT FROM NEW.occurred_at)
    EXECUTE FUNCTION discipline_violation_staff_year_tally();
"""
POSTGRESQL_DROP = """
DROP TRIGGER violation_staff_year_tally_update ON discipline_violation;
DROP TRIGGER violation_staff_year_tally_insert_delete ON discipline_violation;
DROP FUNCTION discipline_violation_staff_year_tally();
DROP TRIGGER violation_due_tally_update ON discipline_violation;
DROP TRIGGER violation_due_tally_insert_delete ON discipline_violation;
DROP FUNCTION discipline_violation_due_tally();
DROP TRIGGER violation_month_tally_update ON discipline_violation;
DROP TRIGGER violation_month_tally_insert_delete ON discipline_violation;
DROP FUNCTION discipline_violation_month_tally();
"""


def sqlite_month_statements(add: str, remove: str) -> list[str]:
    """The monthly tally's three SQLite triggers around their bodies: `add` counts NEW,
    `remove` uncounts OLD (also used by 0015, which changes only the bodies)."""
    return [
        "CREATE TRIGGER violation_month_tally_insert AFTER INSERT ON discipline_violation "
        f"BEGIN {add} END",
        "CREATE TRIGGER violation_month_tally_delete AFTER DELETE ON discipline_violation "
        f"BEGIN {remove} END",
        "CREATE TRIGGER violation_month_tally_update "
        "AFTER UPDATE OF unit_id, type_id, status, occurred_at ON discipline_violation "
        "WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id "
        "OR OLD.type_id IS NOT NEW.type_id OR OLD.occurred_at IS NOT NEW.occurred_at "
        f"BEGIN {remove} {add} END",
    ]


def sqlite_due_statements(add: str, remove: str) -> list[str]:
    """The answer tally's three SQLite triggers around their bodies, as above."""
    return [
        "CREATE TRIGGER violation_due_tally_insert AFTER INSERT ON discipline_violation "
        f"BEGIN {add} END",
        "CREATE TRIGGER violation_due_tally_delete AFTER DELETE ON discipline_violation "
        f"BEGIN {remove} END",
        "CREATE TRIGGER violation_due_tally_update AFTER UPDATE OF unit_id, type_id, status, "
        "response_due, answered_at ON discipline_violation "
        "WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id "
        "OR OLD.type_id IS NOT NEW.type_id OR OLD.response_due IS NOT NEW.response_due "
        "OR OLD.answered_at IS NOT NEW.answered_at "
        f"BEGIN {remove} {add} END",
    ]


def _sqlite_triggers() -> list[str]:
    add = f"""
    INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, status, count)
    VALUES (NEW.unit_id, {_sqlite_month("NEW")}, NEW.type_id, NEW.status, 1)
    ON CONFLICT (unit_id, month, type_id, status) DO UPDATE SET count = count + 1;
    """
    remove = f"""
    UPDATE discipline_violationmonthtally SET count = count - 1
    WHERE unit_id = OLD.unit_id AND month = {_sqlite_month("OLD")}
        AND type_id = OLD.type_id AND status = OLD.status;
    """
    return sqlite_month_statements(add, remove)


def _sqlite_due_triggers() -> list[str]:
    add = f"""
    INSERT INTO discipline_violationduetally
        (unit_id, due_month, type_id, status, answered_late, count)
    SELECT NEW.unit_id, date(NEW.response_due, 'start of month'), NEW.type_id, NEW.status,
        {_sqlite_late("NEW")}, 1
    WHERE NEW.response_due IS NOT NULL
    ON CONFLICT (unit_id, due_month, type_id, status, answered_late)
    DO UPDATE SET count = count + 1;
    """
    remove = f"""
    UPDATE discipline_violationduetally SET count = count - 1
    WHERE OLD.response_due IS NOT NULL AND unit_id = OLD.unit_id
        AND due_month = date(OLD.response_due, 'start of month')
        AND type_id = OLD.type_id AND status = OLD.status
        AND answered_late = {_sqlite_late("OLD")};
    """
    return sqlite_due_statements(add, remove)


def _sqlite_staff_triggers() -> list[str]:
    add = f"""
    INSERT INTO discipline_violationstaffyeartally (year, unit_id, staff_id, count)
    SELECT {_sqlite_year("NEW")}, NEW.unit_id, NEW.staff_id, 1
    WHERE NEW.status IN {STANDING}
    ON CONFLICT (year, unit_id, staff_id) DO UPDATE SET count = count + 1;
    """
    remove = f"""
    UPDATE discipline_violationstaffyeartally SET count = count - 1
    WHERE OLD.status IN {STANDING} AND year = {_sqlite_year("OLD")}
        AND unit_id = OLD.unit_id AND staff_id = OLD.staff_id;
    """
    return [
        "CREATE TRIGGER violation_staff_year_tally_insert AFTER INSERT ON discipline_violation "
        f"BEGIN {add} END",
        "CREATE TRIGGER violation_staff_year_tally_delete AFTER DELETE ON discipline_violation "
        f"BEGIN {remove} END",
        "CREATE TRIGGER violation_staff_year_tally_update AFTER UPDATE OF unit_id, staff_id, "
        "status, occurred_at ON discipline_violation "
        "WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id "
        "OR OLD.staff_id IS NOT NEW.staff_id OR OLD.occurred_at IS NOT NEW.occurred_at "
        f"BEGIN {remove} {add} END",
    ]


SQLITE_DROP = [
    "DROP TRIGGER violation_staff_year_tally_insert",
    "DROP TRIGGER violation_staff_year_tally_delete",
    "DROP TRIGGER violation_staff_year_tally_update",
    "DROP TRIGGER violation_due_tally_insert",
    "DROP TRIGGER violation_due_tally_delete",
    "DROP TRIGGER violation_due_tally_update",
    "DROP TRIGGER violation_month_tally_insert",
    "DROP TRIGGER violation_month_tally_delete",
    "DROP TRIGGER violation_month_tally_update",
]


def fill_sql(vendor: str) -> list[str]:
    """Three INSERT … SELECT counting every existing violation (also used by seed_scale)."""
    pg = vendor == "postgresql"
    month = _pg_month("v") if pg else _sqlite_month("v")
    due_month = (
        "date_trunc('month', v.response_due)::date" if pg else "date(v.response_due, 'start of month')"
    )
    late = _pg_late("v") if pg else _sqlite_late("v")
    year = _pg_year("v") if pg else _sqlite_year("v")
    return [
        "INSERT INTO discipline_violationmonthtally (unit_id, month, type_id, status, count) "
        f"SELECT v.unit_id, {month}, v.type_id, v.status, count(*) "
        f"FROM discipline_violation v GROUP BY v.unit_id, {month}, v.type_id, v.status",
        "INSERT INTO discipline_violationduetally "
        "(unit_id, due_month, type_id, status, answered_late, count) "
        f"SELECT v.unit_id, {due_month}, v.type_id, v.status, {late}, count(*) "
        "FROM discipline_violation v WHERE v.response_due IS NOT NULL "
        f"GROUP BY v.unit_id, {due_month}, v.type_id, v.status, {late}",
        "INSERT INTO discipline_violationstaffyeartally (year, unit_id, staff_id, count) "
        f"SELECT {year}, v.unit_id, v.staff_id, count(*) FROM discipline_violation v "
        f"WHERE v.status IN {STANDING} GROUP BY {year}, v.unit_id, v.staff_id",
    ]


def add_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_TRIGGERS)
            cursor.execute(POSTGRESQL_DUE_TRIGGERS)
            cursor.execute(POSTGRESQL_STAFF_TRIGGERS)
        elif connection.vendor == "sqlite":
            for statement in _sqlite_triggers() + _sqlite_due_triggers() + _sqlite_staff_triggers():
                cursor.execute(statement)
        else:
            raise RuntimeError(f"No violation month tally triggers for {connection.vendor}.")
        for statement in fill_sql(connection.vendor):
            cursor.execute(statement)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
        cursor.execute("DELETE FROM discipline_violationmonthtally")
        cursor.execute("DELETE FROM discipline_violationduetally")
        cursor.execute("DELETE FROM discipline_violationstaffyeartally")


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0013_scale_indexes'),
        ('units', '0005_unit_feedback_token_unique'),
    ]

    operations = [
        migrations.CreateModel(
            name='ViolationMonthTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('month', models.DateField(verbose_name='month')),
                ('status', models.CharField(choices=[('recorded', 'Recorded'), ('notified', 'Unit head notified'), ('acknowledged', 'Acknowledged'), ('disputed', 'Disputed'), ('upheld', 'Upheld'), ('dismissed', 'Dismissed'), ('closed', 'Closed'), ('voided', 'Voided')], max_length=20, verbose_name='status')),
                ('count', models.IntegerField(default=0, verbose_name='number of violations')),
                ('type', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='discipline.violationtype', verbose_name='type')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'monthly violation tally',
                'verbose_name_plural': 'monthly violation tallies',
                'constraints': [models.UniqueConstraint(fields=('unit', 'month', 'type', 'status'), name='violation_month_tally_unique')],
            },
        ),
        migrations.CreateModel(
            name='ViolationDueTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('due_month', models.DateField(verbose_name='month of the due date')),
                ('status', models.CharField(choices=[('recorded', 'Recorded'), ('notified', 'Unit head notified'), ('acknowledged', 'Acknowledged'), ('disputed', 'Disputed'), ('upheld', 'Upheld'), ('dismissed', 'Dismissed'), ('closed', 'Closed'), ('voided', 'Voided')], max_length=20, verbose_name='status')),
                ('answered_late', models.BooleanField(verbose_name='answered after the due date')),
                ('count', models.IntegerField(default=0, verbose_name='number of violations')),
                ('type', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='discipline.violationtype', verbose_name='type')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'answer due tally',
                'verbose_name_plural': 'answer due tallies',
                'constraints': [models.UniqueConstraint(fields=('unit', 'due_month', 'type', 'status', 'answered_late'), name='violation_due_tally_unique')],
            },
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(condition=models.Q(('status__in', ['acknowledged', 'upheld', 'closed'])), fields=['occurred_at'], include=('unit', 'staff', 'type', 'status'), name='violation_standing_cover_idx'),
        ),
        migrations.CreateModel(
            name='ViolationStaffYearTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.IntegerField(verbose_name='year')),
                ('count', models.IntegerField(default=0, verbose_name='number of violations')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.staff', verbose_name='staff')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='unit')),
            ],
            options={
                'verbose_name': 'standing violation tally per person',
                'verbose_name_plural': 'standing violation tallies per person',
                'constraints': [models.UniqueConstraint(fields=('year', 'unit', 'staff'), name='violation_staff_year_tally_unique')],
            },
        ),
        migrations.RemoveIndex(
            model_name='violation',
            name='violation_status_due_unit_idx',
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(condition=models.Q(('response_due__isnull', False)), fields=['status', 'response_due'], include=('unit', 'type', 'answered_at'), name='violation_due_cover_idx'),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
