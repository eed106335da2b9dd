"""Text people typed about a subject is erased with the record, and the access log still verifies.

The log's chained justification holds a commitment to the text (audit/log.py), the text itself is kept
beside the chain (audit.models.LoggedText), and erasure empties it; history change reasons keep only the
code's own words (matrix/retention.py ``reason_without_typed_text``). The scans below read every column
of every history table, of the access log and of the logged texts with SQL, so a column added later is
covered without changing them.
"""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit import hooks, triggers
from audit.log import (
    BREAK_GLASS,
    TEXT_REFERENCE,
    commitment,
    justification_as_read,
    parse_reference,
    record,
)
from audit.models import AccessEvent, Action, LoggedText
from audit.verification import verify_log
from config.formats import written_day
from matrix import services, workflow
from matrix.retention import (
    ERASED_AFTER_RETENTION,
    REASON_ERASED,
    erase_subject,
    reason_without_typed_text,
    system_user,
)
from sharing import services as sharing
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db

NAMES = ("Testperson", "Lambeth")
EDIT_REASON = "Synthetic: Testperson moved to Lambeth"
REJECTION_REASON = "Synthetic: Testperson's address in Lambeth is not checked"
BREAK_GLASS_JUSTIFICATION = "Synthetic: Testperson seen in Lambeth on a joint operation"
PURPOSE = "Synthetic: diversion plan for Testperson with Lambeth youth services"
REMOVAL_REASON = "Synthetic: no longer meets the threshold"
TYPED = (EDIT_REASON, REJECTION_REASON, BREAK_GLASS_JUSTIFICATION, PURPOSE)


def scanned_tables() -> list[str]:
    return [*triggers.history_tables(), "audit_accessevent", "audit_loggedtext"]


def hits() -> set[tuple[str, str, str]]:
    """(table, column, name) for every value in the scanned tables that contains one of NAMES."""
    found = set()
    with connection.cursor() as cursor:
        for table in scanned_tables():
            cursor.execute(f'SELECT * FROM "{table}"')
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row):
                    text = "" if value is None else str(value)
                    found |= {(table, column, name) for name in NAMES if name in text}
    return found


@pytest.fixture
def baseline(db):
    """What the scan finds before anyone typed anything (reference data names boroughs: Lambeth is one)."""
    return hits()


@pytest.fixture
def typed_about(baseline, make_subject, officer, supervisor, outsider):
    """A subject about whom people typed the names: a rejection, an edit, break glass and a disclosure;
    then removed (with a reason that names no one) so that it can be erased."""
    subject = make_subject("submitted")
    subject = workflow.reject_subject(acting_user=supervisor, subject=subject, reason=REJECTION_REASON)
    subject = services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"given_names": "Beta"},
        reason=EDIT_REASON,
    )
    subject = workflow.submit_subject(acting_user=officer, subject=subject)
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
    subject = services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"given_names": "Gamma"},
        reason=EDIT_REASON,
    )
    services.grant_break_glass(acting_user=outsider, subject=subject, justification=BREAK_GLASS_JUSTIFICATION, hours=1)
    hooks.consulted(outsider, subject)
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=AgreementFactory(),
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name"],
    )
    sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
    subject.refresh_from_db()
    return workflow.remove_subject(acting_user=supervisor, subject=subject, reason=REMOVAL_REASON)


def erased(subject):
    return erase_subject(subject, acting_user=system_user())


def test_before_erasure_the_log_refers_to_the_text_and_reads_it_back(typed_about):
    events = AccessEvent.objects.filter(subject_uuid=typed_about.uuid)
    stated = {justification_as_read(event) for event in events}
    assert {EDIT_REASON, REJECTION_REASON, BREAK_GLASS_JUSTIFICATION, BREAK_GLASS + BREAK_GLASS_JUSTIFICATION} <= stated
    assert any(PURPOSE in text for text in stated)
    # The chained column holds references only: the text is beside the chain.
    assert not {hit for hit in hits() if hit[0] == "audit_accessevent" and hit[1] == "justification"}
    view = events.get(action=Action.CONSULT, justification__startswith=BREAK_GLASS)
    assert parse_reference(view.justification)[0] == BREAK_GLASS


def test_after_erasure_no_typed_name_survives_and_the_log_verifies(baseline, typed_about, capsys):
    before = hits() - baseline
    assert ("audit_accessevent", "justification") not in {hit[:2] for hit in before}  # never in the chain itself
    assert {hit[:2] for hit in before} >= {
        ("matrix_historicalsubject", "history_change_reason"),
        ("sharing_historicaldisclosure", "purpose"),
        ("matrix_historicalsubjectaccessgrant", "justification"),
        ("audit_loggedtext", "text"),
    }
    erased(typed_about)
    assert hits() == baseline
    assert set(LoggedText.objects.filter(subject_uuid=typed_about.uuid).values_list("text", "nonce")) == {("", "")}
    call_command("verify_audit")
    assert "chain intact" in capsys.readouterr().out


def test_history_reasons_keep_only_the_codes_words(typed_about):
    subject = erased(typed_about)
    reasons = set(subject.history.values_list("history_change_reason", flat=True))
    assert "Rejected: reason erased with the record" in reasons  # the code's label, before the typed reason
    assert REASON_ERASED in reasons  # an officer's own edit reason
    assert {"Submitted for approval", "Erased after the retention period (DPA 2018 s.39)"} <= reasons  # fixed
    assert not [reason for reason in reasons if reason and "Synthetic" in reason]


