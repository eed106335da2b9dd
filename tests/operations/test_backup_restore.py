"""docs/backup-and-restore.md, run literally: back up, erase someone, restore the older dump (they are back), replay
the erasure ledger (they are gone again), and the access log's chain is intact.

The round trip runs in a database of its own (created and dropped here), with the documented shell variables
and the repository as GOVMATRIX_HOME; management commands run as subprocesses, as an operator runs them.
"""

import os
import re
import secrets
import shlex
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from matrix.retention import ERASED
from tests.docs_runner import BlockFailed, run_block, sh_blocks

BASE_DIR = Path(__file__).resolve().parents[2]
GUIDE = BASE_DIR / "docs" / "backup-and-restore.md"
DOCUMENTED_VARIABLES = {
    "PGHOST",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "GOVMATRIX_HOME",
    "GOVMATRIX_ETC",
    "GOVMATRIX_PORT",
    "BACKUP_DIR",
}

# Steps the guide leaves to the operator: which record and when. Run with `manage.py shell -c`.
ADD_AN_ADDRESS_TO_A_REMOVED_SUBJECT = (
    "from matrix.models import Address, Subject; "
    "subject = Subject.objects.filter(status='removed', erased_at__isnull=True).order_by('pk').first(); "
    "Address.objects.create(subject=subject, line_1='1 Synthetic Street', town='London', postcode='E8 1EA'); "
    "print(subject.uuid)"
)
ERASE = (
    "from matrix.models import Subject; from matrix.retention import erase_subject, system_user; "
    "erase_subject(Subject.objects.get(uuid='{uuid}'), acting_user=system_user())"
)


def test_the_guide_uses_only_the_documented_shell_variables():
    blocks = sh_blocks(GUIDE) + sh_blocks(GUIDE, tag="sh-upgrade")
    used = {name for block in blocks for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", block)}
    assert used <= DOCUMENTED_VARIABLES
    commands = [line for block in blocks for line in block.splitlines() if "$GOVMATRIX_HOME" in line]
    assert all("manage.py" not in line for line in commands)  # always through deploy/govmatrix-manage
    assert any('"$GOVMATRIX_HOME/deploy/govmatrix-manage"' in line for line in commands)


def test_the_runner_selects_blocks_by_their_exact_info_string_and_reports_failures(tmp_path):
    guide = tmp_path / "guide.md"
    guide.write_text(
        "```sh\necho one\n```\n```sh-upgrade\necho two\n```\n```console\n$ echo three\n```\n"
        "1. A step:\n\n   ```sh\n   echo four\n   ```\n"
    )
    assert sh_blocks(guide) == ["echo one\n", "echo four\n"]
    assert sh_blocks(guide, tag="sh-upgrade") == ["echo two\n"]
    assert run_block("echo one", env=dict(os.environ), cwd=tmp_path).stdout == "one\n"
    with pytest.raises(BlockFailed, match="status 3"):
        run_block("echo before\nexit 3", env=dict(os.environ), cwd=tmp_path)
    with pytest.raises(BlockFailed, match="status 1"):  # pipefail: a failure inside a pipeline stops the block
        run_block("false | cat\nexit 3", env=dict(os.environ), cwd=tmp_path)


@pytest.fixture
def round_trip(tmp_path):
    """A fresh database and the environment the guide's commands run in."""
    database = settings.DATABASES["default"]
    server = {"host": database["HOST"] or "127.0.0.1", "port": str(database["PORT"] or 5432), "user": database["USER"]}
    name = f"gm_roundtrip_{secrets.token_hex(4)}"
    with psycopg.connect(dbname="postgres", autocommit=True, password=database["PASSWORD"] or None, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GOVMATRIX_", "DATABASE_", "PG"))
    }
    env.update(
        PGHOST=server["host"],
        PGPORT=server["port"],
        PGUSER=server["user"],
        PGDATABASE=name,
        GOVMATRIX_HOME=str(BASE_DIR),
        GOVMATRIX_ETC=str(tmp_path / "etc"),
        BACKUP_DIR=str(tmp_path / "backup" / "2026-12-01"),
    )
    # The service's own settings file, which deploy/govmatrix-manage reads.
    (tmp_path / "etc").mkdir()
    settings_lines = [
        f"DATABASE_URL=postgres://{server['user']}@{server['host']}:{server['port']}/{name}",
        f"GOVMATRIX_ERASURE_LEDGER={tmp_path / 'erasure-ledger.jsonl'}",
    ]
    if database["PASSWORD"]:
        settings_lines.append(f"DATABASE_PASSWORD={database['PASSWORD']}")
    (tmp_path / "etc" / "govmatrix.env").write_text("\n".join(settings_lines) + "\n")
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    yield env, tmp_path
    with psycopg.connect(dbname="postgres", autocommit=True, password=database["PASSWORD"] or None, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, cwd, *arguments) -> str:
    return run_block(shlex.join([str(BASE_DIR / "deploy" / "govmatrix-manage"), *arguments]), env, cwd).stdout


def personal_data(env, subject_uuid) -> tuple:
    """(family name, given names, addresses) of the subject, read straight from the database."""
    with psycopg.connect(
        dbname=env["PGDATABASE"],
        host=env["PGHOST"],
        port=env["PGPORT"],
        user=env["PGUSER"],
        password=env.get("PGPASSWORD"),
    ) as connection:
        return connection.execute(
            "SELECT family_name, given_names, (SELECT count(*) FROM matrix_address WHERE subject_id = subject.id) "
            "FROM matrix_subject AS subject WHERE uuid = %s",
            [subject_uuid],
        ).fetchone()


@pytest.mark.slow
@pytest.mark.postgres_only
def test_a_restore_replays_the_erasures_made_since_the_backup(round_trip):
    env, cwd = round_trip
    backup, restore, replay = sh_blocks(GUIDE)
    manage(env, cwd, "migrate", "--noinput")
    manage(env, cwd, "seed_demo")
    subject_uuid = manage(env, cwd, "shell", "--no-imports", "-c", ADD_AN_ADDRESS_TO_A_REMOVED_SUBJECT).strip()
    kept = personal_data(env, subject_uuid)
    assert kept[0] != ERASED and kept[2] == 1

    run_block(backup, env, cwd)
    assert (Path(env["BACKUP_DIR"]) / "govmatrix.dump").stat().st_size > 0
    assert (Path(env["BACKUP_DIR"]) / "erasure-ledger.jsonl").exists()
    # The backup holds personal data: only its owner may read it.
    assert Path(env["BACKUP_DIR"]).stat().st_mode & 0o777 == 0o700
    assert (Path(env["BACKUP_DIR"]) / "erasure-ledger.jsonl").stat().st_mode & 0o777 == 0o600
    manage(env, cwd, "shell", "--no-imports", "-c", ERASE.format(uuid=subject_uuid))
    assert personal_data(env, subject_uuid) == (ERASED, ERASED, 0)
    assert subject_uuid in (cwd / "erasure-ledger.jsonl").read_text()

    run_block(restore, env, cwd)
    assert personal_data(env, subject_uuid) == kept  # the dump predates the erasure: the person is back

    replayed = run_block(replay, env, cwd).stdout
    assert "Erased again now: 1" in replayed and "Access log chain intact" in replayed
    assert personal_data(env, subject_uuid) == (ERASED, ERASED, 0)

    again = run_block(replay, env, cwd).stdout
    assert "Erased again now: 0" in again and "Already erased in the database: 1" in again
