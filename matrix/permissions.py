"""Every access decision about matrix records, in one place, used by the browser views and the API alike.

Roles are Django groups carrying model permissions; scope is a guardian object permission on the
Borough. Role checks read only permissions actually granted (to the user or their groups): a
superuser flag alone gives no access to personal data.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from matrix.models import Borough, BoroughGroupGrant, BoroughUserGrant, Subject, SubjectAccessGrant

ACCESS_BOROUGH = "access_borough"
VIEW_SUBJECT = "matrix.view_subject"
VIEW_ALL_SUBJECTS = "matrix.view_all_subjects"
ADD_SUBJECT = "matrix.add_subject"
CHANGE_SUBJECT = "matrix.change_subject"
BREAK_GLASS = "matrix.break_glass"


def granted_permissions(user) -> frozenset[str]:
    """Model permissions granted to the user or their groups, loaded once per user object (one query).

    Unlike ``user.has_perm``, the superuser flag adds nothing: a system administrator reads no
    personal data unless a role is granted to them.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_govmatrix_permissions", None)
    if cached is None:
        rows = (
            Permission.objects.filter(Q(user=user) | Q(group__user=user))
            .values_list("content_type__app_label", "codename")
            .distinct()
        )
        cached = frozenset(f"{app_label}.{codename}" for app_label, codename in rows)
        user._govmatrix_permissions = cached
    return cached


def holds(user, perm: str) -> bool:
    return perm in granted_permissions(user)


@dataclass(frozen=True)
class Scope:
    """Where a user works: their granted borough ids and the subjects of their live break-glass grants."""

    borough_ids: frozenset[int]
    break_glass_subject_ids: frozenset[int]


@cache
def _scope_sql() -> str:
    """The three grant lookups as one statement, written out: the ORM took about 3 ms to compile this union,
    on every gated page, for a query the database answers in a tenth of that."""
    tables = {
        "user_grant": BoroughUserGrant._meta.db_table,
        "group_grant": BoroughGroupGrant._meta.db_table,
        "break_glass": SubjectAccessGrant._meta.db_table,
        "permission": Permission._meta.db_table,
        "membership": get_user_model().groups.through._meta.db_table,
    }
    return """
        SELECT grant_row.content_object_id, 0 FROM {user_grant} grant_row
          JOIN {permission} permission ON permission.id = grant_row.permission_id
         WHERE grant_row.user_id = %(user)s AND permission.codename = %(codename)s
        UNION ALL
        SELECT grant_row.content_object_id, 0 FROM {group_grant} grant_row
          JOIN {permission} permission ON permission.id = grant_row.permission_id
          JOIN {membership} membership ON membership.group_id = grant_row.group_id
         WHERE membership.user_id = %(user)s AND permission.codename = %(codename)s
        UNION ALL
        SELECT grant_row.content_object_id, 1 FROM {break_glass} grant_row
         WHERE grant_row.user_id = %(user)s AND grant_row.expires_at > %(now)s
    """.format(**tables)


def scope_of(user) -> Scope:
    """The user's borough and break-glass grants, read in one query on the small grant tables and kept on the
    user object for the request, like ``granted_permissions``.

    Lists filter on these ids as constants rather than on a subquery: the planner walks a borough's own
    ordered index (``borough``, sort key) only when it knows the borough, which keeps a gated list as cheap
    as the same list filtered by borough, at any table size.
    """
    cached = getattr(user, "_govmatrix_scope", None)
    if cached is None:
        with connection.cursor() as cursor:
            cursor.execute(_scope_sql(), {"user": user.pk, "codename": ACCESS_BOROUGH, "now": timezone.now()})
            pairs = cursor.fetchall()
        cached = Scope(
            borough_ids=frozenset(pk for pk, is_subject in pairs if not is_subject),
            break_glass_subject_ids=frozenset(pk for pk, is_subject in pairs if is_subject),
        )
        user._govmatrix_scope = cached
    return cached


def forget_scope(user) -> None:
    """For a step that changes the user's own grants: later checks in the same request read them afresh."""
    user.__dict__.pop("_govmatrix_scope", None)


def boroughs_for(user):
    """The boroughs whose subjects the user works with."""
    if not holds(user, VIEW_SUBJECT):
        return Borough.objects.none()
    return Borough.objects.filter(pk__in=scope_of(user).borough_ids)


def list_boroughs_for(user):
    """The boroughs a person can narrow the subject list to: all of them for those who read every subject."""
    return Borough.objects.all() if holds(user, VIEW_ALL_SUBJECTS) else boroughs_for(user)


def subject_visibility(queryset, user):
    if holds(user, VIEW_ALL_SUBJECTS):
        return queryset
    if not holds(user, VIEW_SUBJECT):
        return queryset.none()
    scope = scope_of(user)
    visible = Q(borough_id__in=scope.borough_ids)
    if scope.break_glass_subject_ids:
        visible |= Q(pk__in=scope.break_glass_subject_ids)
    return queryset.filter(visible)


def works_in_borough(user, borough) -> bool:
    return getattr(user, "is_authenticated", False) and borough.pk in scope_of(user).borough_ids


