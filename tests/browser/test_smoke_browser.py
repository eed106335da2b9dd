import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_signs_in_and_sees_their_borough(browse, officer, screenshot):
    page = browse(officer)
    assert "Hackney" in page.locator("#scope").inner_text()
    assert screenshot(page, "home").exists()
