"""Auditors and the DPO read (and export) the access log; nobody can change it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(content_type__app_label="audit", codename="view_audit_log")
    for role in ("auditor", "dpo"):
        Group.objects.get_or_create(name=role)[0].permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("matrix", "0003_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