def can_create_subject_in(user, borough) -> bool:
    return holds(user, ADD_SUBJECT) and works_in_borough(user, borough)


def can_edit_subject(user, subject: Subject) -> bool:
    """Editing needs the officer's role and a borough grant; break-glass access is read-only."""
    return holds(user, CHANGE_SUBJECT) and works_in_borough(user, subject.borough)


def view_subject_permission():
    return Permission.objects.get(content_type__app_label="matrix", codename="view_subject")


def can_break_glass(user) -> bool:
    return holds(user, BREAK_GLASS)


APPROVE_SUBJECT = "matrix.approve_subject"
REVIEW_SUBJECT = "matrix.review_subject"
VERIFY_SOCIAL_MEDIA = "matrix.verify_social_media"


def is_own_record(user, subject: Subject) -> bool:
    """Four-eyes: a record is one's own if one created it or submitted it."""
    return user.pk in (subject.created_by_id, subject.submitted_by_id)


def can_approve(user, subject: Subject) -> bool:
    return holds(user, APPROVE_SUBJECT) and works_in_borough(user, subject.borough)


def can_review(user, subject: Subject) -> bool:
    return holds(user, REVIEW_SUBJECT) and works_in_borough(user, subject.borough)


RESTRICT_PROCESSING = "matrix.restrict_processing"


def can_restrict(user, subject: Subject) -> bool:
    """The DPO decides restriction for any borough; it is read through the audit role's access."""
    return holds(user, RESTRICT_PROCESSING) and Subject.objects.visible_to(user).filter(pk=subject.pk).exists()


def can_verify(user, subject: Subject) -> bool:
    return holds(user, VERIFY_SOCIAL_MEDIA) and works_in_borough(user, subject.borough)


@dataclass(frozen=True)
class StepRule:
    """Who may take one step on a subject, and the words a refused person reads (may name ``{borough}``)."""

    allowed: Callable[..., bool]
    refusal: str


# Every step on a subject or its evidence, by name: the services, the pages and the API all ask here.
# Four-eyes and the record's state are separate decisions (``require_not_own_record``; the services).
SUBJECT_STEPS = {
    "edit": StepRule(can_edit_subject, "You can only edit subjects of boroughs you work in."),
    "submit": StepRule(can_edit_subject, "You can only submit subjects of boroughs you work in."),
    "approve": StepRule(can_approve, "Only a supervisor of {borough} can approve this record."),
    "reject": StepRule(can_approve, "Only a supervisor of {borough} can reject this record."),
    "review": StepRule(can_review, "Only a supervisor of {borough} can review this record."),
    "remove": StepRule(can_review, "Only a supervisor of {borough} can remove this record."),
    "restrict": StepRule(can_restrict, "Only the data protection officer can restrict processing."),
    "lift": StepRule(can_restrict, "Only the data protection officer can lift a restriction."),
    "add_evidence": StepRule(can_edit_subject, "You can only add evidence to subjects of boroughs you work in."),
    "change_evidence": StepRule(can_edit_subject, "You can only change evidence on subjects of boroughs you work in."),
    "withdraw_evidence": StepRule(
        can_edit_subject, "You can only withdraw evidence on subjects of boroughs you work in."
    ),
    "verify_evidence": StepRule(can_verify, "Only a supervisor of the subject's borough can verify social media."),
}


def require_step(step: str, user, subject: Subject) -> None:
    """Refuse (PermissionDenied, 403) a step the user's role and boroughs do not allow on ``subject``."""
    rule = SUBJECT_STEPS[step]
    if not rule.allowed(user, subject):
        raise PermissionDenied(rule.refusal.format(borough=subject.borough.name))


def require_not_own_record(user, subject: Subject, step: str) -> None:
    """Four-eyes: the person who created or submitted a record never decides it."""
    if is_own_record(user, subject):
        raise PermissionDenied(f"You cannot {step} a record you created or submitted: another supervisor must.")


def require_break_glass(user) -> None:
    if not can_break_glass(user):
        raise PermissionDenied("Your role cannot use break-glass access.")


class SubjectActions:
    """Every per-subject decision a page needs, with the borough check made once (one query).

    For showing or hiding action forms only: the services check again, so a forged request is still refused.
    """

    def __init__(self, user, subject: Subject):
        # The rule functions themselves: the user's permissions and boroughs are read once and kept on the user.
        self.edit = can_edit_subject(user, subject)
        self.approve = can_approve(user, subject)
        self.review = can_review(user, subject)
        self.verify = can_verify(user, subject)
        self.works_in_borough = self.edit or self.approve or self.review or self.verify
        self.own = is_own_record(user, subject)
        # The page shows only a subject the user may see, so the role is what remains of can_restrict.
        self.restrict = holds(user, RESTRICT_PROCESSING)


MANAGE_CRITERIA = "matrix.change_inclusioncriterion"
MANAGE_HARM_METHOD = "matrix.change_harmscoringmethod"


def can_manage_reference_data(user) -> bool:
    """The reference data page: the role that drafts and publishes criteria and the harm scoring method (the DPO).

    ``matrix.publishing`` checks each object's own permission again when a version is published.
    """
    return holds(user, MANAGE_CRITERIA) and holds(user, MANAGE_HARM_METHOD)
