"""The erasure ledger: written after each erasure, replayed after a restore, rebuilt from tombstones, copied."""

import json
import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AccessEvent
from audit.verification import verify_chain
from matrix import erasure_ledger
from matrix.erasure_ledger import LedgerEntry, LedgerError
from matrix.models import Address
from matrix.retention import ERASED, REPLAY_USERNAME, erase_subject, system_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(settings, tmp_path):
    settings.GOVMATRIX_ERASURE_LEDGER = tmp_path / "erasure-ledger.jsonl"
    return settings.GOVMATRIX_ERASURE_LEDGER


@pytest.fixture
def removed(make_subject):
    subject = make_subject("removed", aliases="Synthetic-Nick")
    Address.objects.create(subject=subject, line_1="1 Synthetic Street", postcode="E8 1EA")
    return subject


def erase(subject, capture):
    with capture(execute=True):
        return erase_subject(subject, acting_user=system_user())


def list_as_erased(ledger, subject_uuid, reference, created_at):
    """What the ledger holds when the subject was erased after the backup the database came from."""
    erasure_ledger.append([LedgerEntry(subject_uuid, reference, created_at, timezone.now(), 9_999, "f" * 64)], ledger)


def listed_as_erased_elsewhere(subject, ledger):
    list_as_erased(ledger, subject.uuid, subject.reference, subject.created_at)


def replay(ledger) -> str:
    out = StringIO()
    call_command("replay_erasures", "--ledger", str(ledger), stdout=out)
    return out.getvalue()


def test_an_erasure_is_appended_once_committed_without_personal_data(
    removed, ledger, django_capture_on_commit_callbacks
):
    erase(removed, django_capture_on_commit_callbacks)
    lines = ledger.read_bytes().splitlines()
    assert len(lines) == 1
    event = AccessEvent.objects.get(action="erase", subject_uuid=removed.uuid)
    assert json.loads(lines[0]) == {
        "subject_uuid": str(removed.uuid),
        "reference": removed.reference,
        "created_at": removed.created_at.isoformat(),
        "erased_at": removed.__class__.objects.get(pk=removed.pk).erased_at.isoformat(),
        "access_event_sequence": event.sequence,
        "access_event_hash": event.entry_hash,
    }
    for personal in (b"Testperson", b"Alpha", b"Synthetic", b"2003", b"E8 1EA"):
        assert personal not in lines[0]


def test_nothing_is_erased_when_the_ledger_cannot_be_written(removed, settings, tmp_path):
    settings.GOVMATRIX_ERASURE_LEDGER = tmp_path / "no-such-folder" / "erasure-ledger.jsonl"
    with pytest.raises(LedgerError, match="nothing was changed"):
        erase_subject(removed, acting_user=system_user())
    removed.refresh_from_db()
    assert removed.family_name == "Testperson" and not removed.is_erased


def test_replay_erases_again_a_subject_the_restore_brought_back_and_is_idempotent(
    removed, ledger, django_capture_on_commit_callbacks
):
    listed_as_erased_elsewhere(removed, ledger)
    with django_capture_on_commit_callbacks(execute=True):
        output = replay(ledger)
    assert f"Erased again now: 1 ({removed.reference})" in output
    removed.refresh_from_db()
    assert (removed.family_name, removed.given_names, removed.aliases, removed.date_of_birth) == (
        ERASED,
        ERASED,
        "",
        None,
    )
    assert not removed.addresses.exists()
    event = AccessEvent.objects.filter(action="erase", subject_uuid=removed.uuid).get()
    assert event.actor_username == REPLAY_USERNAME and "replayed" in event.detail
    assert len(ledger.read_bytes().splitlines()) == 2  # the replayed erasure is itself in the ledger
    again = replay(ledger)
    assert "Already erased in the database: 1" in again and "Erased again now: 0" in again
    assert verify_chain().intact


def test_a_subject_restored_from_before_its_removal_is_removed_then_erased(make_subject, ledger):
    approved = make_subject("approved")
    listed_as_erased_elsewhere(approved, ledger)
    replay(ledger)
    approved.refresh_from_db()
    assert approved.status == "removed" and approved.is_erased and approved.family_name == ERASED
    assert approved.retention_until == timezone.localdate()
    assert any("Removed again" in (row.history_change_reason or "") for row in approved.history.all())


def test_a_ledger_naming_subjects_created_before_the_backup_but_absent_is_refused(removed, ledger):
    list_as_erased(ledger, uuid.uuid4(), "GM-2020-000001", timezone.now() - timedelta(days=3000))
    with pytest.raises(CommandError, match="not this database's"):
        replay(ledger)


def test_a_subject_created_after_the_backup_is_only_reported(removed, ledger):
    list_as_erased(ledger, uuid.uuid4(), "GM-2099-000001", timezone.now() + timedelta(days=1))
    output = replay(ledger)
    assert "Not in the database, created after the backup was taken: 1 (GM-2099-000001)" in output


def test_export_missing_rebuilds_a_lost_ledger_from_the_tombstones(removed, ledger, django_capture_on_commit_callbacks):
    erase(removed, django_capture_on_commit_callbacks)
    written = ledger.read_bytes()
    ledger.unlink()
    with pytest.raises(CommandError, match="There is no erasure ledger"):
        replay(ledger)
    call_command("replay_erasures", "--export-missing", "--ledger", str(ledger))
    assert ledger.read_bytes() == written
    call_command("replay_erasures", "--export-missing", "--ledger", str(ledger))
    assert ledger.read_bytes() == written


def test_a_replay_reports_erasures_missing_from_the_ledger(removed, ledger, django_capture_on_commit_callbacks):
    erase(removed, django_capture_on_commit_callbacks)
    ledger.write_bytes(b"")
    assert "missing from the ledger: 1" in replay(ledger)


def test_a_damaged_line_stops_the_replay_naming_it(removed, ledger, django_capture_on_commit_callbacks):
    erase(removed, django_capture_on_commit_callbacks)
    with open(ledger, "ab") as damaged:
        damaged.write(b'{"subject_uuid": "cut sh')
    with pytest.raises(CommandError, match="line 2, is not a ledger entry"):
        replay(ledger)


def test_the_ledger_is_copied_whole(removed, ledger, tmp_path, django_capture_on_commit_callbacks):
    erase(removed, django_capture_on_commit_callbacks)
    copy = tmp_path / "elsewhere.jsonl"
    call_command("copy_erasure_ledger", str(copy))
    assert copy.read_bytes() == ledger.read_bytes()
    assert not list(tmp_path.glob(".*partial"))
