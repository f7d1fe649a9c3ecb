"""A random token per unit for its public feedback address (QR poster). Added nullable, filled
row by row (a callable default would give every existing unit the same value), made unique in
the next migration."""

from django.db import migrations, models

import units.models


def fill(apps, schema_editor):
    Unit = apps.get_model("units", "Unit")
    HistoricalUnit = apps.get_model("units", "HistoricalUnit")
    used = set()
    for unit in Unit.objects.filter(feedback_token__isnull=True).only("pk"):
        token = units.models.new_feedback_token()
        while token in used:
            token = units.models.new_feedback_token()
        used.add(token)
        Unit.objects.filter(pk=unit.pk).update(feedback_token=token)
        HistoricalUnit.objects.filter(id=unit.pk).update(feedback_token=token)


class Migration(migrations.Migration):
    dependencies = [("units", "0003_staff_assigns_tasks_task_diaryentry")]

    operations = [
        migrations.AddField(
            model_name="unit",
            name="feedback_token",
            field=models.CharField(editable=False, max_length=24, null=True),
        ),
        migrations.AddField(
            model_name="historicalunit",
            name="feedback_token",
            field=models.CharField(editable=False, max_length=24, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
