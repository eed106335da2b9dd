"""Checking the access log's hash chain at scale: full checks, checks since the last good one, their kept results,
and what each can and cannot miss (issue 7: the API must not walk millions of entries in one request)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import chain
from audit.log import record
from audit.models import AccessEvent, Action, ChainCheck, CheckScope
from audit.verification import START_OF_LOG, check_chain, latest_full_check, verify_chain
from tests.audit.test_audit_log import _tamper

pytestmark = pytest.mark.django_db


def entries(count: int, start: int = 0) -> list[AccessEvent]:
    return [record(Action.CONSULT, username="someone", detail=f"Synthetic {start + n}") for n in range(count)]


def full_check(**options) -> ChainCheck:
    return check_chain(scope=CheckScope.FULL, requested_by="test", **options)


def since_last(**options) -> ChainCheck:
    return check_chain(scope=CheckScope.SINCE_LAST, requested_by="test", **options)


def head() -> AccessEvent:
    return AccessEvent.objects.order_by("-sequence").first()


def test_a_full_check_reads_every_entry_and_keeps_where_it_got_to():
    entries(5)
    check = full_check()
    newest = head()
    assert check.intact and check.reached_end
    assert (check.first_sequence, check.checked) == (1, AccessEvent.objects.count())
    assert (check.through_sequence, check.through_hash) == (newest.sequence, newest.entry_hash)
    assert ChainCheck.objects.get() == check


def test_a_check_since_the_last_reads_only_what_was_added_since():
    entries(5)
    first = full_check()
    entries(3)
    check = since_last()
    assert check.intact and check.checked == 3
    assert check.first_sequence == first.through_sequence  # the earlier check's last entry, re-read
    assert check.through_sequence == head().sequence
    nothing_new = since_last()
    assert nothing_new.intact and nothing_new.checked == 0 and nothing_new.through_sequence == head().sequence


def test_a_limited_check_stops_and_the_next_one_carries_on():
    entries(10)
    total = AccessEvent.objects.count()
    first = since_last(limit=4)
    assert (first.checked, first.reached_end, first.through_sequence) == (4, False, 4)
    second = since_last(limit=4)
    assert (second.first_sequence, second.checked, second.reached_end, second.through_sequence) == (4, 4, False, 8)
    rest = since_last(limit=100)
    assert rest.reached_end and rest.through_sequence == total


def test_an_alteration_after_the_last_good_check_is_found_by_the_next_check():
    entries(3)
    full_check()
    added = entries(3, start=3)
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [added[1].pk])
    check = since_last()
    assert not check.intact and check.broken_sequence == added[1].sequence and "was altered" in check.problem
    assert check.through_sequence == added[0].sequence  # what it did find good is kept
    assert since_last().broken_sequence == added[1].sequence  # and every later check finds it again


def test_the_last_good_entry_is_re_read_so_altering_it_is_found_too():
    entries(3)
    anchor = full_check().through_sequence
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE sequence = %s", [anchor])
    check = since_last()
    assert not check.intact and check.broken_sequence == anchor


def test_only_a_full_check_finds_an_alteration_before_the_last_good_check():
    events = entries(4)
    full_check()
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [events[1].pk])
    assert since_last().intact  # it reads only the entries after the checkpoint: it says so in its scope
    found = full_check()
    assert not found.intact and found.broken_sequence == events[1].sequence


def test_a_chain_rewritten_with_fresh_hashes_is_caught_by_the_earlier_checkpoint():
    """Someone with database rights rewrites an entry and re-seals it and every entry after it: the chain is
    consistent again, but the newest entry no longer has the hash an earlier check found there."""
    events = entries(4)
    full_check()
    rows = list(AccessEvent.objects.filter(sequence__gte=events[1].sequence).order_by("sequence"))
    previous_hash = AccessEvent.objects.get(sequence=events[1].sequence - 1).entry_hash
    for row in rows:
        row.previous_hash = previous_hash
        if row.pk == events[1].pk:
            row.detail = "forged"
        row.entry_hash = chain.seal(row)
        _tamper(
            "UPDATE audit_accessevent SET detail = %s, previous_hash = %s, entry_hash = %s WHERE id = %s",
            [row.detail, row.previous_hash, row.entry_hash, row.pk],
        )
        previous_hash = row.entry_hash
    assert verify_chain(START_OF_LOG).intact  # on its own, the rewritten chain is consistent
    check = full_check()
    assert not check.intact and check.broken_sequence == rows[-1].sequence and "rewritten" in check.problem


def test_newest_entries_deleted_after_a_check_are_found_missing():
    events = entries(4)
    good = full_check().through_sequence
    _tamper("DELETE FROM audit_accessevent WHERE sequence >= %s", [events[2].sequence])
    check = full_check()
    assert not check.intact and check.broken_sequence == events[2].sequence
    assert f"#{events[2].sequence} to #{good}" in check.problem and "missing" in check.problem
    assert not since_last().intact  # the last good entry itself is gone


@pytest.mark.parametrize("statement", ["UPDATE audit_chaincheck SET checked = 0", "DELETE FROM audit_chaincheck"])
def test_kept_checks_cannot_be_changed_or_deleted(statement):
    entries(1)
    full_check()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert ChainCheck.objects.count() == 1


def test_the_command_checks_the_whole_log_or_since_the_last(capsys):
    entries(4)
    call_command("verify_audit")
    assert "chain intact:" in capsys.readouterr().out
    entries(2)
    call_command("verify_audit", "--since-last", "--limit", "1")
    out = capsys.readouterr().out
    assert "from entry #" in out and "1 entries checked" in out and "stopped at the limit" in out
    assert ChainCheck.objects.filter(scope=CheckScope.FULL).count() == 1
    with pytest.raises(CommandError):
        call_command("verify_audit", "--limit", "0")


def test_the_api_checks_since_the_last_good_check_within_its_limit(api_as, auditor, settings):
    settings.GOVMATRIX_CHAIN_CHECK_REQUEST_LIMIT = 3
    entries(5)
    body = api_as(auditor).get("/api/audit/verify/").json()
    assert body["intact"] is True and body["last_full_check"] is None
    assert body["this_check"] == {
        **body["this_check"],
        "scope": "since_last",
        "first_sequence": 1,
        "checked": 3,
        "through_sequence": 3,
        "reached_end": False,
        "requested_by": auditor.username,
    }
    entry = AccessEvent.objects.filter(action=Action.SEARCH).order_by("-sequence").first()
    assert entry.actor_username == auditor.username and entry.detail.startswith(
        "Access log chain checked through the API"
    )
    assert api_as(auditor).get("/api/audit/verify/").json()["this_check"]["first_sequence"] == 3


def test_after_a_full_check_finds_a_break_the_api_finds_it_too_and_shows_both(api_as, auditor):
    events = entries(4)
    full_check()
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [events[0].pk])
    full_check()
    entries(2)
    body = api_as(auditor).get("/api/audit/verify/").json()
    assert body["this_check"]["broken_sequence"] == body["last_full_check"]["broken_sequence"] == events[0].sequence
    assert body["intact"] is False


def test_the_access_log_page_shows_the_last_full_check(client, auditor):
    client.force_login(auditor)
    assert "The whole log has not been checked yet" in client.get("/audit/events/").content.decode()
    events = entries(2)
    check = full_check()
    assert (
        f"intact, {check.checked} entries up to #{check.through_sequence}"
        in client.get("/audit/events/").content.decode()
    )
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [events[0].pk])
    full_check()
    body = client.get("/audit/events/").content.decode()
    assert "chain is broken" in body and f"entry #{events[0].sequence}" in body


def test_a_break_stays_reported_until_a_full_check_reads_the_whole_log_intact():
    events = entries(12)
    full_check()
    _tamper("UPDATE audit_accessevent SET detail = 'forged' WHERE id = %s", [events[9].pk])
    broken = full_check()
    assert broken.broken_sequence == events[9].sequence
    entries(3)
    assert since_last().broken_sequence == events[9].sequence  # it starts before the break, not after it
    partial = full_check(limit=1)
    assert partial.intact and not partial.reached_end
    assert latest_full_check() == broken  # a full check cut short by its limit is not a check of the whole log
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit", "--limit", "1")
    with pytest.raises(CommandError, match="BROKEN"):
        call_command("verify_audit", "--since-last")
    _tamper("UPDATE audit_accessevent SET detail = %s WHERE id = %s", [events[9].detail, events[9].pk])
    repaired = full_check()
    assert repaired.intact and repaired.reached_end and latest_full_check() == repaired
    assert since_last().intact
