"""The subject list page and the API list subjects through one path (matrix.queries.subject_list): the same
filters, the same sorts and the same rules (the harm view holds scored perpetrators only), so for the same
question they give the same rows in the same order."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from matrix.models import Borough
from tests.conftest import HACKNEY
from tests.factories import SubjectFactory

pytestmark = pytest.mark.django_db


def hackney():
    return Borough.objects.get(code=HACKNEY)


def scored(score: str, **fields):
    band = "red" if Decimal(score) >= 30 else "amber" if Decimal(score) >= 10 else "green"
    return SubjectFactory(borough=hackney(), harm_score=Decimal(score), harm_band=band, harm_method_version=1, **fields)


def page_rows(client, params) -> list[str]:
    seen, cursor = [], None
    while True:
        response = client.get("/subjects/", {**params, **({"after": cursor} if cursor else {})})
        seen += [subject.reference for subject in response.context["subjects"]]
        cursor = response.context["next_cursor"]
        if not cursor:
            return seen


def api_rows(api, params) -> list[str]:
    seen, url, query = [], "/api/subjects/", {**params, "page_size": 4}
    while url:
        page = api.get(url, query).json()
        seen += [row["reference"] for row in page["results"]]
        url, query = page["next"], None
    return seen


@pytest.fixture
def world(officer, supervisor):
    today = timezone.localdate()

    def approved(days_to_review: int) -> dict:
        return {
            "status": "approved",
            "submitted_by": officer,
            "approved_by": supervisor,
            "approved_at": timezone.now(),
            "review_due": today + timedelta(days=days_to_review),
        }

    rows = {
        "high": scored("35", **approved(40)),
        "low": scored("4.50", **approved(-2)),
        "mine": scored("12", created_by=officer),
        "lapsed": scored("20", criteria_lapsed_at=timezone.now(), **approved(5)),
        "victim": SubjectFactory(borough=hackney(), classification="victim", **approved(0)),
        "unscored": SubjectFactory(borough=hackney()),
    }
    rows.update({f"more{n}": scored(str(5 + n)) for n in range(6)})
    return rows


QUESTIONS = [
    {},
    {"sort": "harm"},
    {"sort": "harm", "classification": "victim"},
    {"sort": "review"},
    {"status": "approved"},
    {"harm_band": "amber"},
    {"overdue": "true"},
    {"flag": "lapsed"},
    {"owner": "mine"},
    {"owner": "others", "sort": "harm"},
    {"q": "Testperson", "sort": "review"},
]


@pytest.mark.parametrize(
    "params", QUESTIONS, ids=lambda params: "&".join(f"{k}={v}" for k, v in params.items()) or "all"
)
def test_the_page_and_the_api_give_the_same_rows_in_the_same_order(client, officer, api_as, world, params):
    client.force_login(officer)
    page = page_rows(client, {key: ("on" if value == "true" else value) for key, value in params.items()})
    assert page == api_rows(api_as(officer), params)


def test_the_harm_view_holds_scored_perpetrators_only_highest_first(officer, api_as, world):
    rows = api_rows(api_as(officer), {"sort": "harm"})
    assert world["victim"].reference not in rows and world["unscored"].reference not in rows
    assert rows[:2] == [world["high"].reference, world["lapsed"].reference]
    assert api_rows(api_as(officer), {"sort": "harm", "classification": "victim"}) == []


def test_the_api_gains_the_pages_flags_owner_and_review_sort(officer, api_as, world):
    api = api_as(officer)
    assert api_rows(api, {"flag": "lapsed"}) == [world["lapsed"].reference]
    mine = set(api_rows(api, {"owner": "mine"}))  # created or submitted by the officer
    assert world["mine"].reference in mine and world["high"].reference in mine
    assert world["unscored"].reference not in mine
    assert api_rows(api, {"overdue": "true"}) == [world["low"].reference]
    assert api_rows(api, {"sort": "review"})[:2] == [world["low"].reference, world["victim"].reference]


def test_several_values_of_a_choice_are_the_apis_own(officer, api_as, world):
    rows = api_rows(api_as(officer), {"classification": ["victim", "suspected"], "status": ["approved"]})
    assert set(rows) == {world[name].reference for name in ("high", "low", "lapsed", "victim")}


@pytest.mark.parametrize("params", [{"sort": "loudest"}, {"flag": "odd"}, {"owner": "theirs"}, {"harm_band": "purple"}])
def test_a_bad_value_is_a_400_naming_it(officer, api_as, params):
    response = api_as(officer).get("/api/subjects/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)
