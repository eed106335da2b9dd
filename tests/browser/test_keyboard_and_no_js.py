"""The core journey — an officer records a subject with qualifying evidence and submits it, another supervisor
approves it — done twice: once by keyboard alone (Tab, Shift+Tab, Enter, Space, arrows and typing; never a
click), and once with JavaScript switched off."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from matrix.models import Subject
from tests.browser.conftest import fill_date
from tests.browser.test_workflow_journeys import add_evidence, fill_new_subject
from tests.factories import TEST_PASSWORD

MOST_TABS = 150


FOCUSED_MATCHES = """([selector, text]) => {
    const focused = document.activeElement;
    return !!focused && focused.matches(selector) && (text === null || focused.innerText.trim() === text);
}"""


def tab_to(page, selector: str, text: str | None = None) -> None:
    """Press Tab until the focused element matches the CSS ``selector`` (and reads ``text``); fail if never."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_MATCHES, [selector, text]):
            return
    pytest.fail(f"Tab never reached {selector} {text or ''} on {page.url}")


def type_into(page, selector: str, text: str) -> None:
    tab_to(page, selector)
    page.keyboard.type(text)


def choose(page, name: str, value: str) -> None:
    """Tab into a radio group, then move with the arrow keys until ``value`` is checked."""
    tab_to(page, f'input[name="{name}"]')
    page.keyboard.press("Space")
    for _ in range(12):
        if page.locator(f'input[name="{name}"][value="{value}"]').is_checked():
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"the arrow keys never reached {name}={value}")


def pick(page, selector: str, label: str) -> None:
    """Choose a select's option by typing its label, as a keyboard user does."""
    tab_to(page, selector)
    page.keyboard.type(label)
    expect(page.locator(f"{selector} option:checked")).to_have_text(label)


def type_date(page, field: str, day) -> None:
    for box, part in (("0", day.day), ("1", day.month), ("2", day.year)):
        type_into(page, f"#id_{field}_{box}", str(part))


def enter_and_wait(page) -> None:
    """Press Enter on a link or submit button, and wait for the page it loads."""
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page, name: str) -> None:
    tab_to(page, "a", name)
    enter_and_wait(page)


def press_button(page, name: str) -> None:
    tab_to(page, "button", name)
    enter_and_wait(page)


def sign_in_by_keyboard(page, user) -> None:
    page.goto("/sign-in/")
    tab_to(page, ".skip-link")  # the first stop on every page
    type_into(page, "#id_username", user.username)
    type_into(page, "#id_password", TEST_PASSWORD)
    enter_and_wait(page)
    expect(page).to_have_url(re.compile(r".*/$"))


@pytest.fixture
def keyboard_page(chromium, live_server):
    contexts = []

    def open_page(*, javascript=True):
        context = chromium.new_context(base_url=live_server.url, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_the_core_journey_by_keyboard_alone(keyboard_page, officer, supervisor, any_criterion):
    page = keyboard_page()
    sign_in_by_keyboard(page, officer)
    follow_link(page, "Record a new subject")
    choose(page, "classification", "suspected")
    type_into(page, "#id_family_name", "Keyboardperson")
    type_into(page, "#id_given_names", "Tabitha")
    type_date(page, "date_of_birth", date(2003, 6, 1))
    pick(page, "#id_gender", "Female")
    pick(page, "#id_ethnicity", "Not stated")
    press_button(page, "Save draft")
    expect(page.locator("h1")).to_have_text("KEYBOARDPERSON, Tabitha")

    follow_link(page, "Add evidence")
    type_into(page, "#id_summary", "Synthetic: arrest record for possession of a bladed article")
    type_date(page, "information_date", timezone.localdate() - timedelta(days=5))
    choose(page, "nature", "fact")
    pick(page, "#id_source_type", "Police record")
    type_into(page, "#id_source_reference", "CAD-KEYS-1")
    choose(page, "source_evaluation", "1")
    choose(page, "intelligence_assessment", "A")
    choose(page, "handling_code", "P")
    press_button(page, "Add evidence item")
    expect(page.locator(".notification")).to_contain_text("Evidence item added.")
    press_button(page, "Submit for approval")
    expect(page.locator(".notification")).to_contain_text("Submitted for approval.")
    subject = Subject.objects.get(family_name="Keyboardperson")
    assert subject.status == "submitted"

    page = keyboard_page()
    sign_in_by_keyboard(page, supervisor)
    follow_link(page, subject.reference)
    press_button(page, "Approve")
    expect(page.locator(".notification")).to_contain_text("Approved.")
    subject.refresh_from_db()
    assert subject.status == "approved"


def test_a_refused_form_takes_keyboard_focus_to_its_error_summary(keyboard_page, officer):
    page = keyboard_page()
    sign_in_by_keyboard(page, officer)
    follow_link(page, "Record a new subject")
    press_button(page, "Save draft")
    expect(page.locator(".error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("#id_classification_0")).to_be_focused()


def test_the_core_journey_without_javascript(keyboard_page, officer, supervisor, any_criterion):
    page = keyboard_page(javascript=False)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Record a new subject").click()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".error-summary")).to_contain_text("Enter family name")
    expect(page).to_have_title(re.compile(r"^Error: "))
    fill_new_subject(page, family_name="Noscriptperson", given_names="Plain")
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("h1")).to_have_text("NOSCRIPTPERSON, Plain")
    add_evidence(
        page,
        summary="Synthetic: arrest record for possession of a bladed article",
        source_type="Police record",
        reference="CAD-PLAIN-1",
        evaluation="1 — reliable",
        assessment="A — known directly to the source",
        days_ago=5,
    )
    page.get_by_role("link", name="Edit this record").click()
    fill_date(page, "Date of birth", date(2002, 6, 1))
    page.get_by_label("Reason for the change").fill("Corrected the year of birth")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".notification")).to_contain_text("Submitted for approval.")
    subject = Subject.objects.get(family_name="Noscriptperson")
    assert subject.status == "submitted" and subject.date_of_birth.year == 2002

    page = keyboard_page(javascript=False)
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(supervisor.username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name=subject.reference).first.click()
    page.get_by_role("button", name="Reject").click()
    expect(page).to_have_url(re.compile(rf"/subjects/{subject.uuid}/#error-summary$"))
    expect(page.locator(".error-summary")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".notification")).to_contain_text("Approved.")
    subject.refresh_from_db()
    assert subject.status == "approved"
