"""Seed the three default escalation rules of issue 5 (directive 455/UBND-NV, item 4)."""

from django.db import migrations

RULES = [
    # name, scope, category, threshold, window_days, letter kind
    ("Một người có từ 3 vi phạm trở lên trong 365 ngày: yêu cầu kiểm điểm",
     "person", "", 3, 365, "self_review"),
    ("Vi phạm về rượu, bia: chấn chỉnh",
     "person", "alcohol", 1, 365, "rectification"),
    ("Một đơn vị có từ 5 vi phạm trở lên trong một quý (90 ngày): chấn chỉnh",
     "unit", "", 5, 90, "rectification"),
]


def seed(apps, schema_editor):
    EscalationRule = apps.get_model("discipline", "EscalationRule")
    for order, (name, scope, category, threshold, days, kind) in enumerate(RULES, start=1):
        EscalationRule.objects.update_or_create(
            name=name,
            defaults={"scope": scope, "category": category, "threshold": threshold,
                      "window_days": days, "letter_kind": kind, "sort_order": order * 10},
        )


def unseed(apps, schema_editor):
    EscalationRule = apps.get_model("discipline", "EscalationRule")
    EscalationRule.objects.filter(name__in=[r[0] for r in RULES], letters__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("discipline", "0008_letters")]
    operations = [migrations.RunPython(seed, unseed)]
