"""Small helpers shared by the browser-page tests (tests/test_ui_*.py)."""

from datetime import date

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
