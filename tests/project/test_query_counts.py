"""Page cost does not grow with the number of rows or evidence items (docs/engineering.md, Page cost)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from matrix.models import Borough
from tests.conftest import HACKNEY, LOGGED_READ_QUERIES, SESSION_QUERIES
from tests.factories import CriterionFactory, EvidenceFactory, HarmMethodFactory, OffenceWeightFactory, SubjectFactory


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200
    return len(context.captured_queries)


def make_subjects(count: int):
    hackney = Borough.objects.get(code=HACKNEY)
    SubjectFactory.create_batch(count, borough=hackney)


@pytest.mark.django_db
def test_subject_list_api_costs_the_same_for_10_and_100_rows(officer, api_client, django_assert_max_num_queries):
    api_client.force_authenticate(officer)
    make_subjects(10)
    with django_assert_max_num_queries(4 + LOGGED_READ_QUERIES):
        small = count_queries(lambda: api_client.get("/api/subjects/?page_size=100"))
    make_subjects(90)
    api_client.force_authenticate(type(officer).objects.get(pk=officer.pk))
    large = count_queries(lambda: api_client.get("/api/subjects/?page_size=100"))
    assert small == large


@pytest.mark.django_db
def test_subject_list_costs_the_same_for_few_and_many_rows(officer, client, django_assert_max_num_queries):
    client.force_login(officer)
    make_subjects(3)
    small = count_queries(lambda: client.get("/subjects/"))
    make_subjects(40)
    with django_assert_max_num_queries(small):
        large = count_queries(lambda: client.get("/subjects/"))
    assert small == large


@pytest.mark.django_db
def test_subject_page_costs_the_same_for_one_and_many_evidence_items(officer, client, django_assert_max_num_queries):
    client.force_login(officer)
    method = HarmMethodFactory()
    weight = OffenceWeightFactory(method=method)
    CriterionFactory()
    CriterionFactory(classifications=["suspected"], requires_independent_sources=True, min_items=2)
    subject = SubjectFactory(borough=Borough.objects.get(code=HACKNEY))
    EvidenceFactory(subject=subject, offence_type=weight.offence_type)
    url = f"/subjects/{subject.uuid}/"
    with django_assert_max_num_queries(14 + LOGGED_READ_QUERIES + SESSION_QUERIES):
        small = count_queries(lambda: client.get(url))
    EvidenceFactory.create_batch(12, subject=subject, offence_type=weight.offence_type)
    EvidenceFactory.create_batch(
        3,
        subject=subject,
        source_type="social_media",
        verification="unverified",
        social_media_url="https://example.invalid/a",
        social_media_platform="Example",
        captured_on="2026-01-01",
    )
    large = count_queries(lambda: client.get(url))
    assert small == large
