"""Every edit form, opened in the browser on a stored record and saved as it stands, keeps what was stored:
the dates above all, which a native date input once dropped."""

from datetime import date

from playwright.sync_api import expect

from tests.browser.test_workflow_journeys import assert_accessible
from tests.ui_helpers import add_social_media


def test_a_subject_saved_unchanged_keeps_its_date_of_birth(browse, officer, make_subject):
    subject = make_subject("draft", date_of_birth=date(2004, 5, 6))
    page = browse(officer)
    page.goto(f"/subjects/{subject.uuid}/edit/")
    assert_accessible(page)
    group = page.get_by_role("group", name="Date of birth")
    for box, value in (("Day", "6"), ("Month", "5"), ("Year", "2004")):
        expect(group.get_by_label(box)).to_have_value(value)
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator("h1")).to_have_text("TESTPERSON, Alpha")
    expect(page.locator(".error-summary")).to_have_count(0)
    subject.refresh_from_db()
    assert subject.date_of_birth == date(2004, 5, 6) and subject.version == 1


def test_an_evidence_item_saved_unchanged_keeps_both_dates(browse, officer, make_subject):
    subject = make_subject("draft", qualifying=False)
    item = add_social_media(officer, subject, information_date=date(2026, 2, 3), captured_on=date(2026, 2, 4))
    page = browse(officer)
    page.goto(f"/subjects/{subject.uuid}/evidence/{item.uuid}/edit/")
    assert_accessible(page)
    expect(
        page.get_by_role("group", name="Date the social media material was captured").get_by_label("Day")
    ).to_have_value("4")
    page.get_by_role("button", name="Save correction").click()
    expect(page.locator(".notification")).to_contain_text("Evidence item corrected.")
    item.refresh_from_db()
    assert (item.information_date, item.captured_on) == (date(2026, 2, 3), date(2026, 2, 4))
