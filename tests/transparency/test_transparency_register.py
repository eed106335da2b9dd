"""The impact assessment register: the DPO records new versions, auditors read, nobody edits in place."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from tests.factories import make_user
from transparency import assessments
from transparency.models import ImpactAssessment


def form_data(**overrides):
    today = timezone.localdate()
    return {
        "kind": "dpia",
        "title": "Gangs matrix data protection impact assessment",
        "version": "2.1",
        "assessed_on": (today - timedelta(days=10)).isoformat(),
        "approver_name": "Synthetic Approver",
        "approver_role": "Senior information risk owner",
        "summary": "Synthetic summary of what was assessed.",
        "residual_risks": "Synthetic residual risk, accepted by the SIRO.",
        "next_review_on": (today + timedelta(days=355)).isoformat(),
        **overrides,
    }


def test_the_dpo_records_a_version_with_history_and_a_log_entry(client, dpo):
    client.force_login(dpo)
    response = client.post(reverse("assessment-create"), form_data())
    assert response.status_code == 302
    assessment = ImpactAssessment.objects.get()
    assert assessment.recorded_by == dpo
    history = assessment.history.get()
    assert history.history_user == dpo and history.history_change_reason == "Recorded version 2.1"
    event = AccessEvent.objects.get(object_uuid=assessment.uuid)
    assert event.action == Action.COLLECT and event.actor_username == "dpo"
    register = client.get(reverse("assessment-register")).content.decode()
    assert "Version 2.1: Gangs matrix data protection impact assessment" in register
    assert "Synthetic residual risk" in register


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        # Dates are worked out when the test runs, not when it is collected (a run may cross midnight).
        (
            lambda: {"assessed_on": (timezone.localdate() + timedelta(days=1)).isoformat()},
            "assessed_on",
            "cannot be in the future",
        ),
        (
            lambda: {"next_review_on": (timezone.localdate() - timedelta(days=20)).isoformat()},
            "next_review_on",
            "after the date assessed",
        ),
        (lambda: {"version": "two"}, "version", "version number such as"),
        (lambda: {"title": ""}, "title", "Enter title"),
        (lambda: {"kind": "other"}, "kind", "Select kind of assessment from the choices given"),
    ],
    ids=["assessed-in-future", "review-before-assessed", "version", "title", "kind"],
)
def test_bad_input_is_refused_on_its_field_and_nothing_is_saved(client, dpo, overrides, field, message):
    client.force_login(dpo)
    response = client.post(reverse("assessment-create"), form_data(**overrides()))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert f'href="#id_{field}' in response.content.decode()  # the error summary links to the field
    assert not ImpactAssessment.objects.exists()
    assert not AccessEvent.objects.filter(action=Action.COLLECT).exists()


def test_a_version_is_recorded_once_per_kind(client, dpo):
    client.force_login(dpo)
    client.post(reverse("assessment-create"), form_data())
    response = client.post(reverse("assessment-create"), form_data(title="Changed in place?"))
    assert "already recorded" in " ".join(response.context["form"].errors["version"])
    assert ImpactAssessment.objects.get().title == "Gangs matrix data protection impact assessment"
    # The same number for the other kind is a different assessment.
    assert client.post(reverse("assessment-create"), form_data(kind="equality")).status_code == 302


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE transparency_impactassessment SET title = 'Rewritten'",
        "DELETE FROM transparency_impactassessment",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_recorded_version(client, dpo, statement):
    client.force_login(dpo)
    client.post(reverse("assessment-create"), form_data())
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert ImpactAssessment.objects.get().title == "Gangs matrix data protection impact assessment"


@pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "auditor"])
def test_other_roles_cannot_record(client, db, role):
    client.force_login(make_user(role, ["E09000012"] if role in ("officer", "supervisor") else []))
    assert client.post(reverse("assessment-create"), form_data()).status_code == 403
    assert not ImpactAssessment.objects.exists()
    with pytest.raises(PermissionDenied):
        assessments.record_assessment(
            acting_user=make_user(role),
            **{k: v for k, v in form_data().items() if k not in ("assessed_on", "next_review_on")},
        )


@pytest.mark.parametrize(
    "role, status", [("officer", 403), ("supervisor", 403), ("partner", 403), ("auditor", 200), ("dpo", 200)]
)
def test_who_reads_the_register(client, db, role, status):
    client.force_login(make_user(role))
    assert client.get(reverse("assessment-register")).status_code == status


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    for name in ("assessment-register", "assessment-create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_only_the_dpo_sees_the_menu_entry_and_the_record_button(client, db, dpo):
    client.force_login(make_user("auditor"))
    page = client.get(reverse("assessment-register")).content.decode()
    assert "Impact assessments" in page and reverse("assessment-create") not in page
    client.force_login(make_user("officer", ["E09000012"]))
    assert reverse("assessment-register") not in client.get(reverse("home")).content.decode()
    client.force_login(dpo)
    assert reverse("assessment-create") in client.get(reverse("assessment-register")).content.decode()


def test_the_public_page_shows_versions_and_dates_only(client, dpo):
    today = timezone.localdate()
    for version, days_ago in (("1", 400), ("2", 30)):
        assessments.record_assessment(
            acting_user=dpo,
            **{
                **form_data(version=version),
                "assessed_on": today - timedelta(days=days_ago),
                "next_review_on": today + timedelta(days=300),
                "residual_risks": "Confidential residual risk text",
                "summary": "Confidential summary text",
            },
        )
    body = client.get(reverse("public-home")).content.decode()
    assert f"{today - timedelta(days=30):%-d %B %Y}" in body
    assert f"Version 1 ({today - timedelta(days=400):%-d %B %Y})" in body
    assert "Confidential" not in body and "Synthetic Approver" not in body
    assert "Equality impact assessment" in body and "Not yet recorded" in body


def test_the_service_refuses_what_the_database_would(dpo):
    with pytest.raises(ValidationError) as error:
        assessments.record_assessment(
            acting_user=dpo,
            **{
                **form_data(),
                "assessed_on": timezone.localdate(),
                "next_review_on": timezone.localdate(),
            },
        )
    assert "next_review_on" in error.value.message_dict
