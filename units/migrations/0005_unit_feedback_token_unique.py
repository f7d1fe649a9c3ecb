from django.db import migrations, models

import units.models


class Migration(migrations.Migration):
    dependencies = [("units", "0004_unit_feedback_token")]

    operations = [
        migrations.AlterField(
            model_name="unit",
            name="feedback_token",
            field=models.CharField(default=units.models.new_feedback_token, editable=False, help_text="Part of the public feedback address printed on the unit's QR poster.", max_length=24, unique=True, verbose_name='feedback address token'),
        ),
        migrations.AlterField(
            model_name="historicalunit",
            name="feedback_token",
            field=models.CharField(db_index=True, default=units.models.new_feedback_token, editable=False, help_text="Part of the public feedback address printed on the unit's QR poster.", max_length=24, verbose_name='feedback address token'),
        ),
    ]
