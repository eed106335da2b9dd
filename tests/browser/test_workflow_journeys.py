"""The record workflow in a real browser: draft, refusal with reasons, submission, approval, rejection.

Each journey drives the pages by their labels and buttons as a person would. Direct addresses are
used only to prove that another borough gets a 404 and that a forged step is refused. Every main page
visited is screenshotted and given an accessibility smoke check (labels, one h1, error-summary links).
The last two tests check that field hints are announced and that each error message has a unique id.
"""

import re
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from matrix.models import Subject
from tests.browser.conftest import fill_date
from tests.conftest import SOUTHWARK
from tests.factories import CriterionFactory, make_user

pytestmark = pytest.mark.django_db(transaction=True)


A11Y_PROBLEMS = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('input, select, textarea')) {
    const type = (el.getAttribute('type') || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type)) continue;
    const labels = el.labels ? [...el.labels] : [];
    if (!labels.some(label => label.textContent.trim())) {
      problems.push(`no label for <${el.tagName.toLowerCase()} name="${el.name}" id="${el.id}">`);
    }
  }
  const h1s = document.querySelectorAll('h1');
  if (h1s.length !== 1) problems.push(`${h1s.length} h1 elements`);
  for (const link of document.querySelectorAll('.error-summary a')) {
    const href = link.getAttribute('href') || '';
    if (!href.startsWith('#') || !document.getElementById(decodeURIComponent(href.slice(1)))) {
      problems.push(`error summary link "${link.textContent.trim()}" points at missing ${href}`);
    }
  }
  return problems;
}"""

DUPLICATE_IDS = """() => {
  const seen = {};
  for (const el of document.querySelectorAll('[id]')) seen[el.id] = (seen[el.id] || 0) + 1;
  return Object.entries(seen).filter(([id, count]) => count > 1).map(([id, count]) => `id "${id}" used ${count} times`);
}"""

DANGLING_ARIA_REFERENCES = """() => {
  const problems = [];
  for (const el of document.querySelectorAll('[aria-describedby], [aria-labelledby]')) {
    for (const attr of ['aria-describedby', 'aria-labelledby']) {
      for (const id of (el.getAttribute(attr) || '').split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) {
          problems.push(`${attr}="${id}" on <${el.tagName.toLowerCase()} name="${el.name || ''}">`);
        }
      }
    }
  }
  return problems;
}"""


def assert_accessible(page):
    # A click that navigates returns once the new document is committed, not parsed.
    page.wait_for_load_state("load")
    problems = page.evaluate(A11Y_PROBLEMS)
    assert problems == [], f"{page.url}: {problems}"


@pytest.fixture
def capture(screenshot):
    """Check the page's accessibility basics, then save its screenshot."""

    def take(page, name):
        assert_accessible(page)
        path = screenshot(page, name)
        assert path.exists()
        return path

    return take


def long_date(day: date) -> str:
    """Django's "j F Y" (e.g. 5 March 2026)."""
    return f"{day.day} {day:%B %Y}"


def status_tag(page):
    return page.locator(".tag-status")


def reference_of(page) -> str:
    return page.locator(".caption").inner_text().split(" · ")[0].strip()


def detail(page, term):
    """The value of one row of the subject's details list."""
    term_cell = page.locator("dt", has_text=re.compile(f"^{re.escape(term)}$"))
    return page.locator(".summary-list > div", has=term_cell).locator("dd")


def criterion_block(page, title):
    return page.locator(".criterion", has=page.get_by_role("heading", name=re.compile(re.escape(title))))


def evidence_row(page, summary):
    return page.locator("tbody tr", has_text=summary)


def panel(page, title):
    return page.locator("section.panel", has=page.get_by_role("heading", name=title, exact=True))


def fill_new_subject(page, family_name="Journeyperson", given_names="Bravo"):
    expect(page.get_by_text("Borough: Hackney, the only borough you work in.")).to_be_visible()
    page.get_by_label("Suspected of an offence").check()
    page.get_by_label("Family name").fill(family_name)
    page.get_by_label("Given names").fill(given_names)
    fill_date(page, "Date of birth", date(2003, 6, 1))
    page.get_by_label("Gender").select_option(label="Male")
    page.get_by_label("Ethnicity").select_option(label="Not stated")


