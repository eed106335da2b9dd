"""Concurrency with real PostgreSQL connections (issue 6 item 5; docs/engineering.md, Concurrency).

Each race runs its actions in real threads, each with its own database connection, released
together by a barrier so they genuinely overlap; every race is repeated a few times. SQLite
serialises whole write transactions, so these tests run on PostgreSQL only (CI).
"""

import threading
import time
from datetime import date, timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from audit.models import AccessEvent
from audit.verification import verify_chain
from matrix import evidence_services, retention, services, workflow
from matrix.choices import Status
from matrix.models import Borough, Subject
from matrix.services import StaleVersion
from matrix.workflow import InvalidTransition
from sharing import services as sharing
from sharing.choices import DisclosureStatus
from sharing.models import Disclosure
from tests.conftest import HACKNEY
from tests.factories import CriterionFactory, make_user
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db(transaction=True)

ITERATIONS = 5
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("races between real connections need PostgreSQL (SQLite serialises whole write transactions)")


@pytest.fixture
def people(reference_data):
    """Hackney staff, created after the reference data is back (transactional tests flush everything)."""
    CriterionFactory(code="any-classification", classifications=["suspected", "convicted", "victim", "at_risk"])
    return {
        "officer": make_user("officer", [HACKNEY], username="officer.hackney"),
        "officer_2": make_user("officer", [HACKNEY], username="officer2.hackney"),
        "supervisor_1": make_user("supervisor", [HACKNEY], username="supervisor1.hackney"),
        "supervisor_2": make_user("supervisor", [HACKNEY], username="supervisor2.hackney"),
        "supervisor_3": make_user("supervisor", [HACKNEY], username="supervisor3.hackney"),
    }


