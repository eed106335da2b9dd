"""The doors to break glass: the "Emergency access" page and POST /api/break-glass/.

Both find the record with ``services.find_break_glass_subject`` and grant with ``services.grant_break_glass``;
a refused request writes no grant, and the user can read the record only while the grant lasts.
"""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from audit.models import AccessEvent
from config.formats import written
from matrix import services
from matrix.models import SubjectAccessGrant
from tests.ui_helpers import page_text, submitted_fields

pytestmark = pytest.mark.django_db

PAGE = "/subjects/break-glass/"
API = "/api/break-glass/"
JUSTIFICATION = "Synthetic: named as a witness in a Southwark stabbing enquiry"
UNKNOWN = "GM-2026-999999"


@pytest.fixture
def subject(make_subject):
    """A Hackney record, outside the Southwark officer's (``outsider``) boroughs."""
    return make_subject("approved")


def body(subject_or_reference, **overrides):
    reference = getattr(subject_or_reference, "reference", subject_or_reference)
    return {"reference": reference, "justification": JUSTIFICATION, "hours": 2, **overrides}


def last_event(**filters) -> AccessEvent:
    return AccessEvent.objects.filter(**filters).order_by("-sequence").first()


def as_read(event) -> str:
    """An entry's justification as people read it (audit.log.justification_as_read, where the log keeps typed
    text beside its chain; the plain column otherwise)."""
    try:
        from audit.log import justification_as_read
    except ImportError:
        return event.justification
    return justification_as_read(event)


def refused_on_the_page(client, data):
    """Post the form; a refusal goes back to the page (post/redirect/get), which shows it once."""
    response = client.post(PAGE, data)
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#error-summary", response
    return client.get(PAGE)


def field_error(response, field: str) -> str:
    return " ".join(response.context["form"].errors.get(field, []))


def assert_nothing_granted(user=None):
    grants = SubjectAccessGrant.objects.all()
    assert not (grants.filter(user=user) if user else grants).exists()


