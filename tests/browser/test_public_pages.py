"""A member of the public reads how the matrix works and its statistics, without signing in (issue 8)."""

from datetime import date, timedelta

import pytest

from tests.browser.test_workflow_journeys import DUPLICATE_IDS, assert_accessible
from tests.factories import SubjectFactory
from transparency.releases import publish_release

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def anonymous_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems = []
    page.on("console", lambda message: "Content Security Policy" in message.text and problems.append(message.text))
    yield page, problems
    context.close()


def test_anonymous_visitor_reads_the_criteria_and_the_statistics(anonymous_page, screenshot, supervisor, any_criterion):
    for ethnicity, count in (("black_caribbean", 9), ("white_british", 6), ("asian_indian", 2)):
        for _ in range(count):
            SubjectFactory(
                status="approved",
                approved_by=supervisor,
                review_due=date.today() + timedelta(days=60),
                ethnicity=ethnicity,
                family_name="Browserpublicperson",
            )
    publish_release()
    page, csp_violations = anonymous_page

    page.goto("/sign-in/")
    page.get_by_role("link", name="Read how the matrix works").click()
    assert page.locator("h1").inner_text() == "How the gangs matrix works"
    assert page.get_by_role("heading", name=any_criterion.title).is_visible()
    assert any_criterion.plain_text in page.locator(".criterion").first.inner_text()

    ethnicity = page.get_by_role("table", name="On the matrix, by ethnic group and category")
    assert "fewer than 5" in ethnicity.get_by_role("row", name="Asian").inner_text()
    assert page.get_by_role("img", name="On the matrix, by ethnic group and category").is_visible()
    assert "Browserpublicperson" not in page.content()
    assert page.get_by_role("link", name="CSV").get_attribute("href") == "/public/statistics.csv"
    assert_accessible(page)
    assert page.evaluate(DUPLICATE_IDS) == []
    assert csp_violations == []
    assert screenshot(page, "public-page").exists()