def race(*actions, timeout: float = 20):
    """Run each action in its own thread and connection, all released at once; returns (value, error) pairs."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = (action(), None)
        except Exception as error:  # noqa: BLE001 (every outcome is asserted by the caller)
            outcomes[index] = (None, error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, action)) for index, action in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout * 2)
    assert not any(thread.is_alive() for thread in threads), "a racing action hung (lock wait never ended)"
    return outcomes


def new_subject(people, status: str, n: int) -> Subject:
    subject = services.create_subject(
        acting_user=people["officer"],
        borough=Borough.objects.get(code=HACKNEY),
        family_name=f"Racer{n}",
        given_names="Synthetic",
        date_of_birth=date(2002, 4, 1),
        gender="male",
        ethnicity="not_stated",
        classification="suspected",
    )
    evidence_services.add_evidence(
        acting_user=people["officer"],
        subject=subject,
        summary="Synthetic arrest record",
        information_date=timezone.localdate(),
        source_type="police_record",
        source_reference=f"CAD-RACE-{n}",
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        nature="fact",
    )
    if status == "draft":
        return Subject.objects.get(pk=subject.pk)
    subject = workflow.submit_subject(acting_user=people["officer"], subject=subject)
    if status == "submitted":
        return Subject.objects.get(pk=subject.pk)
    assert status == "approved"
    workflow.approve_subject(acting_user=people["supervisor_1"], subject=subject)
    return Subject.objects.get(pk=subject.pk)


def alter_events(subject, detail_prefix: str = ""):
    return AccessEvent.objects.filter(subject_uuid=subject.uuid, action="alter", detail__startswith=detail_prefix)


def test_two_editors_of_one_version_one_wins_the_other_is_told_and_nothing_is_lost(people):
    for n in range(ITERATIONS):
        subject = new_subject(people, "draft", n)
        version, history_before = subject.version, subject.history.count()
        edits_before = alter_events(subject, "Edited").count()
        # Different fields, so a lost update could not hide behind "the same value was written twice".
        changes = [{"family_name": f"Editedbya{n}"}, {"aliases": f"Editedbyb{n}"}]

        edit = partial(services.update_subject, subject=subject, expected_version=version)
        outcomes = race(
            *(
                partial(
                    edit, acting_user=people[editor], changes=change, reason=f"Synthetic concurrent edit by {editor}"
                )
                for editor, change in zip(["officer", "officer_2"], changes, strict=True)
            )
        )

        succeeded = [index for index, (value, error) in enumerate(outcomes) if error is None]
        assert len(succeeded) == 1, outcomes
        winner, loser = succeeded[0], 1 - succeeded[0]
        error = outcomes[loser][1]
        assert isinstance(error, StaleVersion), repr(error)
        message = str(error)
        assert "changed by someone else" in message and "Reload it" in message
        assert f"now version {version + 1}" in message and f"you edited version {version}" in message
        assert (error.expected_version, error.current_version) == (version, version + 1)

        subject.refresh_from_db()
        assert subject.version == version + 1
        # Exactly the winner's change, and nothing of the loser's.
        assert (subject.family_name == changes[0]["family_name"]) == (winner == 0)
        assert (subject.aliases == changes[1]["aliases"]) == (winner == 1)
        assert subject.history.count() == history_before + 1
        assert subject.history.first().version == version + 1
        assert alter_events(subject, "Edited").count() == edits_before + 1


def test_two_supervisors_approving_one_submission_approve_it_once(people):
    for n in range(ITERATIONS):
        subject = new_subject(people, "submitted", n)
        version = subject.version
        # Half the time the supervisors send the version they saw (the API and the pages do), half not.
        expected = version if n % 2 == 0 else None

        approve = partial(workflow.approve_subject, subject=subject, expected_version=expected)
        outcomes = race(*(partial(approve, acting_user=people[name]) for name in ("supervisor_1", "supervisor_2")))

        succeeded = [index for index, (value, error) in enumerate(outcomes) if error is None]
        assert len(succeeded) == 1, outcomes
        error = outcomes[1 - succeeded[0]][1]
        assert isinstance(error, (InvalidTransition, StaleVersion)), repr(error)
        assert subject.reference in str(error.messages if isinstance(error, ValidationError) else error)

        subject.refresh_from_db()
        winner = people["supervisor_1" if succeeded[0] == 0 else "supervisor_2"]
        assert subject.status == Status.APPROVED and subject.approved_by == winner
        assert subject.version == version + 1
        assert subject.history.filter(history_change_reason__startswith="Approved").count() == 1
        assert alter_events(subject, "Approved").count() == 1


def check_disclosure_is_consistent(disclosure: Disclosure) -> None:
    """Every status carries exactly the fields that status implies (the database checks part of this)."""
    d = disclosure
    if d.status == DisclosureStatus.REQUESTED:
        assert d.decided_at is None and d.snapshot is None and d.revoked_at is None, d.reference
    elif d.status == DisclosureStatus.APPROVED:
        assert d.decided_by and d.decided_at and d.expires_at and d.snapshot and d.revoked_at is None, d.reference
    elif d.status == DisclosureStatus.REVOKED:
        # Only an approved disclosure can be revoked: it keeps its approval and snapshot.
        assert d.decided_by and d.decided_at and d.snapshot, d.reference
        assert d.revoked_by and d.revoked_at and d.revocation_reason, d.reference
    elif d.status == DisclosureStatus.REFUSED:
        assert d.decided_at and d.refusal_reason and d.snapshot is None and d.revoked_at is None, d.reference
    else:  # pragma: no cover
        pytest.fail(f"unknown status {d.status}")
    assert d.history.first().status == d.status, f"{d.reference}: the latest history row disagrees with the row"


def test_disclosure_approval_racing_a_revocation_and_the_subjects_removal_ends_consistent(people):
    agreement = AgreementFactory()
    lawful_basis = basis("cda-1998-s115")
    for n in range(ITERATIONS):
        subject = new_subject(people, "approved", n)
        live = sharing.approve_disclosure(
            acting_user=people["supervisor_1"],
            disclosure=sharing.request_disclosure(
                acting_user=people["officer"],
                subject=subject,
                agreement=agreement,
                lawful_basis=lawful_basis,
                purpose=PURPOSE,
                fields=["name", "evidence"],
            ),
        )
        pending = sharing.request_disclosure(
            acting_user=people["officer"],
            subject=subject,
            agreement=agreement,
            lawful_basis=lawful_basis,
            purpose=PURPOSE,
            fields=["name"],
        )
        # Rotate who does what so each supervisor's path meets the others from both sides.
        order = ["supervisor_1", "supervisor_2", "supervisor_3"]
        approver, revoker, remover = order[n % 3 :] + order[: n % 3]

        outcomes = race(
            partial(sharing.approve_disclosure, acting_user=people[approver], disclosure=pending),
            partial(
                sharing.revoke_disclosure,
                acting_user=people[revoker],
                disclosure=live,
                reason="Synthetic: the panel plan has ended",
            ),
            partial(
                workflow.remove_subject,
                acting_user=people[remover],
                subject=subject,
                reason="Synthetic: no longer meets the criteria",
            ),
        )

        (_, approve_error), (_, revoke_error), (_, remove_error) = outcomes
        # Losing a race is a clear refusal, never a database error (a deadlock, a serialisation failure).
        assert approve_error is None or isinstance(approve_error, ValidationError), repr(approve_error)
        assert revoke_error is None or isinstance(revoke_error, ValidationError), repr(revoke_error)
        assert remove_error is None, repr(remove_error)

        subject.refresh_from_db()
        assert subject.status == Status.REMOVED
        assert not Disclosure.objects.filter(subject=subject).live().exists()
        assert not Disclosure.objects.filter(subject=subject, status__in=["approved", "requested"]).exists()
        live.refresh_from_db()
        pending.refresh_from_db()
        assert live.status == DisclosureStatus.REVOKED
        # The pending request was either approved and then revoked by the removal, or closed by it unapproved.
        assert pending.status in (DisclosureStatus.REVOKED, DisclosureStatus.REFUSED)
        assert (pending.status == DisclosureStatus.REVOKED) == (approve_error is None)
        for disclosure in (live, pending):
            check_disclosure_is_consistent(disclosure)
        disclosed = AccessEvent.objects.filter(action="disclose", object_uuid=pending.uuid).count()
        assert disclosed == (1 if approve_error is None else 0)
        assert AccessEvent.objects.filter(object_uuid=live.uuid, detail="Disclosure revoked").count() == 1
        assert subject.history.filter(history_change_reason__startswith="Removed").count() == 1

    report = verify_chain()
    assert report.intact, report.problem


def blocking_another_connection() -> bool:
    """True while another connection waits for a lock that this connection holds.

    pg_locks, not pg_stat_activity: the latter is a snapshot taken once per transaction.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted AND pg_backend_pid() = ANY(pg_blocking_pids(pid)))"
        )
        return cursor.fetchone()[0]


