"""What the People pages read: accounts with their role and scope, each list in a fixed number of queries."""

from dataclasses import dataclass

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django_otp import user_has_device

from accounts.roles import Role, belongs_to_agency, works_in_boroughs
from matrix.models import BoroughGroupGrant, BoroughUserGrant
from matrix.permissions import ACCESS_BOROUGH

User = get_user_model()


def people():
    """Every account, by username, with its role, direct borough grants and agency (four queries in all)."""
    borough_grants = BoroughUserGrant.objects.filter(permission__codename=ACCESS_BOROUGH).select_related(
        "content_object"
    )
    return (
        User.objects.select_related("partner_membership__partner")
        .prefetch_related(
            Prefetch("groups", queryset=Group.objects.filter(name__in=Role.values), to_attr="roles"),
            Prefetch(
                "boroughusergrant_set", queryset=borough_grants.order_by("content_object__name"), to_attr="boroughs"
            ),
        )
        .order_by("username")
    )


@dataclass(frozen=True)
class Person:
    """One account as its page shows it."""

    account: object
    role: str | None
    boroughs: list
    team_boroughs: list  # (borough, group) through a non-role group
    has_second_factor: bool
    failed_sign_ins: int
    versions: list
    grant_history: list

    @property
    def works_in_boroughs(self) -> bool:
        return works_in_boroughs(self.role)

    @property
    def belongs_to_agency(self) -> bool:
        return belongs_to_agency(self.role)


def person(account) -> Person:
    account = people().get(pk=account.pk)
    team_grants = BoroughGroupGrant.objects.filter(group__user=account, permission__codename=ACCESS_BOROUGH)
    return Person(
        account=account,
        role=account.roles[0].name if account.roles else None,
        boroughs=[grant.content_object for grant in account.boroughs],
        team_boroughs=[
            (grant.content_object, grant.group) for grant in team_grants.select_related("content_object", "group")
        ],
        has_second_factor=user_has_device(account),
        failed_sign_ins=sum(
            AccessAttempt.objects.filter(username=account.get_username()).values_list("failures_since_start", flat=True)
        ),
        versions=list(account.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]),
        grant_history=list(
            BoroughUserGrant.history.filter(user_id=account.pk)
            .select_related("history_user", "content_object")
            .order_by("-history_date", "-history_id")[:50]
        ),
    )
