"""run_reviews with a frozen clock: due and overdue reviews, lapse and zero-score flags, erasure, idempotence."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AccessEvent
from matrix import evidence_services, retention, services
from matrix.models import Address, Evidence, Subject, SubjectReview
from matrix.retention import ERASED, run_reviews
from matrix.workflow import review_subject
from tests.factories import HarmMethodFactory, OffenceTypeFactory, OffenceWeightFactory

pytestmark = pytest.mark.django_db
START = date(2026, 3, 2)


def travel(day: date):
    return time_machine.travel(timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12, 0)), tick=False)


def history_rows() -> int:
    return sum(model.history.model.objects.count() for model in (Subject, Evidence, Address, SubjectReview))


@pytest.fixture
def approved(make_subject):
    with travel(START):
        return make_subject("approved")


def test_reviews_due_and_overdue_are_counted(approved, settings):
    due = START + timedelta(days=settings.GOVMATRIX_REVIEW_PERIOD_DAYS)
    assert approved.review_due == due
    with travel(due - timedelta(days=20)):
        report = run_reviews()
    assert (report.due_soon, report.overdue) == (0, 0)
    with travel(due - timedelta(days=3)):
        report = run_reviews()
    assert (report.due_soon, report.overdue) == (1, 0)
    with travel(due + timedelta(days=1)):
        report = run_reviews()
    assert (report.due_soon, report.overdue) == (0, 1)


def test_criteria_lapse_is_flagged_when_evidence_ages_out(approved):
    with travel(START + timedelta(days=200)):
        run_reviews()
    approved.refresh_from_db()
    assert approved.criteria_lapsed_at is None
    with travel(START + timedelta(days=366)):
        report = run_reviews()
    approved.refresh_from_db()
    assert report.newly_lapsed == 1
    assert approved.criteria_lapsed_at is not None
    assert "no inclusion criterion is met any more" in approved.history.latest().history_change_reason
    assert approved.history.latest().history_user.username == "system.run_reviews"


def test_zero_score_is_flagged_when_a_new_method_no_longer_weights_the_offence(make_subject, officer):
    offence = OffenceTypeFactory(code="knife-possession")
    old_method = HarmMethodFactory(version=1)
    OffenceWeightFactory(method=old_method, offence_type=offence, weight=Decimal("20"))
    with travel(START):
        subject = make_subject("draft")
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            summary="Synthetic knife possession",
            information_date=START,
            source_type="police_record",
            source_reference="CAD-KNIFE",
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            nature="fact",
            offence_type=offence,
        )
    subject.refresh_from_db()
    assert subject.harm_score == Decimal("20.00")
    with travel(START):
        from django.contrib.auth import get_user_model

        from matrix import workflow

        subject = workflow.submit_subject(acting_user=officer, subject=subject)
        workflow.approve_subject(
            acting_user=get_user_model().objects.get(username="supervisor.hackney"), subject=subject
        )
    old_method.is_current, old_method.superseded_at = False, timezone.now()
    old_method.save()
    new_method = HarmMethodFactory(version=2)
    OffenceWeightFactory(method=new_method, weight=Decimal("5"))  # a different offence only
    with travel(START + timedelta(days=1)):
        report = run_reviews()
    subject.refresh_from_db()
    assert subject.harm_score == Decimal("0.00")
    assert subject.harm_method_version == 2
    assert report.zero_score == 1 and report.rescored == 1


def test_a_second_run_changes_nothing(approved):
    with travel(START + timedelta(days=366)):
        run_reviews()
        before = history_rows()
        report = run_reviews()
    assert history_rows() == before
    assert report.newly_lapsed == 0 and report.rescored == 0 and report.erased == []


@pytest.fixture
def removed_with_everything(make_subject, officer, supervisor):
    with travel(START):
        subject = make_subject("approved", aliases="Synthetic-Nick")
        Address.objects.create(subject=subject, line_1="1 Synthetic Street", postcode="E8 1EA")
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            summary="Synthetic clip naming a friend",
            information_date=START,
            source_type="social_media",
            source_reference="OSINT-9",
            source_evaluation="2",
            intelligence_assessment="C",
            handling_code="C",
            handling_conditions="Not for schools",
            nature="assessment",
            social_media_url="https://video.example.invalid/clip",
            social_media_platform="ExampleTube",
            captured_on=START,
        )
    with travel(START + timedelta(days=10)):
        review_subject(
            acting_user=supervisor,
            subject=subject,
            outcome="remove",
            justification="Synthetic: no longer associated with the group",
        )
    subject.refresh_from_db()
    return subject


def test_removal_starts_the_retention_clock(removed_with_everything, settings):
    assert removed_with_everything.status == "removed"
    assert removed_with_everything.retention_until == START + timedelta(days=10 + settings.GOVMATRIX_RETENTION_DAYS)


def test_nothing_is_erased_before_the_retention_period_ends(removed_with_everything):
    with travel(removed_with_everything.retention_until - timedelta(days=1)):
        report = run_reviews()
    removed_with_everything.refresh_from_db()
    assert report.erased == []
    assert removed_with_everything.family_name == "Testperson"


def test_erasure_after_retention_reaches_history_and_leaves_a_tombstone(removed_with_everything):
    subject = removed_with_everything
    with travel(subject.retention_until):
        report = run_reviews()
    assert report.erased == [subject.reference]
    subject.refresh_from_db()
    assert (subject.family_name, subject.given_names, subject.aliases, subject.date_of_birth) == (
        ERASED,
        ERASED,
        "",
        None,
    )
    assert subject.erased_at is not None
    # The tombstone: reference, borough, classification and dates survive; nobody is identifiable.
    assert subject.reference.startswith("GM-") and subject.borough.code == "E09000012"
    assert subject.classification == "suspected" and subject.status == "removed"
    for record in subject.history.all():
        assert (record.family_name, record.given_names, record.aliases, record.date_of_birth) == (
            ERASED,
            ERASED,
            "",
            None,
        )
        assert "Synthetic: no longer" not in (record.history_change_reason or "")
    for item in subject.evidence.all():
        assert item.summary == ERASED and item.source_reference == ERASED
        for record in item.history.all():
            assert record.summary == ERASED
            assert record.social_media_url in ("", ERASED)
            assert record.handling_conditions in ("", ERASED)
    assert not subject.addresses.exists()
    address_history = Address.history.model.objects.filter(subject_id=subject.pk)
    assert address_history.exists()
    assert set(address_history.values_list("line_1", "postcode")) == {(ERASED, ERASED)}
    assert set(subject.reviews.values_list("justification", flat=True)) == {ERASED}
    erasure = subject.history.latest()
    assert erasure.history_user.username == "system.run_reviews"
    assert "Erased after the retention period" in erasure.history_change_reason


def test_erasure_is_not_repeated(removed_with_everything):
    with travel(removed_with_everything.retention_until):
        run_reviews()
        before = history_rows()
        report = run_reviews()
    assert report.erased == []
    assert history_rows() == before


def test_command_prints_the_report(approved, capsys):
    with travel(START):
        call_command("run_reviews")
    output = capsys.readouterr().out
    assert "Approved subjects checked: 1" in output
    assert "Erased after the retention period: 0" in output


def scheduled_history(subject):
    return subject.history.filter(history_change_reason__startswith="Scheduled review run")


def scheduled_events(subject):
    return AccessEvent.objects.filter(
        subject_uuid=subject.uuid, action="alter", detail__startswith="Scheduled review run"
    )


class SyntheticFailure(Exception):
    pass


@pytest.mark.parametrize("failing_step", ["assess_subject", "record"])
def test_a_failure_on_one_subject_keeps_every_other_subjects_changes(make_subject, monkeypatch, failing_step):
    """Each subject is re-checked in its own transaction: a failure undoes that subject's change only,
    the run carries on and lists it, and the command then fails so the scheduler reports it."""
    with travel(START):
        subjects = [make_subject("approved") for _ in range(3)]
    broken = subjects[1]
    real = getattr(retention, failing_step)

    def fail_for_one(*args, **kwargs):
        concerned = kwargs["subject"] if "subject" in kwargs else args[0]
        if concerned.pk == broken.pk:
            raise SyntheticFailure("synthetic failure")
        return real(*args, **kwargs)

    # "record" fails after the subject was saved: its save must be undone with it.
    monkeypatch.setattr(retention, failing_step, fail_for_one)
    with travel(START + timedelta(days=366)):
        report = run_reviews()
    assert report.failed == [broken.reference]
    assert report.lines()[-1] == f"Could not be re-checked (see the application log): {broken.reference}"
    assert report.checked == 2
    with travel(START + timedelta(days=366)), pytest.raises(CommandError, match="1 approved subject"):
        call_command("run_reviews", stdout=io.StringIO())
    for subject in subjects:
        subject.refresh_from_db()
    for subject in (subjects[0], subjects[2]):
        assert subject.criteria_lapsed_at is not None
        assert scheduled_history(subject).count() == 1 and scheduled_events(subject).count() == 1
    assert broken.criteria_lapsed_at is None
    assert scheduled_history(broken).count() == 0 and scheduled_events(broken).count() == 0

    monkeypatch.undo()
    with travel(START + timedelta(days=366)):
        report = run_reviews()
    broken.refresh_from_db()
    assert broken.criteria_lapsed_at is not None and report.newly_lapsed == 1 and report.checked == 3


def test_the_run_saves_only_the_fields_it_changes(approved):
    version = approved.version
    with travel(START + timedelta(days=366)), CaptureQueriesContext(connection) as queries:
        report = run_reviews()
    assert report.newly_lapsed == 1
    table = Subject._meta.db_table
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith(f'UPDATE "{table}"')]
    assert len(updates) == 1, updates
    assert '"criteria_lapsed_at"' in updates[0]
    for untouched in ("family_name", "given_names", "classification", "status", "version", "review_due"):
        assert f'"{untouched}"' not in updates[0], updates[0]
    approved.refresh_from_db()
    assert approved.family_name == "Testperson" and approved.version == version
    latest = approved.history.latest()
    assert latest.history_user.username == "system.run_reviews"
    assert latest.criteria_lapsed_at is not None and latest.family_name == "Testperson"
    assert latest.history_change_reason == "Scheduled review run: no inclusion criterion is met any more"


def test_an_edit_of_the_version_loaded_before_the_run_keeps_the_runs_flag(approved, officer):
    """The run does not bump the version: an editor who loaded the record before it is not refused, and their
    edit, made on the row re-read under its lock, cannot undo the run's change."""
    loaded = Subject.objects.get(pk=approved.pk)
    with travel(START + timedelta(days=366)):
        run_reviews()
        services.update_subject(
            acting_user=officer,
            subject=loaded,
            expected_version=loaded.version,
            changes={"given_names": "Bravo"},
            reason="Synthetic: spelling corrected",
        )
    approved.refresh_from_db()
    assert approved.given_names == "Bravo" and approved.criteria_lapsed_at is not None
    assert approved.version == loaded.version + 1


def non_savepoint_queries(queries) -> int:
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))


def test_a_run_that_changes_nothing_costs_two_queries_per_subject(make_subject):
    """The per-subject lock and evidence read, and nothing else that grows with the matrix."""
    OffenceWeightFactory(method=HarmMethodFactory(version=1), weight=Decimal("5"))
    with travel(START):
        make_subject("approved")
    with travel(START + timedelta(days=1)):
        run_reviews()
        with CaptureQueriesContext(connection) as one:
            run_reviews()
    with travel(START):
        make_subject("approved")
        make_subject("approved")
    with travel(START + timedelta(days=1)):
        run_reviews()
        with CaptureQueriesContext(connection) as three:
            report = run_reviews()
    assert report.checked == 3 and report.rescored == report.newly_lapsed == 0
    assert non_savepoint_queries(three) - non_savepoint_queries(one) == 2 * 2
