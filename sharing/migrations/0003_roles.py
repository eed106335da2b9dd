"""Sharing permissions for the five roles (docs/access.md, Roles; docs/sharing.md)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_REFERENCE = ["view_partneragency", "view_lawfulbasis", "view_informationsharingagreement"]
OVERSIGHT = [*READ_REFERENCE, "view_disclosure", "view_all_disclosures", "view_disclosurenotice", "view_partnermembership"]
ROLE_PERMISSIONS = {
    "officer": [*READ_REFERENCE, "add_disclosure", "view_disclosure", "view_disclosurenotice"],
    "supervisor": [*READ_REFERENCE, "add_disclosure", "view_disclosure", "view_disclosurenotice", "approve_disclosure"],
    "partner": ["use_partner_portal"],
    "auditor": OVERSIGHT,
    "dpo": [
        *OVERSIGHT,
        *[f"{action}_{model}" for model in ("partneragency", "lawfulbasis", "informationsharingagreement", "partnermembership")
          for action in ("add", "change")],
    ],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*Permission.objects.filter(content_type__app_label="sharing", codename__in=codenames))


class Migration(migrations.Migration):
    dependencies = [("sharing", "0002_lawful_bases"), ("matrix", "0003_roles")]
    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
