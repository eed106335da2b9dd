"""Account changes made through other doors than the People pages — the admin site, the shell — are logged
once each, by the signed-in actor (or the system), and the user's roles keep a history."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessEvent
from matrix.models import Borough, BoroughGroupGrant, BoroughUserGrant
from sharing.models import PartnerMembership
from tests.accounts.test_accounts_services import NewEntries
from tests.conftest import HACKNEY
from tests.factories import make_user
from tests.sharing_factories import PartnerAgencyFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def superuser(db):
    return make_user(username="root.synthetic", is_superuser=True, is_staff=True)


@pytest.fixture
def admin_site(superuser):
    client = Client()
    client.force_login(superuser)
    return client


def change_form(user, **overrides):
    """The admin's user change form as a browser posts it, with ``overrides``."""
    joined = timezone.localtime(user.date_joined)
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "",
        "is_superuser": "",
        "groups": [group.pk for group in user.groups.all()],
        "user_permissions": [],
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def details(entries):
    return [(entry.actor_username, entry.detail) for entry in entries.all()]


class TestTheAdminSite:
    def test_a_change_of_groups_is_logged_and_kept_in_the_users_history(self, admin_site, superuser):
        person = make_user("officer", [HACKNEY], username="officer.admin")
        versions = person.history.count()
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:auth_user_change", args=[person.pk]),
            change_form(person, groups=[Group.objects.get(name="supervisor").pk]),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert set(details(entries)) == {
            ("root.synthetic", "Roles of officer.admin removed: officer"),
            ("root.synthetic", "Roles of officer.admin added: supervisor"),
        }
        assert person.history.count() > versions
        latest = person.history.latest()
        assert latest.history_user == superuser
        assert list(latest.groups.values_list("group__name", flat=True)) == ["supervisor"]

    def test_deactivating_in_the_admin_is_logged(self, admin_site):
        person = make_user("officer", [HACKNEY], username="officer.admin")
        entries = NewEntries()
        admin_site.post(reverse("admin:auth_user_change", args=[person.pk]), change_form(person, is_active=""))
        assert details(entries) == [("root.synthetic", "Account changed: officer.admin: deactivated")]
        assert person.history.latest().is_active is False

    def test_a_borough_granted_through_object_permissions_is_logged(self, admin_site):
        person = make_user("officer", username="officer.admin")
        hackney = Borough.objects.get(code=HACKNEY)
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:matrix_borough_permissions_manage_user", args=[hackney.pk, person.pk]),
            {"permissions": ["access_borough"]},
        )
        assert response.status_code == 302
        assert details(entries) == [("root.synthetic", "Granted borough Hackney (E09000012) to officer.admin")]
        assert BoroughUserGrant.history.get(user_id=person.pk).history_user.username == "root.synthetic"
        entries = NewEntries()
        admin_site.post(
            reverse("admin:matrix_borough_permissions_manage_user", args=[hackney.pk, person.pk]),
            {"submit": "Save"},  # nothing ticked: the browser still sends the button
        )
        assert details(entries) == [("root.synthetic", "Withdrew borough Hackney (E09000012) from officer.admin")]

    def test_a_partner_membership_added_in_the_admin_is_logged(self, admin_site):
        person = make_user("partner", username="partner.admin")
        agency = PartnerAgencyFactory(name="Synthetic Housing Trust")
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:sharing_partnermembership_add"), {"user": person.pk, "partner": agency.pk}
        )
        assert response.status_code == 302
        assert details(entries) == [
            ("root.synthetic", "Partner agency of partner.admin set to Synthetic Housing Trust")
        ]

    def test_a_second_factor_removed_in_the_admin_is_still_logged(self, admin_site):
        person = make_user("officer", username="officer.admin")
        device = TOTPDevice.objects.create(user=person, name="Synthetic app", confirmed=True)
        entries = NewEntries()
        admin_site.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
        assert not TOTPDevice.objects.filter(pk=device.pk).exists()
        assert [entry.detail for entry in entries.all()] == ["Two-factor device removed (reset)"]


