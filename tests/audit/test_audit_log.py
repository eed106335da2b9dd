"""The s.62 access log: every action type is written with the right actor, object and justification,
through the pages and the API; the database refuses changes; verify_audit finds tampering."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audit import triggers
from audit.log import justification_as_read, record
from audit.models import AccessEvent
from audit.verification import verify_chain
from matrix.models import Borough, Subject
from sharing import services as sharing
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import TEST_PASSWORD, make_user
from tests.sharing_factories import AgreementFactory, basis

NEW_SUBJECT = {
    "borough": HACKNEY,
    "family_name": "Testperson",
    "given_names": "Alpha",
    "date_of_birth": "2004-03-02",
    "gender": "male",
    "ethnicity": "not_stated",
    "classification": "suspected",
}


def last(action: str) -> AccessEvent:
    return AccessEvent.objects.filter(action=action).order_by("-sequence").first()


@pytest.mark.django_db
class TestEachActionThroughThePages:
    def test_collect(self, client, officer):
        client.force_login(officer)
        client.post(
            "/subjects/new/",
            {
                "borough": Borough.objects.get(code=HACKNEY).pk,
                "classification": "at_risk",
                "family_name": "Testperson",
                "given_names": "Echo",
                "date_of_birth": "2012-02-02",
                "gender": "female",
                "ethnicity": "not_stated",
            },
        )
        subject = Subject.objects.get()
        event = last("collect")
        assert (event.actor_username, event.subject_uuid, event.object_type) == (
            officer.username,
            subject.uuid,
            "subject",
        )
        assert event.request_id is not None and event.borough_code == HACKNEY

    def test_consult_and_break_glass_justification(self, client, make_subject):
        subject = make_subject("approved")
        outsider = make_user("officer", [SOUTHWARK])
        from matrix import services

        services.grant_break_glass(
            acting_user=outsider, subject=subject, justification="Synthetic joint operation OP-7 needs this", hours=1
        )
        client.force_login(outsider)
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 200
        event = last("consult")
        assert event.actor_username == outsider.username and event.subject_reference == subject.reference
        assert justification_as_read(event) == "Break glass: Synthetic joint operation OP-7 needs this"

    def test_search_records_filters_but_not_the_text(self, client, officer, make_subject):
        make_subject("draft")
        client.force_login(officer)
        client.get("/subjects/", {"q": "Testperson", "classification": "suspected"})
        event = last("search")
        assert "classification=suspected" in event.detail and "text search" in event.detail
        assert "Testperson" not in event.detail

    def test_alter_with_reason(self, client, officer, supervisor, make_subject):
        subject = make_subject("submitted")
        client.force_login(supervisor)
        client.post(
            f"/subjects/{subject.uuid}/reject/",
            {"reason": "Synthetic: sources not independent", "version": subject.version},
        )
        event = last("alter")
        assert event.actor_username == supervisor.username and event.detail == "Rejected"
        assert justification_as_read(event) == "Synthetic: sources not independent"

    def test_disclose_names_recipient_and_basis(self, client, officer, supervisor, make_subject):
        subject = make_subject("approved")
        agreement = AgreementFactory()
        disclosure = sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: diversion plan",
            fields=["name"],
        )
        client.force_login(supervisor)
        client.post(f"/disclosures/{disclosure.uuid}/approve/")
        event = last("disclose")
        assert event.actor_username == supervisor.username and event.recipient == agreement.partner.name
        assert (
            justification_as_read(event).startswith("Crime and Disorder Act 1998 s.115")
            and event.object_uuid == disclosure.uuid
        )

    def test_login_and_login_failed(self, client, officer):
        client.post("/sign-in/", {"username": officer.username, "password": "wrong-password-123"})
        failed = last("login_failed")
        assert failed.actor_username == officer.username and failed.outcome == "refused" and failed.actor_id is None
        client.post("/sign-in/", {"username": officer.username, "password": TEST_PASSWORD})
        assert last("login").actor_id == officer.pk

    def test_denied_other_borough(self, client, make_subject):
        subject = make_subject("approved")
        outsider = make_user("officer", [SOUTHWARK])
        client.force_login(outsider)
        assert client.get(f"/subjects/{subject.uuid}/").status_code == 404
        event = last("denied")
        assert event.actor_username == outsider.username and event.subject_reference == subject.reference
        assert event.outcome == "refused"

    def test_denied_wrong_role(self, client, auditor):
        client.force_login(auditor)
        assert client.get("/subjects/new/").status_code == 403
        assert last("denied").actor_username == auditor.username

    def test_erase(self, make_subject, supervisor):
        from matrix import workflow
        from matrix.retention import erase_subject, system_user

        subject = make_subject("approved")
        workflow.remove_subject(
            acting_user=make_user("supervisor", [HACKNEY]), subject=subject, reason="Synthetic removal"
        )
        erase_subject(subject, acting_user=system_user())
        event = last("erase")
        assert event.actor_username == "system.run_reviews" and event.subject_uuid == subject.uuid


@pytest.mark.django_db
class TestEachActionThroughTheApi:
    def test_collect_alter_consult_search(self, api_as, officer):
        client = api_as(officer)
        body = client.post("/api/subjects/", NEW_SUBJECT, format="json").json()
        assert last("collect").object_uuid.hex == body["id"].replace("-", "")
        client.patch(
            f"/api/subjects/{body['id']}/",
            {"given_names": "Bravo", "version": 1, "change_reason": "Spelling"},
            format="json",
        )
        alter = last("alter")
        assert alter.actor_username == officer.username and justification_as_read(alter) == "Spelling"
        assert "given_names" in alter.detail
        client.get(f"/api/subjects/{body['id']}/")
        assert last("consult").detail == "Subject record read through the API"
        client.get("/api/subjects/", {"q": "Testperson"})
        assert last("search").detail.startswith("API subject list: q=(text)")

    def test_disclose_and_denied(self, api_as, officer, supervisor, make_subject):
        subject = make_subject("approved")
        agreement = AgreementFactory()
        created = (
            api_as(officer)
            .post(
                "/api/disclosures/",
                {
                    "subject": str(subject.uuid),
                    "agreement": str(agreement.uuid),
                    "lawful_basis": "cda-1998-s115",
                    "purpose": "Synthetic: diversion plan",
                    "fields": ["name"],
                },
                format="json",
            )
            .json()
        )
        assert api_as(officer).post(f"/api/disclosures/{created['id']}/approve/").status_code == 403
        assert last("denied").actor_username == officer.username
        api_as(supervisor).post(f"/api/disclosures/{created['id']}/approve/")
        assert last("disclose").recipient == agreement.partner.name

    def test_denied_other_borough(self, api_as, make_subject):
        subject = make_subject("approved")
        outsider = make_user("officer", [SOUTHWARK])
        assert api_as(outsider).get(f"/api/subjects/{subject.uuid}/").status_code == 404
        assert last("denied").subject_reference == subject.reference


@pytest.mark.django_db
class TestAppendOnly:
    def test_update_is_refused_by_the_database(self, officer):
        event = record("consult", actor=officer, detail="Synthetic")
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("UPDATE audit_accessevent SET detail = 'changed' WHERE id = %s", [event.pk])
        event.refresh_from_db()
        assert event.detail == "Synthetic"

    def test_delete_is_refused_by_the_database(self, officer):
        event = record("consult", actor=officer, detail="Synthetic")
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_accessevent WHERE id = %s", [event.pk])
        assert AccessEvent.objects.filter(pk=event.pk).exists()

    def test_history_rows_cannot_be_rewritten_outside_erasure(self, make_subject):
        subject = make_subject("draft")
        table = Subject.history.model._meta.db_table
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET family_name = 'Rewritten' WHERE id = %s", [subject.pk])
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [subject.pk])
        assert set(subject.history.values_list("family_name", flat=True)) == {"Testperson"}

    def test_the_erasure_window_allows_redaction_only_inside_it(self, make_subject):
        subject = make_subject("draft")
        table = Subject.history.model._meta.db_table
        with transaction.atomic(), triggers.erasure_window():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET family_name = '[erased]' WHERE id = %s", [subject.pk])
        assert set(subject.history.values_list("family_name", flat=True)) == {"[erased]"}
        with pytest.raises(DatabaseError), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"UPDATE {table} SET family_name = 'Again' WHERE id = %s", [subject.pk])


def _tamper(sql: str, params) -> None:
    """Alter a row behind the triggers' back, as someone with the database owner's rights could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_accessevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_accessevent ENABLE TRIGGER USER")
        else:
            triggers.uninstall_sqlite(connection)
            cursor.execute(sql, params)
            triggers.install(connection)


