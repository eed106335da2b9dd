"""The workflow buttons on the subject page: submit, approve, reject, review, remove.

Buttons are shown according to matrix.permissions, but the services decide: a forged POST by the
wrong person is refused (403 or an error on the page) and leaves the record exactly as it was.
"""

import pytest
from django.test import Client

from matrix import workflow
from matrix.models import Subject, SubjectReview
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import make_user
from tests.ui_helpers import own_submission, page_text, state

pytestmark = pytest.mark.django_db

VALID = {
    "submit": ("draft", {}),
    "approve": ("submitted", {"reason": "Both items checked"}),
    "reject": ("submitted", {"reason": "The only item is graded too weakly"}),
    "review": ("approved", {"outcome": "retain", "justification": "Recent intelligence still meets it"}),
    "remove": ("approved", {"reason": "Partners report no further involvement"}),
}
DECISIONS = ["approve", "reject", "review", "remove"]


def post(client, subject, action, data=None, version=None):
    body = {**(data if data is not None else VALID[action][1])}
    body["version"] = version if version is not None else Subject.objects.get(pk=subject.pk).version
    return client.post(f"/subjects/{subject.uuid}/{action}/", body)


def refused(client, subject, response) -> str:
    """A refused step redirects to the subject page's error summary (post/redirect/get); that page's text."""
    assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.uuid}/#error-summary"
    return page_text(client.get(f"/subjects/{subject.uuid}/"))


@pytest.fixture
def second_supervisor(db):
    return make_user("supervisor", [HACKNEY], username="supervisor2.hackney")


class TestSubmit:
    def test_refused_submit_shows_the_criteria_reasons_and_changes_nothing(self, client, officer, make_subject):
        subject = make_subject("draft", qualifying=False)
        before = state(subject)
        client.force_login(officer)
        page = refused(client, subject, post(client, subject, "submit"))
        assert "<title>Error: " in page and "There is a problem" in page
        assert "No inclusion criterion for this classification is met." in page
        assert "Needs at least 1 qualifying item(s); 0 found." in page
        assert state(subject) == before

    def test_officer_submits_a_qualifying_draft(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert ">Submit for approval</button>" in page
        response = post(client, subject, "submit")
        assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.uuid}/"
        subject.refresh_from_db()
        assert subject.status == "submitted" and subject.submitted_by == officer
        assert "Submitted for approval. A supervisor" in page_text(client.get(response["Location"]))


class TestApproveAndReject:
    def test_supervisor_approves(self, client, supervisor, make_subject):
        subject = make_subject("submitted")
        client.force_login(supervisor)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert ">Approve</button>" in page and ">Reject</button>" in page
        assert post(client, subject, "approve").status_code == 302
        subject.refresh_from_db()
        assert subject.status == "approved" and subject.approved_by == supervisor and subject.review_due
        assert "Both items checked" in subject.history.first().history_change_reason

    def test_supervisor_rejects_and_the_officer_sees_the_reason(self, client, officer, supervisor, make_subject):
        subject = make_subject("submitted")
        client.force_login(supervisor)
        assert post(client, subject, "reject").status_code == 302
        client.force_login(officer)
        assert "The only item is graded too weakly" in page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "The only item is graded too weakly" in page_text(client.get("/"))

    def test_a_short_rejection_reason_is_shown_on_its_field(self, client, supervisor, make_subject):
        subject = make_subject("submitted")
        before = state(subject)
        client.force_login(supervisor)
        page = refused(client, subject, post(client, subject, "reject", {"reason": "no"}))
        assert 'href="#reject-reason"' in page and 'id="reject-reason"' in page
        assert "at least 10 characters" in page
        assert state(subject) == before

    def test_officer_sees_no_decision_buttons_and_a_forged_approval_is_refused(self, client, officer, make_subject):
        subject = make_subject("submitted")
        before = state(subject)
        client.force_login(officer)
        assert ">Approve</button>" not in page_text(client.get(f"/subjects/{subject.uuid}/"))
        response = post(client, subject, "approve")
        assert response.status_code == 403
        assert "Only a supervisor of Hackney can approve this record." in page_text(response)
        assert state(subject) == before

    def test_own_submission_cannot_be_approved(self, client, supervisor, any_criterion):
        subject = own_submission(supervisor)
        before = state(subject)
        client.force_login(supervisor)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert ">Approve</button>" not in page
        assert "another supervisor of Hackney must decide it" in page
        for action in ("approve", "reject"):
            response = post(client, subject, action)
            assert response.status_code == 403
            assert "another supervisor must" in page_text(response)
        assert state(subject) == before

    def test_another_boroughs_supervisor_gets_404(self, client, make_subject):
        southwark = make_user("supervisor", [SOUTHWARK], username="supervisor.southwark")
        subject = make_subject("submitted")
        before = state(subject)
        client.force_login(southwark)
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 404
        assert post(client, subject, "approve").status_code == 404
        assert state(subject) == before

    def test_approving_a_draft_is_an_invalid_transition(self, client, supervisor, make_subject):
        subject = make_subject("draft")
        before = state(subject)
        client.force_login(supervisor)
        page = refused(client, subject, post(client, subject, "approve"))
        assert "Only a record that is submitted for approval can be approved" in page
        assert ">Approve</button>" not in page
        assert state(subject) == before

    def test_a_stale_version_is_refused_with_a_clear_message(self, client, officer, supervisor, make_subject):
        subject = make_subject("submitted")
        shown_version = subject.version
        workflow.reject_subject(acting_user=supervisor, subject=subject, reason="Meanwhile rejected by a colleague")
        from matrix import services

        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=shown_version + 1,
            changes={"given_names": "Bravo"},
            reason="Returned to draft",
        )
        workflow.submit_subject(acting_user=officer, subject=subject)
        before = state(subject)
        client.force_login(supervisor)
        page = refused(client, subject, post(client, subject, "approve", version=shown_version))
        assert "was changed by someone else" in page
        assert state(subject) == before
        # The page now shows the record as it is, and its forms carry the current version.
        current = Subject.objects.get(pk=subject.pk).version
        assert f'name="version" value="{current}"' in page
        assert f'name="version" value="{shown_version}"' not in page


