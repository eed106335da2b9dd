"""Evidence through the API: nested list and create, detail, correction, withdrawal and verification.

Every refusal is a clear 4xx and changes nothing, on the item or on its subject.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matrix import evidence_services, workflow
from matrix.models import Evidence, Subject
from tests.conftest import SOUTHWARK
from tests.factories import (
    EvidenceFactory,
    HarmMethodFactory,
    OffenceWeightFactory,
    SocialMediaEvidenceFactory,
    make_user,
)

TODAY = timezone.localdate


def new_item(**overrides) -> dict:
    return {
        "summary": "Synthetic stop and search record",
        "information_date": (TODAY() - timedelta(days=3)).isoformat(),
        "source_type": "police_record",
        "source_reference": "CAD-API-1",
        "source_evaluation": "1",
        "intelligence_assessment": "B",
        "handling_code": "P",
        "nature": "fact",
        **overrides,
    }


SOCIAL = {
    "source_type": "social_media",
    "source_reference": "OSINT-API-1",
    "social_media_url": "https://social.example.test/post/42",
    "social_media_platform": "ExampleNet",
    "captured_on": (TODAY() - timedelta(days=1)).isoformat(),
    "nature": "assessment",
}


def list_url(subject) -> str:
    return f"/api/subjects/{subject.uuid}/evidence/"


def item_url(item, action: str = "") -> str:
    return f"/api/evidence/{item.uuid}/" + (f"{action}/" if action else "")


def state(subject) -> tuple:
    """What a refused request must leave untouched: the subject, its items and every history table."""
    subject = Subject.objects.get(pk=subject.pk)
    items = Evidence.objects.filter(subject=subject).order_by("pk")
    return (
        subject.status,
        subject.version,
        subject.harm_score,
        subject.criteria_lapsed_at,
        subject.history.count(),
        [
            (i.summary, i.information_date, i.verification, i.withdrawn_at, i.handling_code, i.offence_type_id)
            for i in items
        ],
        Evidence.history.filter(subject_id=subject.pk).count(),
    )


def add_social_media(subject, officer, **fields):
    return evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary="Synthetic video showing a weapon",
        information_date=TODAY() - timedelta(days=2),
        source_type="social_media",
        source_reference="OSINT-7",
        source_evaluation="2",
        intelligence_assessment="B",
        handling_code="P",
        nature="assessment",
        social_media_url="https://social.example.test/post/7",
        social_media_platform="ExampleNet",
        captured_on=TODAY() - timedelta(days=1),
        **fields,
    )


@pytest.fixture
def southwark_supervisor(db):
    return make_user("supervisor", [SOUTHWARK], username="supervisor.southwark")


@pytest.fixture
def draft(make_subject):
    return make_subject("draft")


@pytest.fixture
def arrest(draft):
    """The qualifying police record the conftest builder gives every subject."""
    return draft.evidence.get()


@pytest.mark.django_db
class TestList:
    def test_each_item_says_whether_it_counts_and_why_not(self, officer, api_as, draft):
        EvidenceFactory(subject=draft, intelligence_assessment="E", source_reference="MALICIOUS-1")
        SocialMediaEvidenceFactory(subject=draft, source_evaluation="3")
        withdrawn = EvidenceFactory(subject=draft, source_reference="WITHDRAWN-1")
        evidence_services.withdraw_evidence(acting_user=officer, evidence=withdrawn, reason="Wrong person identified")
        response = api_as(officer).get(list_url(draft))
        assert response.status_code == 200
        rows = {row["source_reference"]: row for row in response.json()["results"]}
        assert set(rows) == {"CAD-TEST-1", "MALICIOUS-1", "WITHDRAWN-1", *[r for r in rows if r.startswith("TEST-")]}

        arrest = rows["CAD-TEST-1"]
        assert (arrest["counts"], arrest["not_counting_reasons"], arrest["caveats"]) == (True, [], [])
        assert (arrest["grading"], arrest["nature"], arrest["source_type"]) == ("1AP", "fact", "police_record")
        assert (arrest["verification"], arrest["withdrawn"]) == ("not_required", False)
        assert arrest["created_by"] == officer.username
        assert arrest["subject"] == str(draft.uuid) and arrest["subject_reference"] == draft.reference

        assert rows["MALICIOUS-1"]["counts"] is False
        assert "Graded E" in rows["MALICIOUS-1"]["not_counting_reasons"][0]

        social = next(row for row in rows.values() if row["source_type"] == "social_media")
        assert social["counts"] is False
        assert social["verification"] == "unverified"
        assert social["social_media_platform"] == "ExampleNet"
        assert social["social_media_url"].startswith("https://social.example.test/")
        assert social["captured_on"]
        assert any("Unverified social media never counts" in r for r in social["not_counting_reasons"])
        assert any("never counts on its own" in c for c in social["caveats"])
        assert any("Source graded 3" in c for c in social["caveats"])

        gone = rows["WITHDRAWN-1"]
        assert (gone["counts"], gone["withdrawn"], gone["withdrawn_by"]) == (False, True, "officer.hackney")
        assert gone["withdrawal_reason"] == "Wrong person identified"
        assert gone["not_counting_reasons"] == ["Withdrawn: Wrong person identified"]

    def test_no_database_keys_leave_the_server(self, officer, api_as, arrest, draft):
        row = api_as(officer).get(list_url(draft)).json()["results"][0]
        assert row["id"] == str(arrest.uuid)
        assert row["url"].endswith(f"/api/evidence/{arrest.uuid}/")
        assert "pk" not in row
        assert row["subject"] == str(draft.uuid)

    def test_auditor_reads_it(self, auditor, api_as, draft):
        assert api_as(auditor).get(list_url(draft)).status_code == 200

    def test_partner_is_refused(self, partner, api_as, draft):
        assert api_as(partner).get(list_url(draft)).status_code == 403

    def test_other_borough_gets_404(self, outsider, api_as, draft):
        assert api_as(outsider).get(list_url(draft)).status_code == 404

    def test_pages_with_a_cursor(self, officer, api_as, draft):
        EvidenceFactory.create_batch(4, subject=draft)
        client, seen, url = api_as(officer), [], list_url(draft) + "?page_size=2"
        while url:
            page = client.get(url).json()
            seen += [row["id"] for row in page["results"]]
            url = page["next"]
        assert sorted(seen) == sorted(str(u) for u in draft.evidence.values_list("uuid", flat=True))

    def test_costs_the_same_for_one_and_ten_items(self, officer, api_as, draft):
        weight = OffenceWeightFactory()

        def count() -> int:
            client = api_as(type(officer).objects.get(pk=officer.pk))  # no permission cache carried over
            with CaptureQueriesContext(connection) as context:
                response = client.get(list_url(draft))
            assert response.status_code == 200
            return len(response.json()["results"]), len(context.captured_queries)

        rows, one = count()
        assert rows == 1
        EvidenceFactory.create_batch(4, subject=draft, offence_type=weight.offence_type)
        SocialMediaEvidenceFactory.create_batch(2, subject=draft)
        SocialMediaEvidenceFactory(subject=draft, verified=True, verified_by=make_user(username="verifier"))
        withdrawn = EvidenceFactory(subject=draft)
        evidence_services.withdraw_evidence(acting_user=officer, evidence=withdrawn, reason="Duplicate entry")
        EvidenceFactory(subject=draft, intelligence_assessment="E")
        rows, ten = count()
        assert rows == 10
        assert ten == one


@pytest.mark.django_db
class TestCreate:
    def test_officer_adds_an_item_with_history(self, officer, api_as, draft):
        weight = OffenceWeightFactory()
        response = api_as(officer).post(
            list_url(draft),
            new_item(offence_type=weight.offence_type.code, change_reason="From the custody record"),
            format="json",
        )
        assert response.status_code == 201, response.json()
        body = response.json()
        item = Evidence.objects.get(uuid=body["id"])
        assert item.subject == draft
        assert (body["offence_type"], body["counts"], body["grading"]) == (weight.offence_type.code, True, "1BP")
        assert body["offence_type_label"] == weight.offence_type.label
        record = item.history.get()
        assert record.history_user == officer
        assert record.history_change_reason == "From the custody record"

    def test_social_media_starts_unverified_and_does_not_count(self, officer, api_as, draft):
        response = api_as(officer).post(list_url(draft), new_item(**SOCIAL), format="json")
        assert response.status_code == 201, response.json()
        assert (response.json()["verification"], response.json()["counts"]) == ("unverified", False)

    def test_handling_code_c_travels_with_its_conditions(self, officer, api_as, draft):
        body = new_item(handling_code="C", handling_conditions="Not to be shared with schools")
        response = api_as(officer).post(list_url(draft), body, format="json")
        assert response.status_code == 201, response.json()
        assert response.json()["grading"] == "1BC"

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"information_date": "31/02/2026"}, "information_date"),
            ({"information_date": (TODAY() + timedelta(days=1)).isoformat()}, "information_date"),
            ({"offence_type": "no-such-offence"}, "offence_type"),
            ({"handling_code": "C"}, "handling_conditions"),
            ({"handling_code": "C", "handling_conditions": "   "}, "handling_conditions"),
            ({"source_evaluation": "4"}, "source_evaluation"),
            ({"nature": "rumour"}, "nature"),
            ({"summary": ""}, "summary"),
            ({**SOCIAL, "social_media_url": ""}, "social_media_url"),
            ({**SOCIAL, "captured_on": None}, "captured_on"),
            ({"social_media_platform": "ExampleNet"}, "social_media_platform"),
        ],
    )
    def test_malformed_input_is_400_naming_the_field(self, overrides, field, officer, api_as, draft):
        OffenceWeightFactory()
        before = state(draft)
        response = api_as(officer).post(list_url(draft), new_item(**overrides), format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert state(draft) == before

    def test_auditor_is_refused(self, auditor, api_as, draft):
        before = state(draft)
        assert api_as(auditor).post(list_url(draft), new_item(), format="json").status_code == 403
        assert state(draft) == before

    def test_partner_is_refused(self, partner, api_as, draft):
        before = state(draft)
        assert api_as(partner).post(list_url(draft), new_item(), format="json").status_code == 403
        assert state(draft) == before

    def test_other_borough_gets_404(self, outsider, api_as, draft):
        before = state(draft)
        assert api_as(outsider).post(list_url(draft), new_item(), format="json").status_code == 404
        assert state(draft) == before

    def test_removed_subject_takes_no_new_evidence(self, officer, api_as, make_subject):
        removed = make_subject("removed")
        before = state(removed)
        response = api_as(officer).post(list_url(removed), new_item(), format="json")
        assert response.status_code == 400
        assert "removed" in response.json()["non_field_errors"][0]
        assert state(removed) == before


@pytest.mark.django_db
class TestDetailAndEdit:
    def test_detail_says_whether_it_counts(self, officer, api_as, arrest):
        response = api_as(officer).get(item_url(arrest))
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["counts"]) == (str(arrest.uuid), True)

    def test_auditor_reads_it(self, auditor, api_as, arrest):
        assert api_as(auditor).get(item_url(arrest)).status_code == 200

    def test_other_borough_gets_404(self, outsider, api_as, arrest):
        assert api_as(outsider).get(item_url(arrest)).status_code == 404

    def test_partner_is_refused(self, partner, api_as, arrest):
        assert api_as(partner).get(item_url(arrest)).status_code == 403

    def test_officer_corrects_a_draft_item(self, officer, api_as, arrest, draft):
        response = api_as(officer).patch(
            item_url(arrest), {"summary": "Corrected synthetic arrest record", "change_reason": "Typo"}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["summary"] == "Corrected synthetic arrest record"
        latest = arrest.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (officer, "Typo")

    def test_correction_can_stop_it_counting(self, officer, api_as, arrest):
        response = api_as(officer).patch(item_url(arrest), {"intelligence_assessment": "E"}, format="json")
        assert response.status_code == 200
        assert response.json()["counts"] is False

    def test_unchanged_correction_keeps_a_verification(self, officer, supervisor, api_as, draft):
        clip = add_social_media(draft, officer)
        evidence_services.verify_social_media(
            acting_user=supervisor, evidence=clip, method="Matched to the subject's known account"
        )
        before = state(draft)
        response = api_as(officer).patch(item_url(clip), {"summary": clip.summary}, format="json")
        assert response.status_code == 200
        assert response.json()["verification"] == "verified"
        assert state(draft) == before

    def test_changed_social_media_must_be_verified_again(self, officer, supervisor, api_as, draft):
        clip = add_social_media(draft, officer)
        evidence_services.verify_social_media(
            acting_user=supervisor, evidence=clip, method="Matched to the subject's known account"
        )
        response = api_as(officer).patch(item_url(clip), {"summary": "A different clip"}, format="json")
        assert response.json()["verification"] == "unverified"

    def test_edit_on_a_submitted_subject_is_400(self, officer, api_as, make_subject):
        submitted = make_subject("submitted")
        item = submitted.evidence.get()
        before = state(submitted)
        response = api_as(officer).patch(item_url(item), {"summary": "Rewritten after submission"}, format="json")
        assert response.status_code == 400
        assert "withdraw the item" in response.json()["non_field_errors"][0]
        assert state(submitted) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"information_date": "yesterday"}, "information_date"),
            ({"offence_type": "no-such-offence"}, "offence_type"),
            ({"handling_code": "C"}, "handling_conditions"),
            ({"source_type": "social_media"}, "social_media_url"),
        ],
    )
    def test_malformed_correction_is_400_naming_the_field(self, body, field, officer, api_as, arrest, draft):
        before = state(draft)
        response = api_as(officer).patch(item_url(arrest), body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert state(draft) == before

    def test_other_borough_cannot_edit(self, outsider, api_as, arrest, draft):
        before = state(draft)
        assert api_as(outsider).patch(item_url(arrest), {"summary": "Outsider edit"}, format="json").status_code == 404
        assert state(draft) == before

    def test_auditor_cannot_edit(self, auditor, api_as, arrest, draft):
        before = state(draft)
        assert api_as(auditor).patch(item_url(arrest), {"summary": "Auditor edit"}, format="json").status_code == 403
        assert state(draft) == before

    def test_put_and_delete_are_not_offered(self, officer, api_as, arrest, draft):
        before = state(draft)
        client = api_as(officer)
        assert client.put(item_url(arrest), new_item(), format="json").status_code == 405
        assert client.delete(item_url(arrest)).status_code == 405
        assert state(draft) == before


@pytest.mark.django_db
class TestWithdraw:
    def test_withdrawal_keeps_the_item_and_says_why_it_no_longer_counts(self, officer, api_as, arrest):
        response = api_as(officer).post(item_url(arrest, "withdraw"), {"reason": "Source retracted"}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["withdrawn"], body["counts"], body["withdrawn_by"]) == (True, False, officer.username)
        assert body["not_counting_reasons"] == ["Withdrawn: Source retracted"]
        latest = arrest.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (officer, "Withdrawn: Source retracted")

    def test_withdrawal_that_leaves_no_criterion_met_flags_the_approved_subject(self, officer, api_as, make_subject):
        approved = make_subject("approved")
        client = api_as(officer)
        assert client.get(f"/api/subjects/{approved.uuid}/").json()["criteria_lapsed_at"] is None
        response = client.post(
            item_url(approved.evidence.get(), "withdraw"), {"reason": "Identification was wrong"}, format="json"
        )
        assert response.status_code == 200
        subject = client.get(f"/api/subjects/{approved.uuid}/").json()
        assert subject["criteria_lapsed_at"] is not None
        assert subject["status"] == "approved"
        assert approved.history.latest().history_change_reason == "Recalculated: evidence withdrawn"

    def test_criteria_lapsed_at_cannot_be_written(self, officer, api_as, draft):
        response = api_as(officer).patch(
            f"/api/subjects/{draft.uuid}/", {"criteria_lapsed_at": "2026-01-01T00:00:00Z", "version": 1}, format="json"
        )
        assert response.status_code == 200
        assert Subject.objects.get(pk=draft.pk).criteria_lapsed_at is None

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}])
    def test_without_a_reason_is_400_naming_reason(self, body, officer, api_as, arrest, draft):
        before = state(draft)
        response = api_as(officer).post(item_url(arrest, "withdraw"), body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()
        assert state(draft) == before

    def test_twice_is_400(self, officer, api_as, arrest, draft):
        api_as(officer).post(item_url(arrest, "withdraw"), {"reason": "Source retracted"}, format="json")
        before = state(draft)
        response = api_as(officer).post(item_url(arrest, "withdraw"), {"reason": "Again"}, format="json")
        assert response.status_code == 400
        assert state(draft) == before

    def test_other_borough_gets_404(self, outsider, api_as, arrest, draft):
        before = state(draft)
        response = api_as(outsider).post(item_url(arrest, "withdraw"), {"reason": "Outsider"}, format="json")
        assert response.status_code == 404
        assert state(draft) == before

    @pytest.mark.parametrize("who", ["auditor", "partner"])
    def test_read_only_roles_are_refused(self, who, request, api_as, arrest, draft):
        before = state(draft)
        client = api_as(request.getfixturevalue(who))
        assert client.post(item_url(arrest, "withdraw"), {"reason": "Not mine to do"}, format="json").status_code == 403
        assert state(draft) == before


METHOD = {"method": "Matched to the subject's known account by the supervisor"}


@pytest.fixture
def scored(officer, make_subject):
    """A perpetrator draft with one scored arrest and one unverified scored clip (harm 10.00 until verified)."""
    weight = OffenceWeightFactory(method=HarmMethodFactory(), weight=Decimal("10.00"))
    subject = make_subject("draft", qualifying=False)
    evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary="Synthetic arrest for possession of a knife",
        information_date=TODAY(),
        source_type="police_record",
        source_reference="CAD-KNIFE-1",
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        nature="fact",
        offence_type=weight.offence_type,
    )
    clip = add_social_media(subject, officer, offence_type=weight.offence_type)
    clip.information_date = TODAY()
    clip.save()
    subject.refresh_from_db()
    return subject, clip


@pytest.mark.django_db
class TestVerify:
    def test_supervisor_verifies_and_the_subject_assessment_changes(self, supervisor, api_as, scored):
        subject, clip = scored
        assert subject.harm_score == Decimal("10.00")
        response = api_as(supervisor).post(item_url(clip, "verify"), METHOD, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["verification"], body["verified_by"], body["counts"]) == ("verified", supervisor.username, True)
        assert body["verification_method"] == METHOD["method"]
        assert Subject.objects.get(pk=subject.pk).harm_score == Decimal("20.00")
        latest = clip.history.latest()
        assert (latest.history_user, latest.history_change_reason) == (supervisor, "Social media verified")
        subject_record = subject.history.latest()
        assert (subject_record.history_user, subject_record.history_change_reason) == (
            supervisor,
            "Recalculated: social media verified",
        )

    def test_officer_is_refused(self, officer, api_as, scored):
        subject, clip = scored
        before = state(subject)
        response = api_as(officer).post(item_url(clip, "verify"), METHOD, format="json")
        assert response.status_code == 403
        assert "Only a supervisor" in response.json()["detail"]
        assert state(subject) == before

    @pytest.mark.parametrize("who", ["auditor", "partner"])
    def test_read_only_roles_are_refused(self, who, request, api_as, scored):
        subject, clip = scored
        before = state(subject)
        client = api_as(request.getfixturevalue(who))
        assert client.post(item_url(clip, "verify"), METHOD, format="json").status_code == 403
        assert state(subject) == before

    def test_other_borough_supervisor_gets_404(self, southwark_supervisor, api_as, scored):
        subject, clip = scored
        before = state(subject)
        assert api_as(southwark_supervisor).post(item_url(clip, "verify"), METHOD, format="json").status_code == 404
        assert state(subject) == before

    @pytest.mark.parametrize("body", [{}, {"method": "Looked"}])
    def test_without_a_method_is_400_naming_method(self, body, supervisor, api_as, scored):
        subject, clip = scored
        before = state(subject)
        response = api_as(supervisor).post(item_url(clip, "verify"), body, format="json")
        assert response.status_code == 400
        assert "method" in response.json()
        assert state(subject) == before

    def test_only_social_media_is_verified(self, supervisor, api_as, scored):
        subject, _clip = scored
        arrest = subject.evidence.get(source_type="police_record")
        before = state(subject)
        response = api_as(supervisor).post(item_url(arrest, "verify"), METHOD, format="json")
        assert response.status_code == 400
        assert "Only social media" in response.json()["non_field_errors"][0]
        assert state(subject) == before

    def test_the_recorder_cannot_verify_their_own_item(self, supervisor, api_as, draft):
        clip = add_social_media(draft, supervisor)
        before = state(draft)
        response = api_as(supervisor).post(item_url(clip, "verify"), METHOD, format="json")
        assert response.status_code == 400
        assert "Someone other than the person who recorded" in response.json()["non_field_errors"][0]
        assert state(draft) == before

    def test_evidence_of_a_removed_subject_cannot_be_verified(self, officer, supervisor, api_as, make_subject):
        approved = make_subject("approved")
        clip = add_social_media(approved, officer)
        workflow.remove_subject(acting_user=supervisor, subject=approved, reason="Synthetic removal reason")
        before = state(approved)
        response = api_as(supervisor).post(item_url(clip, "verify"), METHOD, format="json")
        assert response.status_code == 400
        assert "removed" in response.json()["non_field_errors"][0]
        assert state(approved) == before
