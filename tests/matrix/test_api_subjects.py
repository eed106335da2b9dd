"""The subjects API: create as draft, update with a version check, field-level errors, history."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matrix import evidence_services, services
from matrix.models import Borough, Subject
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import EvidenceFactory, SubjectFactory

NEW_SUBJECT = {
    "borough": HACKNEY,
    "family_name": "Testperson",
    "given_names": "Alpha",
    "aliases": "Demo-Alias",
    "date_of_birth": "2004-03-02",
    "gender": "male",
    "ethnicity": "not_stated",
    "classification": "suspected",
}


def create(client, **overrides):
    return client.post("/api/subjects/", {**NEW_SUBJECT, **overrides}, format="json")


@pytest.mark.django_db
class TestCreate:
    def test_officer_creates_a_draft_with_reference_and_uuid(self, officer, api_as):
        response = create(api_as(officer))
        assert response.status_code == 201, response.json()
        body = response.json()
        subject = Subject.objects.get(uuid=body["id"])
        assert body["reference"] == subject.reference
        assert body["status"] == "draft"
        assert body["version"] == 1
        assert "pk" not in body
        assert body["url"].endswith(f"/api/subjects/{subject.uuid}/")

    def test_create_leaves_history_with_the_acting_user(self, officer, api_as):
        body = create(api_as(officer), change_reason="Referred by the gangs unit").json()
        record = Subject.objects.get(uuid=body["id"]).history.get()
        assert record.history_user == officer
        assert record.history_type == "+"
        assert record.history_change_reason == "Referred by the gangs unit"

    def test_future_date_of_birth_is_a_field_error(self, officer, api_as):
        tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
        response = create(api_as(officer), date_of_birth=tomorrow)
        assert response.status_code == 400
        assert "date_of_birth" in response.json()
        assert not Subject.objects.exists()

    def test_perpetrator_under_ten_is_refused_with_reason(self, officer, api_as):
        eight_years_ago = (timezone.localdate() - timedelta(days=8 * 365)).isoformat()
        response = create(api_as(officer), date_of_birth=eight_years_ago)
        assert response.status_code == 400
        assert "at least 10" in response.json()["classification"][0]
        assert create(api_as(officer), date_of_birth=eight_years_ago, classification="at_risk").status_code == 201

    def test_also_victim_needs_a_victimisation_item(self, officer, api_as):
        response = create(api_as(officer), also_victim=True)
        assert response.status_code == 400
        assert "also_victim" in response.json()

    def test_unknown_choice_is_a_field_error(self, officer, api_as):
        response = create(api_as(officer), ethnicity="martian")
        assert response.status_code == 400
        assert "ethnicity" in response.json()

    def test_unknown_borough_is_a_field_error(self, officer, api_as):
        response = create(api_as(officer), borough="E09999999")
        assert response.status_code == 400
        assert "borough" in response.json()

    def test_status_and_score_cannot_be_written(self, officer, api_as):
        body = create(api_as(officer), status="approved", harm_score="99", reference="GM-2026-000999").json()
        assert body["status"] == "draft"
        assert body["reference"] != "GM-2026-000999"

    def test_auditor_cannot_create(self, auditor, api_as):
        assert create(api_as(auditor)).status_code == 403
        assert not Subject.objects.exists()


@pytest.fixture
def draft(officer):
    return services.create_subject(
        acting_user=officer,
        borough=Borough.objects.get(code=HACKNEY),
        family_name="Testperson",
        given_names="Alpha",
        date_of_birth=timezone.localdate().replace(year=2003),
        gender="male",
        ethnicity="not_stated",
        classification="suspected",
    )


@pytest.mark.django_db
class TestUpdate:
    def url(self, subject):
        return f"/api/subjects/{subject.uuid}/"

    def test_update_with_current_version_applies_and_bumps_version(self, officer, api_as, draft):
        response = api_as(officer).patch(
            self.url(draft), {"given_names": "Bravo", "version": 1, "change_reason": "Spelling"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["version"] == 2
        draft.refresh_from_db()
        assert draft.given_names == "Bravo"
        latest = draft.history.latest()
        assert latest.history_user == officer
        assert latest.history_change_reason == "Spelling"

    def test_stale_version_is_409_and_changes_nothing(self, officer, supervisor, api_as, draft):
        assert (
            api_as(supervisor).patch(self.url(draft), {"given_names": "First", "version": 1}, format="json").status_code
            == 200
        )
        history_before = draft.history.count()
        response = api_as(officer).patch(self.url(draft), {"given_names": "Second", "version": 1}, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == 2
        assert "changed by someone else" in response.json()["detail"]
        draft.refresh_from_db()
        assert (draft.given_names, draft.version) == ("First", 2)
        assert draft.history.count() == history_before

    def test_update_without_version_is_400(self, officer, api_as, draft):
        response = api_as(officer).patch(self.url(draft), {"given_names": "Bravo"}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()

    def test_put_replaces_editable_fields(self, officer, api_as, draft):
        response = api_as(officer).put(
            self.url(draft), {**NEW_SUBJECT, "given_names": "Charlie", "version": 1}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["given_names"] == "Charlie"

    def test_invalid_update_changes_nothing(self, officer, api_as, draft):
        response = api_as(officer).patch(self.url(draft), {"date_of_birth": "not-a-date", "version": 1}, format="json")
        assert response.status_code == 400
        assert "date_of_birth" in response.json()
        draft.refresh_from_db()
        assert draft.version == 1

    def test_classification_change_on_approved_subject_needs_approval_again(self, officer, api_as, make_subject):
        approved = make_subject("approved")
        response = api_as(officer).patch(
            self.url(approved), {"classification": "convicted", "version": approved.version}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["status"] == "submitted"
        assert response.json()["review_due"] is None
        assert "sent back for approval" in approved.history.latest().history_change_reason

    def test_classification_change_without_a_met_criterion_returns_to_draft(self, officer, api_as, make_subject):
        approved = make_subject("approved")
        approved.evidence.update(relates_to_victimisation=True)  # no longer counts against a perpetrator
        response = api_as(officer).patch(
            self.url(approved), {"classification": "convicted", "version": approved.version}, format="json"
        )
        assert response.json()["status"] == "draft"

    def test_editing_a_rejected_subject_returns_it_to_draft_keeping_the_reason(self, officer, api_as, make_subject):
        rejected = make_subject("rejected")
        response = api_as(officer).patch(
            self.url(rejected), {"given_names": "Delta", "version": rejected.version}, format="json"
        )
        assert response.json()["status"] == "draft"
        assert response.json()["rejection_reason"] == "Synthetic rejection reason"

    def test_reclassifying_as_victim_clears_the_harm_score(self, officer, api_as, draft):
        from tests.factories import EvidenceFactory, HarmMethodFactory

        HarmMethodFactory()
        EvidenceFactory(subject=draft)
        services.refresh_assessment(draft, acting_user=officer, reason="Method published")
        draft.refresh_from_db()
        assert draft.harm_score is not None
        response = api_as(officer).patch(
            self.url(draft), {"classification": "victim", "version": draft.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["harm_score"] is None

    def test_delete_is_not_offered(self, officer, api_as, draft):
        assert api_as(officer).delete(self.url(draft)).status_code == 405
        assert Subject.objects.filter(pk=draft.pk).exists()


@pytest.mark.django_db
class TestListFilters:
    def test_filters_by_classification_and_search(self, officer, api_as):
        hackney = Borough.objects.get(code=HACKNEY)
        victim = SubjectFactory(borough=hackney, classification="victim", family_name="Victimname")
        perpetrator = SubjectFactory(borough=hackney, classification="suspected", aliases="Nickname-Zed")
        client = api_as(officer)
        by_class = client.get("/api/subjects/", {"classification": "victim"}).json()["results"]
        assert [row["reference"] for row in by_class] == [victim.reference]
        by_alias = client.get("/api/subjects/", {"q": "nickname-zed"}).json()["results"]
        assert [row["reference"] for row in by_alias] == [perpetrator.reference]
        by_reference = client.get("/api/subjects/", {"q": victim.reference}).json()["results"]
        assert [row["reference"] for row in by_reference] == [victim.reference]

    def test_borough_filter_by_code_narrows_the_list(self, auditor, api_as):
        in_hackney = SubjectFactory(borough=Borough.objects.get(code=HACKNEY))
        in_southwark = SubjectFactory(borough=Borough.objects.get(code=SOUTHWARK))
        client = api_as(auditor)
        for code, expected in ((HACKNEY, [in_hackney]), (SOUTHWARK.lower(), [in_southwark]), ("E09999999", [])):
            rows = client.get("/api/subjects/", {"borough": code}).json()["results"]
            assert [row["reference"] for row in rows] == [subject.reference for subject in expected], code

    def test_invalid_filter_value_is_400(self, officer, api_as):
        response = api_as(officer).get("/api/subjects/", {"classification": "gang_member"})
        assert response.status_code == 400
        assert "classification" in response.json()

    def test_cursor_pagination_walks_every_row_once(self, officer, api_as):
        hackney = Borough.objects.get(code=HACKNEY)
        made = {SubjectFactory(borough=hackney).reference for _ in range(7)}
        client, seen, url = api_as(officer), [], "/api/subjects/?page_size=3"
        while url:
            page = client.get(url).json()
            seen += [row["reference"] for row in page["results"]]
            url = page["next"]
        assert sorted(seen) == sorted(made)


@pytest.mark.django_db
def test_evidence_added_through_the_service_is_tracked(officer, draft):
    item = evidence_services.add_evidence(
        acting_user=officer,
        subject=draft,
        summary="Synthetic",
        information_date=timezone.localdate(),
        source_type="police_record",
        source_reference="CAD-1",
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        nature="fact",
    )
    assert item.history.get().history_user == officer


@pytest.mark.django_db
def test_evidence_on_other_borough_is_refused(outsider, draft):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        evidence_services.add_evidence(
            acting_user=outsider,
            subject=draft,
            summary="Synthetic",
            information_date=timezone.localdate(),
            source_type="police_record",
            source_reference="CAD-1",
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            nature="fact",
        )
    assert not draft.evidence.exists()


@pytest.mark.django_db
def test_social_media_evidence_starts_unverified(officer, draft):
    item = evidence_services.add_evidence(
        acting_user=officer,
        subject=draft,
        summary="Synthetic clip",
        information_date=timezone.localdate(),
        source_type="social_media",
        source_reference="OSINT-1",
        source_evaluation="2",
        intelligence_assessment="C",
        handling_code="P",
        nature="assessment",
        social_media_url="https://video.example.invalid/clip",
        social_media_platform="Example",
        captured_on=timezone.localdate(),
    )
    assert item.verification == "unverified"


@pytest.mark.django_db
def test_also_victim_allowed_once_a_victimisation_item_exists(officer, api_as, draft):
    EvidenceFactory(subject=draft, relates_to_victimisation=True, created_by=officer)
    response = api_as(officer).patch(f"/api/subjects/{draft.uuid}/", {"also_victim": True, "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["also_victim"] is True