class TestReviewAndRemove:
    def test_review_retain_is_listed_with_its_justification(self, client, supervisor, make_subject):
        subject = make_subject("approved")
        client.force_login(supervisor)
        assert post(client, subject, "review").status_code == 302
        review = SubjectReview.objects.get(subject=subject)
        assert review.outcome == "retain" and review.reviewed_by == supervisor
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Recent intelligence still meets it" in page and "Retain on the matrix" in page

    def test_review_remove_takes_the_record_off_the_matrix(self, client, supervisor, make_subject):
        subject = make_subject("approved")
        client.force_login(supervisor)
        response = post(client, subject, "review", {"outcome": "remove", "justification": "No longer involved"})
        assert response.status_code == 302
        subject.refresh_from_db()
        assert subject.status == "removed" and subject.retention_until

    def test_review_without_outcome_or_justification_shows_linked_errors(self, client, supervisor, make_subject):
        subject = make_subject("approved")
        before = state(subject)
        client.force_login(supervisor)
        page = refused(client, subject, post(client, subject, "review", {"outcome": "", "justification": ""}))
        assert 'href="#review-outcome_0"' in page
        assert (
            'aria-describedby="review-outcome_helptext review-outcome_error"' in page
            or 'aria-describedby="review-outcome_error"' in page
        )
        page = refused(
            client, subject, post(client, subject, "review", {"outcome": "retain", "justification": "short"})
        )
        assert 'href="#review-justification"' in page
        assert state(subject) == before

    def test_supervisor_removes_with_a_reason(self, client, supervisor, make_subject):
        subject = make_subject("approved")
        client.force_login(supervisor)
        assert post(client, subject, "remove").status_code == 302
        subject.refresh_from_db()
        assert subject.status == "removed"
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Removed from the matrix on" in page
        assert "Edit this record" not in page

    @pytest.mark.parametrize("action", ["review", "remove"])
    def test_officer_and_auditor_cannot_review_or_remove(self, client, officer, auditor, make_subject, action):
        subject = make_subject("approved")
        before = state(subject)
        for user in (officer, auditor):
            client.force_login(user)
            assert post(client, subject, action).status_code == 403
        assert state(subject) == before

    def test_own_record_cannot_be_reviewed_or_removed(self, client, supervisor, second_supervisor, any_criterion):
        subject = own_submission(supervisor)
        workflow.approve_subject(acting_user=second_supervisor, subject=subject)
        before = state(subject)
        client.force_login(supervisor)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert ">Record review</button>" not in page and "must review or remove it" in page
        for action in ("review", "remove"):
            assert post(client, subject, action).status_code == 403
        assert state(subject) == before


class TestEveryAction:
    @pytest.mark.parametrize("action", list(VALID))
    def test_partner_gets_404_and_nothing_changes(self, client, partner, make_subject, action):
        subject = make_subject(VALID[action][0])
        before = state(subject)
        client.force_login(partner)
        assert post(client, subject, action).status_code == 404
        assert state(subject) == before

    @pytest.mark.parametrize("action", list(VALID))
    def test_auditor_is_refused_and_nothing_changes(self, client, auditor, make_subject, action):
        subject = make_subject(VALID[action][0])
        before = state(subject)
        client.force_login(auditor)
        assert post(client, subject, action).status_code == 403
        assert state(subject) == before

    @pytest.mark.parametrize("action", list(VALID))
    def test_actions_accept_only_post(self, client, supervisor, make_subject, action):
        subject = make_subject(VALID[action][0])
        client.force_login(supervisor)
        assert client.get(f"/subjects/{subject.uuid}/{action}/").status_code == 405

    @pytest.mark.parametrize("action", list(VALID))
    def test_actions_need_the_csrf_token(self, officer, supervisor, make_subject, action):
        subject = make_subject(VALID[action][0])
        before = state(subject)
        client = Client(enforce_csrf_checks=True)
        client.force_login(officer if action == "submit" else supervisor)
        assert post(client, subject, action).status_code == 403
        assert state(subject) == before

    @pytest.mark.parametrize("action", list(VALID))
    def test_every_form_on_the_page_carries_the_csrf_token_and_version(
        self, client, officer, supervisor, make_subject, action
    ):
        subject = make_subject(VALID[action][0])
        client.force_login(officer if action == "submit" else supervisor)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        form = page.split(f'action="/subjects/{subject.uuid}/{action}/"')[1].split("</form>")[0]
        assert "csrfmiddlewaretoken" in form
        assert f'name="version" value="{subject.version}"' in form


def test_a_refused_step_shows_once_with_what_was_typed_and_a_reload_posts_nothing(client, supervisor, make_subject):
    subject = make_subject("submitted")
    before = state(subject)
    client.force_login(supervisor)
    page = refused(client, subject, post(client, subject, "reject", {"reason": "Too short"}))
    assert "at least 10 characters" in page and "Too short</textarea>" in page
    assert (
        'id="reject-reason_error"' in page and 'aria-describedby="reject-reason_helptext reject-reason_error"' in page
    )
    reloaded = page_text(client.get(f"/subjects/{subject.uuid}/"))
    assert "There is a problem" not in reloaded and "Too short</textarea>" not in reloaded
    assert state(subject) == before