def add_evidence(
    page, *, summary, source_type, reference, evaluation, assessment, nature="Fact", days_ago=10, social_media=None
):
    """From the subject page: open "Add evidence", fill the 3x5x2 form and save it."""
    page.get_by_role("link", name="Add evidence", exact=True).first.click()
    expect(page.locator("h1")).to_have_text("Add evidence")
    on = timezone.localdate() - timedelta(days=days_ago)
    page.get_by_label("Summary").fill(summary)
    fill_date(page, "Date the information relates to", on)
    page.get_by_label(nature, exact=True).check()
    page.get_by_label("Source type").select_option(label=source_type)
    page.get_by_label("Source reference").fill(reference)
    page.get_by_label(evaluation, exact=True).check()
    page.get_by_label(assessment, exact=True).check()
    page.get_by_label("P — lawful sharing permitted", exact=True).check()
    if social_media:
        page.get_by_label("Social media address (URL)").fill(social_media["url"])
        page.get_by_label("Social media platform").fill(social_media["platform"])
        fill_date(page, "Date the social media material was captured", on)
    page.get_by_role("button", name="Add evidence item").click()
    expect(page.locator(".notification")).to_contain_text("Evidence item added.")


def open_from_dashboard(page, panel_title, reference):
    page.get_by_role("link", name="Dashboard", exact=True).click()
    panel(page, panel_title).get_by_role("link", name=reference).click()
    expect(page.locator(".caption")).to_contain_text(reference)


