"""Every page of every role, checked with axe-core (WCAG 2.2 AA and best practice) and at phone widths.

The pages are listed once, in PAGES: who opens them, how their address is built from the stored
records, and, for a form, which form is sent empty to reach its error state. Each page is checked for
 - axe violations (rule, element and page are listed when it fails);
 - horizontal scrolling of the whole page at 320 and 375 CSS pixels (WCAG 1.4.10 reflow);
 - on error states: a title beginning "Error: ", an error summary, and each error message named by
   the aria-describedby of its input or fieldset.
Keyboard use is covered by test_keyboard_reaches_the_error_summary and the journeys in this folder.

The records are built once for the module (users, subjects in each state, disclosures, a subject
access request, a statistics release) and each role signs in once, so the module needs its own live
server: pytest-django's would empty the database after every test. The database is emptied and its
reference data put back when the module ends.

Run: make test PYTEST_ARGS="tests/browser/test_accessibility.py"
Screenshots for docs/accessibility.md: GOVMATRIX_UPDATE_SCREENSHOTS=1 make test PYTEST_ARGS="tests/browser/test_accessibility.py -k screenshots"
"""

import importlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from tests.browser.conftest import SCREENSHOTS
from tests.conftest import HACKNEY, REFERENCE_DATA_MIGRATIONS
from tests.factories import (
    TEST_PASSWORD,
    CriterionFactory,
    SocialMediaEvidenceFactory,
    make_user,
)

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
PHONE_WIDTHS = [320, 375]
DESKTOP = {"width": 1280, "height": 900}
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def browser_reference_data():
    """Replaces the browser folder's per-test fixture: the module keeps one database for all its tests."""


# The stored records --------------------------------------------------------------------------------


def restore_reference_data():
    from django.apps import apps

    for module_name, function_name in REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module_name), function_name)(apps, None)


