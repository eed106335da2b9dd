"""The five roles of docs/access.md (Roles) as groups with their model permissions.

Borough scope is not granted here: it is an object permission on each Borough, given per user or group.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

READ_RECORDS = [
    "matrix.view_subject",
    "matrix.view_evidence",
    "matrix.view_address",
    "matrix.view_borough",
    "matrix.view_subjectreview",
]
WRITE_RECORDS = [
    "matrix.add_subject",
    "matrix.change_subject",
    "matrix.add_evidence",
    "matrix.change_evidence",
    "matrix.add_address",
    "matrix.change_address",
    "matrix.break_glass",
]
READ_REFERENCE = [
    "matrix.view_inclusioncriterion",
    "matrix.view_offencetype",
    "matrix.view_harmscoringmethod",
    "matrix.view_offenceweight",
]
OVERSIGHT = [
    "matrix.view_all_subjects",
    "matrix.view_evidence",
    "matrix.view_address",
    "matrix.view_borough",
    "matrix.view_subjectreview",
    "matrix.view_subjectaccessgrant",
    "matrix.view_boroughusergrant",
    "matrix.view_boroughgroupgrant",
    *READ_REFERENCE,
]
MANAGE_REFERENCE = [
    f"matrix.{action}_{model}"
    for model in ("inclusioncriterion", "offencetype", "harmscoringmethod", "offenceweight")
    for action in ("add", "change")
] + [
    "matrix.change_borough",
    *[f"matrix.{action}_{model}" for model in ("boroughusergrant", "boroughgroupgrant") for action in ("add", "change", "delete")],
    "auth.view_user",
    "auth.view_group",
]

ROLE_PERMISSIONS = {
    "officer": [*READ_RECORDS, *WRITE_RECORDS, *READ_REFERENCE],
    "supervisor": [
        *READ_RECORDS,
        *WRITE_RECORDS,
        *READ_REFERENCE,
        "matrix.approve_subject",
        "matrix.review_subject",
        "matrix.add_subjectreview",
        "matrix.verify_social_media",
    ],
    "partner": [],
    "auditor": OVERSIGHT,
    "dpo": [*OVERSIGHT, *MANAGE_REFERENCE],
}


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        for dotted in perms:
            app_label, codename = dotted.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("matrix", "0002_boroughs"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
