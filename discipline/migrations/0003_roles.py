"""Create the five role groups of DESIGN.md §1 with exactly the model permissions each needs.
Later migrations that add models extend these grants; this file stays as it was."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW_ORGANISATION = ["units.view_authority", "units.view_unit", "units.view_staff"]

ROLES = {
    "inspectors": [
        *VIEW_ORGANISATION,
        "inspections.view_visit", "inspections.add_visit", "inspections.change_visit",
        "inspections.view_rollentry", "inspections.add_rollentry", "inspections.change_rollentry",
        "discipline.view_violationtype",
        "discipline.view_violation", "discipline.add_violation", "discipline.void_violation",
        "discipline.view_evidence", "discipline.add_evidence",
    ],
    "unit_heads": [
        "units.view_unit", "units.view_staff",
        "discipline.view_violationtype",
        "discipline.view_violation",
        "discipline.view_evidence", "discipline.add_evidence",
    ],
    "office_chief": [
        *VIEW_ORGANISATION,
        "inspections.view_visit", "inspections.view_rollentry",
        "discipline.view_violationtype", "discipline.view_violation", "discipline.view_evidence",
    ],
    "leaders": [
        *VIEW_ORGANISATION,
        "inspections.view_visit", "inspections.view_rollentry",
        "discipline.view_violationtype", "discipline.view_violation", "discipline.view_evidence",
    ],
    "administrators": [
        "units.view_authority", "units.change_authority",
        "units.view_unit", "units.add_unit", "units.change_unit",
        "units.view_staff", "units.add_staff", "units.change_staff",
        "auth.view_user", "auth.add_user", "auth.change_user",
        "inspections.view_visit", "inspections.view_rollentry",
        "discipline.view_violationtype", "discipline.add_violationtype",
        "discipline.change_violationtype",
        "discipline.view_violation", "discipline.void_violation", "discipline.view_evidence",
    ],
}


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for code in codes:
            app_label, codename = code.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0002_seed_violation_types"),
        ("inspections", "0001_initial"),
        ("units", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