def build_world() -> dict:
    """Users of every role and records in every state their pages show, built through the services."""
    from audit import hooks
    from audit import sar as sar_services
    from matrix import evidence_services, services, workflow
    from matrix.models import Borough
    from sharing import services as sharing
    from tests.sharing_factories import AgreementFactory, basis, make_partner_user
    from transparency import assessments as transparency
    from transparency.releases import publish_release

    officer = make_user("officer", [HACKNEY], username="officer.hackney")
    supervisor = make_user("supervisor", [HACKNEY], username="supervisor.hackney")
    second_supervisor = make_user("supervisor", [HACKNEY], username="supervisor.second")
    auditor = make_user("auditor", username="auditor")
    dpo = make_user("dpo", username="dpo")
    administrator = make_user("administrator", username="admin.people")
    CriterionFactory(code="any-classification", classifications=["suspected", "convicted", "victim", "at_risk"])
    hackney = Borough.objects.get(code=HACKNEY)

    def subject(status, family_name, given_names="Alpha", **fields):
        record = services.create_subject(
            acting_user=officer,
            borough=hackney,
            family_name=family_name,
            given_names=given_names,
            date_of_birth=date(2003, 6, 1),
            gender="male",
            ethnicity=fields.pop("ethnicity", "not_stated"),
            classification="suspected",
            **fields,
        )
        evidence_services.add_evidence(
            acting_user=officer,
            subject=record,
            summary="Synthetic arrest record for the accessibility suite",
            information_date=timezone.localdate() - timedelta(days=12),
            source_type="police_record",
            source_reference="CAD-A11Y-1",
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            nature="fact",
        )
        if status == "draft":
            return record
        record = workflow.submit_subject(acting_user=officer, subject=record)
        if status == "submitted":
            return record
        return workflow.approve_subject(acting_user=supervisor, subject=record)

    draft = subject("draft", "Draftperson-Featherstonehaugh")
    submitted = subject("submitted", "Submittedperson")
    approved = subject("approved", "Approvedperson", "Alpha Bartholomew")
    for ethnicity in ["black_caribbean"] * 6 + ["white_british"] * 5:
        subject("approved", "Statisticsperson", ethnicity=ethnicity)
    social = SocialMediaEvidenceFactory(subject=approved, created_by=officer, summary="Synthetic unverified post")

    agreement = AgreementFactory(reference="ISA-A11Y-01", partner__name="Synthetic Youth Offending Team")
    partner = make_partner_user(agreement.partner, username="partner.council")
    fields = ["name", "classification"]
    requested = sharing.request_disclosure(
        acting_user=officer,
        subject=approved,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose="Synthetic: joint diversion plan agreed at the panel",
        fields=fields,
    )
    shared = sharing.request_disclosure(
        acting_user=officer,
        subject=approved,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose="Synthetic: safeguarding plan shared with the youth offending team",
        fields=fields,
    )
    sharing.approve_disclosure(acting_user=supervisor, disclosure=shared)

    sar = sar_services.open_request(
        acting_user=dpo,
        requester_name="Synthetic Applicant",
        requester_contact="1 Example Street, London",
        received_on=timezone.localdate() - timedelta(days=3),
    )
    sar_services.match_subject(acting_user=dpo, sar=sar, subject=approved)
    verified_sar = sar_services.open_request(
        acting_user=dpo,
        requester_name="Synthetic Verified Applicant",
        requester_contact="applicant@example.test",
        received_on=timezone.localdate() - timedelta(days=5),
    )
    sar_services.match_subject(acting_user=dpo, sar=verified_sar, subject=approved)
    sar_services.verify_identity(acting_user=dpo, sar=verified_sar, method="Synthetic: passport seen in person")

    transparency.record_assessment(
        acting_user=dpo,
        kind="dpia",
        title="Synthetic data protection impact assessment",
        version="1.0",
        assessed_on=timezone.localdate() - timedelta(days=10),
        approver_name="Synthetic Approver",
        approver_role="Senior information risk owner",
        summary="Synthetic summary.",
        residual_risks="Synthetic residual risk.",
        next_review_on=timezone.localdate() + timedelta(days=300),
    )
    hooks.denied(officer, detail="Page refused: /audit/events/ (synthetic refusal for the suite)")
    publish_release()
    return {
        "officer": officer,
        "supervisor": supervisor,
        "second_supervisor": second_supervisor,
        "auditor": auditor,
        "dpo": dpo,
        "administrator": administrator,
        "partner": partner,
        "draft": draft,
        "submitted": submitted,
        "approved": approved,
        "evidence": draft.evidence.first(),
        "social": social,
        "requested": requested,
        "shared": shared,
        "sar": sar,
        "verified_sar": verified_sar,
    }


# The pages -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    role: str  # a key of the world's users, or "public" (not signed in)
    name: str
    url: Callable[[dict], str]
    # A CSS selector of the form to send empty (fields cleared) to reach the page's error state.
    submit: str | None = None

    @property
    def id(self):
        return f"{self.role}-{self.name}"


def subject_url(key, tail=""):
    return lambda w: f"/subjects/{w[key].uuid}/{tail}"


def evidence_url(tail):
    return lambda w: f"/subjects/{w['draft'].uuid}/evidence/{w['evidence'].uuid}/{tail}"


def disclosure_url(key, prefix=""):
    return lambda w: f"{prefix}/disclosures/{w[key].uuid}/"


def sar_url(key, tail=""):
    return lambda w: f"/subject-access/{w[key].uuid}/{tail}"


def fixed(url):
    return lambda w: url


POST_FORM = "main form[method=post]"

