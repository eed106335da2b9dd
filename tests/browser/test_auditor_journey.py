"""An auditor reconstructs what happened to one record: who changed which field from what to what, who viewed
it, and to whom it was disclosed (docs/access-log.md, Auditor screens; issue 5, must-show). Other roles are
refused the screens."""

import pytest

from audit.models import AccessEvent, Action
from matrix import services
from sharing import services as sharing
from tests.browser.test_workflow_journeys import DUPLICATE_IDS, assert_accessible
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def capture(screenshot):
    def take(page, name):
        assert_accessible(page)
        assert page.evaluate(DUPLICATE_IDS) == [], page.url
        return screenshot(page, name)

    return take


def test_auditor_reads_a_subjects_timeline(browse, capture, officer, supervisor, auditor, make_subject):
    subject = make_subject("approved", family_name="Timelineperson")
    services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"given_names": "Alfie"},
        reason="Corrected the spelling of the given name",
    )
    supervisor_page = browse(supervisor)
    supervisor_page.goto(f"/subjects/{subject.uuid}/")
    assert "TIMELINEPERSON, Alfie" in supervisor_page.locator("h1").inner_text()
    agreement = AgreementFactory(reference="ISA-AUDIT-01", partner__name="Synthetic Youth Offending Team")
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose="Synthetic: joint diversion plan agreed at the panel",
        fields=["name", "classification"],
    )
    sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)

    page = browse(auditor)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Access log").click()
    page.get_by_label("Subject reference").fill(subject.reference.lower())
    page.get_by_label("Action").select_option(label="Consultation")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "supervisor.hackney" in rows.first.inner_text()
    capture(page, "access-log-search")

    rows.first.get_by_role("link", name=subject.reference).click()
    assert page.locator("h1").inner_text() == f"Audit timeline of {subject.reference}"
    timeline = page.locator("table.timeline").inner_text()
    assert "officer.hackney" in timeline
    assert "Given names: from Alpha to Alfie" in timeline
    assert "Corrected the spelling of the given name" in timeline
    viewed = page.locator("tr", has_text="Viewed").filter(has_text="supervisor.hackney")
    assert viewed.count() >= 1
    approved = page.locator("tr", has_text=f"Disclosure {disclosure.reference} approved")
    assert "supervisor.hackney" in approved.inner_text()
    assert "Synthetic Youth Offending Team" in approved.inner_text()
    assert "Crime and Disorder Act 1998 s.115" in approved.inner_text()
    capture(page, "subject-timeline")

    page.get_by_role("link", name="supervisor.hackney").first.click()
    assert page.locator("h1").inner_text() == "Activity of supervisor.hackney"
    assert "Hackney (granted directly)" in page.locator("main").inner_text()
    capture(page, "user-activity")

    consults = AccessEvent.objects.filter(action=Action.CONSULT, actor_username="auditor", subject_uuid=subject.uuid)
    assert consults.filter(detail="Audit timeline of the record viewed").exists()


def test_officer_is_refused_the_access_log(browse, screenshot, officer):
    page = browse(officer)
    assert page.get_by_role("link", name="Access log").count() == 0
    response = page.goto("/audit/events/")
    assert response.status == 403
    screenshot(page, "officer-refused")
    assert AccessEvent.objects.filter(action=Action.DENIED, actor_username=officer.username).exists()
