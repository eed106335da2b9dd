"""The sharing API: the same rules as the pages; a partner's token sees only its agency's live disclosures."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from sharing import services as sharing
from sharing.models import Disclosure
from tests.conftest import SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import AgreementFactory, PartnerAgencyFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


@pytest.fixture
def agreement():
    return AgreementFactory()


@pytest.fixture
def subject(make_subject):
    return make_subject("approved")


def body(subject, agreement, **overrides):
    return {
        "subject": str(subject.uuid),
        "agreement": str(agreement.uuid),
        "lawful_basis": "cda-1998-s115",
        "purpose": PURPOSE,
        "fields": ["name", "evidence"],
        **overrides,
    }


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def live(officer, supervisor, subject, agreement):
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name"],
    )
    return sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)


def test_officer_requests_and_supervisor_approves(api_as, officer, supervisor, subject, agreement):
    response = api_as(officer).post("/api/disclosures/", body(subject, agreement), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "requested"
    uuid = response.json()["id"]
    assert api_as(officer).post(f"/api/disclosures/{uuid}/approve/").status_code == 403
    approved = api_as(supervisor).post(f"/api/disclosures/{uuid}/approve/")
    assert approved.status_code == 200
    assert set(approved.json()["snapshot"]["fields"]) == {"name", "evidence"}


def test_victim_under_non_safeguarding_basis_is_400_naming_the_field(api_as, officer, make_subject, agreement):
    victim = make_subject("approved", classification="victim")
    response = api_as(officer).post("/api/disclosures/", body(victim, agreement), format="json")
    assert response.status_code == 400
    assert "lawful_basis" in response.json()
    assert not Disclosure.objects.exists()


def test_unknown_field_is_400(api_as, officer, subject, agreement):
    response = api_as(officer).post("/api/disclosures/", body(subject, agreement, fields=["everything"]), format="json")
    assert response.status_code == 400 and "fields" in response.json()


def test_subject_of_another_borough_cannot_be_requested(api_as, subject, agreement):
    outsider = make_user("officer", [SOUTHWARK])
    response = api_as(outsider).post("/api/disclosures/", body(subject, agreement), format="json")
    assert response.status_code == 400 and "subject" in response.json()
    assert not Disclosure.objects.exists()


def test_requester_cannot_approve_own_request(api_as, supervisor, subject, agreement):
    uuid = api_as(supervisor).post("/api/disclosures/", body(subject, agreement), format="json").json()["id"]
    assert api_as(supervisor).post(f"/api/disclosures/{uuid}/approve/").status_code == 403
    assert Disclosure.objects.get(uuid=uuid).status == "requested"


def test_partner_token_sees_only_its_agencys_live_disclosures(live):
    own = token_client(make_partner_user(live.partner))
    other = token_client(make_partner_user(PartnerAgencyFactory()))
    listed = own.get("/api/disclosures/").json()["results"]
    assert [row["reference"] for row in listed] == [live.reference]
    assert "requested_by" not in listed[0] and "subject" not in listed[0]
    assert own.get(f"/api/disclosures/{live.uuid}/").status_code == 200
    assert other.get("/api/disclosures/").json()["results"] == []
    assert other.get(f"/api/disclosures/{live.uuid}/").status_code == 404


def test_partner_token_loses_a_revoked_disclosure_at_once(supervisor, live):
    own = token_client(make_partner_user(live.partner))
    api = APIClient()
    api.force_authenticate(supervisor)
    assert (
        api.post(
            f"/api/disclosures/{live.uuid}/revoke/", {"reason": "Synthetic: purpose achieved"}, format="json"
        ).status_code
        == 200
    )
    assert own.get(f"/api/disclosures/{live.uuid}/").status_code == 404


def test_partner_cannot_write_or_read_reference_lists(live):
    own = token_client(make_partner_user(live.partner))
    assert (
        own.post(f"/api/disclosures/{live.uuid}/revoke/", {"reason": "Synthetic: try"}, format="json").status_code
        == 403
    )
    assert own.get("/api/agreements/").status_code == 403
    assert own.get("/api/subjects/").status_code == 403


def test_revoke_without_reason_is_400_and_changes_nothing(api_as, supervisor, live):
    response = api_as(supervisor).post(f"/api/disclosures/{live.uuid}/revoke/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    live.refresh_from_db()
    assert live.status == "approved"


def test_reference_lists_for_police(api_as, officer, agreement):
    client = api_as(officer)
    assert any(
        row["code"] == "ca-2004-s11" and row["is_safeguarding"] for row in client.get("/api/lawful-bases/").json()
    )
    assert [row["reference"] for row in client.get("/api/agreements/").json()] == [agreement.reference]
    assert client.get("/api/partners/").status_code == 200
