"""The disproportionality page: who may see it, which areas, and that its figures are right."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse

from audit.models import AccessEvent, Action
from matrix.choices import Status
from matrix.models import Borough
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import SubjectFactory, make_user
from transparency import disproportionality as dp
from transparency.models import PopulationBaseline
from transparency.models.population import population_groups

pytestmark = pytest.mark.django_db

URL = reverse("disproportionality")
LONDON = "E12000007"
SOURCE = "Synthetic test census"


@pytest.fixture
def listed(supervisor):
    """``listed(n, ethnicity=…, …)``: n approved ("on the matrix") Hackney subjects, made with the factory."""

    def create(n, borough=HACKNEY, **fields):
        defaults = {
            "status": Status.APPROVED,
            "approved_by": supervisor,
            "review_due": date.today() + timedelta(days=90),
            "borough": Borough.objects.get(code=borough),
        }
        return SubjectFactory.create_batch(n, **(defaults | fields))

    return create


def baseline(area, dimension, figures, year=2021, source=SOURCE):
    PopulationBaseline.objects.bulk_create(
        PopulationBaseline(
            area_code=area, dimension=dimension, group=group, population=population, source=source, year=year
        )
        for group, population in figures.items()
    )


def get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def table_rows(response) -> dict[str, list[str]]:
    """The figures table as {group label: [cells…]}, tags stripped."""
    html = response.content.decode()
    table = html[html.index("<tbody>") : html.index("</tbody>")]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.S):
        cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


# --- Who may see it --------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


@pytest.mark.parametrize("role", ["officer", "partner"])
def test_officers_and_partners_are_refused_and_the_refusal_is_logged(client, role, officer, partner):
    user = {"officer": officer, "partner": partner}[role]
    response = get(client, user)
    assert response.status_code == 403
    refusal = AccessEvent.objects.get(action=Action.DENIED, actor_username=user.username)
    assert "disproportionality" in refusal.detail


@pytest.mark.parametrize("role", ["supervisor", "auditor", "dpo"])
def test_oversight_roles_see_the_page(client, role, supervisor, auditor, dpo):
    response = get(client, {"supervisor": supervisor, "auditor": auditor, "dpo": dpo}[role])
    assert response.status_code == 200
    assert b"<h1>Disproportionality monitoring</h1>" in response.content


def test_superuser_flag_alone_gives_nothing(client):
    admin = make_user(None, username="sysadmin", is_superuser=True, is_staff=True)
    assert get(client, admin).status_code == 403


def test_menu_offers_the_page_only_to_those_who_may_use_it(client, officer, supervisor):
    assert b">Disproportionality</a>" in get(client, supervisor).content
    client.force_login(officer)
    assert b">Disproportionality</a>" not in client.get(reverse("home")).content


def test_viewing_aggregates_is_not_logged_as_a_consultation(client, auditor, listed):
    listed(6, ethnicity="black_african")
    client.force_login(auditor)
    before = AccessEvent.objects.count()
    assert client.get(URL).status_code == 200
    assert AccessEvent.objects.count() == before


# --- Which areas ---------------------------------------------------------------------------------


def area_options(response) -> list[str]:
    return list(response.context["form"].fields["area"].choices)


def test_a_supervisor_chooses_from_london_and_their_own_boroughs(client, supervisor):
    assert area_options(get(client, supervisor)) == [(LONDON, "London (all boroughs)"), (HACKNEY, "Hackney")]


def test_auditors_and_the_dpo_choose_from_every_borough(client, auditor, dpo):
    for user in (auditor, dpo):
        options = area_options(get(client, user))
        assert len(options) == 34 and options[0][0] == LONDON


def test_a_supervisor_asking_for_another_borough_is_refused_without_any_figure(client, supervisor, listed):
    listed(7, borough=SOUTHWARK, ethnicity="white_roma")
    baseline(SOUTHWARK, "ethnicity", {"white_roma": 1234567})
    response = get(client, supervisor, area=SOUTHWARK, breakdown="ethnicity")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the areas listed" in html
    assert response.context["report"] is None
    assert "<tbody>" not in html and "1,234,567" not in html and "Southwark" not in html


def test_bad_choices_are_reported_against_their_field(client, auditor):
    response = get(client, auditor, breakdown="religion", cohort="purple")
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"breakdown", "cohort"}
    assert 'href="#id_breakdown"' in response.content.decode()


# --- The figures -----------------------------------------------------------------------------------


def test_ratios_for_a_small_hackney_dataset(client, auditor, listed, make_subject):
    listed(12, ethnicity="black_caribbean")
    listed(6, ethnicity="white_british")
    listed(2, ethnicity="asian_chinese")
    listed(3, ethnicity="not_stated")
    listed(9, ethnicity="white_british", status=Status.DRAFT, approved_by=None, review_due=None)  # not on the matrix
    make_subject("approved")  # through the real workflow; ethnicity not stated
    make_subject("submitted")
    nobody = {code: 0 for code, _ in population_groups("ethnicity")}
    baseline(HACKNEY, "ethnicity", nobody | {"black_caribbean": 1000, "white_british": 4000, "asian_chinese": 5000})

    response = get(client, auditor, area=HACKNEY, breakdown="ethnicity", cohort="everyone")

    assert response.status_code == 200
    rows = table_rows(response)
    # 20 people with a stated group: 12 + 6 + 2. Residents: 10,000. The 6 is hidden too: with the 12 and the
    # total of 20 it would give the 2 away.
    assert rows["Black: Caribbean"] == ["12", "60.0%", "1,000", "10.0%", "6.0×"]
    assert rows["White: English, Welsh, Scottish, Northern Irish or British"] == [
        "hidden",
        "—",
        "4,000",
        "40.0%",
        dp.HIDDEN,
    ]
    assert rows["Asian: Chinese"] == [
        "fewer than 5",
        "—",
        "5,000",
        "50.0%",
        "Fewer than 5 people: too few for a reliable ratio.",
    ]
    assert rows["Asian: Indian"] == ["0", "0.0%", "0", "0.0%", "Nobody in this group is on the matrix."]
    html = response.content.decode()
    assert "20 people whose ethnic group is" in html
    assert "and fewer than 5 whose ethnic group" in html  # 3 + the one made through the workflow
    assert f"Population baseline: {SOURCE}, 2021" in html
    assert 'role="img"' in html and "Black: Caribbean 6.0×" in html  # the chart and its description


def test_broad_groups_add_up_the_detailed_ones(client, auditor, listed):
    listed(5, ethnicity="black_african")
    listed(5, ethnicity="black_caribbean")
    listed(10, ethnicity="white_other")
    figures = {"black_african": 100, "black_caribbean": 100, "white_other": 800}
    baseline(LONDON, "ethnicity", {code: 0 for code, _ in population_groups("ethnicity")} | figures)

    rows = table_rows(get(client, auditor, area=LONDON, breakdown="broad_ethnicity"))

    assert rows["Black, Black British, Black Welsh, Caribbean or African"] == ["10", "50.0%", "200", "20.0%", "2.5×"]
    assert rows["White"] == ["10", "50.0%", "800", "80.0%", "0.6×"]


def test_london_counts_every_borough(client, supervisor, listed):
    listed(5, ethnicity="white_irish")
    listed(5, borough=SOUTHWARK, ethnicity="white_irish")
    rows = table_rows(get(client, supervisor, area=LONDON, breakdown="ethnicity"))
    assert rows["White: Irish"][:2] == ["10", "100.0%"]


def test_harm_band_filter_counts_only_those_perpetrators(client, auditor, listed):
    listed(6, gender="male", classification="convicted", harm_band="red")
    listed(5, gender="female", classification="suspected", harm_band="amber")
    listed(7, gender="female", classification="victim")
    baseline(HACKNEY, "gender", {"female": 500, "male": 500})

    red = table_rows(get(client, auditor, area=HACKNEY, breakdown="gender", cohort="red"))
    assert red["Male"] == ["6", "100.0%", "500", "50.0%", "2.0×"]
    assert red["Female"][0] == "0"
    victims = table_rows(get(client, auditor, area=HACKNEY, breakdown="gender", cohort="safeguarding"))
    assert victims["Female"][0] == "7" and victims["Male"][0] == "0"
    everyone = table_rows(get(client, auditor, area=HACKNEY, breakdown="gender"))
    assert everyone["Female"][:2] == ["12", "66.7%"]


def test_age_bands_are_worked_out_today(client, auditor, listed):
    today = date.today()
    listed(5, date_of_birth=today - timedelta(days=365 * 16))
    listed(5, date_of_birth=today - timedelta(days=365 * 40))
    baseline(HACKNEY, "age_band", {"under_18": 100, "18_to_24": 100, "25_to_34": 100, "35_and_over": 700})
    rows = table_rows(get(client, auditor, area=HACKNEY, breakdown="age_band"))
    assert rows["Under 18"] == ["5", "50.0%", "100", "10.0%", "5.0×"]
    assert rows["35 and over"][-1] == "0.7×"


def test_without_a_baseline_the_page_says_so_and_gives_no_ratio(client, auditor, listed):
    listed(8, ethnicity="white_irish")
    response = get(client, auditor, area=HACKNEY, breakdown="ethnicity")
    assert "No population baseline is loaded for Hackney" in response.content.decode()
    assert table_rows(response)["White: Irish"] == [
        "8",
        "100.0%",
        "—",
        "—",
        "No population baseline is loaded for this area.",
    ]


def test_the_page_says_whose_data_and_why(client, supervisor):
    html = get(client, supervisor, area=HACKNEY).content.decode()
    assert "aggregate counts of people on the matrix (approved records) in Hackney" in html
    assert "equality duty" in html
    assert "fewer than 5" in html


@pytest.mark.parametrize("extra", [0, 25])
def test_query_count_does_not_grow_with_the_matrix(client, auditor, listed, extra, django_assert_max_num_queries):
    listed(5 + extra, ethnicity="black_african")
    listed(extra, borough=SOUTHWARK, ethnicity="white_other")
    client.force_login(auditor)
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"area": LONDON, "breakdown": "ethnicity"}).status_code == 200
