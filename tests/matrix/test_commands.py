"""Management commands (README.md, Management commands): seed_demo and create_api_token."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.authtoken.models import Token

from matrix import demo, reference_data
from matrix.choices import PERPETRATOR_CLASSIFICATIONS, Classification, Status
from matrix.models import (
    Borough,
    BoroughUserGrant,
    Evidence,
    HarmScoringMethod,
    InclusionCriterion,
    Subject,
)
from matrix.permissions import boroughs_for
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import SubjectFactory, make_user

User = get_user_model()
HistoricalSubject = Subject.history.model
HistoricalEvidence = Evidence.history.model
REFERENCE_PATTERN = re.compile(r"^GM-\d{4}-\d{6}$")

EXPECTED_USERS = {
    # username: (group, borough codes, is_staff)
    "officer.hackney": ("officer", {HACKNEY}, False),
    "supervisor.hackney": ("supervisor", {HACKNEY}, False),
    "officer.southwark": ("officer", {SOUTHWARK}, False),
    "supervisor.southwark": ("supervisor", {SOUTHWARK}, False),
    "partner.council": ("partner", set(), False),
    "auditor": ("auditor", set(), False),
    "dpo": ("dpo", set(), True),
}


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def counts() -> dict:
    return {
        "users": User.objects.count(),
        "subjects": Subject.objects.count(),
        "evidence": Evidence.objects.count(),
        "historical_subjects": HistoricalSubject.objects.count(),
        "historical_evidence": HistoricalEvidence.objects.count(),
        "criteria": InclusionCriterion.objects.count(),
        "methods": HarmScoringMethod.objects.count(),
    }


def issue_token(username: str, *args) -> str:
    out = StringIO()
    call_command("create_api_token", username, *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
class TestSeedDemo:
    def test_creates_the_seven_demo_users_in_their_groups_with_their_borough_grants(self):
        output = seed()

        assert set(User.objects.values_list("username", flat=True)) == set(EXPECTED_USERS)
        for username, (group, boroughs, is_staff) in EXPECTED_USERS.items():
            user = User.objects.get(username=username)
            assert list(user.groups.values_list("name", flat=True)) == [group], username
            assert user.is_staff is is_staff, username
            assert not user.is_superuser, username
            assert user.check_password(demo.DEMO_PASSWORD), username
            assert username in output
            granted = set(BoroughUserGrant.objects.filter(user=user).values_list("content_object__code", flat=True))
            assert granted == boroughs, username
            assert set(boroughs_for(user).values_list("code", flat=True)) == boroughs, username

    def test_officer_hackney_works_in_hackney_only(self):
        seed()
        officer = User.objects.get(username="officer.hackney")
        assert list(boroughs_for(officer).values_list("code", flat=True)) == [HACKNEY]
        assert not boroughs_for(officer).filter(code=SOUTHWARK).exists()
        visible = Subject.objects.visible_to(officer)
        assert visible.exists()
        assert set(visible.values_list("borough__code", flat=True)) == {HACKNEY}

    def test_publishes_demo_criteria_and_a_current_harm_method(self):
        seed()
        dpo = User.objects.get(username="dpo")
        current = InclusionCriterion.objects.filter(is_current=True)
        assert set(current.values_list("code", flat=True)) == {
            spec["code"] for spec in reference_data.STARTING_CRITERIA
        }
        for criterion in current:
            assert not criterion.is_draft
            assert criterion.published_by == dpo
            assert criterion.superseded_at is None
            assert criterion.version == 1

        method = HarmScoringMethod.objects.get(is_current=True)
        assert not method.is_draft
        assert method.published_by == dpo
        assert method.weights.count() == len(reference_data.STARTING_OFFENCE_WEIGHTS)
        published = method.history.filter(history_change_reason="Published").get()
        assert published.history_user == dpo

    def test_creates_about_sixty_subjects_covering_every_classification_and_status(self):
        output = seed()
        subjects = Subject.objects.all()
        assert subjects.count() == 60
        assert "Created 60 demo subjects" in output
        assert set(subjects.values_list("classification", flat=True)) == {c.value for c in Classification}
        assert set(subjects.values_list("status", flat=True)) == {s.value for s in Status}
        assert set(subjects.values_list("borough__code", flat=True)) == {HACKNEY, SOUTHWARK}
        # Statuses that need extra fields carry them.
        assert not subjects.filter(status=Status.REJECTED, rejection_reason="").exists()
        assert not subjects.filter(status=Status.REMOVED, removed_at__isnull=True).exists()
        assert not subjects.filter(status=Status.APPROVED, review_due__isnull=True).exists()
        # Victims and people at risk are never harm-scored; perpetrators are.
        assert (
            not subjects.exclude(classification__in=PERPETRATOR_CLASSIFICATIONS)
            .filter(harm_score__isnull=False)
            .exists()
        )
        assert subjects.filter(classification__in=PERPETRATOR_CLASSIFICATIONS, harm_score__gt=0).exists()
        assert Evidence.objects.exists()

    def test_every_subject_has_a_history_row_naming_who_did_it(self):
        seed()
        attributed = HistoricalSubject.objects.filter(history_user__isnull=False).values("id")
        assert Subject.objects.exists()
        assert not Subject.objects.exclude(pk__in=attributed).exists()
        # The creation row names the borough's officer, not nobody.
        for subject in Subject.objects.select_related("borough", "created_by"):
            created = subject.history.filter(history_type="+").get()
            assert created.history_user == subject.created_by
            assert created.history_user.username.startswith("officer.")
        # Every piece of evidence is attributed too.
        assert not Evidence.objects.exclude(
            pk__in=HistoricalEvidence.objects.filter(history_user__isnull=False).values("id")
        ).exists()

    def test_demo_names_are_obviously_synthetic(self):
        seed()
        for family_name in Subject.objects.values_list("family_name", flat=True):
            assert family_name.split("-")[0] in demo.FAMILY_NAMES

    def test_running_twice_changes_no_counts(self):
        seed()
        before = counts()
        output = seed()
        assert counts() == before
        assert "already present" in output
        # Grants are not duplicated either.
        assert BoroughUserGrant.objects.count() == 4
        officer = User.objects.get(username="officer.hackney")
        assert list(boroughs_for(officer).values_list("code", flat=True)) == [HACKNEY]

    def test_leaves_an_already_published_criterion_alone(self):
        """The demo rules are only a starting point; a force's own published rules are left alone."""
        seed()
        before = counts()
        InclusionCriterion.objects.filter(code="serious-violence-conviction").update(title="Force's own wording")
        seed()
        assert counts() == before
        assert InclusionCriterion.objects.get(code="serious-violence-conviction").title == "Force's own wording"

    @pytest.mark.slow
    def test_subjects_option_adds_exactly_that_many_scale_subjects(self):
        seed()
        before_ids = set(Subject.objects.values_list("pk", flat=True))
        before_evidence = set(Evidence.objects.values_list("pk", flat=True))
        author = User.objects.get(username="officer.hackney")

        output = seed("--subjects", "50")

        new = Subject.objects.exclude(pk__in=before_ids)
        assert new.count() == 50
        assert Subject.objects.count() == len(before_ids) + 50
        assert "Scale data written: 50 subjects" in output

        references = list(new.values_list("reference", flat=True))
        assert len(set(references)) == 50
        assert all(REFERENCE_PATTERN.fullmatch(reference) for reference in references), references
        year = timezone.localdate().year
        assert all(reference.startswith(f"GM-{year}-") for reference in references)
        all_references = list(Subject.objects.values_list("reference", flat=True))
        assert len(all_references) == len(set(all_references))

        for subject in new:
            rows = HistoricalSubject.objects.filter(id=subject.pk)
            assert rows.count() >= 1, subject.reference
            assert rows.filter(history_user=author, history_type="+").exists(), subject.reference
            if subject.status == "approved":
                assert subject.approved_by.username == "supervisor.hackney"
                assert subject.review_due is not None
            evidence = Evidence.objects.filter(subject=subject)
            assert evidence.count() >= 1, subject.reference
            for item in evidence:
                assert HistoricalEvidence.objects.filter(id=item.pk, history_user=author).exists(), item.pk
            if subject.classification in PERPETRATOR_CLASSIFICATIONS:
                assert subject.harm_score is not None
                assert subject.harm_method_version == HarmScoringMethod.objects.get(is_current=True).version
            else:
                assert subject.harm_score is None
                assert subject.harm_band == ""
                assert subject.harm_method_version is None

        new_evidence = Evidence.objects.exclude(pk__in=before_evidence)
        assert new_evidence.count() == Evidence.objects.filter(subject__in=new).count()
        assert f"{new_evidence.count()} evidence items" in output

    @pytest.mark.slow
    def test_subjects_option_with_victims_and_at_risk_present(self):
        """The 50 generated subjects include safeguarding classifications, so the harm check above bites."""
        seed("--subjects", "50")
        scale = Subject.objects.filter(family_name__startswith="Scaletest-")
        assert scale.count() == 50
        safeguarding = scale.exclude(classification__in=PERPETRATOR_CLASSIFICATIONS)
        assert safeguarding.exists()
        assert not safeguarding.filter(harm_score__isnull=False).exists()

    def test_refuses_in_production_mode(self, settings):
        settings.PRODUCTION = True
        with pytest.raises(CommandError, match="production"):
            seed()
        assert not User.objects.exists()
        assert not Subject.objects.exists()

    def test_refuses_a_negative_subject_count(self):
        with pytest.raises(CommandError, match="--subjects"):
            seed("--subjects", "-1")
        assert not User.objects.exists()
        assert not Subject.objects.exists()