PAGES = [
    # Not signed in
    Page("public", "sign-in", fixed("/sign-in/")),
    Page("public", "sign-in-error", fixed("/sign-in/"), submit=POST_FORM),
    Page("public", "transparency", fixed("/public/")),
    Page("public", "accessibility-statement", fixed("/accessibility/")),
    Page("public", "not-found", fixed("/no-such-page/")),
    # Officer
    Page("officer", "dashboard", fixed("/")),
    Page("officer", "subject-list", fixed("/subjects/")),
    Page("officer", "subject-create", fixed("/subjects/new/")),
    Page("officer", "subject-create-error", fixed("/subjects/new/"), submit=POST_FORM),
    Page("officer", "break-glass", fixed("/subjects/break-glass/")),
    Page("officer", "break-glass-error", fixed("/subjects/break-glass/"), submit=POST_FORM),
    Page("officer", "subject-draft", subject_url("draft")),
    Page("officer", "subject-approved", subject_url("approved")),
    Page("officer", "subject-edit", subject_url("draft", "edit/")),
    Page("officer", "subject-edit-error", subject_url("draft", "edit/"), submit=POST_FORM),
    Page("officer", "evidence-add", subject_url("draft", "evidence/new/")),
    Page("officer", "evidence-add-error", subject_url("draft", "evidence/new/"), submit=POST_FORM),
    Page("officer", "evidence-edit", evidence_url("edit/")),
    Page("officer", "evidence-edit-error", evidence_url("edit/"), submit=POST_FORM),
    Page("officer", "evidence-withdraw", evidence_url("withdraw/")),
    Page("officer", "evidence-withdraw-error", evidence_url("withdraw/"), submit=POST_FORM),
    Page("officer", "disclosure-request", subject_url("approved", "disclose/")),
    Page("officer", "disclosure-request-error", subject_url("approved", "disclose/"), submit=POST_FORM),
    Page("officer", "disclosure-register", fixed("/disclosures/")),
    Page("officer", "disclosure-shared", disclosure_url("shared")),
    Page("officer", "password-change", fixed("/password/")),
    Page("officer", "password-change-error", fixed("/password/"), submit=POST_FORM),
    Page("officer", "two-factor-setup", fixed("/two-factor/setup/")),
    Page("officer", "two-factor-setup-error", fixed("/two-factor/setup/"), submit=POST_FORM),
    Page("officer", "refused", fixed("/audit/events/")),
    Page("officer", "not-found", fixed("/subjects/00000000-0000-4000-8000-000000000000/")),
    # Supervisor
    Page("supervisor", "dashboard", fixed("/")),
    Page("supervisor", "subject-submitted", subject_url("submitted")),
    Page("supervisor", "subject-reject-error", subject_url("submitted"), submit="form[action$='/reject/']"),
    Page("supervisor", "subject-approved", subject_url("approved")),
    Page("supervisor", "subject-review-error", subject_url("approved"), submit="form[action$='/review/']"),
    Page("supervisor", "subject-remove-error", subject_url("approved"), submit="form[action$='/remove/']"),
    Page(
        "supervisor", "evidence-verify", lambda w: f"/subjects/{w['approved'].uuid}/evidence/{w['social'].uuid}/verify/"
    ),
    Page(
        "supervisor",
        "evidence-verify-error",
        lambda w: f"/subjects/{w['approved'].uuid}/evidence/{w['social'].uuid}/verify/",
        submit=POST_FORM,
    ),
    Page("supervisor", "disclosure-queue", fixed("/disclosures/queue/")),
    Page("supervisor", "disclosure-requested", disclosure_url("requested")),
    Page("supervisor", "disclosure-shared", disclosure_url("shared")),
    Page("supervisor", "disclosure-revoke-error", disclosure_url("shared"), submit="form[action$='/revoke/']"),
    Page("supervisor", "disclosure-refuse-error", disclosure_url("requested"), submit="form[action$='/refuse/']"),
    # Partner agency
    Page("partner", "dashboard", fixed("/")),
    Page("partner", "portal", fixed("/partner/")),
    Page("partner", "portal-disclosure", disclosure_url("shared", "/partner")),
    Page("partner", "portal-export-error", disclosure_url("shared", "/partner"), submit="form[action$='export.csv']"),
    # Auditor
    Page("auditor", "dashboard", fixed("/")),
    Page("auditor", "access-log", fixed("/audit/events/")),
    Page("auditor", "access-log-export-error", fixed("/audit/events/"), submit="form[action*='/audit/events/export']"),
    Page("auditor", "access-log-filter-error", fixed("/audit/events/?subject=not-a-reference")),
    Page("auditor", "access-log-export", fixed("/audit/events/export.csv")),
    Page("auditor", "subject-timeline", lambda w: f"/audit/subjects/{w['approved'].uuid}/"),
    Page("auditor", "user-activity", fixed("/audit/users/officer.hackney/")),
    Page("auditor", "unusual-activity", fixed("/audit/unusual/")),
    Page("auditor", "subject-list", fixed("/subjects/")),
    Page("auditor", "disclosure-register", fixed("/disclosures/")),
    Page("auditor", "impact-assessments", fixed("/governance/assessments/")),
    Page("auditor", "disproportionality", fixed("/oversight/disproportionality/")),
    # Data protection officer
    Page("dpo", "dashboard", fixed("/")),
    Page("dpo", "sar-list", fixed("/subject-access/")),
    Page("dpo", "sar-create", fixed("/subject-access/new/")),
    Page("dpo", "sar-create-error", fixed("/subject-access/new/"), submit=POST_FORM),
    Page("dpo", "sar-detail", sar_url("sar")),
    Page("dpo", "sar-identity-error", sar_url("sar"), submit="form[action$='/identity/']"),
    Page("dpo", "sar-complete-error", sar_url("sar"), submit="form[action$='/complete/']"),
    Page("dpo", "sar-refuse-error", sar_url("sar"), submit="form[action$='/refuse/']"),
    Page("dpo", "sar-search-error", sar_url("sar"), submit="form.filters"),
    Page("dpo", "sar-verified", sar_url("verified_sar")),
    Page("dpo", "sar-report-error", sar_url("verified_sar"), submit="form[action$='/report/']"),
    Page("dpo", "subject-restrict-error", subject_url("approved"), submit="form[action$='/restrict/']"),
    Page("dpo", "reference-data", fixed("/governance/reference-data/")),
    Page(
        "dpo",
        "reference-data-error",
        fixed("/governance/reference-data/"),
        submit="form[action='/governance/reference-data/']",
    ),
    Page("dpo", "impact-assessment-create", fixed("/governance/assessments/new/")),
    Page("dpo", "impact-assessment-create-error", fixed("/governance/assessments/new/"), submit=POST_FORM),
    Page("dpo", "access-log", fixed("/audit/events/")),
    # Administrator of user accounts
    Page("administrator", "dashboard", fixed("/")),
    Page("administrator", "people", fixed("/people/")),
    Page("administrator", "person-create", fixed("/people/new/")),
    Page("administrator", "person-create-error", fixed("/people/new/"), submit=POST_FORM),
    Page("administrator", "person-detail", lambda w: f"/people/{w['officer'].pk}/"),
    Page(
        "administrator",
        "person-deactivate-error",
        lambda w: f"/people/{w['officer'].pk}/",
        submit="form[action$='/deactivate/']",
    ),
]
ERROR_STATES = [page for page in PAGES if page.submit]


