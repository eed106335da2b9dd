"""Roles and their permissions come from one table (accounts.roles.ROLE_PERMISSIONS), synchronised after migrate."""

import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_PERMISSIONS, Role, sync_roles
from audit.models import AccessEvent

pytestmark = pytest.mark.django_db


def held(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_after_migrate_every_role_holds_exactly_its_table_entry():
    assert set(ROLE_PERMISSIONS) == set(Role.values)
    assert {role: held(role) for role in ROLE_PERMISSIONS} == {
        role: set(names) for role, names in ROLE_PERMISSIONS.items()
    }


def test_sync_is_idempotent():
    assert sync_roles() == []
    assert sync_roles() == []


def test_a_permission_given_by_hand_is_taken_away_again_and_the_change_is_logged():
    officer = Group.objects.get(name=Role.OFFICER)
    officer.permissions.add(Permission.objects.get(content_type__app_label="matrix", codename="approve_subject"))
    assert "matrix.approve_subject" in held(Role.OFFICER)
    before = AccessEvent.objects.count()
    assert sync_roles() == [Role.OFFICER]
    assert "matrix.approve_subject" not in held(Role.OFFICER)
    assert AccessEvent.objects.count() > before  # group permission changes are logged wherever they are made


def test_a_missing_role_is_created(monkeypatch):
    Group.objects.filter(name=Role.PARTNER).delete()
    assert Role.PARTNER in sync_roles()
    assert held(Role.PARTNER) == {"sharing.use_partner_portal"}


def test_a_table_naming_an_unknown_permission_is_refused(monkeypatch):
    monkeypatch.setitem(ROLE_PERMISSIONS, Role.PARTNER, frozenset({"sharing.use_partner_portal", "sharing.fly"}))
    with pytest.raises(LookupError, match="sharing.fly"):
        sync_roles()


def test_the_four_eyes_roles_are_distinct():
    """Approving needs the supervisor's role; an officer never holds it (docs/access.md)."""
    assert "matrix.approve_subject" in ROLE_PERMISSIONS[Role.SUPERVISOR]
    assert "matrix.approve_subject" not in ROLE_PERMISSIONS[Role.OFFICER]
    assert not any(name.startswith("matrix.") for name in ROLE_PERMISSIONS[Role.PARTNER])
    assert ROLE_PERMISSIONS[Role.ADMINISTRATOR] == {"accounts.manage_users"}
