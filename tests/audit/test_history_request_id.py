"""Every history row carries the id of the request that wrote it, as the access log's entries do, so the
subject's timeline shows each version with the log entry of the step that made it."""

import pytest

from audit.models import AccessEvent
from audit.timeline import subject_timeline
from tests.ui_helpers import page_text

pytestmark = pytest.mark.django_db

EDIT = {
    "classification": "suspected",
    "family_name": "Testpersonne",
    "given_names": "Alex",
    "aliases": "",
    "date_of_birth_day": "1",
    "date_of_birth_month": "2",
    "date_of_birth_year": "2000",
    "gender": "not_stated",
    "ethnicity": "not_stated",
    "reason": "Synthetic: corrected the spelling",
}


def test_a_change_made_through_a_page_carries_its_requests_id_and_the_timeline_joins_them(
    client, officer, auditor, make_subject
):
    subject = make_subject("draft")
    client.force_login(officer)
    response = client.post(
        f"/subjects/{subject.uuid}/edit/", {**EDIT, "borough": subject.borough_id, "version": subject.version}
    )
    assert response.status_code == 302
    version = subject.history.order_by("-history_date", "-history_id").first()
    assert version.history_request_id is not None
    logged = AccessEvent.objects.get(subject_uuid=subject.uuid, request_id=version.history_request_id, action="alter")
    assert logged.detail.startswith("Edited")

    entry = next(
        e for e in subject_timeline(subject).entries if e.category == "change" and e.when == version.history_date
    )
    assert entry.sequence == logged.sequence
    client.force_login(auditor)
    assert f"log #{logged.sequence}" in page_text(client.get(f"/audit/subjects/{subject.uuid}/"))


def test_a_change_made_outside_a_request_has_none(make_subject):
    subject = make_subject("draft")
    assert set(subject.history.values_list("history_request_id", flat=True)) == {None}
    versions = [entry for entry in subject_timeline(subject).entries if entry.kind.startswith("Record ")]
    assert versions and all(entry.sequence is None for entry in versions)