class TestTheShell:
    def test_a_role_added_from_the_groups_side_is_logged_and_versioned(self):
        """``group.user_set`` changes the same table from the other side (django-simple-history issue 1048)."""
        person = make_user(username="officer.shell")
        entries = NewEntries()
        Group.objects.get(name="officer").user_set.add(person)
        assert details(entries) == [("", "Roles of officer.shell added: officer")]
        assert list(person.history.latest().groups.values_list("group__name", flat=True)) == ["officer"]
        entries = NewEntries()
        Group.objects.get(name="officer").user_set.clear()
        assert details(entries) == [("", "Roles of officer.shell removed: officer")]

    def test_clearing_roles_and_group_grants_are_logged(self):
        person = make_user("officer", username="officer.shell")
        team = Group.objects.create(name="Synthetic Hackney team")
        entries = NewEntries()
        person.groups.clear()
        BoroughGroupGrant.objects.create(
            group=team,
            content_object=Borough.objects.get(code=HACKNEY),
            permission=BoroughUserGrant._meta.get_field("permission").related_model.objects.get(
                codename="access_borough"
            ),
        )
        PartnerMembership.objects.create(
            user=make_user("partner", username="partner.shell"), partner=PartnerAgencyFactory(name="Synthetic Agency")
        )
        assert [detail for _, detail in details(entries)] == [
            "Roles of officer.shell removed: officer",
            "Granted borough Hackney (E09000012) to group Synthetic Hackney team",
            "Roles of partner.shell added: partner",
            "Partner agency of partner.shell set to Synthetic Agency",
        ]

    def test_a_superuser_created_by_command_is_logged(self):
        entries = NewEntries()
        User.objects.create_superuser("root.created", "root@example.test", "synthetic-superuser-password")
        assert details(entries) == [
            ("", "Account created: root.created: admin site access granted; superuser status granted")
        ]

    def test_a_superusers_sign_in_is_not_an_account_change(self, superuser):
        entries = NewEntries()
        Client().force_login(superuser)
        assert not [entry for entry in entries.all() if entry.action == "alter"]

    def test_an_account_created_without_privilege_is_not_logged_until_it_gets_access(self):
        entries = NewEntries()
        User.objects.create_user("plain.account", "plain@example.test", "synthetic-plain-password")
        assert AccessEvent.objects.filter(sequence__gt=entries.after).count() == 0


def permission(dotted):
    from django.contrib.auth.models import Permission

    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def direct_permissions(version):
    return sorted(
        f"{row.permission.content_type.app_label}.{row.permission.codename}" for row in version.user_permissions.all()
    )


class TestPermissionsChangedInTheAdmin:
    def test_a_users_own_permissions_are_logged_and_kept_in_their_history(self, admin_site, superuser):
        person = make_user("officer", [HACKNEY], username="officer.admin")
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:auth_user_change", args=[person.pk]),
            change_form(
                person,
                user_permissions=[permission("matrix.break_glass").pk, permission("matrix.view_all_subjects").pk],
            ),
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert details(entries) == [
            ("root.synthetic", "Permissions of user officer.admin added: matrix.break_glass, matrix.view_all_subjects")
        ]
        latest = person.history.latest()
        assert latest.history_user == superuser
        assert direct_permissions(latest) == ["matrix.break_glass", "matrix.view_all_subjects"]

        entries = NewEntries()
        admin_site.post(
            reverse("admin:auth_user_change", args=[person.pk]),
            change_form(person, user_permissions=[permission("matrix.break_glass").pk]),
        )
        assert details(entries) == [
            ("root.synthetic", "Permissions of user officer.admin removed: matrix.view_all_subjects")
        ]
        assert direct_permissions(person.history.latest()) == ["matrix.break_glass"]

    def test_a_groups_permissions_are_logged(self, admin_site):
        group = Group.objects.get(name="auditor")
        held = list(group.permissions.values_list("pk", flat=True))
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:auth_group_change", args=[group.pk]),
            {"name": "auditor", "permissions": [*held, permission("matrix.change_subject").pk]},
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        assert details(entries) == [("root.synthetic", "Permissions of group auditor added: matrix.change_subject")]
        entries = NewEntries()
        admin_site.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "auditor", "permissions": held})
        assert details(entries) == [("root.synthetic", "Permissions of group auditor removed: matrix.change_subject")]

    def test_a_new_group_with_permissions_is_logged(self, admin_site):
        entries = NewEntries()
        response = admin_site.post(
            reverse("admin:auth_group_add"),
            {"name": "Synthetic team", "permissions": [permission("matrix.view_subject").pk]},
        )
        assert response.status_code == 302
        assert details(entries) == [
            ("root.synthetic", "Permissions of group Synthetic team added: matrix.view_subject")
        ]


class TestPermissionsChangedInTheShell:
    def test_from_the_permissions_side_and_by_clearing(self):
        person = make_user(username="officer.shell")
        break_glass = permission("matrix.break_glass")
        entries = NewEntries()
        break_glass.user_set.add(person)
        assert details(entries) == [("", "Permissions of user officer.shell added: matrix.break_glass")]
        assert direct_permissions(person.history.latest()) == ["matrix.break_glass"]
        entries = NewEntries()
        person.user_permissions.clear()
        assert details(entries) == [("", "Permissions of user officer.shell removed: matrix.break_glass")]
        team = Group.objects.create(name="Synthetic team")
        entries = NewEntries()
        break_glass.group_set.add(team)
        team.permissions.clear()
        assert [detail for _, detail in details(entries)] == [
            "Permissions of group Synthetic team added: matrix.break_glass",
            "Permissions of group Synthetic team removed: matrix.break_glass",
        ]

    def test_quiet_inside_a_service_and_silent_when_nothing_changes(self):
        from audit.context import logged_by_service

        person = make_user(username="officer.shell")
        person.user_permissions.add(permission("matrix.break_glass"))
        entries = NewEntries()
        with logged_by_service():
            person.user_permissions.add(permission("matrix.view_subject"))
        person.user_permissions.add(permission("matrix.break_glass"))  # already held
        assert details(entries) == []