# ---------------------------------------------------------------------------------------------------

EMPTY_AND_SUBMIT = """form => {
  for (const el of form.elements) {
    const type = (el.type || '').toLowerCase();
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(type) || el.name === 'csrfmiddlewaretoken') continue;
    if (type === 'checkbox' || type === 'radio') el.checked = false;
    else if (el.tagName === 'SELECT') el.selectedIndex = [...el.options].findIndex(o => o.value === '');
    else el.value = '';
  }
  const button = form.querySelector('button[type=submit]:not([formaction]), button:not([type]), input[type=submit]');
  form.requestSubmit(button || undefined);
}"""

OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [];
  const scrolls = el => { for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
    if (getComputedStyle(up).overflowX !== 'visible') return up; } return null; };
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right <= width + 1 || box.width === 0) continue;
    // Inside a scrolling box it scrolls, unless it is positioned out of it.
    if (scrolls(el) && !['absolute', 'fixed'].includes(getComputedStyle(el).position)) continue;
    if (wide.some(outer => outer.contains(el))) continue;
    wide.push(el);
  }
  const describe = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  return {scrollWidth: document.documentElement.scrollWidth,
          widest: wide.slice(0, 5).map(el => `${describe(el)} (right edge ${Math.round(el.getBoundingClientRect().right)})`)};
}"""

UNDESCRIBED_ERRORS = """() => {
  const problems = [];
  for (const message of document.querySelectorAll('.error-message')) {
    if (!message.id) { problems.push(`error message without an id: "${message.textContent.trim()}"`); continue; }
    const group = message.closest('fieldset') || message.closest('.form-group') || message.parentElement;
    const owners = [group, ...group.querySelectorAll('input, select, textarea, fieldset')]
      .filter(el => el.matches('input, select, textarea, fieldset'));
    const described = owners.some(el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).includes(message.id));
    if (!described) problems.push(`#${message.id} ("${message.textContent.trim()}") is in no aria-describedby of its field`);
  }
  return problems;
}"""


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, chromium):
    """The module's records and live server. The database stays open to the server thread throughout."""
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.live_server_helper import LiveServer

    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
    ):
        # pytest-django creates the test database only for tests that ask for it by name; these don't,
        # so that it is not emptied after each of them. Run alone, the module creates it itself.
        created = None
        if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
            created = setup_databases(verbosity=0, interactive=False, aliases={connection.alias})
        restore_reference_data()
        server = LiveServer("localhost")
        server._live_server_modified_settings.enable()
        try:
            records = build_world()
            records["url"] = server.url
            yield records
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            call_command("flush", interactive=False, verbosity=0)
            restore_reference_data()
            if created is not None:
                teardown_databases(created, verbosity=0)


