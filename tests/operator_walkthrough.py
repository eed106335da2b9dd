"""The operator's guide, section 9, in Chromium through nginx: onboarding, a first record, the auditor's view.

Used by tests/operations/test_operator_guide.py once the guide has brought the service up. Every person signs in
with a password they chose through their set-up link and enrols a real TOTP authenticator (pyotp),
because production mode requires a second factor of everyone.
"""

import re
import socket
from datetime import date, timedelta

import pyotp
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, fill_date
from tests.browser.test_workflow_journeys import (
    assert_accessible,  # labels, one h1, error-summary links
)

PASSWORD = "Synthetic-onboarding-pass-2026"
PEOPLE = [
    # username, role label, role, boroughs
    ("dpo.new", "Data protection officer", "dpo", []),
    ("officer.new", "Officer", "officer", ["Hackney"]),
    ("supervisor.new", "Supervisor", "supervisor", ["Hackney"]),
    ("auditor.new", "Auditor (read-only oversight)", "auditor", []),
]


BOROUGH_CODES = {"Hackney": "Hackney (E09000012)"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    def __init__(self, playwright, hostname: str, screenshots):
        self.hostname, self.screenshots = hostname, screenshots
        self.browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {hostname} 127.0.0.1"]
        )

    def new_page(self):
        context = self.browser.new_context(base_url=f"https://{self.hostname}", ignore_https_errors=True)
        return context.new_page()


def sign_in(page, username: str, password: str) -> None:
    """Sign in; at the first sign-in, enrol an authenticator app from the key the page shows."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Turn on two-factor authentication")).to_be_visible()
    key = page.locator("code.secret").inner_text().replace(" ", "")
    page.get_by_label("Code", exact=True).fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    continue_link = page.get_by_role("link", name="Continue")
    if continue_link.count():  # the recovery codes page
        continue_link.click()
    expect(page.get_by_role("link", name="Sign out").or_(page.get_by_role("button", name="Sign out"))).to_be_visible()


def create_person(page, username: str, role: str, boroughs: list[str]) -> str:
    """The administrator creates an account; returns the one-time set-up link the page shows."""
    page.goto("/people/")
    assert_accessible(page)
    page.get_by_role("link", name="Create a user").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create the user").click()  # nothing filled in: every error, linked
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email address").fill(f"{username}@force.test")
    page.get_by_label(role, exact=True).check()
    for borough in boroughs:
        page.get_by_label(borough, exact=True).check()
    page.get_by_label("Reason").fill(f"Joiner: synthetic onboarding of {username}")
    page.get_by_role("button", name="Create the user").click()
    assert_accessible(page)
    link = page.locator(".identifier").first.inner_text().strip()
    assert "/people/set-up/" in link, link
    return link


def set_up(browser: Browser, link: str, username: str):
    page = browser.new_page()
    page.goto(link)
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(PASSWORD)
    page.get_by_label("New password confirmation").fill(PASSWORD)
    page.get_by_role("button").filter(has_text=re.compile("password", re.I)).first.click()
    sign_in(page, username, PASSWORD)
    return page


def publish_reference_data(page) -> None:
    page.goto("/governance/reference-data/")
    assert_accessible(page)
    publish = page.get_by_role("button", name=re.compile(r"^Publish version"))
    while publish.count():
        publish.first.click()
        expect(page.locator(".notification-success")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Publish version"))).to_have_count(0)


def record_and_submit(page) -> str:
    """The officer records a victim of gang violence with one police record; returns the subject's path."""
    page.goto("/")
    page.get_by_role("link", name="Record a new subject").click()
    expect(page.get_by_text("Borough: Hackney, the only borough you work in.")).to_be_visible()
    page.get_by_label("Victim of an offence").check()
    page.get_by_label("Family name").fill("Guidewalk-Testperson")
    page.get_by_label("Given names").fill("Onboard")
    fill_date(page, "Date of birth", date(2004, 3, 9))
    page.get_by_label("Gender").select_option(label="Female")
    page.get_by_label("Ethnicity").select_option(label="Not stated")
    page.get_by_role("button", name="Save draft").click()
    subject_path = re.sub(r"^https://[^/]+", "", page.url)
    page.get_by_role("link", name="Add evidence", exact=True).first.click()
    page.get_by_label("Summary").fill("Synthetic: reported as the victim of a gang-related assault")
    fill_date(page, "Date the information relates to", timezone.localdate() - timedelta(days=7))
    page.get_by_label("Fact", exact=True).check()
    page.get_by_label("Source type").select_option(label="Police record")
    page.get_by_label("Source reference").fill("CAD-GUIDE-1")
    page.get_by_label("1 — reliable", exact=True).check()
    page.get_by_label("A — known directly to the source", exact=True).check()
    page.get_by_label("P — lawful sharing permitted", exact=True).check()
    page.get_by_role("button", name="Add evidence item").click()
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.locator(".notification-success")).to_contain_text("ubmitted")
    return subject_path


