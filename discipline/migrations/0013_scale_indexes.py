"""Province scale: indexes matching the list's filters and the home page's counts, and
ViolationTally, the per-unit, per-status counts kept by triggers on discipline_violation."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRESQL_TRIGGERS = """
CREATE FUNCTION discipline_violation_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE discipline_violationtally SET count = count - 1
        WHERE unit_id = OLD.unit_id AND status = OLD.status;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO discipline_violationtally (unit_id, status, count)
        VALUES (NEW.unit_id, NEW.status, 1)
        ON CONFLICT (unit_id, status)
        DO UPDATE SET count = discipline_violationtally.count + 1;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER violation_tally_insert_delete AFTER INSERT OR DELETE ON discipline_violation
    FOR EACH ROW EXECUTE FUNCTION discipline_violation_tally();
CREATE TRIGGER violation_tally_update AFTER UPDATE OF unit_id, status ON discipline_violation
    FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.unit_id IS DISTINCT FROM NEW.unit_id)
    EXECUTE FUNCTION discipline_violation_tally();
"""
POSTGRESQL_DROP = """
DROP TRIGGER violation_tally_update ON discipline_violation;
DROP TRIGGER violation_tally_insert_delete ON discipline_violation;
DROP FUNCTION discipline_violation_tally();
"""
SQLITE_ADD = """
    INSERT INTO discipline_violationtally (unit_id, status, count)
    VALUES (NEW.unit_id, NEW.status, 1)
    ON CONFLICT (unit_id, status) DO UPDATE SET count = count + 1;
"""
SQLITE_REMOVE = """
    UPDATE discipline_violationtally SET count = count - 1
    WHERE unit_id = OLD.unit_id AND status = OLD.status;
"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER violation_tally_insert AFTER INSERT ON discipline_violation "
    f"BEGIN {SQLITE_ADD} END",
    f"CREATE TRIGGER violation_tally_delete AFTER DELETE ON discipline_violation "
    f"BEGIN {SQLITE_REMOVE} END",
    "CREATE TRIGGER violation_tally_update AFTER UPDATE OF unit_id, status "
    "ON discipline_violation "
    "WHEN OLD.status IS NOT NEW.status OR OLD.unit_id IS NOT NEW.unit_id "
    f"BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END",
]
SQLITE_DROP = [
    "DROP TRIGGER violation_tally_insert",
    "DROP TRIGGER violation_tally_delete",
    "DROP TRIGGER violation_tally_update",
]
FILL = """
INSERT INTO discipline_violationtally (unit_id, status, count)
SELECT unit_id, status, count(*) FROM discipline_violation GROUP BY unit_id, status
"""


def add_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_TRIGGERS)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
        else:
            raise RuntimeError(f"No violation tally triggers for {connection.vendor}.")
        cursor.execute(FILL)


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
        cursor.execute("DELETE FROM discipline_violationtally")


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0012_record_access'),
        ('inspections', '0005_feedback'),
        ('units', '0005_unit_feedback_token_unique'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ViolationTally',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('status', models.CharField(choices=[('recorded', 'Recorded'), ('notified', 'Unit head notified'), ('acknowledged', 'Acknowledged'), ('disputed', 'Disputed'), ('upheld', 'Upheld'), ('dismissed', 'Dismissed'), ('closed', 'Closed'), ('voided', 'Voided')], max_length=20, verbose_name='status')),
                ('count', models.IntegerField(default=0, verbose_name='number of violations')),
            ],
            options={
                'verbose_name': 'violation tally',
                'verbose_name_plural': 'violation tallies',
            },
        ),
        migrations.RemoveIndex(
            model_name='violation',
            name='violation_status_due_idx',
        ),
        migrations.RemoveIndex(
            model_name='violation',
            name='violation_date_idx',
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(fields=['status', 'response_due'], include=('unit',), name='violation_status_due_unit_idx'),
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(fields=['-occurred_at', '-id'], include=('unit', 'staff'), name='violation_date_cover_idx'),
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(fields=['unit', 'type', '-occurred_at', '-id'], name='violation_unit_type_date_idx'),
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(condition=models.Q(('corrective_action', ''), ('status', 'upheld')), fields=['unit'], name='violation_upheld_to_act_idx'),
        ),
        migrations.AddField(
            model_name='violationtally',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.unit', verbose_name='unit'),
        ),
        migrations.AddConstraint(
            model_name='violationtally',
            constraint=models.UniqueConstraint(fields=('unit', 'status'), name='violation_tally_unique'),
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
