"""Append-only enforcement in the database itself, on PostgreSQL and SQLite.

Which tables are protected comes from the model registry, not a list kept by hand: every model that
declares ``append_only = True`` (the access log, its chain checks, statistics releases, impact
assessments) refuses every UPDATE, DELETE and, on PostgreSQL, TRUNCATE. Every history table
(django-simple-history, any app) refuses them too, except UPDATEs made inside an erasure window: the
one path that overwrites personal data in history when the retention period ends (docs/retention.md, Erasure
and the tombstone). Models that declare ``erasable_only = True`` (the typed text kept beside the access
log) are guarded the same way.
Triggers are (re)installed after every migrate, so a table added later is covered without a new
migration, and tests/audit/test_append_only_tables.py fails on any table left unprotected.

A database owner can still disable triggers; these stop the application, an operator's slip and
anyone with ordinary write rights. Tampering by the owner is what the hash chain detects.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection
from simple_history.models import HistoricalChanges

ERASURE_SETTING = "govmatrix.erasure"
# Set for the length of `manage.py flush` only (audit/management/commands/flush.py), which empties every table.
FLUSH_SETTING = "govmatrix.flush"

POSTGRES_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION govmatrix_refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;
CREATE OR REPLACE FUNCTION govmatrix_refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND current_setting('{ERASURE_SETTING}', true) = 'on' THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP;
END $$;
CREATE OR REPLACE FUNCTION govmatrix_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('{FLUSH_SETTING}', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME;
END $$;
"""


def append_only_tables() -> list[str]:
    """Tables of the models that declare ``append_only = True``: written once, never changed or deleted
    (the access log, its checks, published statistics, each version of an impact assessment)."""
    return sorted(model._meta.db_table for model in apps.get_models() if getattr(model, "append_only", False))


def history_tables() -> list[str]:
    """Every django-simple-history table, of every app: history is never rewritten except on erasure."""
    return sorted(model._meta.db_table for model in apps.get_models() if issubclass(model, HistoricalChanges))


def erasable_only_tables() -> list[str]:
    """Tables of the models that declare ``erasable_only = True`` (the text typed beside the access log,
    audit.models.LoggedText): written once, changed only by erasure, never deleted. Guarded like history."""
    return sorted(model._meta.db_table for model in apps.get_models() if getattr(model, "erasable_only", False))


def protected_tables() -> list[tuple[str, bool]]:
    """(table, is_history) for every table the triggers protect. ``is_history``: UPDATE is allowed inside an
    erasure window (history tables, and the erasable-only tables, which are treated the same way)."""
    return (
        [(table, False) for table in append_only_tables()]
        + [(table, True) for table in history_tables()]
        + [(table, True) for table in erasable_only_tables()]
    )


def _postgres_statements(table: str, function: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS govmatrix_append_only ON "{table}"',
        f'CREATE TRIGGER govmatrix_append_only BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
        # TRUNCATE is not a row change, so the row trigger above never sees it.
        f'DROP TRIGGER IF EXISTS govmatrix_no_truncate ON "{table}"',
        f'CREATE TRIGGER govmatrix_no_truncate BEFORE TRUNCATE ON "{table}" '
        "FOR EACH STATEMENT EXECUTE FUNCTION govmatrix_refuse_truncate()",
    ]


def _sqlite_statements(table: str, erasure_may_update: bool) -> list[str]:
    update_guard = "WHEN NOT EXISTS (SELECT 1 FROM audit_erasuregate) " if erasure_may_update else ""
    return [
        f'DROP TRIGGER IF EXISTS "{table}_no_update"',
        f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" {update_guard}'
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f'DROP TRIGGER IF EXISTS "{table}_no_delete"',
        f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


def install(using=connection) -> None:
    existing = set(using.introspection.table_names())
    tables = protected_tables()
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute(POSTGRES_FUNCTIONS)
        for table, is_history in tables:
            if table not in existing:
                continue
            if using.vendor == "postgresql":
                function = "govmatrix_refuse_history_change" if is_history else "govmatrix_refuse_log_change"
                statements = _postgres_statements(table, function)
            elif using.vendor == "sqlite":
                statements = _sqlite_statements(table, erasure_may_update=is_history)
            else:
                raise NotImplementedError(f"No append-only triggers for {using.vendor}")
            for statement in statements:
                cursor.execute(statement)


def uninstall_sqlite(using=connection) -> None:
    """Only for `manage.py flush` on SQLite, which empties every table with DELETE."""
    with using.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')"
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


@contextmanager
def flush_window(using):
    """Let this PostgreSQL session TRUNCATE the protected tables, for `manage.py flush` only."""
    with using.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', false)", [FLUSH_SETTING])
    try:
        yield
    finally:
        with using.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', false)", [FLUSH_SETTING])


@contextmanager
def erasure_window(using=connection):
    """Let this transaction overwrite history rows. Must be used inside ``transaction.atomic()``."""
    with using.cursor() as cursor:
        if using.vendor == "postgresql":
            cursor.execute("SELECT set_config(%s, 'on', true)", [ERASURE_SETTING])
        else:
            cursor.execute("INSERT INTO audit_erasuregate (opened_at) VALUES (CURRENT_TIMESTAMP)")
    try:
        yield
    finally:
        with using.cursor() as cursor:
            if using.vendor == "postgresql":
                cursor.execute("SELECT set_config(%s, 'off', true)", [ERASURE_SETTING])
            else:
                cursor.execute("DELETE FROM audit_erasuregate")
