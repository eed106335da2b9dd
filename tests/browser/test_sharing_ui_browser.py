"""The disclosure pages in a real browser: refused decisions and exports land on the error summary,
its links reach the field, and the pages fit a phone's width."""

import re

import pytest
from playwright.sync_api import expect

from sharing import services as sharing
from tests.browser.test_workflow_journeys import (
    DANGLING_ARIA_REFERENCES,
    DUPLICATE_IDS,
    assert_accessible,
)
from tests.sharing_factories import AgreementFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db(transaction=True)
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"
PHONE = {"width": 360, "height": 740}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def checked(page):
    assert_accessible(page)
    assert page.evaluate(DUPLICATE_IDS) == []
    assert page.evaluate(DANGLING_ARIA_REFERENCES) == []


def fits_a_phone(page):
    page.set_viewport_size(PHONE)
    assert page.evaluate(OVERFLOW) <= 0, f"{page.url} scrolls sideways on a phone"


@pytest.fixture
def pending(officer, make_subject):
    return sharing.request_disclosure(
        acting_user=officer,
        subject=make_subject("approved", family_name="Browserperson"),
        agreement=AgreementFactory(reference="ISA-BROWSER-02"),
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name", "date_of_birth", "evidence"],
    )


def test_refusing_without_a_reason_lands_on_the_error_summary(browse, screenshot, supervisor, pending):
    page = browse(supervisor)
    page.goto(f"/disclosures/{pending.uuid}/")
    checked(page)
    preview = page.locator("h2", has_text="will receive if you approve")
    expect(preview).to_be_visible()
    page.get_by_role("button", name="Refuse disclosure").click()
    page.wait_for_url(re.compile(r".*/#error-summary$"))
    assert page.title().startswith("Error: ")
    summary = page.locator(".error-summary")
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text("Give the reason")
    checked(page)
    summary.get_by_role("link").click()
    expect(page.get_by_label("Reason for refusing")).to_be_focused()
    screenshot(page, "refusal-errors")
    fits_a_phone(page)
    page.get_by_label("Reason for refusing").fill("Synthetic: the purpose does not need the date of birth")
    page.get_by_role("button", name="Refuse disclosure").click()
    expect(page.locator("h1")).to_contain_text("refused")
    assert not page.title().startswith("Error")
    expect(page.locator(".notification", has_text="refused")).to_have_count(1)


def test_an_export_without_a_justification_returns_to_the_disclosure(browse, screenshot, supervisor, pending):
    live = sharing.approve_disclosure(acting_user=supervisor, disclosure=pending)
    page = browse(make_partner_user(live.partner, username="partner.browser2"))
    page.goto(f"/partner/disclosures/{live.uuid}/")
    page.get_by_role("button", name="Download as CSV").click()
    page.wait_for_url(re.compile(rf".*/partner/disclosures/{live.uuid}/#error-summary$"))
    assert page.title().startswith("Error: Disclosure")
    expect(page.locator(".error-summary")).to_have_count(1)
    checked(page)
    page.locator(".error-summary").get_by_role("link").click()
    expect(page.get_by_label("Why do you need a copy?")).to_be_focused()
    screenshot(page, "export-errors")
    fits_a_phone(page)
