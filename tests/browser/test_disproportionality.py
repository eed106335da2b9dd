"""An auditor opens the disproportionality page from the menu, chooses an area, and sees the chart beside
its table (issue 8, must-show). Works without JavaScript: the choice is a plain GET form."""

from datetime import date, timedelta

import pytest

from matrix.choices import Status
from matrix.models import Borough
from tests.browser.test_workflow_journeys import DUPLICATE_IDS, assert_accessible
from tests.factories import SubjectFactory
from transparency.population_loader import SYNTHETIC_SAMPLE, load_population_file

pytestmark = pytest.mark.django_db(transaction=True)


def test_auditor_reads_the_ratio_chart_and_table(browse, screenshot, supervisor, auditor):
    load_population_file(SYNTHETIC_SAMPLE)
    on_matrix = {
        "status": Status.APPROVED,
        "approved_by": supervisor,
        "review_due": date.today() + timedelta(days=90),
        "borough": Borough.objects.get(code="E09000012"),
    }
    SubjectFactory.create_batch(14, ethnicity="black_caribbean", **on_matrix)
    SubjectFactory.create_batch(9, ethnicity="white_british", **on_matrix)
    SubjectFactory.create_batch(6, ethnicity="asian_bangladeshi", **on_matrix)
    SubjectFactory.create_batch(2, ethnicity="white_roma", **on_matrix)

    page = browse(auditor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Disproportionality").click()
    page.get_by_label("Area").select_option(label="Hackney")
    page.get_by_label("Compare by").select_option(label="Ethnic group (19 detailed groups)")
    page.get_by_role("button", name="Show figures").click()

    assert page.locator("h2#figures").inner_text() == "Ethnic group (19 detailed groups): Hackney"
    chart = page.get_by_role("img", name="Ethnic group (19 detailed groups): representation on the matrix in Hackney")
    assert chart.is_visible()
    table = page.locator("table")
    assert table.is_visible()
    caribbean = page.locator("tr", has_text="Black: Caribbean")
    assert "14" in caribbean.inner_text() and "×" in caribbean.inner_text()
    assert "fewer than 5" in page.locator("tr", has_text="White: Roma").inner_text()
    assert "SYNTHETIC SAMPLE" in page.locator("main").inner_text()
    assert_accessible(page)
    assert page.evaluate(DUPLICATE_IDS) == []
    assert screenshot(page, "disproportionality-hackney").exists()
