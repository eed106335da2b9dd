"""Restriction of processing (DPA 2018 s.47): the DPO restricts, nothing is disclosed, recipients are told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from matrix import workflow
from sharing import services as sharing
from tests.sharing_factories import basis, live_disclosure

pytestmark = pytest.mark.django_db
REASON = "Synthetic: the subject contests the accuracy of the record"


@pytest.fixture
def live(officer, supervisor, make_subject):
    return live_disclosure(officer=officer, supervisor=supervisor, subject=make_subject("approved"))


def test_restriction_notifies_recipients_and_blocks_new_disclosures(dpo, officer, live):
    subject = workflow.restrict_processing(acting_user=dpo, subject=live.subject, reason=REASON)
    assert subject.is_restricted and subject.history.latest().history_user == dpo
    assert live.notices.get().kind == "restriction"
    with pytest.raises(ValidationError) as error:
        sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=live.agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: another disclosure attempt",
            fields=["name"],
        )
    assert "restricted" in " ".join(error.value.message_dict["subject"])


def test_only_the_dpo_restricts(supervisor, auditor, live):
    for user in (supervisor, auditor):
        with pytest.raises(PermissionDenied):
            workflow.restrict_processing(acting_user=user, subject=live.subject, reason=REASON)
    live.subject.refresh_from_db()
    assert not live.subject.is_restricted


def test_restriction_needs_a_reason_and_can_be_lifted(dpo, live):
    with pytest.raises(ValidationError):
        workflow.restrict_processing(acting_user=dpo, subject=live.subject, reason="short")
    workflow.restrict_processing(acting_user=dpo, subject=live.subject, reason=REASON)
    with pytest.raises(workflow.InvalidTransition):
        workflow.restrict_processing(acting_user=dpo, subject=live.subject, reason=REASON)
    lifted = workflow.lift_restriction(
        acting_user=dpo, subject=live.subject, reason="Synthetic: record verified as accurate"
    )
    assert not lifted.is_restricted


def test_dpo_restricts_from_the_subject_page(client, dpo, live):
    client.force_login(dpo)
    page = client.get(f"/subjects/{live.subject.uuid}/").content.decode()
    assert "Restrict processing (DPA 2018 s.47)" in page
    client.post(f"/subjects/{live.subject.uuid}/restrict/", {"reason": REASON, "version": live.subject.version})
    page = client.get(f"/subjects/{live.subject.uuid}/").content.decode()
    assert "Processing restricted since" in page and REASON in page


def test_forged_restriction_by_a_supervisor_is_refused(client, supervisor, live):
    client.force_login(supervisor)
    assert "Restrict processing" not in client.get(f"/subjects/{live.subject.uuid}/").content.decode()
    response = client.post(
        f"/subjects/{live.subject.uuid}/restrict/", {"reason": REASON, "version": live.subject.version}
    )
    assert response.status_code == 403
    live.subject.refresh_from_db()
    assert not live.subject.is_restricted
