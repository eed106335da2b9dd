"""The page frame, the accessibility statement, the access log's tables, the public page's order and the
subject access pages' post/redirect/get (issue 13). Browser checks are in tests/browser/test_accessibility.py."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.utils import timezone

from audit import sar as sar_services
from audit.log import record
from audit.models import Action, Outcome
from transparency.releases import publish_release

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "css" / "govmatrix.css").read_text()


class Landmarks(HTMLParser):
    """Which landmark (header, main, footer) each paragraph with a class sits in."""

    LANDMARKS = {"header", "main", "footer", "nav"}

    def __init__(self):
        super().__init__()
        self.open = []
        self.found = {}
        self.scripts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        for name in (attrs.get("class") or "").split():
            self.found.setdefault(name, list(self.open))
        if tag in self.LANDMARKS:
            self.open.append(tag)

    def handle_endtag(self, tag):
        if tag in self.LANDMARKS and tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag)]


def landmarks(html: str) -> Landmarks:
    parser = Landmarks()
    parser.feed(html)
    return parser


def test_the_accessibility_statement_is_public_and_follows_the_model(client, db):
    response = client.get("/accessibility/")
    assert response.status_code == 200
    page = response.content.decode()
    for text in (
        "Accessibility statement for govmatrix",
        "partially compliant",
        "Web Content Accessibility Guidelines version 2.2",
        "Non-accessible content",
        "Equality and Human Rights Commission (EHRC)",
        "Equality Advisory and Support Service",
        "Reporting accessibility problems",
        "This statement was prepared on 7 December 2026",
        "axe-core",
        "320 and 375 pixels",
        "2.2.1",
    ):
        assert text in page, text


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_links_to_the_statement_and_keeps_its_content_in_landmarks(client, officer, signed_in):
    if signed_in:
        client.force_login(officer)
    url = "/" if signed_in else "/sign-in/"
    page = client.get(url).content.decode()
    assert '<a href="/accessibility/">Accessibility statement</a>' in page
    found = landmarks(page)
    assert found.found["phase-banner"] == ["header"]
    assert "main" in found.found.get("scope", ["main"])  # the scope line, where a page has one
    assert found.found["site-footer"] == []
    assert found.found["footer-links"] == ["footer"]
    assert {"src": "/static/js/govmatrix.js", "defer": None} in found.scripts


def test_the_scope_line_is_inside_main(client, officer):
    client.force_login(officer)
    found = landmarks(client.get("/subjects/").content.decode())
    assert found.found["scope"] == ["main"]


def test_the_script_is_served_by_the_app_and_needs_no_inline_code(client, db):
    script = (ROOT / "static" / "js" / "govmatrix.js").read_text()
    assert ".error-summary" in script and "focus()" in script
    page = client.get("/sign-in/").content.decode()
    assert re.search(r"<script>\s*\S", page) is None  # the CSP allows script-src 'self' only


def contrast(foreground: str, background: str) -> float:
    def luminance(colour):
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_links_on_refused_rows_have_enough_contrast():
    background = re.search(r"\.refused td \{ background: (#[0-9a-f]{6}); \}", CSS).group(1)
    link = re.search(r"\.refused a, \.refused \.short-id summary \{ color: (#[0-9a-f]{6}); \}", CSS).group(1)
    assert contrast(link, background) >= 4.5


def test_nothing_is_wider_than_a_phone_by_design():
    """The fixed sizes that made pages scroll sideways at 320 pixels are gone."""
    assert "minmax(14em, 1fr)" not in CSS  # the filter grid: a 14em column is wider than a 320px phone's content
    assert "overflow-wrap: break-word" in CSS  # long words and identifiers wrap
    assert re.search(r"\.table:not\(\.table-scroll \.table\) \{ display: block; overflow-x: auto;", CSS)


@pytest.fixture
def logged(db):
    """A refused sign-in and a view with a request id, so every kind of cell is shown."""
    record(Action.LOGIN_FAILED, username="someone.unknown", outcome=Outcome.REFUSED, detail="Wrong password")


def test_the_access_log_shows_identifiers_short_with_the_whole_value_one_click_away(client, auditor, make_subject):
    subject = make_subject("approved")
    client.force_login(auditor)
    client.get(f"/audit/subjects/{subject.uuid}/")
    page = client.get("/audit/events/").content.decode()
    assert re.search(
        r'<div class="table-scroll" role="region" aria-label="[^"]+" tabindex="0">\s*<table class="table table-compact event-table">',
        page,
    )
    uuid = str(subject.uuid)
    assert f"<summary>{uuid[:8]}<span" in page and f'<span class="identifier">{uuid}</span>' in page
    assert '<td class="identifier">' not in page  # no 36-character cell wrapped over 8 lines


def test_refused_rows_are_marked(client, auditor, logged):
    client.force_login(auditor)
    page = client.get("/audit/events/?outcome=refused").content.decode()
    assert 'class="refused"' in page


def test_a_users_activity_uses_the_same_readable_table(client, auditor, officer):
    client.force_login(officer)
    client.get("/subjects/")
    client.force_login(auditor)
    page = client.get(f"/audit/users/{officer.username}/").content.decode()
    assert "event-table" in page and "table-scroll" in page


class TestPublicPage:
    @pytest.fixture
    def page(self, client, supervisor, any_criterion):
        from tests.factories import SubjectFactory

        for _ in range(6):
            SubjectFactory(
                status="approved",
                approved_by=supervisor,
                review_due=timezone.localdate() + timedelta(days=60),
                ethnicity="black_caribbean",
            )
        publish_release()
        return client.get("/public/").content.decode()

    def test_its_contents_list_links_to_every_section(self, page):
        contents = page.split('class="contents"', 1)[1].split("</nav>", 1)[0]
        targets = re.findall(r'href="#([^"]+)"', contents)
        assert len(targets) >= 7
        for target in targets:
            assert f'id="{target}"' in page, target
        for heading in re.findall(r'<h2 id="([^"]+)"', page):
            assert heading in targets or heading == "contents", heading

    def test_each_statistics_table_comes_before_its_chart(self, page):
        sections = re.findall(r'<section class="statistics-table".*?</section>', page, re.S)
        assert sections
        for section in sections:
            assert "<table" in section
            if "<figure" in section:
                assert section.index("<table") < section.index("<figure"), section[:200]

    def test_tables_scroll_inside_their_region(self, page):
        for table in re.findall(r"<table[^>]*>", page):
            start = page.index(table)
            before = page[:start]
            assert before.rfind('<div class="table-scroll"') > before.rfind("</div>"), table


class TestSubjectAccessPostRedirectGet:
    @pytest.fixture
    def sar(self, dpo, make_subject):
        sar = sar_services.open_request(
            acting_user=dpo,
            requester_name="Synthetic Applicant",
            requester_contact="1 Example Street",
            received_on=timezone.localdate(),
        )
        sar_services.match_subject(acting_user=dpo, sar=sar, subject=make_subject("approved"))
        return sar

    def test_a_refused_completion_redirects_to_the_request_and_shows_the_error_once(self, client, dpo, sar):
        client.force_login(dpo)
        response = client.post(f"/subject-access/{sar.uuid}/complete/")
        assert response.status_code == 302
        assert response["Location"] == f"/subject-access/{sar.uuid}/#error-summary"
        shown = client.get(f"/subject-access/{sar.uuid}/")
        page = shown.content.decode()
        assert shown.status_code == 200
        message = "Verify the applicant&#x27;s identity before anything is sent to them."
        assert "<title>Error: " in page and message in page
        again = client.get(f"/subject-access/{sar.uuid}/").content.decode()
        assert "Error: " not in again.split("</title>")[0] and message not in again

    def test_a_refusal_without_a_reason_keeps_what_was_typed(self, client, dpo, sar):
        client.force_login(dpo)
        response = client.post(f"/subject-access/{sar.uuid}/refuse/", {"reason": "no"})
        assert response.status_code == 302 and response["Location"].endswith("#error-summary")
        page = client.get(f"/subject-access/{sar.uuid}/").content.decode()
        assert "<title>Error: " in page
        assert re.search(r'<textarea name="reason"[^>]*>\s*no</textarea>', page)
        sar.refresh_from_db()
        assert sar.status == "open"

    def test_the_dpos_form_pages_are_titled_error_when_refused(self, client, dpo, sar):
        client.force_login(dpo)
        created = client.post("/subject-access/new/", {"requester_name": "", "requester_contact": ""})
        assert "<title>Error: " in created.content.decode()
        subject = sar.subjects.get()
        sar_services.verify_identity(acting_user=dpo, sar=sar, method="Synthetic: passport seen in person")
        report = client.post(f"/subject-access/{sar.uuid}/subjects/{subject.uuid}/report/", {"justification": ""})
        assert report.status_code == 400 and "<title>Error: " in report.content.decode()
        search = client.get(f"/subject-access/{sar.uuid}/", {"family_name": "Nobody"}).content.decode()
        assert "<title>Error: " in search