def test_the_screens_show_the_erasure_not_the_text(typed_about, client, auditor):
    subject = erased(typed_about)
    marker = f"[erased with the record on {written_day(timezone.now())}]"
    client.force_login(auditor)
    for url in (f"/audit/subjects/{subject.uuid}/", f"/audit/events/?subject={subject.reference}"):
        page = client.get(url).content.decode()
        assert marker in page, url
        assert "Testperson" not in page and not [text for text in TYPED if text in page], url
    view = AccessEvent.objects.get(subject_uuid=subject.uuid, action=Action.CONSULT, justification__startswith="Break")
    assert justification_as_read(view) == BREAK_GLASS + marker
    rows = client.get("/api/audit/events/", {"subject": subject.reference}).json()["results"]
    assert marker in {row["justification"] for row in rows}


def test_the_timeline_still_knows_a_break_glass_view(typed_about, client, auditor):
    subject = erased(typed_about)
    client.force_login(auditor)
    assert "Viewed through break glass" in client.get(f"/audit/subjects/{subject.uuid}/").content.decode()


def _tamper_logged_text(sql: str, params) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_loggedtext DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_loggedtext ENABLE TRIGGER USER")
        else:
            triggers.uninstall_sqlite(connection)
            cursor.execute(sql, params)
            triggers.install(connection)


def test_a_rewritten_text_is_reported_as_tampering(make_subject, supervisor):
    subject = make_subject("submitted")
    workflow.reject_subject(acting_user=supervisor, subject=subject, reason=REJECTION_REASON)
    text = LoggedText.objects.get(subject_uuid=subject.uuid, text=REJECTION_REASON)
    _tamper_logged_text("UPDATE audit_loggedtext SET text = %s WHERE id = %s", ["Synthetic: all fine", text.pk])
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    assert f"entry #{text.sequence}" in str(error.value) and "was altered" in str(error.value)


def test_a_deleted_text_is_reported_as_missing(make_subject, supervisor):
    subject = make_subject("submitted")
    workflow.reject_subject(acting_user=supervisor, subject=subject, reason=REJECTION_REASON)
    text = LoggedText.objects.get(subject_uuid=subject.uuid)
    _tamper_logged_text("DELETE FROM audit_loggedtext WHERE id = %s", [text.pk])
    report = verify_log()
    assert report.broken_sequence == text.sequence and "missing" in report.problem


def test_the_database_allows_erasure_only(make_subject, supervisor):
    subject = make_subject("submitted")
    workflow.reject_subject(acting_user=supervisor, subject=subject, reason=REJECTION_REASON)
    text = LoggedText.objects.get(subject_uuid=subject.uuid)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        LoggedText.objects.filter(pk=text.pk).update(text="forged")
    with transaction.atomic(), triggers.erasure_window():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            LoggedText.objects.filter(pk=text.pk).delete()
        LoggedText.objects.filter(pk=text.pk).update(text="", nonce="", erased_at=timezone.now())
    assert LoggedText.objects.get(pk=text.pk).text == ""


def test_entries_about_no_one_keep_plain_text(officer):
    event = record(Action.EXPORT, actor=officer, justification="Quarterly compliance check")
    assert event.justification == "Quarterly compliance check" and not LoggedText.objects.exists()
    lookalike = record(Action.EXPORT, actor=officer, justification=f"Synthetic {TEXT_REFERENCE}{'0' * 64}")
    text = LoggedText.objects.get()  # text that looks like a reference is kept beside the chain too
    assert lookalike.justification == TEXT_REFERENCE + text.digest and text.subject_uuid is None
    assert commitment(text.nonce, text.text) == text.digest
    assert justification_as_read(lookalike) == f"Synthetic {TEXT_REFERENCE}{'0' * 64}"


@pytest.mark.parametrize(
    ("reason", "kept"),
    [
        (ERASED_AFTER_RETENTION, ERASED_AFTER_RETENTION),
        ("Review: retain", "Review: retain"),
        ("Rejected: Synthetic: Testperson", "Rejected: reason erased with the record"),
        ("Removed at review: Synthetic", "Removed at review: reason erased with the record"),
        (EDIT_REASON, REASON_ERASED),
        ("Approved (criteria met: any v1): Synthetic", REASON_ERASED),
        ("", ""),
        (None, None),
    ],
)
def test_reason_without_typed_text(reason, kept):
    assert reason_without_typed_text(reason) == kept


def test_a_removal_reason_naming_the_person_is_erased_too(baseline, make_subject, supervisor):
    subject = make_subject("approved")
    subject = workflow.remove_subject(acting_user=supervisor, subject=subject, reason=f"Synthetic: {EDIT_REASON}")
    erased(subject)
    assert hits() == baseline


def test_an_approval_reason_naming_the_person_is_erased_too(baseline, make_subject, supervisor):
    subject = make_subject("submitted")
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject, reason=f"Synthetic: {EDIT_REASON}")
    subject = workflow.remove_subject(acting_user=supervisor, subject=subject, reason="Synthetic removal reason")
    erased(subject)
    assert hits() == baseline
