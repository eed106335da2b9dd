"""Small helpers shared by the browser-page tests (tests/test_ui_*.py)."""

from datetime import date
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from matrix import evidence_services, services, workflow
from matrix.models import Borough, Subject, SubjectReview
from tests.conftest import HACKNEY


def page_text(response) -> str:
    return response.content.decode()


def count_queries(fetch) -> int:
    with CaptureQueriesContext(connection) as context:
        response = fetch()
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def state(subject) -> tuple:
    """What a refused step must leave untouched: status, version, history rows, reviews."""
    subject = Subject.objects.get(pk=subject.pk)
    return (
        subject.status,
        subject.version,
        subject.history.count(),
        SubjectReview.objects.filter(subject=subject).count(),
    )


QUALIFYING_ITEM = {
    "summary": "Synthetic arrest record",
    "source_type": "police_record",
    "source_reference": "CAD-TEST-2",
    "source_evaluation": "1",
    "intelligence_assessment": "A",
    "handling_code": "P",
    "nature": "fact",
}


def own_submission(user, **fields) -> Subject:
    """A Hackney record created and submitted by ``user`` (needs a criterion, e.g. the any_criterion fixture)."""
    subject = services.create_subject(
        acting_user=user,
        borough=Borough.objects.get(code=HACKNEY),
        family_name=fields.pop("family_name", "Ownrecord"),
        given_names="Kilo",
        date_of_birth=date(2001, 1, 1),
        gender="female",
        ethnicity="not_stated",
        classification=fields.pop("classification", "suspected"),
    )
    evidence_services.add_evidence(
        acting_user=user, subject=subject, information_date=timezone.localdate(), **QUALIFYING_ITEM
    )
    return workflow.submit_subject(acting_user=user, subject=subject)


def add_social_media(user, subject, **overrides):
    fields = {
        "summary": "Synthetic video post",
        "information_date": timezone.localdate(),
        "source_type": "social_media",
        "source_reference": "OSINT-TEST-1",
        "source_evaluation": "2",
        "intelligence_assessment": "C",
        "handling_code": "P",
        "nature": "assessment",
        "social_media_url": "https://social.example.test/post/1",
        "social_media_platform": "ExampleNet",
        "captured_on": timezone.localdate(),
    }
    fields.update(overrides)
    return evidence_services.add_evidence(acting_user=user, subject=subject, **fields)


class _FormFields(HTMLParser):
    """What a browser would submit from the page's form with ``action`` (None: the first POST form in <main>)."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.done, self.fields = action, False, False, []
        self.in_main = False
        self.textarea = self.select = None
        self.options = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.in_main = self.in_main or tag == "main"
        if tag == "form" and not self.done and attrs.get("method", "").lower() == "post":
            self.inside = attrs.get("action") == self.action if self.action else self.in_main
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
            if attrs.get("type") not in ("radio", "checkbox") or "checked" in attrs:
                self.fields.append((name, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attrs.get("value", ""), "selected" in attrs))

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea:
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [value for value, _ in self.options[:1]]
            self.fields.extend((self.select, value) for value in chosen)
            self.select = None
        elif tag == "form" and self.inside:
            self.inside, self.done = False, True


def submitted_fields(response, action=None) -> dict:
    """The name → value (or list of values) a browser would post from the page's form, as it stands."""
    parser = _FormFields(action)
    parser.feed(page_text(response))
    data = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return {name: values if len(values) > 1 else values[0] for name, values in data.items()}
