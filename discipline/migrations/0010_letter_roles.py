"""Grant the roles what the letters feature needs: the office chief drafts, issues and closes
letters and keeps the escalation rules; unit heads read the letters addressed to their unit and
report on them; leaders read; administrators keep the rules."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_LETTERS = [
    "discipline.view_letter", "discipline.view_register", "discipline.view_letterreport",
    "discipline.view_reportattachment", "discipline.view_escalationrule",
]

GRANTS = {
    "office_chief": [
        *READ_LETTERS,
        "discipline.add_letter", "discipline.change_letter",
        "discipline.issue_letter", "discipline.close_letter",
        "discipline.add_escalationrule", "discipline.change_escalationrule",
    ],
    "unit_heads": [
        "discipline.view_letter", "discipline.view_letterreport", "discipline.add_letterreport",
        "discipline.view_reportattachment", "discipline.add_reportattachment",
    ],
    "leaders": READ_LETTERS,
    "administrators": [
        "discipline.view_escalationrule", "discipline.add_escalationrule",
        "discipline.change_escalationrule",
    ],
}


def _permission(apps, code):
    Permission = apps.get_model("auth", "Permission")
    app_label, codename = code.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are normally created after migrate; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*[_permission(apps, code) for code in codes])


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name, codes in GRANTS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(*[_permission(apps, code) for code in codes])


class Migration(migrations.Migration):
    dependencies = [
        ("discipline", "0009_seed_escalation_rules"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