@pytest.mark.postgres_only
def test_an_edit_racing_the_review_run_keeps_both_the_edit_and_the_runs_flag(people, monkeypatch):
    """The run reads a subject, an officer's edit commits, the run saves: neither change may be lost."""
    real_assess = retention.assess_subject
    run_day = timezone.localdate() + timedelta(days=366)  # the evidence has aged out: the run flags a lapse
    for n in range(ITERATIONS):
        subject = new_subject(people, "approved", n)
        version, history_before = subject.version, subject.history.count()
        assert subject.criteria_lapsed_at is None
        run_has_read, edit_done, held_until = threading.Event(), threading.Event(), []

        def assess(candidate, _subject=subject, _read=run_has_read, _done=edit_done, _held=held_until, **kwargs):
            if candidate.pk == _subject.pk:
                _read.set()
                # Hold the run between reading this subject and saving it until the edit has committed, or
                # is queued behind a lock the run holds (then waiting longer would only deadlock the two).
                deadline = time.monotonic() + 10
                while not _held:
                    if _done.is_set():
                        _held.append("the edit committed")
                    elif blocking_another_connection():
                        _held.append("the edit waited for the run's lock")
                    elif time.monotonic() > deadline:
                        _held.append("timeout")
                    else:
                        time.sleep(0.02)
            return real_assess(candidate, **kwargs)

        monkeypatch.setattr(retention, "assess_subject", assess)

        def edit(_subject=subject, _version=version, _read=run_has_read, _done=edit_done, _n=n):
            try:
                assert _read.wait(timeout=10), "the review run never reached the subject"
                return services.update_subject(
                    acting_user=people["officer"],
                    subject=_subject,
                    expected_version=_version,
                    changes={"family_name": f"Renamed{_n}"},
                    reason="Synthetic: spelling of the name corrected",
                )
            finally:
                _done.set()

        (report, run_error), (_, edit_error) = race(lambda: retention.run_reviews(today=run_day), edit)
        # The run is a recalculation, not an edit: it does not bump the version, so the officer's edit of the
        # version they loaded is accepted, made on the row as the run left it.
        assert run_error is None, repr(run_error)
        assert edit_error is None, repr(edit_error)
        assert report.newly_lapsed == 1
        assert held_until in (["the edit committed"], ["the edit waited for the run's lock"]), held_until

        subject.refresh_from_db()
        assert subject.family_name == f"Renamed{n}", "the review run overwrote the officer's edit"
        assert subject.criteria_lapsed_at is not None, "the officer's edit overwrote the review run's flag"
        assert subject.version == version + 1
        latest = subject.history.first()
        assert (latest.family_name, latest.version) == (f"Renamed{n}", version + 1)
        assert latest.criteria_lapsed_at is not None
        assert subject.history.count() == history_before + 2
        assert subject.history.filter(history_change_reason__startswith="Scheduled review run").count() == 1
        assert alter_events(subject, "Scheduled review run").count() == 1
        assert alter_events(subject, "Edited").count() == 1
        monkeypatch.undo()

    report = verify_chain()
    assert report.intact, report.problem
