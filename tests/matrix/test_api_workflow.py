"""The record workflow through the API: submit, approve, reject, review, remove, and the history.

Every refusal is a clear 4xx and leaves the record exactly as it was: same status, same version,
no new history row, no review written.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matrix import evidence_services, services, workflow
from matrix.models import Borough, Subject, SubjectReview
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import EvidenceFactory, make_user

# Each step, the status it starts from, and a valid request body for it.
STEPS = {
    "submit": ("draft", {}),
    "approve": ("submitted", {"reason": "Both items checked against the criterion"}),
    "reject": ("submitted", {"reason": "The grading of the only item is too weak"}),
    "review": ("approved", {"outcome": "retain", "justification": "Recent intelligence still meets the criterion"}),
    "remove": ("approved", {"reason": "Partners report no further involvement"}),
}
DECISIONS = ["approve", "reject", "review", "remove"]


def step_url(subject, step: str) -> str:
    return f"/api/subjects/{subject.uuid}/{step}/"


def state(subject) -> tuple:
    """What a refused step must leave untouched."""
    subject = Subject.objects.get(pk=subject.pk)
    reviews = SubjectReview.objects.filter(subject=subject).count()
    return subject.status, subject.version, subject.history.count(), reviews


@pytest.fixture
def second_supervisor(db):
    return make_user("supervisor", [HACKNEY], username="supervisor2.hackney")


@pytest.fixture
def southwark_supervisor(db):
    return make_user("supervisor", [SOUTHWARK], username="supervisor.southwark")


@pytest.fixture
def subject_in(make_subject):
    """A Hackney subject in the state ``step`` starts from."""

    def build(step: str):
        return make_subject(STEPS[step][0])

    return build


@pytest.fixture
def own_record(supervisor, second_supervisor, any_criterion):
    """A record the Hackney supervisor created and submitted themselves, optionally approved by a colleague."""

    def build(status="submitted"):
        subject = services.create_subject(
            acting_user=supervisor,
            borough=Borough.objects.get(code=HACKNEY),
            family_name="Testperson",
            given_names="Own",
            date_of_birth=timezone.localdate().replace(year=2002),
            gender="female",
            ethnicity="not_stated",
            classification="suspected",
        )
        evidence_services.add_evidence(
            acting_user=supervisor,
            subject=subject,
            summary="Synthetic arrest record",
            information_date=timezone.localdate(),
            source_type="police_record",
            source_reference="CAD-OWN-1",
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            nature="fact",
        )
        subject = workflow.submit_subject(acting_user=supervisor, subject=subject)
        if status == "approved":
            subject = workflow.approve_subject(acting_user=second_supervisor, subject=subject)
        return subject

    return build


def actor_for(step, officer, supervisor):
    return officer if step == "submit" else supervisor


@pytest.mark.django_db
class TestStepsSucceed:
    def test_submit_moves_a_draft_to_submitted(self, officer, api_as, subject_in):
        draft = subject_in("submit")
        response = api_as(officer).post(step_url(draft, "submit"), {"version": draft.version}, format="json")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["status"], body["version"], body["id"]) == ("submitted", draft.version + 1, str(draft.uuid))
        latest = draft.history.latest()
        assert latest.history_user == officer
        assert latest.history_change_reason == "Submitted for approval"

    def test_version_is_optional(self, officer, api_as, subject_in):
        draft = subject_in("submit")
        assert api_as(officer).post(step_url(draft, "submit")).status_code == 200

    def test_approve_puts_the_subject_on_the_matrix_with_a_review_date(self, supervisor, api_as, subject_in):
        submitted = subject_in("approve")
        response = api_as(supervisor).post(
            step_url(submitted, "approve"), {**STEPS["approve"][1], "version": submitted.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["status"] == "approved"
        assert body["review_due"] is not None
        assert body["criteria_lapsed_at"] is None
        latest = submitted.history.latest()
        assert latest.history_user == supervisor
        assert latest.history_change_reason.startswith("Approved (criteria met: any-classification v1)")
        assert latest.history_change_reason.endswith("Both items checked against the criterion")

    def test_approve_without_a_note_is_allowed(self, supervisor, api_as, subject_in):
        submitted = subject_in("approve")
        assert api_as(supervisor).post(step_url(submitted, "approve"), {}, format="json").status_code == 200

    def test_reject_returns_the_record_with_the_reason(self, supervisor, api_as, subject_in):
        submitted = subject_in("reject")
        response = api_as(supervisor).post(step_url(submitted, "reject"), STEPS["reject"][1], format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "rejected"
        assert response.json()["rejection_reason"] == "The grading of the only item is too weak"
        latest = submitted.history.latest()
        assert latest.history_user == supervisor
        assert latest.history_change_reason == "Rejected: The grading of the only item is too weak"

    def test_review_retain_returns_the_subject_and_the_review(self, supervisor, api_as, subject_in):
        approved = subject_in("review")
        response = api_as(supervisor).post(
            step_url(approved, "review"), {**STEPS["review"][1], "version": approved.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["subject"]["status"] == "approved"
        assert body["subject"]["version"] == approved.version + 1
        review = SubjectReview.objects.get(subject=approved)
        assert body["review"] == {
            "id": str(review.uuid),
            "outcome": "retain",
            "justification": "Recent intelligence still meets the criterion",
            "reviewed_by": supervisor.username,
            "reviewed_at": body["review"]["reviewed_at"],
            "next_review_due": review.next_review_due.isoformat(),
        }
        assert body["subject"]["review_due"] == review.next_review_due.isoformat()
        latest = approved.history.latest()
        assert latest.history_user == supervisor
        assert latest.history_change_reason == "Reviewed: retained. Recent intelligence still meets the criterion"
        assert review.history.get().history_user == supervisor

    def test_review_remove_takes_the_subject_off_the_matrix(self, supervisor, api_as, subject_in):
        approved = subject_in("review")
        response = api_as(supervisor).post(
            step_url(approved, "review"),
            {"outcome": "remove", "justification": "No intelligence in the last year"},
            format="json",
        )
        assert response.status_code == 200, response.json()
        assert response.json()["subject"]["status"] == "removed"
        assert response.json()["review"]["outcome"] == "remove"
        latest = approved.history.latest()
        assert latest.history_user == supervisor
        assert latest.history_change_reason == "Removed at review: No intelligence in the last year"

    def test_remove_starts_the_retention_clock(self, supervisor, api_as, subject_in):
        approved = subject_in("remove")
        response = api_as(supervisor).post(
            step_url(approved, "remove"), {**STEPS["remove"][1], "version": approved.version}, format="json"
        )
        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "removed"
        approved.refresh_from_db()
        assert approved.removed_at is not None and approved.retention_until is not None
        latest = approved.history.latest()
        assert latest.history_user == supervisor
        assert latest.history_change_reason == "Removed: Partners report no further involvement"


@pytest.mark.django_db
class TestWrongRole:
    @pytest.mark.parametrize("step", STEPS)
    def test_auditor_is_refused_every_step(self, step, auditor, api_as, subject_in):
        subject = subject_in(step)
        before = state(subject)
        response = api_as(auditor).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 403
        assert "role" in response.json()["detail"]
        assert state(subject) == before

    @pytest.mark.parametrize("step", STEPS)
    def test_partner_is_refused_every_step(self, step, partner, api_as, subject_in):
        subject = subject_in(step)
        before = state(subject)
        assert api_as(partner).post(step_url(subject, step), STEPS[step][1], format="json").status_code == 403
        assert state(subject) == before

    @pytest.mark.parametrize("step", DECISIONS)
    def test_officer_cannot_decide(self, step, officer, api_as, subject_in):
        subject = subject_in(step)
        before = state(subject)
        response = api_as(officer).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 403
        assert "Only a supervisor of Hackney" in response.json()["detail"]
        assert state(subject) == before

    def test_anonymous_is_refused(self, api_client, subject_in):
        subject = subject_in("approve")
        before = state(subject)
        assert api_client.post(step_url(subject, "approve"), {}, format="json").status_code in (401, 403)
        assert state(subject) == before

    def test_break_glass_access_is_read_only(self, outsider, api_as, subject_in):
        draft = subject_in("submit")
        services.grant_break_glass(
            acting_user=outsider, subject=draft, justification="Suspect in a Southwark stabbing enquiry", hours=2
        )
        client = api_as(outsider)
        assert client.get(f"/api/subjects/{draft.uuid}/").status_code == 200
        before = state(draft)
        response = client.post(step_url(draft, "submit"), {}, format="json")
        assert response.status_code == 403
        assert state(draft) == before


@pytest.mark.django_db
class TestWrongBorough:
    @pytest.mark.parametrize("step", STEPS)
    def test_southwark_officer_gets_404(self, step, outsider, api_as, subject_in):
        subject = subject_in(step)
        before = state(subject)
        assert api_as(outsider).post(step_url(subject, step), STEPS[step][1], format="json").status_code == 404
        assert state(subject) == before

    @pytest.mark.parametrize("step", STEPS)
    def test_southwark_supervisor_gets_404(self, step, southwark_supervisor, api_as, subject_in):
        subject = subject_in(step)
        before = state(subject)
        response = api_as(southwark_supervisor).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 404
        assert state(subject) == before

    def test_unknown_subject_is_404(self, supervisor, api_as, subject_in):
        subject_in("approve")
        assert api_as(supervisor).post("/api/subjects/00000000-0000-4000-8000-000000000000/approve/").status_code == 404


@pytest.mark.django_db
class TestOwnSubmission:
    @pytest.mark.parametrize("step", ["approve", "reject"])
    def test_supervisor_cannot_decide_on_what_they_submitted(self, step, supervisor, api_as, own_record):
        subject = own_record("submitted")
        before = state(subject)
        response = api_as(supervisor).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 403
        assert "a record you created or submitted" in response.json()["detail"]
        assert state(subject) == before

    @pytest.mark.parametrize("step", ["review", "remove"])
    def test_supervisor_cannot_review_or_remove_what_they_created(self, step, supervisor, api_as, own_record):
        subject = own_record("approved")
        before = state(subject)
        response = api_as(supervisor).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 403
        assert "a record you created or submitted" in response.json()["detail"]
        assert state(subject) == before

    def test_a_colleague_can_approve_it(self, second_supervisor, api_as, own_record):
        subject = own_record("submitted")
        response = api_as(second_supervisor).post(step_url(subject, "approve"), {}, format="json")
        assert response.status_code == 200
        assert subject.history.latest().history_user == second_supervisor


@pytest.mark.django_db
class TestInvalidTransitions:
    @pytest.mark.parametrize(
        ("step", "status", "who"),
        [
            ("approve", "draft", "supervisor"),
            ("reject", "draft", "supervisor"),
            ("submit", "approved", "officer"),
            ("submit", "submitted", "officer"),
            ("review", "submitted", "supervisor"),
            ("remove", "submitted", "supervisor"),
            ("approve", "removed", "supervisor"),
            ("remove", "removed", "supervisor"),
        ],
    )
    def test_step_from_the_wrong_status_is_409(self, step, status, who, request, api_as, make_subject):
        subject = make_subject(status)
        before = state(subject)
        response = api_as(request.getfixturevalue(who)).post(step_url(subject, step), STEPS[step][1], format="json")
        assert response.status_code == 409
        assert f"{subject.reference} is" in response.json()["detail"]
        assert state(subject) == before


@pytest.mark.django_db
class TestRefusedInput:
    def test_submit_without_a_met_criterion_is_400_with_the_reasons(self, officer, api_as, make_subject):
        draft = make_subject("draft", qualifying=False)
        before = state(draft)
        response = api_as(officer).post(step_url(draft, "submit"), {}, format="json")
        assert response.status_code == 400
        message = " ".join(response.json()["non_field_errors"])
        assert "No inclusion criterion for this classification is met" in message
        assert "Needs at least 1 qualifying item(s); 0 found." in message
        assert state(draft) == before

    @pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "Too weak"}])
    def test_reject_without_a_proper_reason_is_400_naming_reason(self, body, supervisor, api_as, subject_in):
        submitted = subject_in("reject")
        before = state(submitted)
        response = api_as(supervisor).post(step_url(submitted, "reject"), body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()
        assert state(submitted) == before

    @pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": "Gone"}])
    def test_remove_without_a_proper_reason_is_400_naming_reason(self, body, supervisor, api_as, subject_in):
        approved = subject_in("remove")
        before = state(approved)
        response = api_as(supervisor).post(step_url(approved, "remove"), body, format="json")
        assert response.status_code == 400
        assert "reason" in response.json()
        assert state(approved) == before

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"outcome": "keep", "justification": "Still meets the criterion"}, "outcome"),
            ({"justification": "Still meets the criterion"}, "outcome"),
            ({"outcome": "retain"}, "justification"),
            ({"outcome": "retain", "justification": "ok"}, "justification"),
        ],
    )
    def test_malformed_review_is_400_naming_the_field(self, body, field, supervisor, api_as, subject_in):
        approved = subject_in("review")
        before = state(approved)
        response = api_as(supervisor).post(step_url(approved, "review"), body, format="json")
        assert response.status_code == 400
        assert field in response.json()
        assert state(approved) == before

    def test_retaining_a_subject_that_meets_no_criterion_is_400(self, officer, supervisor, api_as, subject_in):
        approved = subject_in("review")
        evidence_services.withdraw_evidence(
            acting_user=officer, evidence=approved.evidence.get(), reason="Source retracted the account"
        )
        before = state(approved)
        response = api_as(supervisor).post(step_url(approved, "review"), STEPS["review"][1], format="json")
        assert response.status_code == 400
        assert "cannot be retained" in response.json()["outcome"][0]
        assert state(approved) == before

    @pytest.mark.parametrize("version", ["two", 0, -3])
    def test_malformed_version_is_400(self, version, supervisor, api_as, subject_in):
        submitted = subject_in("approve")
        before = state(submitted)
        response = api_as(supervisor).post(step_url(submitted, "approve"), {"version": version}, format="json")
        assert response.status_code == 400
        assert "version" in response.json()
        assert state(submitted) == before


@pytest.mark.django_db
class TestStaleVersion:
    @pytest.mark.parametrize("step", STEPS)
    def test_acting_on_a_stale_version_is_409(self, step, officer, supervisor, api_as, subject_in):
        subject = subject_in(step)
        seen = subject.version
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=seen,
            changes={"aliases": "Synthetic-Alias"},
            reason="Someone else edited meanwhile",
        )
        before = state(subject)
        actor = actor_for(step, officer, supervisor)
        response = api_as(actor).post(step_url(subject, step), {**STEPS[step][1], "version": seen}, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == seen + 1
        assert response.json()["your_version"] == seen
        assert state(subject) == before


def history_url(subject) -> str:
    return f"/api/subjects/{subject.uuid}/history/"


@pytest.mark.django_db
class TestHistory:
    def test_shows_who_changed_what_when_and_why(self, officer, supervisor, api_as, subject_in):
        submitted = subject_in("reject")
        api_as(supervisor).post(step_url(submitted, "reject"), STEPS["reject"][1], format="json")
        response = api_as(officer).get(history_url(submitted))
        assert response.status_code == 200
        entries = response.json()
        assert [entry["kind"] for entry in entries] == ["Changed", "Changed", "Created"]
        newest = entries[0]
        assert newest["who"] == supervisor.username
        assert newest["reason"] == "Rejected: The grading of the only item is too weak"
        assert newest["version"] == submitted.version + 1
        assert {"field": "status", "label": "Status", "old": "Submitted for approval", "new": "Rejected"} in newest[
            "changes"
        ]
        assert entries[-1] | {"when": None} == {
            "when": None,
            "who": officer.username,
            "kind": "Created",
            "reason": "Created as a draft",
            "version": 1,
            "changes": [],
        }

    def test_a_borough_change_shows_names_not_database_keys(self, officer, api_as, make_subject):
        draft = make_subject("draft")
        officer_in_both = make_user("officer", [HACKNEY, SOUTHWARK], username="officer.both")
        services.update_subject(
            acting_user=officer_in_both,
            subject=draft,
            expected_version=draft.version,
            changes={"borough": Borough.objects.get(code=SOUTHWARK)},
            reason="Moved to Southwark",
        )
        entries = api_as(officer_in_both).get(history_url(draft)).json()
        change = next(c for c in entries[0]["changes"] if c["field"] == "borough")
        assert (change["old"], change["new"]) == ("Hackney", "Southwark")

    def test_auditor_reads_it(self, auditor, api_as, subject_in):
        assert api_as(auditor).get(history_url(subject_in("approve"))).status_code == 200

    def test_partner_is_refused(self, partner, api_as, subject_in):
        assert api_as(partner).get(history_url(subject_in("approve"))).status_code == 403

    def test_other_borough_gets_404(self, outsider, api_as, subject_in):
        assert api_as(outsider).get(history_url(subject_in("approve"))).status_code == 404

    def test_reading_it_changes_nothing(self, supervisor, api_as, subject_in):
        subject = subject_in("approve")
        before = state(subject)
        api_as(supervisor).get(history_url(subject))
        assert state(subject) == before

    def test_costs_the_same_for_one_and_ten_evidence_items(self, officer, api_as, make_subject):
        subject = make_subject("draft")

        def count() -> int:
            client = api_as(type(officer).objects.get(pk=officer.pk))  # no permission cache carried over
            with CaptureQueriesContext(connection) as context:
                assert client.get(history_url(subject)).status_code == 200
            return len(context.captured_queries)

        one = count()
        for n in range(9):
            evidence_services.add_evidence(
                acting_user=officer,
                subject=subject,
                summary=f"Synthetic item {n}",
                information_date=timezone.localdate(),
                source_type="police_record",
                source_reference=f"CAD-{n}",
                source_evaluation="1",
                intelligence_assessment="A",
                handling_code="P",
                nature="fact",
            )
            services.update_subject(
                acting_user=officer,
                subject=subject,
                expected_version=Subject.objects.get(pk=subject.pk).version,
                changes={"aliases": f"Alias {n}"},
                reason=f"Alias {n} recorded",
            )
        EvidenceFactory.create_batch(3, subject=subject)
        assert subject.evidence.count() >= 10
        assert count() == one


@pytest.mark.django_db
def test_schema_documents_every_step_with_its_request_body():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for step in STEPS:
        operation = paths[f"/api/subjects/{{uuid}}/{step}/"]["post"]
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("Request")
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert (
        paths["/api/subjects/{uuid}/history/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"][
            "type"
        ]
        == "array"
    )
    assert set(paths["/api/subjects/{uuid}/evidence/"]) >= {"get", "post"}
    assert set(paths["/api/evidence/{uuid}/"]) >= {"get", "patch"}
    assert "put" not in paths["/api/evidence/{uuid}/"]
    assert {"/api/evidence/{uuid}/verify/", "/api/evidence/{uuid}/withdraw/"} <= set(paths)
