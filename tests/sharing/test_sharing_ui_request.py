"""The disclosure request form offers only the fields the chosen agreement allows."""

import re

import pytest

from sharing.models import Disclosure
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


@pytest.fixture
def subject(make_subject):
    return make_subject("approved")


def url(subject):
    return f"/subjects/{subject.uuid}/disclose/"


def offered(page: str) -> list[str]:
    return re.findall(r'<input type="checkbox" name="fields" value="(\w+)"', page)


class TestFieldsOffered:
    def test_the_only_agreement_in_force_limits_the_fields_offered(self, client, officer, subject):
        narrow = AgreementFactory(shareable_fields=["aliases", "name"])
        client.force_login(officer)
        page = client.get(url(subject)).content.decode()
        assert offered(page) == ["name", "aliases"]
        assert f"{narrow.reference} allows only these." in page

    def test_an_agreement_asked_for_in_the_address_limits_the_fields(self, client, officer, subject):
        AgreementFactory(shareable_fields=["name", "address"])
        chosen = AgreementFactory(shareable_fields=["name", "classification"])
        client.force_login(officer)
        response = client.get(url(subject), {"agreement": chosen.pk})
        page = response.content.decode()
        assert offered(page) == ["name", "classification"]
        assert response.context["form"].chosen_agreement == chosen
        assert re.search(rf'<option value="{chosen.pk}" selected>', page)

    def test_before_an_agreement_is_chosen_only_fields_some_agreement_allows(self, client, officer, subject):
        AgreementFactory(shareable_fields=["name", "address"])
        AgreementFactory(shareable_fields=["name", "classification"])
        client.force_login(officer)
        page = client.get(url(subject)).content.decode()
        assert offered(page) == ["name", "address", "classification"]
        assert "Each agreement allows only some of these" in page

    def test_posting_an_agreement_shows_its_fields_and_the_services_message(self, client, officer, subject):
        AgreementFactory(shareable_fields=["name", "address"])
        narrow = AgreementFactory(shareable_fields=["name", "classification"])
        client.force_login(officer)
        response = client.post(
            url(subject),
            {
                "agreement": narrow.pk,
                "lawful_basis": basis("cda-1998-s115").pk,
                "purpose": PURPOSE,
                "fields": ["name", "address"],
                "action": "preview",
            },
        )
        page = response.content.decode()
        assert offered(page) == ["name", "classification"]
        assert (
            f"{narrow.reference} does not allow sharing: Current address." in response.context["form"].errors["fields"]
        )
        assert "Select what to disclose from the choices given" not in page
        assert not Disclosure.objects.exists()