class TestThePage:
    def test_the_page_asks_for_reference_reason_and_hours_and_says_whose_data(self, client, outsider, settings):
        client.force_login(outsider)
        response = client.get(PAGE)
        assert response.status_code == 200
        text = page_text(response)
        assert "<h1>Emergency access to a record outside your boroughs</h1>" in text
        assert "You are seeing data for Southwark" in text
        assert set(submitted_fields(response)) == {"csrfmiddlewaretoken", "reference", "justification", "hours"}
        assert f"Between 1 and {settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS}" in text
        assert f"for example GM-{timezone.localdate().year}-000123" in text

    def test_the_dashboard_links_to_it_for_roles_that_may_break_glass(self, client, outsider, supervisor, auditor):
        for user in (outsider, supervisor):
            client.force_login(user)
            assert f'href="{PAGE}"' in page_text(client.get("/"))
        client.force_login(auditor)
        assert f'href="{PAGE}"' not in page_text(client.get("/"))

    def test_success_grants_logs_and_opens_the_record_until_access_ends(self, client, outsider, subject):
        client.force_login(outsider)
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 404
        response = client.post(PAGE, body(subject))
        assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.uuid}/"
        grant = SubjectAccessGrant.objects.get(user=outsider, content_object=subject)
        assert grant.justification == JUSTIFICATION and grant.granted_by == outsider
        assert timedelta(hours=2) - timedelta(minutes=1) < grant.expires_at - timezone.now() <= timedelta(hours=2)
        granted = last_event(action="consult", object_type="subjectaccessgrant")
        assert (granted.actor_username, granted.subject_uuid, as_read(granted)) == (
            outsider.username,
            subject.uuid,
            JUSTIFICATION,
        )
        page = client.get(response["Location"])
        assert page.status_code == 200
        ends = f"You can read {subject.reference} until {written(grant.expires_at)}, when your access ends."
        assert ends in page_text(page)
        viewed = last_event(action="consult", object_type="subject")
        assert as_read(viewed) == f"Break glass: {JUSTIFICATION}"

    def test_the_reference_may_be_typed_in_any_case_with_spaces(self, client, outsider, subject):
        client.force_login(outsider)
        response = client.post(PAGE, body(f"  {subject.reference.lower()} "))
        assert response["Location"] == f"/subjects/{subject.uuid}/"

    def test_a_short_justification_is_the_services_error_on_its_field(self, client, outsider, subject):
        client.force_login(outsider)
        page = refused_on_the_page(client, body(subject, justification="need it"))
        assert page.status_code == 200
        assert "at least 20 characters" in field_error(page, "justification")
        assert "<title>Error: " in page_text(page)
        assert submitted_fields(page)["reference"] == subject.reference  # what was typed is kept
        assert_nothing_granted()
        # Shown once: a reload is the empty form again, and posts nothing.
        assert not client.get(PAGE).context["form"].is_bound

    @pytest.mark.parametrize("hours", [0, -1, 25, 1000])
    def test_hours_out_of_range_are_refused_on_their_field(self, client, outsider, subject, settings, hours):
        client.force_login(outsider)
        page = refused_on_the_page(client, body(subject, hours=hours))
        assert f"between 1 and {settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS} hours" in field_error(page, "hours")
        assert_nothing_granted()

    def test_hours_that_are_not_a_number_are_refused(self, client, outsider, subject):
        client.force_login(outsider)
        page = refused_on_the_page(client, body(subject, hours="two"))
        assert field_error(page, "hours") == "Enter the hours of access as a whole number, for example 2"
        assert_nothing_granted()

    def test_an_empty_form_names_each_field(self, client, outsider):
        client.force_login(outsider)
        page = refused_on_the_page(client, {})
        errors = page.context["form"].errors
        assert errors["reference"] == ["Enter record reference"]
        assert errors["justification"] == ["Enter why you need this record"]
        assert errors["hours"] == ["Enter hours of access"]

    def test_an_unknown_reference_is_a_field_error_and_a_logged_refusal(self, client, outsider, subject):
        client.force_login(outsider)
        page = refused_on_the_page(client, body(UNKNOWN))
        assert field_error(page, "reference").startswith("No record has this reference.")
        refusal = last_event(action="denied")
        assert refusal.actor_username == outsider.username and refusal.outcome == "refused"
        assert "no such record" in refusal.detail and UNKNOWN not in refusal.detail
        assert_nothing_granted()

    @pytest.mark.parametrize("role", ["partner", "auditor", "dpo"])
    def test_a_role_that_may_not_break_glass_is_refused(self, request, client, subject, role):
        user = request.getfixturevalue(role)
        client.force_login(user)
        assert client.get(PAGE).status_code == 403
        assert client.post(PAGE, body(subject)).status_code == 403
        assert_nothing_granted()
        assert last_event(action="denied").actor_username == user.username

    def test_someone_who_works_in_the_borough_is_refused(self, client, officer, subject):
        client.force_login(officer)
        page = refused_on_the_page(client, body(subject))
        assert "You already work in this subject's borough" in " ".join(page.context["form"].non_field_errors())
        assert_nothing_granted()

    def test_access_ends_when_the_grant_expires(self, client, outsider, subject):
        client.force_login(outsider)
        client.post(PAGE, body(subject, hours=1))
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 200
        with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
            client.force_login(outsider)  # a fresh session: the old one has expired after 15 idle minutes
            assert client.get(f"/subjects/{subject.uuid}/").status_code == 404
            assert client.get("/subjects/", {"q": subject.reference}).context["subjects"] == []