@pytest.mark.django_db
class TestCreateApiToken:
    def test_prints_a_token_that_authenticates_against_the_api(self, client):
        officer = make_user("officer", [HACKNEY])
        subject = SubjectFactory(created_by=officer)

        token = issue_token(officer.username)

        assert re.fullmatch(r"[0-9a-f]{40}", token)
        assert Token.objects.get(user=officer).key == token
        response = client.get("/api/subjects/", HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200
        assert str(subject.uuid) in response.content.decode()

    def test_api_refuses_requests_without_a_valid_token(self, client):
        officer = make_user("officer", [HACKNEY])
        issue_token(officer.username)
        assert client.get("/api/subjects/").status_code == 401
        bogus = "0" * 40
        assert client.get("/api/subjects/", HTTP_AUTHORIZATION=f"Token {bogus}").status_code == 401

    def test_refuses_a_second_token_without_rotate(self):
        officer = make_user("officer", [HACKNEY])
        token = issue_token(officer.username)
        with pytest.raises(CommandError, match="--rotate"):
            issue_token(officer.username)
        assert list(Token.objects.filter(user=officer).values_list("key", flat=True)) == [token]

    def test_rotate_replaces_the_token_and_the_old_one_stops_working(self, client):
        officer = make_user("officer", [HACKNEY])
        old = issue_token(officer.username)

        new = issue_token(officer.username, "--rotate")

        assert re.fullmatch(r"[0-9a-f]{40}", new)
        assert new != old
        assert list(Token.objects.filter(user=officer).values_list("key", flat=True)) == [new]
        assert client.get("/api/subjects/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
        assert client.get("/api/subjects/", HTTP_AUTHORIZATION=f"Token {new}").status_code == 200

    def test_rotate_without_an_existing_token_issues_one(self):
        officer = make_user("officer", [HACKNEY])
        token = issue_token(officer.username, "--rotate")
        assert Token.objects.get(user=officer).key == token

    def test_unknown_user_is_refused(self):
        with pytest.raises(CommandError, match="nobody.here"):
            issue_token("nobody.here")
        assert not Token.objects.exists()

    def test_inactive_user_is_refused(self):
        officer = make_user("officer", [HACKNEY], is_active=False)
        with pytest.raises(CommandError):
            issue_token(officer.username)
        assert not Token.objects.exists()

    def test_other_users_tokens_are_untouched_by_rotate(self):
        first = make_user("officer", [HACKNEY])
        second = make_user("officer", [SOUTHWARK])
        second_token = issue_token(second.username)
        issue_token(first.username)
        issue_token(first.username, "--rotate")
        assert Token.objects.get(user=second).key == second_token


def test_borough_codes_used_by_demo_match_conftest():
    assert (demo.HACKNEY, demo.SOUTHWARK) == (HACKNEY, SOUTHWARK)


@pytest.mark.django_db
def test_demo_boroughs_exist():
    assert Borough.objects.filter(code__in=[HACKNEY, SOUTHWARK]).count() == 2