@pytest.fixture(scope="module")
def pages(chromium, world):
    """One browser page per role, signed in once: ``pages("officer")``."""
    opened = {}

    def page_for(role):
        if role not in opened:
            context = chromium.new_context(base_url=world["url"], viewport=DESKTOP)
            context.set_default_timeout(15_000)
            page = context.new_page()
            if role != "public":
                page.goto("/sign-in/")
                page.get_by_label("Username").fill(world[role].username)
                page.get_by_label("Password").fill(TEST_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(re.compile(r".*/$"))
            opened[role] = (context, page)
        return opened[role][1]

    yield page_for
    for context, _ in opened.values():
        context.close()


def open_page(pages, world, case: Page, viewport=DESKTOP):
    page = pages(case.role)
    page.set_viewport_size(viewport)
    page.goto(case.url(world))
    if case.submit:
        form = page.locator(case.submit).first
        assert form.count() == 1, f"{case.id}: no form {case.submit} at {page.url}"
        with page.expect_navigation():
            form.evaluate(EMPTY_AND_SUBMIT)
    page.wait_for_load_state("load")
    return page


def axe_violations(page, where: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]})
    return [
        f"{where}: {violation['id']} ({violation['impact']}) at {' '.join(map(str, node['target']))}: "
        f"{node.get('failureSummary', violation['help']).splitlines()[-1].strip()}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.id)
def test_axe_finds_no_violations(pages, world, case):
    page = open_page(pages, world, case)
    violations = axe_violations(page, f"{case.id} {page.url}")
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize("width", PHONE_WIDTHS)
@pytest.mark.parametrize("case", PAGES, ids=lambda case: case.id)
def test_no_horizontal_scrolling_on_a_phone(pages, world, case, width):
    page = open_page(pages, world, case, viewport={"width": width, "height": 700})
    overflow = page.evaluate(OVERFLOW)
    assert overflow is None, (
        f"{case.id} {page.url} at {width}px: page is {overflow['scrollWidth']}px wide; {overflow['widest']}"
    )


@pytest.mark.parametrize("case", ERROR_STATES, ids=lambda case: case.id)
def test_error_messages_are_titled_summarised_and_described(pages, world, case):
    page = open_page(pages, world, case)
    where = f"{case.id} {page.url}"
    assert page.locator(".error-summary").count() == 1, f"{where}: no error summary after sending the form empty"
    assert page.title().startswith("Error: "), f"{where}: title {page.title()!r} does not begin 'Error: '"
    assert page.evaluate(UNDESCRIBED_ERRORS) == [], f"{where}: {page.evaluate(UNDESCRIBED_ERRORS)}"


# Steps posted from a detail page to an action address (/reject/, /complete/, ...), which has no page of its own.
ACTION_STEPS = [
    page
    for page in ERROR_STATES
    if re.search(r"/(reject|review|remove|restrict|revoke|refuse|identity|complete|deactivate)/", page.submit)
]


@pytest.mark.parametrize("case", ACTION_STEPS, ids=lambda case: case.id)
def test_a_refused_step_is_shown_on_the_page_it_was_sent_from(pages, world, case):
    """Post/redirect/get: the address bar never rests on an action such as /complete/ (config/failed_forms.py)."""
    page = open_page(pages, world, case)
    assert page.url.split("#")[0] == world["url"] + case.url(world), f"{case.id}: the error is shown at {page.url}"


def test_keyboard_reaches_the_error_summary(pages, world):
    """The error summary takes focus when the page loads (static/js/govmatrix.js), so a screen reader
    announces it and Tab moves on to its first link; the skip link is the first stop on every page."""
    page = open_page(pages, world, Page("dpo", "sar-create-error", fixed("/subject-access/new/"), submit=POST_FORM))
    assert page.evaluate("document.activeElement.classList.contains('error-summary')"), page.evaluate(
        "document.activeElement.outerHTML.slice(0, 120)"
    )
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.error-summary-list') !== null")
    page.goto("/subject-access/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


SCREENSHOT_PAGES = [
    Page("public", "transparency", fixed("/public/")),
    Page("officer", "dashboard", fixed("/")),
    Page("officer", "subject", subject_url("approved")),
    Page("officer", "subject-create-error", fixed("/subjects/new/"), submit=POST_FORM),
    Page("supervisor", "disclosure", disclosure_url("requested")),
    Page("partner", "portal-disclosure", disclosure_url("shared", "/partner")),
    Page("auditor", "access-log", lambda w: f"/audit/events/?subject={w['approved'].reference}"),
    Page("dpo", "subject-access-request", sar_url("verified_sar")),
]


def test_screenshots_of_each_roles_main_pages(pages, world):
    """Full-page screenshots at 1280 pixels into test-output/screenshots/; into docs/screenshots/
    (for docs/accessibility.md) only when GOVMATRIX_UPDATE_SCREENSHOTS=1."""
    folder = DOCS_SCREENSHOTS if os.environ.get("GOVMATRIX_UPDATE_SCREENSHOTS") == "1" else SCREENSHOTS
    folder.mkdir(parents=True, exist_ok=True)
    for case in SCREENSHOT_PAGES:
        page = open_page(pages, world, case)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        path = folder / f"{case.id}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size > 0


def test_the_access_log_is_readable_on_a_desktop(pages, world):
    """50 entries fit in well under half the 8,000 pixels they took with identifiers wrapped over 8 lines."""
    page = open_page(pages, world, Page("auditor", "access-log", fixed("/audit/events/")))
    rows = page.locator(".event-table tbody tr")
    assert rows.count() == 50
    height = page.locator(".event-table").bounding_box()["height"]
    tallest = max(page.evaluate("[...document.querySelectorAll('.event-table tbody tr')].map(r => r.offsetHeight)"))
    print(f"access log: table {height:.0f}px, tallest row {tallest}px")
    assert height < 4000 and tallest < 200, (height, tallest)
