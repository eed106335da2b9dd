"""The ``administrator`` role: manages joiners, movers and leavers, and reads no personal data.

It holds only ``accounts.manage_users`` (no subject, evidence, disclosure or access-log permission).
The DPO holds it too, so an organisation with no administrator can still manage its users.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MANAGERS = ("administrator", "dpo")


def create_administrator_role(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="accounts", codename="manage_users")
    for role in MANAGERS:
        Group.objects.get_or_create(name=role)[0].permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("matrix", "0003_roles")]
    operations = [migrations.RunPython(create_administrator_role, migrations.RunPython.noop)]
