"""The DPO can reset a user's second factor (delete their TOTP device and recovery codes) in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RESET_PERMISSIONS = [
    ("otp_totp", "view_totpdevice"),
    ("otp_totp", "delete_totpdevice"),
    ("otp_static", "view_staticdevice"),
    ("otp_static", "delete_staticdevice"),
]


def grant_reset_to_dpo(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    dpo, _ = Group.objects.get_or_create(name="dpo")
    for app_label, codename in RESET_PERMISSIONS:
        dpo.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("matrix", "0004_restriction"),
        ("otp_totp", "0001_initial"),
        ("otp_static", "0001_initial"),
    ]
    operations = [migrations.RunPython(grant_reset_to_dpo, migrations.RunPython.noop)]
