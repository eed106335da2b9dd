"""Append-only enforcement in the database itself, on PostgreSQL and SQLite.

The access log, its chain checks, statistics releases and impact assessments refuse every UPDATE and DELETE. History tables (django-simple-history) refuse them
too, except UPDATEs made inside an erasure window: the one path that overwrites personal data in
history when the retention period ends (SPEC §3.5). Triggers are (re)installed after every migrate,
so a history table added later is covered without a new migration.
"""

from contextlib import contextmanager

from django.apps import apps
from django.db import connection

ACCESS_LOG_TABLE = "audit_accessevent"
# Records that are written once and never changed: the log, the results of checking it, the published
# statistics (anyone may hold a copy) and each version of an impact assessment.
APPEND_ONLY_TABLES = (
    ACCESS_LOG_TABLE, "audit_chaincheck", "transparency_statisticsrelease", "transparency_impactassessment",
)
ERASURE_SETTING = "govmatrix.erasure"

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
"""


# The apps whose history tables (django-simple-history) are protected; accounts holds the users' history.
HISTORY_APPS = ("matrix", "sharing", "audit", "accounts")


def history_tables() -> list[str]:
    return sorted(
        model._meta.db_table
        for model in apps.get_models()
        if model.__name__.startswith("Historical") and model._meta.app_label in HISTORY_APPS
    )


def _postgres_statements(table: str, function: str) -> list[str]:
    return [
        f'DROP TRIGGER IF EXISTS govmatrix_append_only ON "{table}"',
        f'CREATE TRIGGER govmatrix_append_only BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION {function}()",
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
    tables = [(table, False) for table in APPEND_ONLY_TABLES] + [(table, True) for table in history_tables()]
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
    """Only for `manage.py flush` on SQLite, which empties every table (PostgreSQL's TRUNCATE bypasses row triggers)."""
    with using.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND (name LIKE '%_no_update' OR name LIKE '%_no_delete')")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


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
