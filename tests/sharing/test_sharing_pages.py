"""The disclosure pages: request with preview, approval, register, and the partner portal."""

import csv
import io

import pytest
from django.utils import timezone

from sharing import services as sharing
from sharing.models import Disclosure
from tests.conftest import SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import (
    AgreementFactory,
    PartnerAgencyFactory,
    basis,
    make_partner_user,
)

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"
JUSTIFICATION = "Synthetic: copy for the case conference file"


@pytest.fixture
def agreement():
    return AgreementFactory()


@pytest.fixture
def subject(make_subject):
    return make_subject("approved")


def form_data(agreement, **overrides):
    return {
        "agreement": agreement.pk,
        "lawful_basis": basis("cda-1998-s115").pk,
        "purpose": PURPOSE,
        "fields": ["name", "evidence"],
        "expiry": "",
        **overrides,
    }


@pytest.fixture
def live(officer, supervisor, subject, agreement):
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name", "evidence"],
    )
    return sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)


class TestRequest:
    def url(self, subject):
        return f"/subjects/{subject.uuid}/disclose/"

    def test_preview_shows_exactly_what_the_partner_will_see_and_writes_nothing(
        self, client, officer, subject, agreement
    ):
        client.force_login(officer)
        response = client.post(self.url(subject), {**form_data(agreement), "action": "preview"})
        page = response.content.decode()
        assert "What the partner will see" in page
        assert "Testperson, Alpha" in page and "1AP" in page
        assert "Date of birth" not in page.split("What the partner will see")[1].split("<form")[0]
        assert not Disclosure.objects.exists()

    def test_request_creates_a_disclosure_awaiting_approval(self, client, officer, subject, agreement):
        client.force_login(officer)
        response = client.post(self.url(subject), {**form_data(agreement), "action": "request"})
        disclosure = Disclosure.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/disclosures/{disclosure.uuid}/"
        assert disclosure.status == "requested" and disclosure.requested_by == officer

    def test_rule_failures_are_shown_on_the_fields(self, client, officer, subject):
        narrow = AgreementFactory(shareable_fields=["name"])
        client.force_login(officer)
        response = client.post(
            self.url(subject), {**form_data(narrow, lawful_basis=basis("pcsc-2022-s16").pk), "action": "request"}
        )
        errors = response.context["form"].errors
        assert "does not allow sharing under" in errors["lawful_basis"][0]
        assert not Disclosure.objects.exists()

    def test_other_borough_cannot_reach_the_form(self, client, outsider, subject):
        client.force_login(outsider)
        assert client.get(self.url(subject)).status_code == 404

    def test_auditor_cannot_request(self, client, auditor, subject):
        client.force_login(auditor)
        assert client.get(self.url(subject)).status_code == 403


class TestDecisions:
    def test_supervisor_approves_from_the_page(self, client, officer, supervisor, subject, agreement):
        disclosure = sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose=PURPOSE,
            fields=["name"],
        )
        client.force_login(supervisor)
        assert disclosure in list(client.get("/disclosures/queue/").context["disclosures"])
        client.post(f"/disclosures/{disclosure.uuid}/approve/")
        disclosure.refresh_from_db()
        assert disclosure.status == "approved" and disclosure.decided_by == supervisor

    def test_forged_self_approval_is_refused(self, client, supervisor, subject, agreement):
        disclosure = sharing.request_disclosure(
            acting_user=supervisor,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose=PURPOSE,
            fields=["name"],
        )
        client.force_login(supervisor)
        assert disclosure not in list(client.get("/disclosures/queue/").context["disclosures"])
        assert client.post(f"/disclosures/{disclosure.uuid}/approve/").status_code == 403
        disclosure.refresh_from_db()
        assert disclosure.status == "requested"

    def test_revocation_without_reason_is_explained_and_changes_nothing(self, client, supervisor, live):
        client.force_login(supervisor)
        response = client.post(f"/disclosures/{live.uuid}/revoke/", {"reason": ""}, follow=True)
        assert "Give the reason" in response.content.decode()
        live.refresh_from_db()
        assert live.status == "approved"

    def test_other_boroughs_supervisor_gets_404(self, client, live):
        client.force_login(make_user("supervisor", [SOUTHWARK]))
        assert client.get(f"/disclosures/{live.uuid}/").status_code == 404
        assert client.post(f"/disclosures/{live.uuid}/revoke/", {"reason": "Synthetic reason text"}).status_code == 404


