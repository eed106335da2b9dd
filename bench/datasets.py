"""The benchmark's PostgreSQL datasets: create, migrate and seed them (``--prepare``), and describe them."""

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

PROJECT = Path(__file__).resolve().parent.parent
# Row counts printed with each dataset: what "the size" is made of.
TABLES = {
    "subjects": "matrix_subject",
    "evidence": "matrix_evidence",
    "subject_history": "matrix_historicalsubject",
    "evidence_history": "matrix_historicalevidence",
    "access_log": "audit_accessevent",
    "disclosures": "sharing_disclosure",
}
HACKNEY_SUBJECTS = (
    "SELECT count(*) FROM matrix_subject s JOIN matrix_borough b ON b.id = s.borough_id WHERE b.code = 'E09000012'"
)


@dataclass(frozen=True)
class Dataset:
    label: str  # "small" or "large"
    url: str | None  # DATABASE_URL; None when targeting a server whose database we were not told
    subjects: int  # how many subjects it is meant to hold

    @property
    def name(self) -> str:
        return size_label(self.subjects)


def size_label(count: int) -> str:
    """10000 → "10k", 1000000 → "1M"."""
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if count >= size and count % size == 0:
            return f"{count // size}{unit}"
    return str(count)


def database_name(url: str) -> str:
    return conninfo_to_dict(url)["dbname"]


def ensure_database(url: str) -> bool:
    """Create the database if it is missing (connecting to the server's ``postgres`` database); True if created."""
    name = database_name(url)
    with psycopg.connect(make_conninfo(url, dbname="postgres"), autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def manage(url: str, *args: str) -> None:
    """Run a management command of this project against ``url``; its output goes to standard error, with the
    benchmark's progress, so that standard output carries the report alone."""
    env = {**os.environ, "DATABASE_URL": url}
    env.pop("GOVMATRIX_PRODUCTION", None)  # seed_demo refuses production mode; the benchmark is never it
    subprocess.run([sys.executable, "manage.py", *args], cwd=PROJECT, env=env, check=True, stdout=sys.stderr)


def subject_count(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute("SELECT count(*) FROM matrix_subject").fetchone()[0]


def prepare(dataset: Dataset, log=print) -> None:
    """Create, migrate and seed ``dataset`` up to its subject count; skips what is already there."""
    if ensure_database(dataset.url):
        log(f"[{dataset.name}] created database {database_name(dataset.url)}")
    manage(dataset.url, "migrate", "--noinput", "--verbosity", "0")
    present = subject_count(dataset.url)
    if present >= dataset.subjects:
        log(f"[{dataset.name}] {present} subjects already present; not seeding")
        return
    log(f"[{dataset.name}] seeding {dataset.subjects - present} subjects (seed_demo --subjects)")
    manage(dataset.url, "seed_demo", "--subjects", str(dataset.subjects - present))
    with psycopg.connect(dataset.url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")  # fresh planner statistics, as autovacuum would give a live system


def sample_subjects(url: str, size: int) -> list[tuple[str, str]]:
    """A random sample of approved Hackney subjects (UUID, family name) from the whole table (the API can only
    offer the newest), so subject pages at 1M are not all recent rows that sit together in the cache."""
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT s.uuid, s.family_name FROM matrix_subject s JOIN matrix_borough b ON b.id = s.borough_id "
            "WHERE b.code = 'E09000012' AND s.status = 'approved' ORDER BY random() LIMIT %s",
            [size],
        ).fetchall()
    return [(str(uuid), family_name) for uuid, family_name in rows]


def facts(url: str) -> dict:
    """PostgreSQL version and the row counts that make up the dataset's size."""
    with psycopg.connect(url) as connection:
        rows = {
            name: connection.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))).fetchone()[0]
            for name, table in TABLES.items()
        }
        rows["hackney_subjects"] = connection.execute(HACKNEY_SUBJECTS).fetchone()[0]
        version = connection.execute("SHOW server_version").fetchone()[0]
    return {"postgresql": version, "database": database_name(url), "rows": rows}