def forge_post(page, action_url, fields):
    """Submit a hand-built form from inside the signed-in browser (as a tampered page would)."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement('input');
                    input.type = 'hidden'; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            [action_url, {"csrfmiddlewaretoken": token, **fields}],
        )
    return navigation.value


def test_officer_is_refused_with_reasons_then_submits_and_cannot_approve(browse, capture, officer, any_criterion):
    page = browse(officer)
    page.get_by_role("link", name="Record a new subject").click()
    expect(page.locator("h1")).to_have_text("Record a new subject")
    fill_new_subject(page)
    capture(page, "new-subject-form")
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("h1")).to_have_text("JOURNEYPERSON, Bravo")
    expect(page.locator(".notification")).to_contain_text("saved. Add evidence, then submit it for approval.")
    expect(status_tag(page)).to_have_text("Draft")
    reference = reference_of(page)
    assert re.fullmatch(r"[A-Z]{2}-\d{4}-\d{6,8}", reference), reference
    subject_url = page.url

    # Two weak items: unverified social media (never counts) and an intelligence report graded 3.
    add_evidence(
        page,
        summary="Synthetic: post appearing to show the subject with a group",
        source_type="Social media",
        reference="SM-TEST-1",
        evaluation="2 — untested",
        assessment="B — known indirectly but corroborated",
        nature="Assessment",
        social_media={"url": "https://social.example.test/post/1", "platform": "ExampleNet"},
    )
    add_evidence(
        page,
        summary="Synthetic: anonymous report of the subject carrying a knife",
        source_type="Intelligence report",
        reference="INT-TEST-3",
        evaluation="3 — not reliable",
        assessment="C — known indirectly",
        days_ago=20,
    )

    expect(page.get_by_text("No criterion is met.")).to_be_visible()
    criterion = criterion_block(page, "Test criterion")
    expect(criterion.get_by_role("heading")).to_have_text("Test criterion (v1): not met")
    expect(criterion).to_contain_text("No item qualifies.")
    expect(criterion).to_contain_text("Needs at least 1 qualifying item(s); 0 found.")
    criterion.get_by_text("Items that do not count for this criterion (2)").click()
    excluded = criterion.locator("details li")
    expect(excluded.filter(has_text="Social media 2BP")).to_contain_text(
        "Unverified social media never counts; a supervisor must verify it and record how."
    )
    expect(excluded.filter(has_text="Intelligence report 3CP")).to_contain_text(
        "Source evaluation 3 is weaker than the 2 required."
    )
    social = evidence_row(page, "post appearing to show the subject")
    expect(social).to_contain_text("Unverified")
    expect(social.locator("td").nth(5)).to_contain_text("No: Unverified social media never counts")
    weak = evidence_row(page, "anonymous report of the subject")
    expect(weak.locator("td").nth(5)).to_contain_text("Yes")
    expect(weak.locator("td").nth(5)).to_contain_text("Source graded 3 (not reliable): never counts on its own.")
    expect(page.locator("#submit-title + p")).to_contain_text("submitting will be refused")
    capture(page, "criteria-not-met")

    page.get_by_role("button", name="Submit for approval").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text("There is a problem")
    expect(summary).to_contain_text("No inclusion criterion for this classification is met.")
    expect(summary).to_contain_text("Test criterion: Needs at least 1 qualifying item(s); 0 found.")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(status_tag(page)).to_have_text("Draft")
    capture(page, "submit-refused")
    assert Subject.objects.get(reference=reference).status == "draft"

    add_evidence(
        page,
        summary="Synthetic: arrest record for possession of a bladed article",
        source_type="Police record",
        reference="CAD-TEST-1",
        evaluation="1 — reliable",
        assessment="A — known directly to the source",
        days_ago=5,
    )
    expect(page.get_by_text("At least one criterion is met.")).to_be_visible()
    expect(criterion.get_by_role("heading")).to_have_text("Test criterion (v1): met")
    expect(criterion).to_contain_text("Qualifying items: Police record 1AP of")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".notification")).to_contain_text("Submitted for approval.")
    expect(status_tag(page)).to_have_text("Submitted for approval")
    expect(detail(page, "Submitted")).to_contain_text(f"by {officer.username}")
    capture(page, "submitted")

    # The officer is offered no decision, and a forged approval from their browser is refused.
    expect(page.get_by_role("button", name="Approve", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Reject", exact=True)).to_have_count(0)
    expect(page.get_by_role("heading", name="Decisions")).to_have_count(0)
    before = Subject.objects.get(reference=reference)
    response = forge_post(page, f"{subject_url}approve/", {"version": str(before.version), "reason": "Forged"})
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("You cannot do that")
    expect(page.locator("main")).to_contain_text("Only a supervisor of Hackney can approve this record.")
    expect(page.locator("main")).to_contain_text("Nothing was changed.")
    capture(page, "forged-approval-refused")
    after = Subject.objects.get(reference=reference)
    assert (after.status, after.version, after.approved_by_id) == ("submitted", before.version, None)

    page.get_by_role("link", name="Go to your dashboard").click()
    panel(page, "Recently added in my boroughs").get_by_role("link", name=reference).click()
    expect(status_tag(page)).to_have_text("Submitted for approval")


def test_supervisor_of_the_borough_approves_on_the_criteria_shown(browse, capture, supervisor, make_subject):
    CriterionFactory(
        code="two-sources",
        title="Two independent sources",
        plain_text="Synthetic: two separate sources.",
        requires_independent_sources=True,
    )
    subject = make_subject("submitted", family_name="Approvalperson")

    page = browse(supervisor)
    awaiting = panel(page, "Awaiting my approval")
    row = awaiting.locator("tbody tr", has_text=subject.reference)
    expect(row).to_contain_text("APPROVALPERSON, Alpha")
    expect(row).to_contain_text("Submitted for approval")
    expect(row).to_contain_text("by officer.hackney")
    capture(page, "supervisor-dashboard")

    row.get_by_role("link", name=subject.reference).click()
    expect(status_tag(page)).to_have_text("Submitted for approval")
    met = criterion_block(page, "Test criterion")
    expect(met.get_by_role("heading")).to_have_text("Test criterion (v1): met")
    expect(met).to_contain_text(f"Qualifying items: Police record 1AP of {long_date(timezone.localdate())}")
    not_met = criterion_block(page, "Two independent sources")
    expect(not_met.get_by_role("heading")).to_have_text("Two independent sources (v1): not met")
    expect(not_met).to_contain_text("Needs qualifying items from at least two independent sources.")
    # The qualifying item link leads to the evidence row it names.
    item_anchor = met.get_by_role("link", name=re.compile("Police record 1AP")).get_attribute("href")
    expect(page.locator(item_anchor)).to_contain_text("Synthetic arrest record")
    expect(page.get_by_role("button", name="Reject", exact=True)).to_be_visible()
    page.get_by_label("Approval note (optional)").fill("Synthetic: arrest record checked against custody")
    capture(page, "approval-page")

    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".notification")).to_contain_text("Approved. The record is on the matrix")
    expect(status_tag(page)).to_have_text("Approved (on the matrix)")
    review_due = timezone.localdate() + timedelta(days=settings.GOVMATRIX_REVIEW_PERIOD_DAYS)
    expect(detail(page, "Review due")).to_contain_text(long_date(review_due))
    expect(detail(page, "Approved")).to_contain_text(f"by {supervisor.username}")
    expect(page.locator("table", has_text="Who").first).to_contain_text(
        "Approved (criteria met: any-classification v1): Synthetic: arrest record checked against custody"
    )
    capture(page, "approved")
    subject.refresh_from_db()
    assert (subject.status, subject.approved_by, subject.review_due) == ("approved", supervisor, review_due)


def test_supervisor_of_another_borough_cannot_find_it(browse, capture, supervisor, make_subject):
    subject = make_subject("submitted", family_name="Hiddenperson")
    southwark = make_user("supervisor", [SOUTHWARK], username="supervisor.southwark")

    # Control: the search finds it for a supervisor of its own borough.
    page = browse(supervisor)
    page.get_by_role("link", name="Subjects", exact=True).click()
    page.get_by_label("Name, alias or reference").fill(subject.reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main tbody tr")).to_have_count(1)
    expect(page.locator("main tbody")).to_contain_text(subject.reference)

    page = browse(southwark)
    expect(page.locator("#scope")).to_contain_text("Southwark")
    expect(panel(page, "Awaiting my approval")).to_contain_text("Nothing is waiting for your approval.")
    expect(page.locator("main")).not_to_contain_text(subject.reference)
    capture(page, "southwark-dashboard")

    page.get_by_role("link", name="Subjects", exact=True).click()
    expect(page.locator("main")).not_to_contain_text(subject.reference)
    expect(page.locator("main")).not_to_contain_text("Hiddenperson")
    page.get_by_label("Name, alias or reference").fill(subject.reference)
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("No subjects to show.")
    capture(page, "southwark-search")
    page.get_by_label("Name, alias or reference").fill("Hiddenperson")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("main")).to_contain_text("No subjects to show.")

    response = page.goto(f"/subjects/{subject.uuid}/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator("main")).not_to_contain_text(subject.reference)
    capture(page, "not-found")

    # Deciding it by a forged form is a 404 too, and changes nothing.
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(
        f"/subjects/{subject.uuid}/approve/",
        form={"csrfmiddlewaretoken": token, "version": str(subject.version)},
        headers={"Referer": page.url},
    )
    assert refused.status == 404
    subject.refresh_from_db()
    assert subject.status == "submitted" and subject.approved_by is None


def test_rejected_entry_returns_to_its_officer_with_the_reason(browse, capture, officer, supervisor, make_subject):
    subject = make_subject("submitted", family_name="Rejectperson")
    reason = "Synthetic: the arrest record does not name the subject; attach the custody record."

    page = browse(supervisor)
    open_from_dashboard(page, "Awaiting my approval", subject.reference)
    page.get_by_label("Reason for rejecting").fill("Too weak")
    page.get_by_role("button", name="Reject", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary.get_by_role("link")).to_contain_text("Give the reason for rejecting it")
    expect(page).to_have_url(re.compile(r"/subjects/[0-9a-f-]+/#error-summary$"))
    expect(page.locator("#reject-reason_error")).to_contain_text("at least 10 characters")
    expect(status_tag(page)).to_have_text("Submitted for approval")
    capture(page, "short-reason-refused")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Reason for rejecting")).to_be_focused()

    page.get_by_label("Reason for rejecting").fill(reason)
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator(".notification")).to_contain_text("Rejected. The record has gone back to its officer")
    expect(status_tag(page)).to_have_text("Rejected")
    capture(page, "rejected-by-supervisor")

    page = browse(officer)
    rejected = panel(page, "My rejected entries")
    row = rejected.locator("tbody tr", has_text=subject.reference)
    expect(row).to_contain_text("REJECTPERSON, Alpha")
    expect(row).to_contain_text(reason)
    capture(page, "officer-dashboard")

    row.get_by_role("link", name=subject.reference).click()
    expect(status_tag(page)).to_have_text("Rejected")
    returned = page.locator(".inset", has=page.get_by_role("heading", name="Rejected: the supervisor's reason"))
    expect(returned).to_contain_text(reason)
    expect(page.get_by_role("link", name="Edit this record")).to_be_visible()
    capture(page, "officer-sees-reason")
    subject.refresh_from_db()
    assert (subject.status, subject.rejection_reason) == ("rejected", reason)


def test_main_pages_pass_the_accessibility_smoke_check(
    chromium, live_server, browse, capture, officer, supervisor, make_subject
):
    """Labels, one h1 and working error-summary links on the main pages, including their error states."""
    context = chromium.new_context(base_url=live_server.url)
    try:
        anonymous = context.new_page()
        anonymous.goto("/sign-in/")
        assert_accessible(anonymous)
        anonymous.get_by_role("button", name="Sign in").click()
        expect(anonymous.locator(".error-summary")).to_be_visible()
        assert_accessible(anonymous)
    finally:
        context.close()

    approved = make_subject("approved", family_name="Reviewperson")
    submitted = make_subject("submitted", family_name="Decideperson")

    page = browse(officer)
    assert_accessible(page)
    page.get_by_role("link", name="Record a new subject").click()
    assert_accessible(page)
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    assert summary.get_by_role("link").count() >= 5  # classification radios, names, date of birth, selects
    capture(page, "new-subject-errors")
    fill_new_subject(page, family_name="Smokeperson")
    page.get_by_role("button", name="Save draft").click()
    expect(status_tag(page)).to_have_text("Draft")
    assert_accessible(page)
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Add evidence", exact=True).first.click()
    assert_accessible(page)
    page.get_by_role("button", name="Add evidence item").click()
    expect(page.locator(".error-summary")).to_be_visible()
    capture(page, "evidence-errors")
    page.get_by_role("link", name="Subjects", exact=True).click()
    assert_accessible(page)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("link", name="Search and filter all subjects in your boroughs").click()
    fill_date(page, "Review due on or before", date(2026, 1, 1))
    page.get_by_label("Review overdue").check()
    page.get_by_role("button", name="Apply filters").click()
    assert_accessible(page)

    page = browse(supervisor)
    assert_accessible(page)
    open_from_dashboard(page, "Awaiting my approval", submitted.reference)
    assert_accessible(page)
    page.get_by_role("button", name="Reject", exact=True).click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Subjects", exact=True).click()
    page.get_by_label("Name, alias or reference").fill(approved.reference)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("link", name=approved.reference).click()
    expect(status_tag(page)).to_have_text("Approved (on the matrix)")
    assert_accessible(page)
    page.get_by_role("button", name="Record review").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link").first).to_have_attribute("href", "#review-outcome_0")
    capture(page, "review-errors")
    page.get_by_role("button", name="Remove from the matrix").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    response = page.goto("/subjects/00000000-0000-0000-0000-000000000000/")
    assert response.status == 404
    assert_accessible(page)


def test_field_hints_are_announced_with_their_fields(browse, officer, make_subject):
    subject = make_subject("draft", family_name="Hintperson")
    page = browse(officer)
    page.get_by_role("link", name="Record a new subject").click()
    dangling = page.evaluate(DANGLING_ARIA_REFERENCES)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    panel(page, "My drafts").get_by_role("link", name=subject.reference).click()
    page.get_by_role("link", name="Add evidence", exact=True).first.click()
    dangling += page.evaluate(DANGLING_ARIA_REFERENCES)
    assert dangling == []


def test_a_field_with_errors_has_one_error_message_with_a_unique_id(browse, officer):
    page = browse(officer)
    page.get_by_role("link", name="Record a new subject").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert page.locator(".error-summary li", has_text="Date of birth").count() == 1
    assert page.evaluate(DUPLICATE_IDS) == []