def approve(page, subject_path: str) -> None:
    page.goto(subject_path)
    page.get_by_label("Approval note (optional)").fill("Synthetic: police record checked")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator(".notification-success")).to_contain_text("pproved")


def onboard_and_record(hostname: str, admin: dict, workdir) -> None:
    with sync_playwright() as playwright:
        browser = Browser(playwright, hostname, workdir)
        administrator = browser.new_page()
        sign_in(administrator, admin["username"], admin["password"])
        links = {
            username: create_person(administrator, username, label, boroughs) for username, label, _, boroughs in PEOPLE
        }
        pages = {username: set_up(browser, links[username], username) for username, *_ in PEOPLE}

        publish_reference_data(pages["dpo.new"])
        subject_path = record_and_submit(pages["officer.new"])
        approve(pages["supervisor.new"], subject_path)

        # The auditor sees every onboarding step: each account created, with its role and boroughs, by the
        # administrator; each password chosen by its owner; the DPO's publications.
        auditor = pages["auditor.new"]
        auditor.goto(f"/audit/users/{admin['username']}/")
        for username, _, role, boroughs in PEOPLE:
            scope = f"; boroughs {', '.join(BOROUGH_CODES[name] for name in boroughs)}" if boroughs else ""
            expect(auditor.locator("main")).to_contain_text(f"Created user {username} with role {role}{scope}")
        for username, *_ in PEOPLE:
            auditor.goto(f"/audit/users/{username}/")
            expect(auditor.locator("main")).to_contain_text(f"Password chosen through the set-up link by {username}")
        auditor.goto("/audit/users/dpo.new/")
        expect(auditor.locator("main")).to_contain_text("Published")
        browser.browser.close()


def _attempt_sign_in(page, username: str, password: str) -> str:
    """Sign in with a password only; returns the heading of the page it leads to."""
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    return page.locator("h1").inner_text()


def where_sign_in_leads(hostname: str, username: str, password: str = PASSWORD, failures: int = 0) -> str:
    """The heading a fresh browser reaches signing in as ``username``, after ``failures`` wrong passwords."""
    with sync_playwright() as playwright:
        browser = Browser(playwright, hostname, None)
        page = browser.new_page()
        for _ in range(failures):
            _attempt_sign_in(page, username, "not-their-password")
        heading = _attempt_sign_in(page, username, password)
        browser.browser.close()
        return heading


# The incident commands of the guide's section 14, each checked by what the person meets next.
def before_incident(hostname: str, block: str, username: str) -> None:
    if "reset_lockout" in block:
        assert where_sign_in_leads(hostname, username, failures=5) == "Too many sign-in attempts"


def after_incident(hostname: str, block: str, username: str) -> None:
    if "reset_lockout" in block:
        assert where_sign_in_leads(hostname, username) == "Enter your code"  # the lock is lifted
    elif "reset_second_factor" in block:
        assert where_sign_in_leads(hostname, username) == "Set up two-factor authentication"  # enrol again
    elif "deactivate_user" in block:
        assert where_sign_in_leads(hostname, username) == "Sign in to govmatrix"  # refused: back to sign-in
