"""Sign-in, the subject list and the draft form, as a browser user meets them."""

from datetime import timedelta

import pytest
from django.utils import timezone

from matrix.models import Borough, Subject
from tests.conftest import HACKNEY
from tests.factories import (
    TEST_PASSWORD,
    CriterionFactory,
    EvidenceFactory,
    SubjectFactory,
)


@pytest.mark.django_db
class TestSignIn:
    def test_sign_in_page_labels_every_field(self, client):
        page = client.get("/sign-in/").content.decode()
        assert '<label class="label" for="id_username">' in page
        assert '<label class="label" for="id_password">' in page

    def test_wrong_password_shows_an_error_summary(self, client, officer):
        response = client.post("/sign-in/", {"username": officer.username, "password": "wrong-password-123"})
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert "_auth_user_id" not in client.session

    def test_sign_in_then_home_then_sign_out(self, client, officer):
        response = client.post("/sign-in/", {"username": officer.username, "password": TEST_PASSWORD})
        assert response.status_code == 302 and response["Location"] == "/"
        home = client.get("/").content.decode()
        assert "You are seeing data for Hackney" in home
        client.post("/sign-out/")
        assert client.get("/").status_code == 302

    def test_home_needs_sign_in(self, client):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/sign-in/")


@pytest.mark.django_db
class TestSubjectList:
    def test_victims_are_visibly_distinct_from_perpetrators(self, client, officer):
        hackney = Borough.objects.get(code=HACKNEY)
        SubjectFactory(borough=hackney, classification="victim")
        SubjectFactory(borough=hackney, classification="suspected")
        client.force_login(officer)
        page = client.get("/subjects/").content.decode()
        assert 'class="tag tag-victim">Victim of an offence' in page
        assert 'class="tag tag-perpetrator">Suspected of an offence' in page

    def test_partner_is_refused_the_list_and_told_where_to_look(self, client, partner):
        client.force_login(partner)
        assert client.get("/subjects/").status_code == 403
        home = client.get("/").content.decode()
        assert "partner agencies see only what has been disclosed to their own agency" in home

    def test_pages_follow_with_a_cursor(self, client, officer):
        hackney = Borough.objects.get(code=HACKNEY)
        SubjectFactory.create_batch(30, borough=hackney)
        client.force_login(officer)
        first = client.get("/subjects/")
        second = client.get("/subjects/", {"after": first.context["next_cursor"]})
        references = [s.reference for s in first.context["subjects"]] + [
            s.reference for s in second.context["subjects"]
        ]
        assert len(references) == len(set(references)) == 30
        assert second.context["next_cursor"] is None

    def test_a_tampered_cursor_starts_again(self, client, officer):
        client.force_login(officer)
        assert client.get("/subjects/", {"after": "not-a-cursor%%"}).status_code == 200


@pytest.mark.django_db
class TestDraftForm:
    VALID = {
        "classification": "at_risk",
        "family_name": "Testperson",
        "given_names": "Echo",
        "aliases": "",
        "date_of_birth": "2012-02-02",
        "gender": "female",
        "ethnicity": "not_stated",
    }

    def test_officer_saves_a_draft(self, client, officer):
        client.force_login(officer)
        response = client.post("/subjects/new/", {**self.VALID, "borough": Borough.objects.get(code=HACKNEY).pk})
        subject = Subject.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.uuid}/"
        assert subject.status == "draft"
        assert subject.history.get().history_user == officer

    def test_errors_are_summarised_and_linked_to_fields(self, client, officer):
        client.force_login(officer)
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        response = client.post(
            "/subjects/new/",
            {
                **self.VALID,
                "classification": "",
                "date_of_birth": future,
                "borough": Borough.objects.get(code=HACKNEY).pk,
            },
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert 'href="#id_classification_0"' in page
        assert 'href="#id_date_of_birth_0"' in page
        assert "cannot be in the future" in page
        assert not Subject.objects.exists()

    def test_only_granted_boroughs_are_offered(self, client, officer):
        client.force_login(officer)
        southwark = Borough.objects.get(code="E09000028")
        response = client.post("/subjects/new/", {**self.VALID, "borough": southwark.pk})
        assert "borough" in response.context["form"].errors
        assert not Subject.objects.exists()

    def test_auditor_cannot_open_the_form(self, client, auditor):
        client.force_login(auditor)
        assert client.get("/subjects/new/").status_code == 403


@pytest.mark.django_db
def test_subject_page_explains_each_item_and_criterion(client, officer):
    CriterionFactory(title="Two independent sources", min_items=2, requires_independent_sources=True)
    subject = SubjectFactory(borough=Borough.objects.get(code=HACKNEY))
    EvidenceFactory(subject=subject, intelligence_assessment="E", summary="Malicious call")
    client.force_login(officer)
    page = client.get(f"/subjects/{subject.uuid}/").content.decode()
    assert "Two independent sources (v1): not met" in page
    assert "Graded E (suspected to be false or malicious): never counts." in page
    assert "Needs at least 2 qualifying item(s); 0 found." in page


@pytest.mark.django_db
class TestMainMenu:
    def labels(self, client, user):
        client.force_login(user)
        return [item["label"] for item in client.get("/").context["main_menu"]]

    def test_officer_menu(self, client, officer):
        assert self.labels(client, officer)[:3] == ["Dashboard", "Subjects", "Disclosures"]
        assert "Approvals" not in self.labels(client, officer)

    def test_supervisor_sees_approvals(self, client, supervisor):
        assert "Approvals" in self.labels(client, supervisor)

    def test_partner_sees_only_their_portal(self, client, partner):
        assert self.labels(client, partner) == ["Dashboard", "Disclosures to my agency"]
