"""A person's standing violations of a year summed over the units of one Authority, kept from
the per-person year tally (0014) by triggers on that tally.

The Authority's dashboard and report count and rank the people with two or more standing
violations of a year. From the per-unit tally that meant summing 30,000 people's rows on every
request (a province: 30-56 ms for the ranking and again for the year before, on a slow
machine). With one row a person, the top twenty are the first rows of an index and the count
an index-only scan (8 ms). A unit's own figures still read the per-unit tally."""

import django.db.models.deletion
from django.db import migrations, models

TOTAL = "discipline_violationstaffyeartotal"
TALLY = "discipline_violationstaffyeartally"
AUTHORITY_OF = "(SELECT authority_id FROM units_unit WHERE id = {row}.unit_id)"

POSTGRESQL_TRIGGER = f"""
CREATE FUNCTION discipline_violation_staff_year_total() RETURNS trigger AS $$
DECLARE
    kept integer := 0;  -- what OLD counted that stays in NEW's total
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.unit_id, OLD.year, OLD.staff_id)
            IS NOT DISTINCT FROM (NEW.unit_id, NEW.year, NEW.staff_id) THEN
        kept := OLD.count;
    ELSIF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE {TOTAL} SET count = count - OLD.count
        WHERE authority_id = {AUTHORITY_OF.format(row="OLD")} AND year = OLD.year
            AND staff_id = OLD.staff_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TOTAL} (authority_id, year, staff_id, count)
        SELECT u.authority_id, NEW.year, NEW.staff_id, NEW.count - kept
        FROM units_unit u WHERE u.id = NEW.unit_id
        ON CONFLICT (authority_id, year, staff_id)
        DO UPDATE SET count = {TOTAL}.count + EXCLUDED.count;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER violation_staff_year_total
    AFTER INSERT OR UPDATE OR DELETE ON {TALLY}
    FOR EACH ROW EXECUTE FUNCTION discipline_violation_staff_year_total();
"""
POSTGRESQL_DROP = f"""
DROP TRIGGER violation_staff_year_total ON {TALLY};
DROP FUNCTION discipline_violation_staff_year_total();
"""

SQLITE_ADD = f"""
    INSERT INTO {TOTAL} (authority_id, year, staff_id, count)
    SELECT u.authority_id, NEW.year, NEW.staff_id, NEW.count
    FROM units_unit u WHERE u.id = NEW.unit_id
    ON CONFLICT (authority_id, year, staff_id) DO UPDATE SET count = count + excluded.count;
"""
SQLITE_REMOVE = f"""
    UPDATE {TOTAL} SET count = count - OLD.count
    WHERE authority_id = {AUTHORITY_OF.format(row="OLD")} AND year = OLD.year
        AND staff_id = OLD.staff_id;
"""
SQLITE_TRIGGERS = [
    f"CREATE TRIGGER violation_staff_year_total_insert AFTER INSERT ON {TALLY} "
    f"BEGIN {SQLITE_ADD} END",
    f"CREATE TRIGGER violation_staff_year_total_delete AFTER DELETE ON {TALLY} "
    f"BEGIN {SQLITE_REMOVE} END",
    f"CREATE TRIGGER violation_staff_year_total_update AFTER UPDATE ON {TALLY} "
    f"BEGIN {SQLITE_REMOVE} {SQLITE_ADD} END",
]
SQLITE_DROP = [
    "DROP TRIGGER violation_staff_year_total_insert",
    "DROP TRIGGER violation_staff_year_total_delete",
    "DROP TRIGGER violation_staff_year_total_update",
]

# Counts the totals once from the per-person year tally (also used by seed_scale).
FILL_SQL = (
    f"INSERT INTO {TOTAL} (authority_id, year, staff_id, count) "
    f"SELECT u.authority_id, t.year, t.staff_id, sum(t.count) FROM {TALLY} t "
    "JOIN units_unit u ON u.id = t.unit_id GROUP BY u.authority_id, t.year, t.staff_id"
)


def add_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_TRIGGER)
        elif connection.vendor == "sqlite":
            for statement in SQLITE_TRIGGERS:
                cursor.execute(statement)
        else:
            raise RuntimeError(f"No staff year total triggers for {connection.vendor}.")
        cursor.execute(FILL_SQL)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {TOTAL}")


def drop_triggers(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_DROP)
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0015_coarser_tallies'),
        ('units', '0005_unit_feedback_token_unique'),
    ]

    operations = [
        migrations.CreateModel(
            name='ViolationStaffYearTotal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.IntegerField(verbose_name='year')),
                ('count', models.IntegerField(default=0, verbose_name='number of violations')),
                ('authority', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.authority', verbose_name='authority')),
                ('staff', models.ForeignKey(on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='units.staff', verbose_name='staff')),
            ],
            options={
                'verbose_name': 'standing violation total per person',
                'verbose_name_plural': 'standing violation totals per person',
                'indexes': [models.Index(fields=['authority', 'year', '-count', 'staff'], name='violation_staff_total_rank')],
                'constraints': [models.UniqueConstraint(fields=('authority', 'year', 'staff'), name='violation_staff_year_total_unique')],
            },
        ),
        migrations.RunPython(add_triggers, drop_triggers, elidable=False),
    ]
