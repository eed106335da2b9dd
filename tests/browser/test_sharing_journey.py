"""Officer requests, supervisor approves, the partner sees exactly the chosen fields; revocation removes it."""

import pytest

from tests.sharing_factories import AgreementFactory, make_partner_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_disclosure_from_request_to_partner_and_revocation(browse, screenshot, officer, supervisor, make_subject):
    subject = make_subject("approved", family_name="Journeyperson")
    agreement = AgreementFactory(reference="ISA-BROWSER-01")
    partner_user = make_partner_user(agreement.partner, username="partner.browser")

    page = browse(officer)
    page.goto(f"/subjects/{subject.uuid}/")
    page.get_by_role("link", name="Request a disclosure").click()
    page.get_by_label("Information sharing agreement").select_option(label=str(agreement))
    page.get_by_label("Lawful basis").select_option(
        label="Crime and Disorder Act 1998 s.115 — Disclosure to relevant authorities to reduce crime and disorder"
    )
    page.get_by_label("Purpose").fill("Synthetic: joint diversion plan agreed at the panel")
    page.get_by_label("Name", exact=True).check()
    page.get_by_label("Classification (s.38(3) category)").check()
    page.get_by_role("button", name="Preview what the partner will see").click()
    preview = page.locator(".inset", has_text="What the partner will see")
    assert "Journeyperson, Alpha" in preview.inner_text()
    assert "Date of birth" not in preview.inner_text()
    screenshot(page, "request-preview")
    page.get_by_role("button", name="Request disclosure").click()
    assert "awaiting approval" in page.locator("h1").inner_text()
    reference = page.locator("h1").inner_text().split(":")[0]

    page = browse(supervisor)
    page.goto("/disclosures/queue/")
    screenshot(page, "approval-queue")
    page.get_by_role("link", name=reference).click()
    page.get_by_role("button", name="Approve disclosure").click()
    assert "approved" in page.locator("h1").inner_text()
    screenshot(page, "approved")

    partner_page = browse(partner_user)
    partner_page.goto("/partner/")
    partner_page.get_by_role("link", name=reference).click()
    content = partner_page.locator("main").inner_text()
    assert "Journeyperson, Alpha" in content
    assert "Suspected of an offence" in content
    for withheld in ("Date of birth", "Current address", "Aliases", "Harm band", "Evidence"):
        assert withheld not in content
    screenshot(partner_page, "partner-view")

    page.get_by_label("Reason for revoking").fill("Synthetic: the panel closed the case")
    page.get_by_role("button", name="Revoke disclosure").click()
    assert "revoked" in page.locator("h1").inner_text()

    partner_page.goto("/partner/")
    assert reference not in partner_page.locator("main").inner_text()
    screenshot(partner_page, "partner-after-revocation")
