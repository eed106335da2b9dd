"""User administration services (accounts.services): each change in one transaction, with history and
exactly one access-log entry by the right actor; bad input is a field error and changes nothing."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import resolve, reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import services
from accounts.permissions import MANAGE_USERS
from audit import triggers
from audit.models import AccessEvent
from matrix.models import Borough, BoroughUserGrant
from matrix.permissions import granted_permissions
from sharing.models import PartnerMembership
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import PartnerAgencyFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
REASON = "Synthetic: joiner starts Monday, ticket SYN-1"


@pytest.fixture
def administrator(db):
    return make_user("administrator", username="admin.people")


@pytest.fixture
def mover(db):
    return make_user("officer", [HACKNEY], username="officer.mover")


def borough(code):
    return Borough.objects.get(code=code)


class NewEntries:
    """The access-log entries written since it was made."""

    def __init__(self):
        self.after = AccessEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0

    def all(self):
        return list(AccessEvent.objects.filter(sequence__gt=self.after).order_by("sequence"))

    def one(self):
        entries = self.all()
        assert len(entries) == 1, [entry.detail for entry in entries]
        return entries[0]


def everything():
    """Every row a user-administration change could write."""
    return (
        User.objects.count(),
        AccessEvent.objects.count(),
        User.history.count(),
        BoroughUserGrant.objects.count(),
        BoroughUserGrant.history.count(),
        PartnerMembership.objects.count(),
        list(User.objects.values_list("is_active")),
        sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    )


def roles_of(version):
    return sorted(version.groups.values_list("group__name", flat=True))


class TestCreateUser:
    def test_a_joiner_gets_a_role_boroughs_history_and_one_logged_entry(self, administrator):
        entries = NewEntries()
        user, link = services.create_user(
            username="joiner.one",
            email="joiner.one@example.test",
            role="officer",
            boroughs=[borough(HACKNEY)],
            acting_user=administrator,
            reason=REASON,
        )
        assert list(user.groups.values_list("name", flat=True)) == ["officer"]
        assert BoroughUserGrant.objects.filter(user=user, content_object__code=HACKNEY).exists()
        assert not user.has_usable_password() and user.is_active
        entry = entries.one()
        assert (entry.action, entry.actor_id, entry.actor_username, entry.justification) == (
            "collect",
            administrator.pk,
            "admin.people",
            REASON,
        )
        assert entry.detail == "Created user joiner.one with role officer; boroughs Hackney (E09000012)"
        version = user.history.get()
        assert (version.history_type, version.history_user, version.history_change_reason) == (
            "+",
            administrator,
            REASON,
        )
        assert roles_of(version) == ["officer"]
        grant_version = BoroughUserGrant.history.get(user_id=user.pk)
        assert (grant_version.history_user, grant_version.history_change_reason) == (administrator, REASON)
        assert resolve(link).url_name == "person-set-up"

    def test_the_system_creates_the_first_administrator(self, db):
        """The signature bootstrap_force relies on: acting_user=None is the system."""
        entries = NewEntries()
        user, _ = services.create_user(
            username="first.admin",
            email="first.admin@example.test",
            role="administrator",
            acting_user=None,
            reason="First administrator created by bootstrap_force",
        )
        assert granted_permissions(user) == {MANAGE_USERS}
        entry = entries.one()
        assert (entry.actor_id, entry.actor_username) == (None, "system")
        assert user.history.get().history_user is None

    def test_a_partner_user_belongs_to_their_agency(self, administrator):
        agency = PartnerAgencyFactory(name="Synthetic Youth Service")
        user, _ = services.create_user(
            username="partner.new",
            email="partner.new@example.test",
            role="partner",
            partner=agency,
            acting_user=administrator,
            reason=REASON,
        )
        assert user.partner_membership.partner == agency
        assert PartnerMembership.history.get(user_id=user.pk).history_user == administrator

    @pytest.mark.parametrize(
        "overrides, field",
        [
            ({"username": "Officer.Hackney"}, "username"),  # taken, whatever the case
            ({"username": "has space"}, "username"),
            ({"username": ""}, "username"),
            ({"username": 42}, "username"),
            ({"email": "not-an-email"}, "email"),
            ({"role": "superhero"}, "role"),
            ({"role": "auditor", "boroughs": ["E09000012"]}, "boroughs"),
            ({"role": "auditor", "boroughs": "AB"}, "boroughs"),
            ({"role": "administrator", "boroughs": "hackney"}, "boroughs"),
            ({"role": "partner"}, "partner"),
            ({"partner": "an agency"}, "partner"),
            ({"reason": "   "}, "reason"),
            ({"reason": "nul\x00byte"}, "reason"),
        ],
    )
    def test_bad_input_is_a_field_error_and_changes_nothing(self, administrator, officer, overrides, field):
        fields = {"username": "joiner.two", "email": "joiner.two@example.test", "role": "officer", "reason": REASON}
        if overrides.get("boroughs") == ["E09000012"]:
            overrides = {**overrides, "boroughs": [borough(HACKNEY)]}
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.create_user(acting_user=administrator, **{**fields, **overrides})
        assert field in error.value.message_dict
        assert everything() == before

    @pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "auditor"])
    def test_only_administrators_and_the_dpo_create_users(self, role):
        acting = make_user(role, username=f"acting.{role}")
        with pytest.raises(PermissionDenied):
            services.create_user(
                username="joiner.x", email="x@example.test", role="officer", acting_user=acting, reason=REASON
            )
        assert not User.objects.filter(username="joiner.x").exists()

    def test_the_dpo_manages_users_too(self, db):
        dpo = make_user("dpo", username="dpo")
        user, _ = services.create_user(
            username="joiner.dpo", email="j@example.test", role="auditor", acting_user=dpo, reason=REASON
        )
        assert user.groups.get().name == "auditor"


class TestTheAdministratorRole:
    def test_it_manages_users_and_reads_no_personal_data(self, administrator):
        assert granted_permissions(administrator) == {MANAGE_USERS}

    def test_the_dpo_holds_the_same_permission(self, db):
        assert MANAGE_USERS in granted_permissions(make_user("dpo", username="dpo"))

    @pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "auditor"])
    def test_no_other_role_holds_it(self, role):
        assert MANAGE_USERS not in granted_permissions(make_user(role, username=f"someone.{role}"))


class TestMovers:
    def test_change_of_role_is_one_version_and_one_entry(self, administrator, mover):
        entries = NewEntries()
        versions = mover.history.count()
        services.change_role(user=mover, role="supervisor", acting_user=administrator, reason=REASON)
        assert list(mover.groups.values_list("name", flat=True)) == ["supervisor"]
        assert entries.one().detail == "Changed role of officer.mover from officer to supervisor"
        assert mover.history.count() == versions + 1
        latest = mover.history.latest()
        assert (latest.history_user, latest.history_change_reason, roles_of(latest)) == (
            administrator,
            REASON,
            ["supervisor"],
        )

    def test_the_scope_must_fit_the_new_role(self, administrator, mover):
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.change_role(user=mover, role="auditor", acting_user=administrator, reason=REASON)
        assert "withdraw their boroughs first" in error.value.message_dict["role"][0]
        with pytest.raises(ValidationError, match="already has this role"):
            services.change_role(user=mover, role="officer", acting_user=administrator, reason=REASON)
        assert everything() == before

    def test_granting_and_withdrawing_a_borough(self, administrator, mover):
        entries = NewEntries()
        services.grant_borough(user=mover, borough=borough(SOUTHWARK), acting_user=administrator, reason=REASON)
        granted = entries.one()
        assert (granted.action, granted.actor_username, granted.detail) == (
            "alter",
            "admin.people",
            "Granted borough Southwark (E09000028) to officer.mover",
        )
        entries = NewEntries()
        services.withdraw_borough(user=mover, borough=borough(HACKNEY), acting_user=administrator, reason=REASON)
        assert entries.one().detail == "Withdrew borough Hackney (E09000012) from officer.mover"
        assert list(BoroughUserGrant.objects.filter(user=mover).values_list("content_object__code", flat=True)) == [
            SOUTHWARK
        ]
        withdrawn = BoroughUserGrant.history.filter(user_id=mover.pk, history_type="-").get()
        assert (withdrawn.history_user, withdrawn.history_change_reason) == (administrator, REASON)

    def test_a_borough_not_granted_cannot_be_withdrawn_nor_granted_twice(self, administrator, mover):
        dpo = make_user("dpo", username="dpo")
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.withdraw_borough(user=mover, borough=borough(SOUTHWARK), acting_user=administrator, reason=REASON)
        assert "borough" in error.value.message_dict
        with pytest.raises(ValidationError, match="already works in Hackney"):
            services.grant_borough(user=mover, borough=borough(HACKNEY), acting_user=administrator, reason=REASON)
        with pytest.raises(ValidationError, match="Only officers and supervisors"):
            services.grant_borough(user=administrator, borough=borough(HACKNEY), acting_user=dpo, reason=REASON)
        assert everything() == before

    def test_partner_agency_set_moved_and_removed(self, administrator):
        first, second = PartnerAgencyFactory(name="Synthetic Agency A"), PartnerAgencyFactory(name="Synthetic Agency B")
        partner_user = make_user("partner", username="partner.mover")
        for agency in (first, second):
            entries = NewEntries()
            services.set_partner_membership(user=partner_user, partner=agency, acting_user=administrator, reason=REASON)
            assert entries.one().detail == f"Partner agency of partner.mover set to {agency.name}"
        assert PartnerMembership.objects.get(user=partner_user).partner == second
        entries = NewEntries()
        services.remove_partner_membership(user=partner_user, acting_user=administrator, reason=REASON)
        assert entries.one().detail == "Partner agency of partner.mover removed: Synthetic Agency B"
        assert PartnerMembership.history.filter(user_id=partner_user.pk).count() == 3
        with pytest.raises(ValidationError):
            services.remove_partner_membership(user=partner_user, acting_user=administrator, reason=REASON)


class TestFourEyes:
    @pytest.mark.parametrize(
        "change",
        [
            lambda me: services.change_role(user=me, role="officer", acting_user=me, reason=REASON),
            lambda me: services.deactivate_user(user=me, acting_user=me, reason=REASON),
            lambda me: services.reset_second_factor(user=me, acting_user=me, reason=REASON),
        ],
        ids=["role", "deactivate", "second-factor"],
    )
    def test_nobody_changes_their_own_account(self, administrator, change):
        before = everything()
        with pytest.raises(PermissionDenied, match="own account"):
            change(administrator)
        assert everything() == before


def signed_in_session(user) -> str:
    client = Client()
    client.force_login(user)
    return client.session.session_key


class TestLeavers:
    def test_deactivation_ends_sessions_revokes_the_token_and_keeps_the_account(self, administrator, mover):
        session_key, bystander_key = signed_in_session(mover), signed_in_session(administrator)
        Token.objects.create(user=mover)
        entries = NewEntries()
        services.deactivate_user(user=mover, acting_user=administrator, reason=REASON)
        mover.refresh_from_db()
        assert not mover.is_active and not mover.has_usable_password()
        assert not Session.objects.filter(session_key=session_key).exists()
        assert Session.objects.filter(session_key=bystander_key).exists()
        assert not Token.objects.filter(user=mover).exists()
        assert BoroughUserGrant.objects.filter(user=mover).exists()  # kept, and useless to an inactive account
        assert entries.one().detail == "Deactivated officer.mover: 1 session(s) ended, API token revoked"
        latest = mover.history.latest()
        assert (latest.is_active, latest.history_user, latest.history_change_reason) == (False, administrator, REASON)
        with pytest.raises(ValidationError, match="already deactivated"):
            services.deactivate_user(user=mover, acting_user=administrator, reason=REASON)

    def test_reactivation_issues_a_new_set_up_link(self, administrator, mover):
        services.deactivate_user(user=mover, acting_user=administrator, reason=REASON)
        entries = NewEntries()
        link = services.reactivate_user(user=mover, acting_user=administrator, reason=REASON)
        mover.refresh_from_db()
        assert mover.is_active and resolve(link).url_name == "person-set-up"
        assert entries.one().detail == "Reactivated officer.mover; a new set-up link was issued"


def fail_sign_in(username, times=2):
    client = Client()
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password-for-test"})


class TestSignInResets:
    def test_resetting_a_lockout_clears_the_attempts_and_logs_once(self, administrator, mover):
        fail_sign_in(mover.username)
        assert AccessAttempt.objects.filter(username=mover.username).exists()
        entries = NewEntries()
        services.reset_lockout(user=mover, acting_user=administrator, reason=REASON)
        assert not AccessAttempt.objects.filter(username=mover.username).exists()
        assert entries.one().detail.startswith("Sign-in lockout reset for officer.mover: 1 failed-attempt record")
        with pytest.raises(ValidationError, match="no failed sign-ins"):
            services.reset_lockout(user=mover, acting_user=administrator, reason=REASON)

    def test_resetting_a_second_factor_removes_every_device_and_logs_once(self, administrator, mover):
        TOTPDevice.objects.create(user=mover, name="Synthetic app", confirmed=True)
        StaticDevice.objects.create(user=mover, name="Recovery codes", confirmed=True)
        entries = NewEntries()
        assert services.reset_second_factor(user=mover, acting_user=administrator, reason=REASON) == 2
        assert (
            not TOTPDevice.objects.filter(user=mover).exists() and not StaticDevice.objects.filter(user=mover).exists()
        )
        assert entries.one().detail == "Second factor reset for officer.mover: 2 device(s) removed; they enrol again"
        with pytest.raises(ValidationError, match="has not set up"):
            services.reset_second_factor(user=mover, acting_user=administrator, reason=REASON)


class TestCommands:
    def test_deactivate_user_acts_as_the_system(self, mover, capsys):
        entries = NewEntries()
        call_command("deactivate_user", mover.username, reason="Synthetic: account compromised, incident SYN-9")
        mover.refresh_from_db()
        assert not mover.is_active
        entry = entries.one()
        assert (entry.actor_id, entry.actor_username, entry.justification) == (
            None,
            "system",
            "Synthetic: account compromised, incident SYN-9",
        )
        assert "deactivated" in capsys.readouterr().out

    def test_reset_lockout_and_second_factor_commands(self, mover):
        fail_sign_in(mover.username)
        TOTPDevice.objects.create(user=mover, name="Synthetic app", confirmed=True)
        entries = NewEntries()
        call_command("reset_lockout", mover.username, reason="Synthetic: verified by phone")
        call_command("reset_second_factor", mover.username, reason="Synthetic: phone lost")
        assert [entry.detail.split(":")[0] for entry in entries.all()] == [
            "Sign-in lockout reset for officer.mover",
            "Second factor reset for officer.mover",
        ]

    def test_commands_need_a_reason_and_a_real_user(self, mover):
        with pytest.raises(CommandError):
            call_command("deactivate_user", mover.username)
        with pytest.raises(CommandError, match="No user called"):
            call_command("deactivate_user", "nobody.here", reason="Synthetic")
        with pytest.raises(CommandError, match="no failed sign-ins"):
            call_command("reset_lockout", mover.username, reason="Synthetic")

    @pytest.mark.django_db(transaction=True)
    def test_a_command_runs_in_its_own_transaction(self, reference_data):
        """Outside a test's wrapping transaction, as on the server: the row lock needs the service's own."""
        leaver = make_user("officer", [HACKNEY], username="officer.autocommit")
        call_command("deactivate_user", leaver.username, reason="Synthetic: leaving today")
        leaver.refresh_from_db()
        assert not leaver.is_active and leaver.history.latest().history_change_reason == "Synthetic: leaving today"

    def test_the_stock_axes_reset_is_logged_too(self, mover):
        fail_sign_in(mover.username)
        entries = NewEntries()
        call_command("axes_reset_username", mover.username)
        assert entries.one().detail == "Failed sign-in attempts cleared for officer.mover (lockout reset)"


class TestUserHistoryIsAppendOnly:
    def test_the_new_history_tables_are_protected(self):
        tables = triggers.history_tables()
        assert {"accounts_historicaluser", "accounts_historicaluser_groups"} <= set(tables)

    @pytest.mark.parametrize("table", ["accounts_historicaluser", "accounts_historicaluser_groups"])
    def test_rows_cannot_be_rewritten_or_deleted(self, mover, table):
        for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):
            with pytest.raises(DatabaseError), transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)
        assert mover.history.exists()

    def test_no_password_hash_is_kept_and_sign_ins_add_no_version(self, mover):
        versions = mover.history.count()
        signed_in_session(mover)
        assert mover.history.count() == versions
        assert "password" not in {field.name for field in User.history.model._meta.fields}


def test_access_borough_is_the_permission_granted(administrator, mover):
    """The grant the services write is the one the gating reads."""
    services.grant_borough(user=mover, borough=borough(SOUTHWARK), acting_user=administrator, reason=REASON)
    grant = BoroughUserGrant.objects.get(user=mover, content_object__code=SOUTHWARK)
    assert grant.permission == Permission.objects.get(content_type__app_label="matrix", codename="access_borough")


def dpo_user(username="dpo.acting"):
    return make_user("dpo", username=username)


def with_second_factor_and_lockout(user):
    TOTPDevice.objects.create(user=user, name="Synthetic app", confirmed=True)
    AccessAttempt.objects.create(
        username=user.username, ip_address="192.0.2.1", user_agent="synthetic", failures_since_start=1
    )
    return user


# Every action on an account, as (name, call): each would succeed on an ordinary account in the state the
# tests give it (an officer in Hackney with a second factor and a failed sign-in; reactivation needs it
# deactivated first, which ``prepare`` does).
ACCOUNT_ACTIONS = {
    "role": lambda user, actor: services.change_role(user=user, role="supervisor", acting_user=actor, reason=REASON),
    "borough-grant": lambda user, actor: services.grant_borough(
        user=user, borough=borough(SOUTHWARK), acting_user=actor, reason=REASON
    ),
    "borough-withdraw": lambda user, actor: services.withdraw_borough(
        user=user, borough=borough(HACKNEY), acting_user=actor, reason=REASON
    ),
    "deactivate": lambda user, actor: services.deactivate_user(user=user, acting_user=actor, reason=REASON),
    "reactivate": lambda user, actor: services.reactivate_user(user=user, acting_user=actor, reason=REASON),
    "lockout-reset": lambda user, actor: services.reset_lockout(user=user, acting_user=actor, reason=REASON),
    "second-factor-reset": lambda user, actor: services.reset_second_factor(
        user=user, acting_user=actor, reason=REASON
    ),
}


def prepare(user, action):
    if action == "reactivate":
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.refresh_from_db()
    return user


class TestSuperusersAndSystemAccounts:
    """Only the system (an operator's command) manages a superuser or a system account: an administrator who
    could manage one could take over the admin site, or the account that signs the system's changes."""

    @pytest.fixture
    def superuser(self, db):
        return with_second_factor_and_lockout(
            make_user("officer", [HACKNEY], username="root.officer", is_superuser=True, is_staff=True)
        )

    @pytest.mark.parametrize("action", ACCOUNT_ACTIONS)
    @pytest.mark.parametrize("acting", ["administrator", "dpo"])
    def test_nobody_manages_a_superuser(self, administrator, superuser, acting, action):
        actor = administrator if acting == "administrator" else dpo_user()
        target = prepare(superuser, action)
        before = everything()
        with pytest.raises(PermissionDenied, match="superuser or a system account"):
            ACCOUNT_ACTIONS[action](target, actor)
        assert everything() == before

    @pytest.mark.parametrize("action", ["role", "reactivate", "deactivate"])
    def test_nobody_manages_a_system_account(self, action):
        from matrix.retention import system_user

        account = system_user("system.synthetic_job")
        account.groups.add(services._role_group("officer"))
        if action == "deactivate":
            User.objects.filter(pk=account.pk).update(is_active=True)
            account.refresh_from_db()
        dpo = dpo_user()
        before = everything()
        with pytest.raises(PermissionDenied, match="superuser or a system account"):
            ACCOUNT_ACTIONS[action](account, dpo)
        assert everything() == before

    def test_the_system_still_manages_them(self, superuser):
        services.deactivate_user(user=superuser, acting_user=None, reason=REASON)
        superuser.refresh_from_db()
        assert not superuser.is_active

    def test_nobody_takes_a_system_username(self, administrator):
        dpo = dpo_user()
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.create_user(
                username="System.helper", email="s@example.test", role="officer", acting_user=dpo, reason=REASON
            )
        assert "system" in error.value.message_dict["username"][0]
        assert everything() == before


class TestPrivilegedRoles:
    """The DPO and administrator roles, and the accounts that hold them, are the DPO's alone; an administrator
    may only create the first DPO while there is no active one."""

    @pytest.mark.parametrize("role", ["administrator", "dpo"])
    def test_an_administrator_cannot_create_a_privileged_account_once_a_dpo_exists(self, administrator, role):
        dpo_user()
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.create_user(
                username="joiner.priv", email="p@example.test", role=role, acting_user=administrator, reason=REASON
            )
        assert "Only the data protection officer" in error.value.message_dict["role"][0]
        assert everything() == before

    def test_an_administrator_creates_the_first_dpo_and_only_that(self, administrator):
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.create_user(
                username="admin.friend",
                email="f@example.test",
                role="administrator",
                acting_user=administrator,
                reason=REASON,
            )
        assert "role" in error.value.message_dict
        assert everything() == before
        entries = NewEntries()
        first, _ = services.create_user(
            username="dpo.first", email="d@example.test", role="dpo", acting_user=administrator, reason=REASON
        )
        assert first.groups.get().name == "dpo"
        assert entries.one().actor_username == "admin.people"
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.create_user(
                username="dpo.second", email="d2@example.test", role="dpo", acting_user=administrator, reason=REASON
            )
        assert "role" in error.value.message_dict
        assert everything() == before

    def test_a_deactivated_dpo_does_not_count(self, administrator):
        services.deactivate_user(user=dpo_user("dpo.left"), acting_user=None, reason=REASON)
        user, _ = services.create_user(
            username="dpo.next", email="d@example.test", role="dpo", acting_user=administrator, reason=REASON
        )
        assert user.groups.get().name == "dpo"

    @pytest.mark.parametrize("role", ["administrator", "dpo"])
    def test_the_dpo_and_the_system_create_privileged_accounts(self, role):
        dpo = dpo_user()
        user, _ = services.create_user(
            username=f"new.{role}", email="n@example.test", role=role, acting_user=dpo, reason=REASON
        )
        assert user.groups.get().name == role
        other, _ = services.create_user(
            username=f"sys.{role}", email="s@example.test", role=role, acting_user=None, reason=REASON
        )
        assert other.groups.get().name == role

    @pytest.mark.parametrize("role", ["administrator", "dpo"])
    def test_an_administrator_cannot_give_a_privileged_role(self, administrator, role):
        mover = make_user("auditor", username="auditor.mover")
        before = everything()
        with pytest.raises(ValidationError) as error:
            services.change_role(user=mover, role=role, acting_user=administrator, reason=REASON)
        assert "Only the data protection officer" in error.value.message_dict["role"][0]
        assert everything() == before

    @pytest.mark.parametrize("action", ["role", "deactivate", "reactivate", "lockout-reset", "second-factor-reset"])
    @pytest.mark.parametrize("role", ["administrator", "dpo"])
    def test_an_administrator_cannot_change_a_privileged_account(self, administrator, role, action):
        target = prepare(with_second_factor_and_lockout(make_user(role, username=f"target.{role}")), action)
        before = everything()
        with pytest.raises(PermissionDenied, match="only the data protection officer"):
            ACCOUNT_ACTIONS[action](target, administrator)
        assert everything() == before

    @pytest.mark.parametrize("action", ["deactivate", "reactivate", "lockout-reset", "second-factor-reset"])
    def test_the_dpo_changes_a_privileged_account(self, administrator, action):
        target = prepare(with_second_factor_and_lockout(administrator), action)
        dpo = dpo_user()
        entries = NewEntries()
        ACCOUNT_ACTIONS[action](target, dpo)
        assert entries.one().actor_username == "dpo.acting"

    def test_the_dpo_moves_people_into_and_out_of_privileged_roles(self, administrator):
        dpo = dpo_user()
        auditor = make_user("auditor", username="auditor.mover")
        services.change_role(user=auditor, role="administrator", acting_user=dpo, reason=REASON)
        services.change_role(user=administrator, role="auditor", acting_user=dpo, reason=REASON)
        assert auditor.groups.get().name == "administrator" and administrator.groups.get().name == "auditor"


class TestAdminSiteAccessFollowsTheRole:
    def test_a_dpo_created_by_the_service_may_use_the_admin_site(self, db):
        entries = NewEntries()
        user, _ = services.create_user(
            username="dpo.new", email="dpo.new@example.test", role="dpo", acting_user=None, reason=REASON
        )
        user.refresh_from_db()
        assert user.is_staff and not user.is_superuser
        assert entries.one().detail == "Created user dpo.new with role dpo; admin site access granted"
        assert user.history.get().is_staff is True

    @pytest.mark.parametrize("role", ["officer", "supervisor", "auditor", "administrator"])
    def test_no_other_role_does(self, role):
        user, _ = services.create_user(
            username=f"new.{role}", email="n@example.test", role=role, acting_user=None, reason=REASON
        )
        user.refresh_from_db()
        assert not user.is_staff

    def test_a_change_of_role_grants_and_withdraws_it_in_one_version_and_one_entry(self, db):
        dpo = dpo_user()
        mover = make_user("auditor", username="auditor.mover")
        versions = mover.history.count()
        entries = NewEntries()
        services.change_role(user=mover, role="dpo", acting_user=dpo, reason=REASON)
        mover.refresh_from_db()
        assert mover.is_staff
        assert entries.one().detail == "Changed role of auditor.mover from auditor to dpo; admin site access granted"
        assert mover.history.count() == versions + 1 and mover.history.latest().is_staff is True
        entries = NewEntries()
        services.change_role(user=mover, role="auditor", acting_user=dpo, reason=REASON)
        mover.refresh_from_db()
        assert not mover.is_staff
        assert entries.one().detail == "Changed role of auditor.mover from dpo to auditor; admin site access withdrawn"
        assert mover.history.count() == versions + 2 and mover.history.latest().is_staff is False

    def test_any_other_role_clears_a_stray_flag(self, administrator):
        stray = make_user("auditor", username="auditor.staff", is_staff=True)
        entries = NewEntries()
        services.change_role(user=stray, role="supervisor", acting_user=administrator, reason=REASON)
        stray.refresh_from_db()
        assert not stray.is_staff
        assert entries.one().detail.endswith("; admin site access withdrawn")


class TestInitialPassword:
    def test_the_system_sets_a_first_password_with_a_version_and_one_entry(self, db):
        from matrix.retention import system_user

        actor = system_user("system.bootstrap_force")
        user, _ = services.create_user(
            username="first.admin", email="f@example.test", role="administrator", acting_user=None, reason=REASON
        )
        entries = NewEntries()
        services.set_initial_password(
            user=user, password="synthetic-Harbour-lantern-2026", acting_user=actor, reason=REASON
        )
        user.refresh_from_db()
        assert user.check_password("synthetic-Harbour-lantern-2026")
        entry = entries.one()
        assert (entry.actor_username, entry.justification) == ("system.bootstrap_force", REASON)
        assert entry.detail.startswith("Password set for first.admin")
        latest = user.history.latest()
        assert (latest.history_type, latest.history_user, latest.history_change_reason) == ("~", actor, REASON)

    def test_no_person_sets_anyone_elses_password(self, administrator, mover):
        User.objects.filter(pk=mover.pk).update(password="!unusable")
        mover.refresh_from_db()
        dpo = dpo_user()
        before = everything()
        with pytest.raises(PermissionDenied):
            services.set_initial_password(
                user=mover, password="synthetic-Harbour-lantern-2026", acting_user=dpo, reason=REASON
            )
        assert everything() == before

    def test_only_a_first_password_and_only_a_good_one(self, mover):
        before = everything()
        with pytest.raises(ValidationError, match="already has a password"):
            services.set_initial_password(
                user=mover, password="synthetic-Harbour-lantern-2026", acting_user=None, reason=REASON
            )
        User.objects.filter(pk=mover.pk).update(password="!unusable")
        with pytest.raises(ValidationError) as error:
            services.set_initial_password(user=mover, password="password", acting_user=None, reason=REASON)
        assert "password" in error.value.message_dict
        assert everything() == before