class TestTheApi:
    def test_success_is_201_with_the_grant_and_opens_the_record(self, token_api_as, outsider, subject):
        client = token_api_as(outsider)
        assert client.get(f"/api/subjects/{subject.uuid}/").status_code == 404
        response = client.post(API, body(subject), format="json")
        assert response.status_code == 201, response.json()
        data = response.json()
        grant = SubjectAccessGrant.objects.get(user=outsider, content_object=subject)
        assert data["subject"] == str(subject.uuid) and data["subject_reference"] == subject.reference
        assert data["subject_url"] == f"http://testserver/api/subjects/{subject.uuid}/"
        assert data["justification"] == JUSTIFICATION and data["granted_by"] == outsider.username
        assert datetime.fromisoformat(data["expires_at"]) == grant.expires_at
        assert as_read(last_event(action="consult", object_type="subjectaccessgrant")) == JUSTIFICATION
        read = client.get(data["subject_url"])
        assert read.status_code == 200 and read.json()["reference"] == subject.reference
        assert as_read(last_event(action="consult", object_type="subject")) == f"Break glass: {JUSTIFICATION}"
        # Read-only: break glass never lets one change the record.
        change = {"family_name": "Changed", "version": subject.version}
        assert client.patch(data["subject_url"], change, format="json").status_code == 403

    def test_a_short_justification_is_400_on_its_field(self, token_api_as, outsider, subject):
        response = token_api_as(outsider).post(API, body(subject, justification="need it"), format="json")
        assert response.status_code == 400
        assert "at least 20 characters" in " ".join(response.json()["justification"])
        assert_nothing_granted()

    @pytest.mark.parametrize("hours", [0, 25, "two", None])
    def test_hours_out_of_range_or_not_a_number_are_400_on_their_field(self, token_api_as, outsider, subject, hours):
        response = token_api_as(outsider).post(API, body(subject, hours=hours), format="json")
        assert response.status_code == 400 and list(response.json()) == ["hours"]
        assert_nothing_granted()

    def test_missing_fields_are_400_each_by_name(self, token_api_as, outsider):
        response = token_api_as(outsider).post(API, {}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"reference", "justification", "hours"}

    def test_an_unknown_reference_is_400_on_its_field_and_logged(self, token_api_as, outsider, subject):
        response = token_api_as(outsider).post(API, body(UNKNOWN), format="json")
        assert response.status_code == 400
        assert response.json()["reference"][0].startswith("No record has this reference.")
        refusal = last_event(action="denied")
        assert refusal.actor_username == outsider.username and "no such record" in refusal.detail
        assert_nothing_granted()

    @pytest.mark.parametrize("role", ["partner", "auditor", "dpo"])
    def test_a_role_that_may_not_break_glass_is_403(self, request, token_api_as, subject, role):
        user = request.getfixturevalue(role)
        response = token_api_as(user).post(API, body(subject), format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "Your role cannot use break-glass access."
        assert_nothing_granted()

    def test_the_wrong_role_is_refused_before_the_body_is_read(self, token_api_as, partner):
        assert token_api_as(partner).post(API, {}, format="json").status_code == 403

    def test_someone_who_works_in_the_borough_is_400(self, token_api_as, officer, subject):
        response = token_api_as(officer).post(API, body(subject), format="json")
        assert response.status_code == 400
        assert "You already work in this subject's borough" in " ".join(response.json()["non_field_errors"])
        assert_nothing_granted()

    def test_access_ends_when_the_grant_expires(self, token_api_as, outsider, subject):
        client = token_api_as(outsider)
        assert client.post(API, body(subject, hours=1), format="json").status_code == 201
        assert client.get(f"/api/subjects/{subject.uuid}/").status_code == 200
        with time_machine.travel(timezone.now() + timedelta(hours=1, minutes=1)):
            assert client.get(f"/api/subjects/{subject.uuid}/").status_code == 404


class TestOneLookupForBothDoors:
    def test_both_doors_find_the_record_with_the_same_function(
        self, client, token_api_as, outsider, subject, monkeypatch
    ):
        calls = []
        real = services.find_break_glass_subject

        def spy(**kwargs):
            calls.append(kwargs["reference"])
            return real(**kwargs)

        monkeypatch.setattr(services, "find_break_glass_subject", spy)
        client.force_login(outsider)
        client.post(PAGE, body(subject))
        token_api_as(outsider).post(API, body(subject), format="json")
        assert calls == [subject.reference, subject.reference]

    def test_both_doors_refuse_an_unknown_reference_in_the_same_words(self, client, token_api_as, outsider):
        client.force_login(outsider)
        page = refused_on_the_page(client, body(UNKNOWN))
        api = token_api_as(outsider).post(API, body(UNKNOWN), format="json")
        assert [field_error(page, "reference")] == api.json()["reference"]
