"""Versioned reference data: draft, publish, supersede — never edit in place (docs/rules.md, Published
versions of the rules)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from matrix import publishing
from matrix.choices import Classification, SourceType
from matrix.models import HarmScoringMethod, InclusionCriterion, OffenceWeight
from tests.factories import (
    CriterionFactory,
    HarmMethodFactory,
    OffenceTypeFactory,
    OffenceWeightFactory,
    make_user,
)

CRITERION_FIELDS = [
    "code",
    "title",
    "plain_text",
    "classifications",
    "min_items",
    "min_source_evaluation",
    "min_intelligence_assessment",
    "allowed_source_types",
    "lookback_days",
    "requires_independent_sources",
]
METHOD_FIELDS = ["half_life_days", "amber_threshold", "red_threshold", "notes"]


def draft_criterion(**fields) -> InclusionCriterion:
    return CriterionFactory(is_current=False, published_at=None, **fields)


def draft_method(**fields) -> HarmScoringMethod:
    return HarmMethodFactory(is_current=False, published_at=None, **fields)


def with_weights(method: HarmScoringMethod, *weights: str) -> HarmScoringMethod:
    for number, weight in enumerate(weights):
        OffenceWeightFactory(
            method=method, offence_type=OffenceTypeFactory(code=f"offence-w{number}"), weight=Decimal(weight)
        )
    return method


@pytest.fixture
def dpo(db):
    return make_user("dpo", is_staff=True)


@pytest.fixture
def dpo_client(dpo):
    client = Client()
    client.force_login(dpo)
    return client


def change_url(obj) -> str:
    return reverse(f"admin:matrix_{obj._meta.model_name}_change", args=[obj.pk])


def changelist_url(model) -> str:
    return reverse(f"admin:matrix_{model._meta.model_name}_changelist")


@pytest.mark.django_db
class TestPublishCriterion:
    def test_publishing_a_draft_makes_it_current_and_supersedes_the_previous_version(self, dpo):
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2, title="Reworded")
        other = CriterionFactory(code="unrelated", version=1)
        before = timezone.now()

        published = publishing.publish(draft, acting_user=dpo)

        draft.refresh_from_db()
        old.refresh_from_db()
        other.refresh_from_db()
        assert published.pk == draft.pk
        assert draft.is_current and not draft.is_draft
        assert draft.published_at >= before
        assert draft.published_by == dpo
        assert draft.superseded_at is None
        assert not old.is_current
        assert old.superseded_at == draft.published_at
        # A criterion with a different code is not superseded.
        assert other.is_current and other.superseded_at is None
        assert list(InclusionCriterion.objects.filter(code="gang-violence", is_current=True)) == [draft]

    def test_publishing_the_first_version_of_a_code(self, dpo):
        draft = draft_criterion(code="brand-new", version=1)
        publishing.publish(draft, acting_user=dpo)
        draft.refresh_from_db()
        assert draft.is_current and draft.published_by == dpo

    def test_publish_history_names_the_acting_user_and_reason(self, dpo):
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2)

        publishing.publish(draft, acting_user=dpo)

        latest = draft.history.latest()
        assert latest.history_user == dpo
        assert latest.history_change_reason == "Published"
        assert latest.is_current is True
        superseded = old.history.latest()
        assert superseded.history_user == dpo
        assert superseded.history_change_reason == "Superseded by version 2"
        assert superseded.is_current is False

    def test_publishing_an_already_published_version_is_refused(self, dpo):
        current = CriterionFactory(code="gang-violence", version=1)
        history_rows = current.history.count()
        with pytest.raises(ValidationError, match="already published"):
            publishing.publish(current, acting_user=dpo)
        current.refresh_from_db()
        assert current.is_current and current.superseded_at is None
        assert current.history.count() == history_rows

    def test_a_superseded_version_cannot_be_republished(self, dpo):
        old = CriterionFactory(code="gang-violence", version=1)
        publishing.publish(draft_criterion(code="gang-violence", version=2), acting_user=dpo)
        with pytest.raises(ValidationError):
            publishing.publish(old, acting_user=dpo)
        old.refresh_from_db()
        assert not old.is_current

    def test_an_invalid_draft_is_not_published_and_nothing_is_superseded(self, dpo):
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2, classifications=["gang_member"])
        with pytest.raises(ValidationError):
            publishing.publish(draft, acting_user=dpo)
        old.refresh_from_db()
        draft.refresh_from_db()
        assert old.is_current and old.superseded_at is None
        assert draft.is_draft and not draft.is_current


@pytest.mark.django_db
class TestPublishHarmMethod:
    def test_publishing_a_method_supersedes_the_previous_method(self, dpo):
        old = with_weights(HarmMethodFactory(version=1), "10")
        draft = with_weights(draft_method(version=2), "20")

        publishing.publish(draft, acting_user=dpo)

        old.refresh_from_db()
        draft.refresh_from_db()
        assert draft.is_current and draft.published_by == dpo and draft.published_at is not None
        assert not old.is_current and old.superseded_at == draft.published_at
        assert list(HarmScoringMethod.objects.filter(is_current=True)) == [draft]
        latest = draft.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (dpo, "Published")
        assert old.history.latest().history_change_reason == "Superseded by version 2"

    def test_a_method_without_weights_cannot_be_published(self, dpo):
        old = with_weights(HarmMethodFactory(version=1), "10")
        draft = draft_method(version=2)
        with pytest.raises(ValidationError, match="offence weight"):
            publishing.publish(draft, acting_user=dpo)
        draft.refresh_from_db()
        old.refresh_from_db()
        assert draft.is_draft and not draft.is_current
        assert old.is_current and old.superseded_at is None

    def test_publishing_an_already_published_method_is_refused(self, dpo):
        current = with_weights(HarmMethodFactory(version=1), "10")
        with pytest.raises(ValidationError, match="already published"):
            publishing.publish(current, acting_user=dpo)


@pytest.mark.django_db
class TestDraftNewVersion:
    def test_criterion_copy_has_same_fields_next_version_and_is_a_draft(self, dpo):
        current = CriterionFactory(
            code="gang-violence",
            version=3,
            title="Corroborated gang violence",
            plain_text="Two independent sources.",
            classifications=[Classification.CONVICTED],
            min_items=2,
            min_source_evaluation="1",
            min_intelligence_assessment="B",
            allowed_source_types=[SourceType.CONVICTION, SourceType.POLICE_RECORD],
            lookback_days=730,
            requires_independent_sources=True,
            published_by=dpo,
        )
        CriterionFactory(code="other-code", version=9)

        draft = publishing.draft_new_version(current, acting_user=dpo)

        draft.refresh_from_db()
        current.refresh_from_db()
        assert draft.pk != current.pk
        for field in CRITERION_FIELDS:
            assert getattr(draft, field) == getattr(current, field), field
        assert draft.version == 4  # counts versions of this code only, not of "other-code"
        assert draft.is_draft and not draft.is_current
        assert draft.published_by is None and draft.superseded_at is None
        # The source stays current and untouched until the draft is published.
        assert current.is_current and current.superseded_at is None and current.version == 3
        created = draft.history.get()
        assert created.history_user == dpo
        assert created.history_change_reason == "Drafted from version 3"

    def test_criterion_version_follows_the_highest_existing_version(self, dpo):
        old = CriterionFactory(code="gang-violence", version=1, is_current=False, superseded_at=timezone.now())
        CriterionFactory(code="gang-violence", version=2)
        draft = publishing.draft_new_version(old, acting_user=dpo)
        assert draft.version == 3

    def test_method_copy_carries_its_weights(self, dpo):
        current = with_weights(HarmMethodFactory(version=1, half_life_days=200, notes="Force weights"), "40", "8")
        original_weights = {(w.offence_type_id, w.weight) for w in current.weights.all()}

        draft = publishing.draft_new_version(current, acting_user=dpo)

        draft.refresh_from_db()
        assert draft.version == 2
        assert draft.is_draft and not draft.is_current
        for field in METHOD_FIELDS:
            assert getattr(draft, field) == getattr(current, field), field
        assert {(w.offence_type_id, w.weight) for w in draft.weights.all()} == original_weights
        # Copies, not moves: the published method keeps its own weights.
        assert {(w.offence_type_id, w.weight) for w in current.weights.all()} == original_weights
        assert OffenceWeight.objects.count() == 4
        for weight in draft.weights.all():
            assert weight.history.get().history_user == dpo

    def test_draft_then_publish_round_trip(self, dpo):
        current = with_weights(HarmMethodFactory(version=1), "10")
        draft = publishing.draft_new_version(current, acting_user=dpo)
        publishing.publish(draft, acting_user=dpo)
        current.refresh_from_db()
        draft.refresh_from_db()
        assert draft.is_current and not current.is_current
        assert draft.weights.count() == 1


@pytest.mark.django_db
class TestDatabaseRefusesInconsistentVersions:
    def test_two_current_versions_of_one_criterion_code(self):
        CriterionFactory(code="gang-violence", version=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            CriterionFactory(code="gang-violence", version=2)
        assert InclusionCriterion.objects.filter(code="gang-violence").count() == 1

    def test_current_versions_of_different_codes_are_allowed(self):
        CriterionFactory(code="one", version=1)
        CriterionFactory(code="two", version=1)
        assert InclusionCriterion.objects.filter(is_current=True).count() == 2

    def test_duplicate_version_number_of_one_code(self):
        CriterionFactory(code="gang-violence", version=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            CriterionFactory(code="gang-violence", version=1, is_current=False)

    def test_an_unpublished_version_cannot_be_current(self):
        with pytest.raises(IntegrityError), transaction.atomic():
            CriterionFactory(code="gang-violence", version=1, is_current=True, published_at=None)

    def test_two_current_harm_methods(self):
        HarmMethodFactory(version=1)
        with pytest.raises(IntegrityError), transaction.atomic():
            HarmMethodFactory(version=2)


@pytest.mark.django_db
class TestAdmin:
    def test_published_criterion_change_page_is_read_only(self, dpo_client):
        current = CriterionFactory(code="gang-violence", version=1, title="Original wording")
        response = dpo_client.get(change_url(current))
        assert response.status_code == 200
        content = response.content.decode()
        assert "Original wording" in content
        assert 'name="_save"' not in content
        assert response.context["has_change_permission"] is False

    def test_draft_criterion_change_page_is_editable(self, dpo_client):
        draft = draft_criterion(code="gang-violence", version=1)
        response = dpo_client.get(change_url(draft))
        assert response.status_code == 200
        assert 'name="_save"' in response.content.decode()
        assert response.context["has_change_permission"] is True

    def test_posting_to_a_published_criterion_changes_nothing(self, dpo_client):
        current = CriterionFactory(code="gang-violence", version=1, title="Original wording")
        history_rows = current.history.count()
        response = dpo_client.post(
            change_url(current),
            {
                "code": "gang-violence",
                "title": "Quietly changed",
                "plain_text": "Quietly changed",
                "classifications": '["suspected"]',
                "min_items": "1",
                "min_source_evaluation": "2",
                "min_intelligence_assessment": "C",
                "allowed_source_types": '["police_record"]',
                "lookback_days": "365",
                "_save": "Save",
            },
        )
        assert response.status_code == 403
        current.refresh_from_db()
        assert current.title == "Original wording"
        assert current.history.count() == history_rows

    def test_posting_to_a_published_method_changes_nothing(self, dpo_client):
        current = with_weights(HarmMethodFactory(version=1, half_life_days=365), "10")
        weight = current.weights.get()
        response = dpo_client.post(
            change_url(current),
            {
                "half_life_days": "30",
                "amber_threshold": "1",
                "red_threshold": "2",
                "notes": "",
                "weights-TOTAL_FORMS": "1",
                "weights-INITIAL_FORMS": "1",
                "weights-MIN_NUM_FORMS": "0",
                "weights-MAX_NUM_FORMS": "1000",
                "weights-0-id": str(weight.pk),
                "weights-0-method": str(current.pk),
                "weights-0-offence_type": str(weight.offence_type_id),
                "weights-0-weight": "99",
                "_save": "Save",
            },
        )
        assert response.status_code == 403
        current.refresh_from_db()
        weight.refresh_from_db()
        assert current.half_life_days == 365
        assert weight.weight == Decimal("10")

    def test_editing_a_draft_through_the_admin_records_who_did_it(self, dpo, dpo_client):
        draft = draft_criterion(code="gang-violence", version=1, title="First wording")
        response = dpo_client.post(
            change_url(draft),
            {
                "code": "gang-violence",
                "title": "Second wording",
                "plain_text": "Synthetic criterion for tests.",
                "classifications": '["suspected"]',
                "min_items": "1",
                "min_source_evaluation": "2",
                "min_intelligence_assessment": "C",
                "allowed_source_types": '["police_record"]',
                "lookback_days": "365",
                "_save": "Save",
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        draft.refresh_from_db()
        assert draft.title == "Second wording"
        assert draft.is_draft and draft.version == 1
        latest = draft.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (dpo, "Draft edited")

    def test_publish_drafts_action_publishes_a_draft(self, dpo, dpo_client):
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2)
        response = dpo_client.post(
            changelist_url(InclusionCriterion),
            {"action": "publish_drafts", "_selected_action": [str(draft.pk)], "index": "0"},
            follow=True,
        )
        assert response.status_code == 200
        draft.refresh_from_db()
        old.refresh_from_db()
        assert draft.is_current and draft.published_by == dpo
        assert not old.is_current
        latest = draft.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (dpo, "Published")
        assert f"Published {draft}." in [str(m) for m in response.context["messages"]]

    def test_publish_drafts_action_reports_a_refusal(self, dpo_client):
        method = draft_method(version=1)  # no weights
        response = dpo_client.post(
            changelist_url(HarmScoringMethod),
            {"action": "publish_drafts", "_selected_action": [str(method.pk)], "index": "0"},
            follow=True,
        )
        assert response.status_code == 200
        method.refresh_from_db()
        assert method.is_draft and not method.is_current
        messages = [str(m) for m in response.context["messages"]]
        assert any("offence weight" in message for message in messages), messages

    def test_draft_new_versions_action(self, dpo, dpo_client):
        current = CriterionFactory(code="gang-violence", version=1)
        response = dpo_client.post(
            changelist_url(InclusionCriterion),
            {"action": "draft_new_versions", "_selected_action": [str(current.pk)], "index": "0"},
            follow=True,
        )
        assert response.status_code == 200
        draft = InclusionCriterion.objects.get(code="gang-violence", version=2)
        assert draft.is_draft and not draft.is_current
        current.refresh_from_db()
        assert current.is_current

    def test_staff_with_view_only_permission_cannot_publish_through_the_action(self, client):
        """An auditor made staff can read reference data in the admin but never publish it."""
        auditor = make_user("auditor", is_staff=True)
        client.force_login(auditor)
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2)
        assert client.get(changelist_url(InclusionCriterion)).status_code == 200
        client.post(
            changelist_url(InclusionCriterion),
            {"action": "publish_drafts", "_selected_action": [str(draft.pk)], "index": "0"},
        )
        client.post(
            changelist_url(InclusionCriterion),
            {"action": "draft_new_versions", "_selected_action": [str(old.pk)], "index": "0"},
        )
        draft.refresh_from_db()
        old.refresh_from_db()
        assert draft.is_draft and not draft.is_current
        assert old.is_current
        assert InclusionCriterion.objects.count() == 2

    def test_history_revert_cannot_edit_a_published_criterion(self, dpo, dpo_client):
        """simple_history's "revert" form must not become a back door for editing a published version."""
        draft = draft_criterion(code="gang-violence", version=1, title="Original wording")
        draft._history_user = dpo
        draft.save()  # a history row from while it was a draft
        publishing.publish(draft, acting_user=dpo)
        draft.refresh_from_db()
        form = {
            "code": "gang-violence",
            "title": "Quietly changed",
            "plain_text": "Quietly changed",
            "classifications": '["suspected"]',
            "min_items": "1",
            "min_source_evaluation": "2",
            "min_intelligence_assessment": "C",
            "allowed_source_types": '["police_record"]',
            "lookback_days": "365",
            "_save": "Save",
        }
        for row in draft.history.all():
            url = reverse("admin:matrix_inclusioncriterion_simple_history", args=[draft.pk, row.history_id])
            response = dpo_client.post(url, form)
            assert response.status_code == 403, row.history_change_reason
        draft.refresh_from_db()
        assert draft.title == "Original wording"
        assert draft.is_current and not draft.is_draft

    def test_history_page_of_a_published_criterion_offers_no_revert(self, dpo, dpo_client):
        draft = draft_criterion(code="gang-violence", version=1)
        draft._history_user = dpo
        draft.save()
        publishing.publish(draft, acting_user=dpo)
        for row in draft.history.all():
            url = reverse("admin:matrix_inclusioncriterion_simple_history", args=[draft.pk, row.history_id])
            response = dpo_client.get(url)
            assert response.status_code == 200
            assert 'value="Revert"' not in response.content.decode(), row.history_change_reason

    def test_history_revert_still_works_on_a_draft(self, dpo, dpo_client):
        draft = draft_criterion(code="gang-violence", version=1, title="First wording")
        draft._history_user = dpo
        draft.save()
        first = draft.history.latest()
        draft.title = "Second wording"
        draft.save()
        url = reverse("admin:matrix_inclusioncriterion_simple_history", args=[draft.pk, first.history_id])
        assert 'value="Revert"' in dpo_client.get(url).content.decode()
        form = {
            "code": "gang-violence",
            "title": "First wording",
            "plain_text": draft.plain_text,
            "classifications": '["suspected"]',
            "min_items": "1",
            "min_source_evaluation": "2",
            "min_intelligence_assessment": "C",
            "allowed_source_types": '["police_record"]',
            "lookback_days": "365",
            "_save": "Revert",
        }
        response = dpo_client.post(url, form)
        assert response.status_code == 302
        draft.refresh_from_db()
        assert draft.title == "First wording"
        assert draft.is_draft
        assert draft.history.latest().history_user == dpo

    def test_view_only_staff_cannot_revert_a_draft(self, client):
        dpo = make_user("dpo", is_staff=True)
        draft = draft_criterion(code="gang-violence", version=1, title="First wording")
        draft._history_user = dpo
        draft.save()
        auditor = make_user("auditor", is_staff=True)
        client.force_login(auditor)
        url = reverse(
            "admin:matrix_inclusioncriterion_simple_history", args=[draft.pk, draft.history.latest().history_id]
        )
        response = client.post(
            url,
            {
                "code": "gang-violence",
                "title": "Auditor edit",
                "plain_text": "x",
                "classifications": '["suspected"]',
                "min_items": "1",
                "min_source_evaluation": "2",
                "min_intelligence_assessment": "C",
                "allowed_source_types": '["police_record"]',
                "lookback_days": "365",
            },
        )
        assert response.status_code == 403
        draft.refresh_from_db()
        assert draft.title == "First wording"

    def test_non_staff_dpo_cannot_reach_the_admin(self, client):
        user = make_user("dpo", is_staff=False)
        client.force_login(user)
        response = client.get(changelist_url(InclusionCriterion))
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]