class TestRegister:
    def test_register_filters_by_status_and_partner(self, client, officer, live, subject, agreement):
        pending = sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose=PURPOSE,
            fields=["name"],
        )
        client.force_login(officer)
        assert client.get("/disclosures/", {"status": "live"}).context["disclosures"] == [live]
        assert client.get("/disclosures/", {"status": "requested"}).context["disclosures"] == [pending]
        other_partner = PartnerAgencyFactory()
        assert client.get("/disclosures/", {"partner": other_partner.pk}).context["disclosures"] == []

    def test_register_shows_agreements_ending_soon(self, client, officer):
        AgreementFactory(reference="ISA-ENDING", valid_to=timezone.localdate() + timezone.timedelta(days=10))
        client.force_login(officer)
        assert "ISA-ENDING" in client.get("/disclosures/").content.decode()

    def test_partner_cannot_open_the_register(self, client, live):
        client.force_login(make_partner_user(live.partner))
        assert client.get("/disclosures/").status_code == 403
        assert client.get(f"/disclosures/{live.uuid}/").status_code == 404


class TestPortal:
    def test_partner_sees_the_snapshot_and_never_the_live_record(self, client, live, subject):
        client.force_login(make_partner_user(live.partner))
        assert [d.reference for d in client.get("/partner/").context["disclosures"]] == [live.reference]
        page = client.get(f"/partner/disclosures/{live.uuid}/").content.decode()
        assert "Testperson, Alpha" in page and "1AP" in page
        assert "Date of birth" not in page
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 404

    def test_another_agency_gets_404(self, client, live):
        client.force_login(make_partner_user(PartnerAgencyFactory()))
        assert client.get(f"/partner/disclosures/{live.uuid}/").status_code == 404
        assert (
            client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": JUSTIFICATION}).status_code
            == 404
        )

    def test_revoked_disclosure_is_gone_at_once(self, client, supervisor, live):
        partner_user = make_partner_user(live.partner)
        sharing.revoke_disclosure(acting_user=supervisor, disclosure=live, reason="Synthetic: purpose achieved")
        client.force_login(partner_user)
        assert client.get("/partner/").context["disclosures"] == []
        assert client.get(f"/partner/disclosures/{live.uuid}/").status_code == 404

    def test_export_marks_every_row_with_agency_and_reference(self, client, live):
        client.force_login(make_partner_user(live.partner))
        response = client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": JUSTIFICATION})
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0][:2] == ["Recipient agency", "Disclosure reference"]
        assert len(rows) > 4
        assert all(row[:2] == [live.partner.name, live.reference] for row in rows[1:])

    def test_export_needs_a_justification_which_is_logged(self, client, live):
        from audit.log import justification_as_read
        from audit.models import AccessEvent

        client.force_login(make_partner_user(live.partner))
        refused = client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": ""}, follow=True)
        assert refused.status_code == 200 and "justification" in refused.context["export_form"].errors
        assert not AccessEvent.objects.filter(action="export").exists()
        client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": JUSTIFICATION})
        event = AccessEvent.objects.get(action="export")
        assert justification_as_read(event) == JUSTIFICATION and event.recipient == live.partner.name
        assert event.object_uuid == live.uuid

    def test_notice_is_shown_to_the_recipient(self, client, officer, subject, live):
        from matrix import services

        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=subject.version,
            changes={"family_name": "Correctedname"},
            reason="Spelling corrected",
        )
        client.force_login(make_partner_user(live.partner))
        page = client.get(f"/partner/disclosures/{live.uuid}/").content.decode()
        assert "the following was corrected: Name" in page

    def test_police_users_cannot_open_the_portal(self, client, officer):
        client.force_login(officer)
        assert client.get("/partner/").status_code == 403
