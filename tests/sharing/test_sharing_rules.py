"""Disclosure rules (docs/sharing.md, Disclosures), negative paths first."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matrix import evidence_services, services, workflow
from sharing import services as sharing
from sharing.models import Disclosure
from sharing.permissions import partner_disclosures
from tests.conftest import SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import AgreementFactory, PartnerAgencyFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan for the subject"


@pytest.fixture
def agreement():
    return AgreementFactory()


@pytest.fixture
def subject(make_subject):
    return make_subject("approved")


def request(officer, subject, agreement, *, code="cda-1998-s115", fields=("name", "classification"), **kwargs):
    return sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis(code),
        purpose=kwargs.pop("purpose", PURPOSE),
        fields=list(fields),
        **kwargs,
    )


def refused(error: pytest.ExceptionInfo, field: str) -> str:
    return " ".join(error.value.message_dict[field])


class TestRequestRules:
    def test_agreement_with_another_partner_is_refused(self, officer, subject, agreement):
        other = AgreementFactory()
        with pytest.raises(ValidationError) as error:
            sharing.check_disclosure_rules(
                subject=subject,
                partner=agreement.partner,
                agreement=other,
                lawful_basis=basis("cda-1998-s115"),
                purpose=PURPOSE,
                fields=["name"],
                expiry=None,
            )
        assert "is not an agreement with" in refused(error, "agreement")

    def test_agreement_not_in_force_is_refused(self, officer, subject):
        ended = AgreementFactory(
            valid_from=timezone.localdate() - timedelta(days=400), valid_to=timezone.localdate() - timedelta(days=1)
        )
        with pytest.raises(ValidationError) as error:
            request(officer, subject, ended, expiry=timezone.localdate() + timedelta(days=5))
        assert "is not in force today" in refused(error, "agreement")
        assert not Disclosure.objects.exists()

    def test_basis_the_agreement_does_not_allow_is_refused(self, officer, subject, agreement):
        with pytest.raises(ValidationError) as error:
            request(officer, subject, agreement, code="pcsc-2022-s16")
        assert "does not allow sharing under" in refused(error, "lawful_basis")

    def test_field_outside_the_agreement_is_refused(self, officer, subject):
        narrow = AgreementFactory(shareable_fields=["name"])
        with pytest.raises(ValidationError) as error:
            request(officer, subject, narrow, fields=["name", "address"])
        assert "does not allow sharing: Current address" in refused(error, "fields")

    def test_victim_under_a_non_safeguarding_basis_is_refused(self, officer, make_subject, agreement):
        victim = make_subject("approved", classification="victim")
        with pytest.raises(ValidationError) as error:
            request(officer, victim, agreement, code="cda-1998-s115")
        assert "only under a safeguarding basis" in refused(error, "lawful_basis")
        assert request(officer, victim, agreement, code="dpa-2018-sch8-para4").pk

    def test_subject_with_overdue_review_is_refused(self, officer, subject, agreement):
        with time_machine.travel(timezone.now() + timedelta(days=120)):
            longer = AgreementFactory(valid_to=timezone.localdate() + timedelta(days=300))
            with pytest.raises(ValidationError) as error:
                request(officer, subject, longer)
        assert "review is overdue" in refused(error, "subject")

    def test_unapproved_subject_is_refused(self, officer, make_subject, agreement):
        with pytest.raises(ValidationError) as error:
            request(officer, make_subject("submitted"), agreement)
        assert "Only subjects approved" in refused(error, "subject")

    def test_purpose_is_required(self, officer, subject, agreement):
        with pytest.raises(ValidationError) as error:
            request(officer, subject, agreement, purpose="x")
        assert "purpose" in error.value.message_dict

    def test_expiry_never_passes_the_agreement_end(self, officer, subject):
        short = AgreementFactory(valid_to=timezone.localdate() + timedelta(days=10))
        with pytest.raises(ValidationError) as error:
            request(officer, subject, short, expiry=timezone.localdate() + timedelta(days=20))
        assert "cannot outlast its agreement" in refused(error, "expiry")
        assert request(officer, subject, short).requested_expiry == short.valid_to

    def test_expiry_defaults_to_30_days(self, officer, subject, agreement):
        assert request(officer, subject, agreement).requested_expiry == timezone.localdate() + timedelta(days=30)

    def test_partner_and_auditor_cannot_request(self, partner, auditor, subject, agreement):
        for user in (partner, auditor):
            with pytest.raises(PermissionDenied):
                request(user, subject, agreement)

    def test_officer_of_another_borough_cannot_request(self, outsider, subject, agreement):
        with pytest.raises(PermissionDenied):
            request(outsider, subject, agreement)


class TestApproval:
    def test_requester_cannot_approve_their_own_request(self, supervisor, subject, agreement):
        disclosure = request(supervisor, subject, agreement)
        with pytest.raises(PermissionDenied):
            sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
        disclosure.refresh_from_db()
        assert disclosure.status == "requested" and disclosure.snapshot is None

    def test_another_boroughs_supervisor_cannot_approve(self, officer, subject, agreement):
        southwark_supervisor = make_user("supervisor", [SOUTHWARK])
        disclosure = request(officer, subject, agreement)
        with pytest.raises(PermissionDenied):
            sharing.approve_disclosure(acting_user=southwark_supervisor, disclosure=disclosure)

    def test_officer_cannot_approve(self, officer, subject, agreement):
        other_officer = make_user("officer", ["E09000012"])
        disclosure = request(officer, subject, agreement)
        with pytest.raises(PermissionDenied):
            sharing.approve_disclosure(acting_user=other_officer, disclosure=disclosure)

    def test_approval_takes_a_snapshot_of_exactly_the_chosen_fields(self, officer, supervisor, subject, agreement):
        disclosure = request(officer, subject, agreement, fields=["name", "evidence"])
        disclosure = sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
        assert set(disclosure.snapshot["fields"]) == {"name", "evidence"}
        item = disclosure.snapshot["fields"]["evidence"]["items"][0]
        assert item["grading"] == "1AP" and item["nature"] == "Fact"
        assert disclosure.expires_at.date() == disclosure.requested_expiry
        assert disclosure.history.latest().history_user == supervisor

    def test_rules_are_checked_again_at_approval(self, officer, supervisor, subject, agreement):
        disclosure = request(officer, subject, agreement)
        with time_machine.travel(timezone.now() + timedelta(days=100)):
            with pytest.raises(ValidationError) as error:
                sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
        assert "review is overdue" in refused(error, "subject")

    def test_a_later_change_does_not_leak_into_the_snapshot(self, officer, supervisor, subject, agreement):
        disclosure = sharing.approve_disclosure(
            acting_user=supervisor, disclosure=request(officer, subject, agreement, fields=["name"])
        )
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=subject.version,
            changes={"family_name": "Correctedname"},
            reason="Spelling corrected",
        )
        disclosure.refresh_from_db()
        assert disclosure.snapshot["fields"]["name"]["family_name"] == "Testperson"

    def test_handling_code_c_items_are_withheld_unless_the_agreement_allows_them(self, officer, supervisor, subject):
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            summary="Synthetic conditioned report",
            information_date=timezone.localdate(),
            source_type="partner_information",
            source_reference="YOT-7",
            source_evaluation="2",
            intelligence_assessment="B",
            handling_code="C",
            handling_conditions="Not to be shared with schools",
            nature="assessment",
        )
        strict = AgreementFactory(allows_conditioned_items=False)
        lenient = AgreementFactory(allows_conditioned_items=True)
        withheld = sharing.approve_disclosure(
            acting_user=supervisor, disclosure=request(officer, subject, strict, fields=["evidence"])
        ).snapshot["fields"]["evidence"]
        assert withheld["withheld_under_conditions"] == 1
        assert all(item["handling_code"] == "P" for item in withheld["items"])
        carried = sharing.approve_disclosure(
            acting_user=supervisor, disclosure=request(officer, subject, lenient, fields=["evidence"])
        ).snapshot["fields"]["evidence"]
        conditioned = [item for item in carried["items"] if item["handling_code"] == "C"]
        assert conditioned[0]["handling_conditions"] == "Not to be shared with schools"


@pytest.fixture
def live(officer, supervisor, subject, agreement):
    return sharing.approve_disclosure(
        acting_user=supervisor, disclosure=request(officer, subject, agreement, fields=["name", "evidence"])
    )


class TestPartnerView:
    def test_partner_sees_only_their_agencys_live_disclosures(self, live):
        own = make_partner_user(live.partner)
        other = make_partner_user(PartnerAgencyFactory())
        assert list(partner_disclosures(own)) == [live]
        assert not partner_disclosures(other).exists()

    def test_partner_without_membership_sees_nothing(self, partner, live):
        assert not partner_disclosures(partner).exists()

    def test_revoked_disclosure_vanishes_at_once(self, supervisor, live):
        own = make_partner_user(live.partner)
        sharing.revoke_disclosure(acting_user=supervisor, disclosure=live, reason="Synthetic: purpose achieved")
        assert not partner_disclosures(own).exists()

    def test_expired_disclosure_vanishes(self, live):
        own = make_partner_user(live.partner)
        with time_machine.travel(live.expires_at + timedelta(seconds=1)):
            assert not partner_disclosures(own).exists()

    def test_revocation_needs_a_reason_and_a_supervisor(self, officer, supervisor, live):
        with pytest.raises(ValidationError):
            sharing.revoke_disclosure(acting_user=supervisor, disclosure=live, reason="")
        with pytest.raises(PermissionDenied):
            sharing.revoke_disclosure(acting_user=officer, disclosure=live, reason="Synthetic: no longer needed")
        live.refresh_from_db()
        assert live.status == "approved"


class TestLaterChanges:
    def test_a_correction_puts_a_notice_on_the_disclosure(self, officer, subject, live):
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=subject.version,
            changes={"given_names": "Corrected"},
            reason="Wrong given name",
        )
        notice = live.notices.get()
        assert notice.kind == "correction" and "Name" in notice.message

    def test_a_correction_to_an_undisclosed_field_gives_no_notice(self, officer, subject, live):
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=subject.version,
            changes={"gender": "female"},
            reason="Recorded wrongly",
        )
        assert not live.notices.exists()

    def test_withdrawing_a_disclosed_item_gives_a_notice(self, officer, subject, live):
        item = subject.evidence.get()
        evidence_services.withdraw_evidence(acting_user=officer, evidence=item, reason="Synthetic: misattributed")
        assert "withdrawn" in live.notices.get().message

    def test_removal_revokes_every_live_disclosure(self, supervisor, subject, live, officer, agreement):
        pending = request(officer, subject, agreement)
        reviewer = make_user("supervisor", ["E09000012"])
        workflow.remove_subject(acting_user=reviewer, subject=subject, reason="Synthetic: left the area for good")
        live.refresh_from_db()
        pending.refresh_from_db()
        assert live.status == "revoked" and "removed" in live.revocation_reason
        assert pending.status == "refused"

    def test_erasure_puts_a_notice_on_past_disclosures(self, subject, live):
        from matrix.retention import erase_subject, system_user

        reviewer = make_user("supervisor", ["E09000012"])
        workflow.remove_subject(acting_user=reviewer, subject=subject, reason="Synthetic: left the area for good")
        erase_subject(subject, acting_user=system_user())
        assert live.notices.filter(kind="erasure").exists()


def test_agreements_ending_within_30_days_are_flagged():
    soon = AgreementFactory(valid_to=timezone.localdate() + timedelta(days=20))
    AgreementFactory(valid_to=timezone.localdate() + timedelta(days=90))
    assert list(sharing.agreements_ending_soon()) == [soon]


def test_database_refuses_self_approval(officer, subject, agreement):
    from django.db import IntegrityError, transaction

    disclosure = request(officer, subject, agreement)
    disclosure.decided_by = officer
    with pytest.raises(IntegrityError), transaction.atomic():
        disclosure.save()


def test_erasure_erases_what_was_sent_too(subject, live):
    from matrix.retention import erase_subject, system_user

    reviewer = make_user("supervisor", ["E09000012"])
    workflow.remove_subject(acting_user=reviewer, subject=subject, reason="Synthetic: left the area for good")
    erase_subject(subject, acting_user=system_user())
    live.refresh_from_db()
    assert live.snapshot == {"subject_reference": subject.reference, "erased": True, "fields": {}, "labels": {}}
    for record in live.history.all():
        assert record.snapshot is None or "Testperson" not in str(record.snapshot)
