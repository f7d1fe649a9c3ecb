"""Grant the role groups the permissions the checklist needs (pattern of discipline 0003_roles:
create permissions first, then add them to the groups; revoking removes exactly these)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["inspections.view_checklistitem", "inspections.view_checklistanswer"]

GRANTS = {
    "inspectors": [*VIEW, "inspections.add_checklistanswer", "inspections.change_checklistanswer"],
    "office_chief": VIEW,
    "leaders": VIEW,
    "administrators": [
        *VIEW, "inspections.add_checklistitem", "inspections.change_checklistitem",
    ],
}


def _permissions(apps, codes):
    Permission = apps.get_model("auth", "Permission")
    for code in codes:
        app_label, codename = code.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*_permissions(apps, codes))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codes))


class Migration(migrations.Migration):
    dependencies = [
        ("inspections", "0003_seed_checklist_items"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
