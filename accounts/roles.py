"""The roles (groups created by migration) a person can be given, and what each implies for their scope.

Everyone holds exactly one role. Borough grants make sense only for the roles that work in boroughs;
a partner-agency user belongs to exactly one agency; the others (oversight, the DPO, administration)
are not borough-bound and hold no borough grants.

Two roles are privileged: the DPO and the administrator manage users. Who may give them, and who may
change an account that holds one, is decided in ``accounts.permissions`` (only a DPO, with one exception
so a new force can start).

A role also decides admin-site access (``is_staff``): the DPO edits criteria drafts and records
information-sharing agreements in /admin/, so the ``dpo`` role implies ``is_staff=True``; every other
role implies ``is_staff=False``. ``accounts.services`` sets it whenever it gives a role, as part of
that change.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "Supervisor"
    PARTNER = "partner", "Partner agency user"
    AUDITOR = "auditor", "Auditor (read-only oversight)"
    DPO = "dpo", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator (manages users; sees no records)"


BOROUGH_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
PRIVILEGED_ROLES = frozenset({Role.DPO, Role.ADMINISTRATOR})
ADMIN_SITE_ROLES = frozenset({Role.DPO})


def works_in_boroughs(role: str) -> bool:
    return role in BOROUGH_ROLES


def belongs_to_agency(role: str) -> bool:
    return role == Role.PARTNER


def is_privileged(role: str | None) -> bool:
    return role in PRIVILEGED_ROLES


def uses_admin_site(role: str | None) -> bool:
    """The ``is_staff`` flag a holder of ``role`` has."""
    return role in ADMIN_SITE_ROLES


def role_of(user) -> str | None:
    return user.groups.filter(name__in=Role.values).values_list("name", flat=True).first()


def holds_role(user, role: str) -> bool:
    return user.groups.filter(name=role).exists()


# What each role may do, as model permissions ("app_label.codename"), for every app: the one table.
# Borough scope is not here: it is an object permission on each Borough (matrix.permissions).
_READ_REFERENCE_DATA = [
    "matrix.view_harmscoringmethod",
    "matrix.view_inclusioncriterion",
    "matrix.view_offencetype",
    "matrix.view_offenceweight",
]
_READ_SHARING_SETUP = [
    "sharing.view_informationsharingagreement",
    "sharing.view_lawfulbasis",
    "sharing.view_partneragency",
]
_BOROUGH_WORK = [
    *_READ_REFERENCE_DATA,
    *_READ_SHARING_SETUP,
    "matrix.view_subject",
    "matrix.view_evidence",
    "matrix.view_address",
    "matrix.view_borough",
    "matrix.view_subjectreview",
    "matrix.add_subject",
    "matrix.change_subject",
    "matrix.add_evidence",
    "matrix.change_evidence",
    "matrix.add_address",
    "matrix.change_address",
    "matrix.break_glass",
    "sharing.add_disclosure",
    "sharing.view_disclosure",
    "sharing.view_disclosurenotice",
]
_OVERSIGHT = [
    *_READ_REFERENCE_DATA,
    *_READ_SHARING_SETUP,
    "matrix.view_all_subjects",
    "matrix.view_evidence",
    "matrix.view_address",
    "matrix.view_borough",
    "matrix.view_subjectreview",
    "matrix.view_subjectaccessgrant",
    "matrix.view_boroughusergrant",
    "matrix.view_boroughgroupgrant",
    "audit.view_audit_log",
    "sharing.view_all_disclosures",
    "sharing.view_disclosure",
    "sharing.view_disclosurenotice",
    "sharing.view_partnermembership",
    "transparency.view_disproportionality",
    "transparency.view_impactassessment",
]
_MANAGE = ("add", "change")
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OFFICER: frozenset(_BOROUGH_WORK),
    Role.SUPERVISOR: frozenset(
        [
            *_BOROUGH_WORK,
            "matrix.approve_subject",
            "matrix.review_subject",
            "matrix.add_subjectreview",
            "matrix.verify_social_media",
            "sharing.approve_disclosure",
            "transparency.view_disproportionality",
        ]
    ),
    Role.PARTNER: frozenset(["sharing.use_partner_portal"]),
    Role.AUDITOR: frozenset(_OVERSIGHT),
    Role.DPO: frozenset(
        [
            *_OVERSIGHT,
            # Criteria, the harm scoring method and offence types: drafted and published by the DPO.
            *[
                f"matrix.{action}_{model}"
                for model in ("inclusioncriterion", "harmscoringmethod", "offencetype", "offenceweight")
                for action in _MANAGE
            ],
            "matrix.change_borough",
            *[
                f"matrix.{action}_{model}"
                for model in ("boroughusergrant", "boroughgroupgrant")
                for action in ("add", "change", "delete")
            ],
            "matrix.restrict_processing",
            # Information-sharing set-up: agreements, lawful bases, agencies and their members.
            *[
                f"sharing.{action}_{model}"
                for model in ("informationsharingagreement", "lawfulbasis", "partneragency", "partnermembership")
                for action in _MANAGE
            ],
            # Subject access requests (DPA 2018 s.45).
            "audit.add_subjectaccessrequest",
            "audit.change_subjectaccessrequest",
            "audit.view_subjectaccessrequest",
            "audit.generate_subject_access_report",
            "transparency.add_impactassessment",
            # People: leavers, lockouts and second-factor resets.
            "accounts.manage_users",
            "auth.view_user",
            "auth.view_group",
            "otp_static.view_staticdevice",
            "otp_static.delete_staticdevice",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
        ]
    ),
    Role.ADMINISTRATOR: frozenset(["accounts.manage_users"]),
}


def sync_roles(apps=global_apps, using: str = "default") -> list[str]:
    """Make each role's group hold exactly ``ROLE_PERMISSIONS`` (created if missing); the roles changed.

    Idempotent, and run after every ``migrate`` (accounts/apps.py) and by tests that empty the database,
    so a permission added to the table reaches every install without a data migration. A permission
    given to a role by hand (in the admin) is taken away again: the table is the one place roles are decided.
    """
    for app_config in global_apps.get_app_configs():  # after migrate, every app's permissions exist first
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    missing = sorted({name for names in ROLE_PERMISSIONS.values() for name in names} - by_name.keys())
    if missing:
        raise LookupError(f"ROLE_PERMISSIONS names permissions that do not exist: {', '.join(missing)}")
    changed = []
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.using(using).get_or_create(name=role)
        wanted = {by_name[name] for name in names}
        if set(group.permissions.values_list("pk", flat=True)) != wanted:
            group.permissions.set(wanted)
            changed.append(role)
    return changed
