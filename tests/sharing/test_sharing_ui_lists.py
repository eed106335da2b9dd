"""The approval queue and the disclosure register: references are links; boroughs are filtered by name."""

import pytest

from sharing import services as sharing
from sharing.views.staff import mark_openable_subjects
from tests.conftest import HACKNEY
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


@pytest.fixture
def pending(officer, make_subject):
    return sharing.request_disclosure(
        acting_user=officer,
        subject=make_subject("approved"),
        agreement=AgreementFactory(),
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name"],
    )


def links(disclosure) -> tuple[str, str]:
    return (
        f'<a href="/disclosures/{disclosure.uuid}/">{disclosure.reference}</a>',
        f'<a href="/subjects/{disclosure.subject.uuid}/">{disclosure.subject.reference}</a>',
    )


class TestReferencesAreLinks:
    def test_queue_links_the_disclosure_and_the_subject(self, client, supervisor, pending):
        client.force_login(supervisor)
        page = client.get("/disclosures/queue/").content.decode()
        assert all(link in page for link in links(pending))

    @pytest.mark.parametrize("viewer", ["officer", "auditor"])
    def test_register_links_the_disclosure_and_the_subject(self, client, request, viewer, pending):
        client.force_login(request.getfixturevalue(viewer))
        page = client.get("/disclosures/").content.decode()
        assert all(link in page for link in links(pending))

    def test_a_subject_the_viewer_cannot_open_is_not_a_link(self, outsider, pending):
        mark_openable_subjects(outsider, [pending])
        assert pending.subject_openable is False


class TestBoroughFilter:
    def test_boroughs_are_offered_by_name(self, client, auditor):
        client.force_login(auditor)
        page = client.get("/disclosures/").content.decode()
        assert '<label class="label" for="id_borough">Borough</label>' in page
        assert f'<option value="{HACKNEY}">Hackney</option>' in page
        assert "ONS code" not in page

    def test_an_officer_is_offered_only_their_boroughs(self, client, officer):
        client.force_login(officer)
        form = client.get("/disclosures/").context["filters"]
        assert [borough.name for borough in form.fields["borough"].queryset] == ["Hackney"]

    def test_the_filter_still_takes_the_code_in_the_address(self, client, auditor, pending):
        client.force_login(auditor)
        assert client.get("/disclosures/", {"borough": HACKNEY}).context["disclosures"] == [pending]
        assert client.get("/disclosures/", {"borough": "E09000028"}).context["disclosures"] == []

    def test_a_borough_the_viewer_cannot_choose_is_reported_and_the_other_filters_still_apply(
        self, client, officer, pending
    ):
        client.force_login(officer)
        response = client.get("/disclosures/", {"borough": "E09000028", "status": "approved"})
        assert "borough" in response.context["filters"].errors
        assert response.context["disclosures"] == []  # the status filter still applies
        assert client.get("/disclosures/", {"borough": "E09000028", "status": "requested"}).context["disclosures"] == [
            pending
        ]