@pytest.mark.django_db
class TestVerifyAudit:
    def make_chain(self, officer, count=5):
        return [record("consult", actor=officer, detail=f"Synthetic {n}") for n in range(count)]

    def test_intact_chain_passes(self, officer, capsys):
        already = AccessEvent.objects.count()  # granting the fixture officer's role and borough is logged too
        self.make_chain(officer)
        call_command("verify_audit")
        assert f"chain intact: {already + 5} entries checked" in capsys.readouterr().out

    def test_altered_row_is_named(self, officer):
        events = self.make_chain(officer)
        _tamper("UPDATE audit_accessevent SET justification = 'forged' WHERE id = %s", [events[2].pk])
        with pytest.raises(CommandError) as error:
            call_command("verify_audit")
        assert f"entry #{events[2].sequence}" in str(error.value) and "was altered" in str(error.value)

    def test_deleted_row_is_named(self, officer):
        events = self.make_chain(officer)
        _tamper("DELETE FROM audit_accessevent WHERE id = %s", [events[1].pk])
        report = verify_chain()
        assert not report.intact and report.broken_sequence == events[1].sequence
        assert "missing" in report.problem

    def test_a_rehashed_forgery_still_breaks_the_next_link(self, officer):
        from audit import chain

        events = self.make_chain(officer)
        forged = AccessEvent.objects.get(pk=events[2].pk)
        forged.justification = "forged"
        _tamper(
            "UPDATE audit_accessevent SET justification = %s, entry_hash = %s WHERE id = %s",
            ["forged", chain.seal(forged), forged.pk],
        )
        report = verify_chain()
        assert report.broken_sequence == events[3].sequence


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_leave_a_valid_chain(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers with real connections need PostgreSQL (SQLite serialises whole transactions)")
    from django.db import connections

    threads_count, per_thread = 8, 25
    errors = []

    def append(number: int):
        try:
            for n in range(per_thread):
                record("consult", username=f"thread{number}", detail=f"Synthetic concurrent {number}/{n}")
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=append, args=(number,)) for number in range(threads_count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert errors == []
    report = verify_chain()
    assert report.intact, report.problem
    assert report.checked == AccessEvent.objects.count() >= threads_count * per_thread
