"""``manage.py bootstrap_force``: a new force's starting reference data as drafts, and its first administrator."""

import builtins
import getpass
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from audit.models import AccessEvent
from matrix import bootstrap, reference_data
from matrix.models import HarmScoringMethod, InclusionCriterion, OffenceType, OffenceWeight
from sharing.models import LawfulBasis
from tests.factories import CriterionFactory, HarmMethodFactory, OffenceTypeFactory, OffenceWeightFactory, make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
GOOD_PASSWORD = "synthetic-Harbour-lantern-2026"
STARTING_ROWS = len(reference_data.STARTING_CRITERIA) + len(reference_data.STARTING_OFFENCE_WEIGHTS) + 1


def bootstrap_force(*args) -> str:
    out = StringIO()
    call_command("bootstrap_force", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def administrator(db):
    """An active administrator already exists, so the command only loads reference data."""
    user = make_user(username="admin.existing")
    user.groups.add(Group.objects.get_or_create(name=bootstrap.ADMINISTRATOR_ROLE)[0])
    return user


def snapshot() -> dict:
    """Every row the command could write, counted."""
    return {
        "criteria": InclusionCriterion.objects.count(),
        "criterion_history": InclusionCriterion.history.count(),
        "methods": HarmScoringMethod.objects.count(),
        "method_history": HarmScoringMethod.history.count(),
        "weights": OffenceWeight.objects.count(),
        "offence_types": OffenceType.objects.count(),
        "lawful_bases": LawfulBasis.objects.count(),
        "users": User.objects.count(),
        "access_log": AccessEvent.objects.count(),
    }


class TestStartingSet:
    def test_loads_every_criterion_and_the_harm_method_as_drafts_and_publishes_nothing(self, administrator):
        output = bootstrap_force()
        criteria = InclusionCriterion.objects.all()
        codes = {spec["code"] for spec in reference_data.STARTING_CRITERIA}
        assert set(criteria.values_list("code", flat=True)) == codes
        for criterion in criteria:
            spec = next(spec for spec in reference_data.STARTING_CRITERIA if spec["code"] == criterion.code)
            assert criterion.is_draft and not criterion.is_current and criterion.version == 1
            assert (criterion.title, criterion.plain_text) == (spec["title"], spec["plain_text"])
        method = HarmScoringMethod.objects.get()
        assert method.is_draft and not method.is_current
        assert {(w.offence_type.code, w.weight) for w in method.weights.select_related("offence_type")} == {
            (code, weight) for code, _label, weight in reference_data.STARTING_OFFENCE_WEIGHTS
        }
        assert "Drafted corroborated-gang-violence v1" in output
        assert f"{len(reference_data.STARTING_CRITERIA) + 1} draft(s) await" in output

    def test_every_row_has_history_and_an_access_log_entry_signed_by_the_system_account(self, administrator):
        bootstrap_force()
        system = User.objects.get(username=bootstrap.SYSTEM_USERNAME)
        assert not system.is_active and not system.has_usable_password()
        for model in (InclusionCriterion, HarmScoringMethod, OffenceType, OffenceWeight):
            rows = model.history.all()
            assert rows.exists()
            assert set(rows.values_list("history_user", "history_change_reason")) == {
                (system.pk, bootstrap.DRAFTED_REASON)
            }, model
        logged = AccessEvent.objects.filter(actor_username=bootstrap.SYSTEM_USERNAME)
        assert logged.count() == STARTING_ROWS
        assert set(logged.values_list("action", flat=True)) == {"collect"}

    def test_a_second_run_creates_nothing_and_says_so(self, administrator):
        bootstrap_force()
        before = snapshot()
        output = bootstrap_force()
        assert snapshot() == before
        assert "Nothing new was created" in output
        assert "Already drafted: corroborated-gang-violence v1, awaiting publication." in output
        assert "Offence types: 0 added, 8 already present." in output
        assert "Already drafted: Harm scoring method v1, awaiting publication." in output

    def test_a_published_version_is_skipped_and_left_exactly_as_it_is(self, administrator):
        own = CriterionFactory(code="corroborated-gang-violence", version=3, title="The force's own wording")
        method = HarmMethodFactory(version=2)
        OffenceWeightFactory(method=method, offence_type=OffenceTypeFactory(code="gbh", label="Wounding (own label)"))
        untouched = {
            "criterion_history": own.history.count(),
            "method_history": method.history.count(),
            "weights": list(method.weights.values_list("offence_type__code", "weight")),
        }
        output = bootstrap_force()
        assert list(InclusionCriterion.objects.filter(code=own.code)) == [own]
        own.refresh_from_db()
        assert own.title == "The force's own wording" and own.is_current
        assert list(HarmScoringMethod.objects.all()) == [method]
        assert {
            "criterion_history": own.history.count(),
            "method_history": method.history.count(),
            "weights": list(method.weights.values_list("offence_type__code", "weight")),
        } == untouched
        assert OffenceType.objects.get(code="gbh").label == "Wounding (own label)"
        assert "Skipped corroborated-gang-violence: version 3 is published" in output
        assert "Skipped: Harm scoring method v2 is published" in output
        # The codes the force has not published are still drafted.
        assert InclusionCriterion.objects.filter(code="serious-violence-conviction", published_at__isnull=True).exists()

    def test_lawful_bases_come_from_the_migration_and_are_not_duplicated(self, administrator):
        before = LawfulBasis.objects.count()
        output = bootstrap_force()
        assert LawfulBasis.objects.count() == before == len(reference_data.LAWFUL_BASES)
        assert f"{before} of the {before} lawful bases in the specification are present" in output

    def test_the_output_ends_with_the_next_steps(self, administrator):
        output = bootstrap_force().strip().splitlines()
        ending = "\n".join(output[-4:])
        assert output[-4].endswith("Next steps")
        assert "/people/" in ending and "data protection officer's account" in ending
        assert "publishes them there" in ending and "/governance/reference-data/" in ending
        assert "registers the partner agencies" in ending

    def test_the_demo_publishes_the_same_starting_set(self):
        call_command("seed_demo", stdout=StringIO())
        assert set(InclusionCriterion.objects.filter(is_current=True).values_list("code", flat=True)) == {
            spec["code"] for spec in reference_data.STARTING_CRITERIA
        }
        assert HarmScoringMethod.objects.get(is_current=True).weights.count() == len(
            reference_data.STARTING_OFFENCE_WEIGHTS
        )


def answers(monkeypatch, typed, passwords):
    """Simulate the operator: ``typed`` answers input(), ``passwords`` answers getpass()."""
    typed, passwords = iter(typed), iter(passwords)

    def next_or_eof(values):
        def answer(prompt=""):
            try:
                return next(values)
            except StopIteration:
                raise EOFError from None

        return answer

    monkeypatch.setattr(builtins, "input", next_or_eof(typed))
    monkeypatch.setattr(getpass, "getpass", next_or_eof(passwords))


def run_capturing_errors(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("bootstrap_force", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def administrators():
    return User.objects.filter(groups__name=bootstrap.ADMINISTRATOR_ROLE, is_active=True)


class TestFirstAdministrator:
    def test_created_interactively_with_a_password_asked_twice(self, monkeypatch):
        answers(monkeypatch, ["admin.first", "admin.first@example.test"], [GOOD_PASSWORD, GOOD_PASSWORD])
        output, _errors = run_capturing_errors()
        admin = administrators().get()
        assert (admin.username, admin.email) == ("admin.first", "admin.first@example.test")
        assert admin.check_password(GOOD_PASSWORD)
        assert "Created admin.first (admin.first@example.test)." in output
        assert AccessEvent.objects.filter(
            actor_username=bootstrap.SYSTEM_USERNAME, detail__startswith="Password set for admin.first"
        ).exists()

    def test_the_password_is_set_by_the_accounts_service_with_a_version_and_one_entry(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        bootstrap_force("--admin-username", "admin.auto", "--admin-email", "admin.auto@example.test")
        admin = administrators().get()
        system = User.objects.get(username=bootstrap.SYSTEM_USERNAME)
        versions = list(admin.history.order_by("history_id"))
        assert [version.history_type for version in versions] == ["+", "~"]
        assert (versions[1].history_user, versions[1].history_change_reason) == (
            system,
            bootstrap.FIRST_ADMINISTRATOR_REASON,
        )
        about_admin = AccessEvent.objects.filter(object_type="user", detail__contains="admin.auto").order_by("sequence")
        assert [(entry.action, entry.actor_username, entry.justification) for entry in about_admin] == [
            ("collect", "system", bootstrap.FIRST_ADMINISTRATOR_REASON),
            ("alter", bootstrap.SYSTEM_USERNAME, bootstrap.FIRST_ADMINISTRATOR_REASON),
        ]

    def test_a_weak_or_mistyped_password_is_asked_again(self, monkeypatch):
        answers(
            monkeypatch,
            ["admin.first", "admin.first@example.test"],
            ["short", "short", GOOD_PASSWORD, "a different one", GOOD_PASSWORD, GOOD_PASSWORD],
        )
        _output, errors = run_capturing_errors()
        assert "too short" in errors and "The two passwords differ" in errors
        assert administrators().get().check_password(GOOD_PASSWORD)

    def test_created_from_flags_and_the_environment(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        output = bootstrap_force("--admin-username", "admin.auto", "--admin-email", "admin.auto@example.test")
        assert administrators().get().check_password(GOOD_PASSWORD)
        assert "Created admin.auto" in output

    def test_a_second_run_skips_the_administrator_and_creates_nothing(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        bootstrap_force("--admin-username", "admin.auto", "--admin-email", "admin.auto@example.test")
        before = snapshot()
        output = bootstrap_force("--admin-username", "admin.other", "--admin-email", "admin.other@example.test")
        assert snapshot() == before
        assert "Skipped: an active administrator already exists." in output
        assert "Nothing new was created" in output


class TestRefusals:
    """Refused before anything is written (these need no accounts app: nothing reaches it)."""

    def test_a_password_the_validators_refuse_is_refused_from_the_environment(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", "password")
        before = snapshot()
        with pytest.raises(CommandError, match="Nothing was written.*too common"):
            bootstrap_force("--admin-username", "admin.auto", "--admin-email", "admin.auto@example.test")
        assert snapshot() == before

    def test_a_password_like_the_username_is_refused(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", "admin.automatic")
        with pytest.raises(CommandError, match="too similar"):
            bootstrap_force("--admin-username", "admin.automatic", "--admin-email", "someone@example.test")
        assert not InclusionCriterion.objects.exists()

    def test_the_flags_need_the_password_variable(self, monkeypatch):
        monkeypatch.delenv("GOVMATRIX_ADMIN_PASSWORD", raising=False)
        with pytest.raises(CommandError, match="Set GOVMATRIX_ADMIN_PASSWORD"):
            bootstrap_force("--admin-username", "admin.auto", "--admin-email", "admin.auto@example.test")

    def test_the_flags_go_together(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        with pytest.raises(CommandError, match="both --admin-username and --admin-email"):
            bootstrap_force("--admin-username", "admin.auto")

    def test_a_taken_username_and_a_bad_email_are_refused(self, monkeypatch):
        make_user(username="admin.taken")
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        with pytest.raises(CommandError, match="already taken"):
            bootstrap_force("--admin-username", "admin.taken", "--admin-email", "admin@example.test")
        with pytest.raises(CommandError, match="valid email"):
            bootstrap_force("--admin-username", "admin.new", "--admin-email", "not-an-address")

    def test_a_system_name_is_refused_like_in_the_users_pages(self, monkeypatch):
        monkeypatch.setenv("GOVMATRIX_ADMIN_PASSWORD", GOOD_PASSWORD)
        with pytest.raises(CommandError, match="are the system's own"):
            bootstrap_force("--admin-username", "system.admin", "--admin-email", "admin@example.test")
        assert not User.objects.filter(username="system.admin").exists()

    def test_no_terminal_and_no_flags_says_what_to_do(self, monkeypatch):
        answers(monkeypatch, [], [])
        with pytest.raises(CommandError, match="give --admin-username and --admin-email"):
            bootstrap_force()
        assert not InclusionCriterion.objects.exists()

    def test_three_refused_passwords_end_the_command_with_nothing_written(self, monkeypatch):
        answers(monkeypatch, ["admin.first", "admin.first@example.test"], ["short"] * 6)
        with pytest.raises(CommandError, match="No acceptable password after 3 tries"):
            bootstrap_force()
        assert not InclusionCriterion.objects.exists() and not administrators().exists()
