"""The DPO's reference data page, and what everyone is told while nothing is published yet."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent
from matrix import bootstrap, publishing
from matrix.models import Borough, HarmScoringMethod, InclusionCriterion, OffenceType, Subject
from sharing.models import PartnerAgency
from tests.conftest import HACKNEY
from tests.factories import CriterionFactory, HarmMethodFactory, OffenceWeightFactory, make_user
from tests.sharing_factories import PartnerAgencyFactory
from tests.ui_helpers import count_queries, page_text

pytestmark = pytest.mark.django_db
PAGE = "/governance/reference-data/"
NOT_PUBLISHED = "No inclusion criteria are published yet, so records cannot be submitted"


@pytest.fixture
def dpo_client(client, dpo):
    client.force_login(dpo)
    return client


def draft_criterion(**fields) -> InclusionCriterion:
    return CriterionFactory(is_current=False, published_at=None, **fields)


def draft_method(*weights: str) -> HarmScoringMethod:
    method = HarmMethodFactory(is_current=False, published_at=None)
    for weight in weights:
        OffenceWeightFactory(method=method, weight=Decimal(weight))
    return method


def publish_url(version) -> str:
    if isinstance(version, InclusionCriterion):
        return reverse("reference-data-publish-criterion", args=[version.code, version.version])
    return reverse("reference-data-publish-harm-method", args=[version.version])


class TestPublishing:
    def test_the_dpo_publishes_a_draft_through_the_page(self, dpo_client, dpo):
        old = CriterionFactory(code="gang-violence", version=1)
        draft = draft_criterion(code="gang-violence", version=2, title="Reworded criterion")
        page = page_text(dpo_client.get(PAGE))
        assert f'action="{publish_url(draft)}"' in page and f'action="{publish_url(old)}"' not in page
        response = dpo_client.post(publish_url(draft))
        assert response.status_code == 302 and response["Location"] == PAGE
        draft.refresh_from_db()
        old.refresh_from_db()
        assert draft.is_current and draft.published_by == dpo
        assert not old.is_current and old.superseded_at is not None
        assert AccessEvent.objects.filter(
            actor_username="dpo", action="alter", object_type="inclusioncriterion", detail=f"Published {draft}"
        ).exists()
        after = page_text(dpo_client.get(PAGE))
        assert "Published Reworded criterion (v2)" in after
        assert 'Version 2 <strong class="tag">Current</strong>' in after
        assert 'Version 1 <strong class="tag">Superseded</strong>' in after

    def test_the_harm_method_is_shown_with_its_weights_and_published(self, dpo_client):
        method = draft_method("25.00", "8.00")
        page = page_text(dpo_client.get(PAGE))
        assert f"Offence weights under version {method.version}" in page
        for weight in method.weights.select_related("offence_type"):
            assert f"<td>{weight.offence_type.label}</td>" in page and f"<td>{weight.weight}</td>" in page
        assert dpo_client.post(publish_url(method)).status_code == 302
        method.refresh_from_db()
        assert method.is_current

    def test_a_refused_publication_is_shown_in_the_error_summary(self, dpo_client):
        method = draft_method()
        response = dpo_client.post(publish_url(method))
        page = page_text(response)
        assert response.status_code == 200
        assert "There is a problem" in page and "needs at least one offence weight" in page
        assert "<title>Error: Reference data" in page
        method.refresh_from_db()
        assert method.is_draft

    def test_a_published_version_cannot_be_published_again(self, dpo_client):
        current = CriterionFactory(code="gang-violence")
        response = dpo_client.post(publish_url(current))
        assert response.status_code == 200 and "is already published" in page_text(response)

    def test_an_unknown_version_is_not_found(self, dpo_client):
        assert dpo_client.post(reverse("reference-data-publish-criterion", args=["no-such-code", 1])).status_code == 404

    def test_the_page_says_whose_data_it_shows_and_is_in_the_menu(self, dpo_client):
        response = dpo_client.get(PAGE)
        assert "You are seeing data for the rules the matrix applies" in page_text(response)
        assert {"label": "Reference data", "url": PAGE, "current": True} in response.context["main_menu"]


@pytest.mark.parametrize("role", ["officer", "supervisor", "auditor", "partner"])
def test_other_roles_are_refused_and_nothing_changes(client, role):
    user = make_user(role, [HACKNEY] if role in ("officer", "supervisor") else [])
    draft = draft_criterion(code="gang-violence")
    method = draft_method("10.00")
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, {"name": "Synthetic Agency", "kind": "housing"}).status_code == 403
    assert client.post(publish_url(draft)).status_code == 403
    assert client.post(publish_url(method)).status_code == 403
    assert not InclusionCriterion.objects.filter(is_current=True).exists()
    assert not HarmScoringMethod.objects.filter(is_current=True).exists()
    assert not PartnerAgency.objects.exists()
    assert "Reference data" not in [item["label"] for item in client.get("/").context["main_menu"]]


class TestPartnerAgencies:
    def test_the_dpo_registers_an_agency_with_history_and_a_log_entry(self, dpo_client, dpo):
        response = dpo_client.post(PAGE, {"name": "Synthetic Borough Housing Trust", "kind": "housing"})
        assert response.status_code == 302 and response["Location"] == PAGE
        agency = PartnerAgency.objects.get()
        assert (agency.name, agency.kind) == ("Synthetic Borough Housing Trust", "housing")
        created = agency.history.get()
        assert (created.history_user, created.history_change_reason) == (dpo, "Registered as a partner agency")
        assert AccessEvent.objects.filter(actor_username="dpo", action="collect", object_uuid=agency.uuid).exists()
        page = page_text(dpo_client.get(PAGE))
        assert "Registered Synthetic Borough Housing Trust" in page and "<td>Housing</td>" in page

    def test_errors_are_summarised_and_linked_to_their_fields(self, dpo_client):
        page = page_text(dpo_client.post(PAGE, {"name": "", "kind": ""}))
        assert "There is a problem" in page
        assert 'href="#id_name"' in page and 'href="#id_kind_0"' in page
        assert '<label class="label" for="id_name">Agency name</label>' in page
        assert not PartnerAgency.objects.exists()

    def test_a_name_already_registered_is_refused(self, dpo_client):
        PartnerAgencyFactory(name="Synthetic Youth Service")
        page = page_text(dpo_client.post(PAGE, {"name": "synthetic youth service", "kind": "youth_offending"}))
        assert "is already registered as a partner agency" in page and 'href="#id_name"' in page
        assert PartnerAgency.objects.count() == 1


def test_the_page_costs_the_same_for_few_and_many_versions(dpo_client, django_assert_max_num_queries):
    draft_criterion(code="only-one")
    draft_method("10.00")
    PartnerAgencyFactory()
    few = count_queries(lambda: dpo_client.get(PAGE))
    for number in range(8):
        CriterionFactory(code=f"criterion-{number}", version=1, is_current=False, superseded_at=timezone.now())
        CriterionFactory(code=f"criterion-{number}", version=2)
        draft_method("5.00", "7.00", "9.00")
        PartnerAgencyFactory()
    with django_assert_max_num_queries(few):
        many = count_queries(lambda: dpo_client.get(PAGE))
    assert few == many


class TestNothingPublishedYet:
    def test_the_officer_dashboard_says_why_nothing_can_be_submitted(self, client, officer):
        client.force_login(officer)
        page = page_text(client.get("/"))
        told = f"{NOT_PUBLISHED}; the data protection officer publishes them on the reference data page ({PAGE})."
        assert told in page
        assert "No harm scoring method is published yet" in page
        assert NOT_PUBLISHED in page_text(client.get("/subjects/new/"))

    def test_the_dpo_dashboard_links_to_the_page(self, client, dpo):
        client.force_login(dpo)
        page = page_text(client.get("/"))
        assert f'{NOT_PUBLISHED}. Publish them on the\n  <a href="{PAGE}">reference data page</a>.' in page

    def test_the_message_goes_once_criteria_and_a_method_are_published(self, client, officer, any_criterion):
        OffenceWeightFactory(method=HarmMethodFactory())
        client.force_login(officer)
        page = page_text(client.get("/"))
        assert NOT_PUBLISHED not in page and "No harm scoring method" not in page

    def test_the_submit_step_gives_the_same_message(self, client, officer):
        subject = create_subject(client, officer, classification="convicted")
        response = client.post(f"/subjects/{subject.uuid}/submit/", {"version": subject.version})
        assert response.status_code == 302 and response["Location"].endswith("#error-summary")
        assert publishing.CRITERIA_UNPUBLISHED.explained() in page_text(client.get(f"/subjects/{subject.uuid}/"))
        subject.refresh_from_db()
        assert subject.status == "draft"


def create_subject(client, officer, *, classification) -> Subject:
    client.force_login(officer)
    response = client.post(
        "/subjects/new/",
        {
            "borough": Borough.objects.get(code=HACKNEY).pk,
            "classification": classification,
            "family_name": "Testperson",
            "given_names": "Alpha",
            "aliases": "",
            "date_of_birth": "2001-03-04",
            "gender": "male",
            "ethnicity": "not_stated",
        },
    )
    assert response.status_code == 302, page_text(response)
    return Subject.objects.get()


def test_after_bootstrap_and_publishing_every_draft_an_officer_submits_a_record(client, dpo, officer):
    administrator = make_user(username="admin.existing")
    administrator.groups.add(Group.objects.get_or_create(name=bootstrap.ADMINISTRATOR_ROLE)[0])
    call_command("bootstrap_force", stdout=StringIO())
    client.force_login(dpo)
    drafts = [*InclusionCriterion.objects.all(), *HarmScoringMethod.objects.all()]
    assert drafts and all(draft.is_draft for draft in drafts)
    for draft in drafts:
        assert client.post(publish_url(draft)).status_code == 302
    assert publishing.unpublished_rules() == []

    subject = create_subject(client, officer, classification="convicted")
    response = client.post(
        f"/subjects/{subject.uuid}/evidence/new/",
        {
            "summary": "Synthetic: conviction recorded at a fictional crown court.",
            "information_date": (timezone.localdate() - timedelta(days=90)).isoformat(),
            "nature": "fact",
            "source_type": "conviction",
            "source_reference": "SYNTHETIC-PNC-1",
            "source_evaluation": "1",
            "intelligence_assessment": "A",
            "handling_code": "P",
            "handling_conditions": "",
            "offence_type": OffenceType.objects.get(code="gbh").pk,
            "social_media_url": "",
            "social_media_platform": "",
            "captured_on": "",
        },
    )
    assert response.status_code == 302, page_text(response)
    subject.refresh_from_db()
    response = client.post(f"/subjects/{subject.uuid}/submit/", {"version": subject.version})
    assert response.status_code == 302, page_text(response)
    subject.refresh_from_db()
    assert subject.status == "submitted" and subject.submitted_by == officer
    assert subject.harm_method_version == 1 and subject.harm_score > 0
    assert "No harm scoring method" not in page_text(client.get(response["Location"]))
