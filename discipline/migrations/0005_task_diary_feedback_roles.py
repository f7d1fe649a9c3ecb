"""Grant the roles their permissions on tasks, work diaries and citizen feedback (issue 7).

Writing one's own diary and reporting on one's own tasks need no permission (they are the
person's own record); assigning and reviewing tasks is the unit heads' (or a deputy's, through
Staff.assigns_tasks); triaging feedback is the inspectors'. Unit heads see feedback of their
units only once an inspector forwards it (and praise)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "inspectors": [
        "units.view_task",
        "units.view_diaryentry",
        "inspections.view_feedback",
        "inspections.triage_feedback",
    ],
    "unit_heads": [
        "units.view_task",
        "units.add_task",
        "units.review_task",
        "units.view_diaryentry",
        "inspections.view_feedback",
    ],
    "office_chief": ["units.view_task", "inspections.view_feedback"],
    "leaders": ["units.view_task", "inspections.view_feedback"],
    "administrators": ["units.view_task"],
}


def _permissions(apps):
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        for code in codes:
            app_label, codename = code.split(".")
            yield name, Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, permission in _permissions(apps):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, permission in _permissions(apps):
        for group in Group.objects.filter(name=name):
            group.permissions.remove(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0004_violation_task_feedback"),
        ("inspections", "0005_feedback"),
        ("units", "0005_unit_feedback_token_unique"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
