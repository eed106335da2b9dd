"""Invariants hold in the database itself, not only in forms (docs/rules.md, The subject record;
docs/rules.md, Evidence)."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from matrix.forms import SubjectForm
from matrix.models import Borough, Subject
from tests.conftest import HACKNEY
from tests.factories import EvidenceFactory, SubjectFactory, UserFactory


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.mark.django_db
class TestSubjectClassificationIsMandatory:
    def test_orm_without_classification_is_refused(self):
        user = UserFactory()
        borough = Borough.objects.get(code=HACKNEY)
        refused_by_database(
            lambda: Subject.objects.create(
                reference="GM-2026-000001",
                borough=borough,
                family_name="Testperson",
                given_names="Alpha",
                date_of_birth=date(2000, 1, 1),
                gender="male",
                ethnicity="not_stated",
                created_by=user,
            )
        )
        assert not Subject.objects.exists()

    def test_orm_with_unknown_classification_is_refused(self):
        refused_by_database(lambda: SubjectFactory(classification="gang_member"))

    def test_form_without_classification_names_the_field(self, officer):
        form = SubjectForm(
            data={
                "borough": Borough.objects.get(code=HACKNEY).pk,
                "family_name": "Testperson",
                "given_names": "Alpha",
                "date_of_birth": "2000-01-01",
                "gender": "male",
                "ethnicity": "not_stated",
            },
            user=officer,
        )
        assert not form.is_valid()
        assert list(form.errors) == ["classification"]

    def test_api_without_classification_is_400_naming_the_field(self, officer, api_as):
        response = api_as(officer).post(
            "/api/subjects/",
            {
                "borough": HACKNEY,
                "family_name": "Testperson",
                "given_names": "Alpha",
                "date_of_birth": "2000-01-01",
                "gender": "male",
                "ethnicity": "not_stated",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "classification" in response.json()
        assert not Subject.objects.exists()


@pytest.mark.django_db
class TestSubjectConstraints:
    def test_victim_cannot_be_marked_also_victim(self):
        refused_by_database(lambda: SubjectFactory(classification="victim", also_victim=True))

    def test_victim_is_never_harm_scored(self):
        refused_by_database(lambda: SubjectFactory(classification="at_risk", harm_score=5, harm_band="green"))

    def test_a_zero_score_has_no_band(self):
        refused_by_database(lambda: SubjectFactory(harm_score=0, harm_band="green", harm_method_version=1))

    def test_a_score_above_zero_has_a_band(self):
        refused_by_database(lambda: SubjectFactory(harm_score=5, harm_band="", harm_method_version=1))

    def test_rejected_subject_keeps_its_reason(self):
        refused_by_database(lambda: SubjectFactory(status="rejected", rejection_reason=""))

    def test_reference_format_is_enforced(self):
        refused_by_database(lambda: SubjectFactory(reference="123"))

    def test_version_must_be_positive(self):
        refused_by_database(lambda: SubjectFactory(version=0))


@pytest.mark.django_db
class TestEvidenceConstraints:
    def test_handling_code_c_needs_conditions(self):
        refused_by_database(lambda: EvidenceFactory(handling_code="C", handling_conditions=""))

    def test_handling_code_c_with_conditions_is_stored(self):
        item = EvidenceFactory(handling_code="C", handling_conditions="Not for education partners.")
        assert item.pk

    def test_social_media_needs_url_platform_and_capture_date(self):
        refused_by_database(lambda: EvidenceFactory(source_type="social_media", verification="unverified"))

    def test_verification_state_only_for_social_media(self):
        refused_by_database(lambda: EvidenceFactory(verification="verified"))

    def test_verified_social_media_records_who_when_and_how(self):
        refused_by_database(
            lambda: EvidenceFactory(
                source_type="social_media",
                verification="verified",
                social_media_url="https://example.invalid/x",
                social_media_platform="Example",
                captured_on=date(2026, 1, 1),
            )
        )

    def test_withdrawal_records_who_and_why(self):
        from django.utils import timezone

        refused_by_database(lambda: EvidenceFactory(withdrawn_at=timezone.now()))

    def test_grading_values_are_checked(self):
        refused_by_database(lambda: EvidenceFactory(source_evaluation="4"))
        refused_by_database(lambda: EvidenceFactory(intelligence_assessment="F"))
        refused_by_database(lambda: EvidenceFactory(nature="opinion"))
