"""Every append-only and history table in the database is protected by its triggers (audit/triggers.py).

The tables are read from the database's own catalogue, not from the list the triggers are built from,
so a history table added by any app, or a model that declares itself append-only, fails here until the
triggers cover it.
"""

from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import triggers
from audit.log import record
from audit.models import AccessEvent
from tests.conftest import HACKNEY
from transparency.models import AssessmentKind, ImpactAssessment, PopulationBaseline

pytestmark = pytest.mark.django_db

TRANSPARENCY_HISTORY = ("transparency_historicalpopulationbaseline", "transparency_historicalimpactassessment")


def database_tables() -> set[str]:
    return set(connection.introspection.table_names())


def guarded_operations(table: str) -> set[str]:
    """The operations the database refuses on ``table``, read from its trigger catalogue."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                """SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
                   WHERE c.relname = %s AND NOT t.tgisinternal AND t.tgenabled <> 'D'""",
                [table],
            )
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        definitions = " ".join(definition for _, definition in cursor.fetchall()).upper()
    return {operation for operation in ("UPDATE", "DELETE", "TRUNCATE") if f" {operation} " in f" {definitions} "}


def required_operations() -> set[str]:
    return {"UPDATE", "DELETE", "TRUNCATE"} if connection.vendor == "postgresql" else {"UPDATE", "DELETE"}


def test_every_history_table_in_the_database_is_protected():
    history = {table for table in database_tables() if "_historical" in table}
    assert set(TRANSPARENCY_HISTORY) <= history
    unprotected = {
        table: guarded_operations(table) for table in history if guarded_operations(table) != required_operations()
    }
    assert unprotected == {}


def test_every_append_only_model_is_protected():
    tables = set(triggers.append_only_tables())
    assert {
        "audit_accessevent",
        "audit_chaincheck",
        "transparency_statisticsrelease",
        "transparency_impactassessment",
    } <= tables
    assert tables <= database_tables()
    assert {table: guarded_operations(table) for table in tables} == dict.fromkeys(tables, required_operations())


def test_every_erasable_only_model_is_protected():
    """The typed text kept beside the access log: changed only by erasure, never deleted (audit.models.LoggedText)."""
    tables = set(triggers.erasable_only_tables())
    assert "audit_loggedtext" in tables and tables <= database_tables()
    assert {table: guarded_operations(table) for table in tables} == dict.fromkeys(tables, required_operations())
    assert {(table, True) for table in tables} <= set(triggers.protected_tables())


def test_logged_text_refuses_update_outside_erasure_and_delete_always(officer, make_subject):
    subject = make_subject("draft")
    record("consult", actor=officer, subject=subject, justification="Synthetic text about a person")
    for statement in ("UPDATE audit_loggedtext SET text = 'forged'", "DELETE FROM audit_loggedtext"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)
    with transaction.atomic(), triggers.erasure_window():
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM audit_loggedtext")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_loggedtext SET text = '', nonce = '', erased_at = CURRENT_TIMESTAMP")


def test_the_registry_names_every_history_table_the_database_holds():
    in_database = {table for table in database_tables() if "_historical" in table}
    assert set(triggers.history_tables()) == in_database


def write_transparency_history(user) -> None:
    """One row in each transparency history table (row triggers only fire on rows that exist)."""
    PopulationBaseline.objects.create(
        area_code=HACKNEY, dimension="gender", group="female", population=1, source="Synthetic census", year=2021
    )
    ImpactAssessment.objects.create(
        kind=AssessmentKind.choices[0][0],
        title="Synthetic assessment",
        version="1",
        assessed_on=date(2026, 1, 5),
        approver_name="Synthetic Approver",
        approver_role="DPO",
        residual_risks="None accepted",
        summary="Synthetic",
        next_review_on=date(2027, 1, 5),
        recorded_by=user,
    )


@pytest.mark.parametrize("table", TRANSPARENCY_HISTORY)
def test_transparency_history_refuses_update_and_delete(officer, table):
    write_transparency_history(officer)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] >= 1
    for statement in (f"UPDATE {table} SET history_id = history_id", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement)


@pytest.mark.postgres_only
@pytest.mark.parametrize(
    "table", ["audit_accessevent", "matrix_historicalsubject", "transparency_statisticsrelease", "audit_loggedtext"]
)
def test_truncate_is_refused_on_postgresql(officer, table):
    record("consult", actor=officer, detail="Synthetic entry that must survive")
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f'TRUNCATE "{table}" CASCADE')
    assert AccessEvent.objects.filter(detail="Synthetic entry that must survive").exists()


@pytest.mark.postgres_only
def test_the_flush_window_is_the_session_only(officer):
    """After a flush the session refuses TRUNCATE again."""
    with triggers.flush_window(connection):
        pass
    with pytest.raises(DatabaseError, match="TRUNCATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute('TRUNCATE "audit_accessevent"')


def test_flush_is_refused_in_production_mode(settings, officer):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="refused in production mode"):
        call_command("flush", interactive=False, verbosity=0)
    assert AccessEvent.objects.exists()
