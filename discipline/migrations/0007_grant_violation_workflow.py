"""Grant the roles the permissions of the answer workflow (DESIGN.md §3): unit heads answer for
their unit's violations; inspectors notify the unit head, rule on disputes and close the case.
0003_roles stays as it was."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "inspectors": [
        "discipline.notify_violation",
        "discipline.rule_violation",
        "discipline.close_violation",
    ],
    "unit_heads": ["discipline.answer_violation"],
}


def _permission(apps, code):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure the new ones exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            group.permissions.add(_permission(apps, code))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            for code in codes:
                group.permissions.remove(_permission(apps, code))


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0006_violation_answer_workflow"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
