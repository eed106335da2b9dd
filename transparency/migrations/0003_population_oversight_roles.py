"""Supervisors, auditors and the DPO watch the matrix for over-representation (docs/purpose.md, Equality monitoring).

Officers and partners are not given it: the figures are about the whole matrix, not their work.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OVERSIGHT_ROLES = ("supervisor", "auditor", "dpo")


def grant_disproportionality(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="transparency", codename="view_disproportionality")
    for role in OVERSIGHT_ROLES:
        Group.objects.get_or_create(name=role)[0].permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("transparency", "0002_population_baseline"), ("matrix", "0003_roles")]
    operations = [migrations.RunPython(grant_disproportionality, migrations.RunPython.noop)]
