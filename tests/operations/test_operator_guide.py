"""docs/operations.md, followed word for word on PostgreSQL, gunicorn and nginx, from a clean clone.

Every ``sh`` block runs, in document order, in one shell session (each block is sourced by bash with
``-euo pipefail``, and the exported variables carry on to the next, as in an operator's terminal).
The guide's ``sh-systemd`` blocks are replaced by what systemd would do: start the installed unit's
``ExecStart`` with its ``EnvironmentFile`` and ``WorkingDirectory``, and start nginx. After the proxy
section the onboarding walk-through runs in Chromium through nginx (tests/operator_walkthrough.py).

It needs root (the guide creates a system account and nginx listens on 443), nginx and Chromium,
which `.ci/run` installs; elsewhere it is skipped with the reason.
"""

import os
import shlex
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pexpect
import psycopg
import pytest

from tests import operator_walkthrough
from tests.docs_runner import BlockFailed, fenced_blocks, sh_blocks
from tests.serving import BASE_DIR, SETTINGS_PREFIXES, stop

GUIDE = BASE_DIR / "docs" / "operations.md"
UPGRADE = BASE_DIR / "docs" / "backup-and-restore.md"  # its upgrade steps run on the installation made here
HOSTNAME = "govmatrix.force.test"
ADMIN = {"username": "first.admin", "email": "first.admin@force.test", "password": "Synthetic-admin-pass-2026"}
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}

pytestmark = [pytest.mark.postgres_only, pytest.mark.slow]


def requirements_missing() -> str | None:
    if os.geteuid() != 0:
        return "the guide's commands need root (a system account, nginx on port 443)"
    for program in ("nginx", "psql", "git", "openssl", "curl"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            return f"{program} is not installed"
    if not Path("/usr/bin/chromium").exists():
        return "Debian's chromium is not installed"
    if subprocess.run(["/usr/bin/python3", "-c", "import ensurepip, venv"], capture_output=True).returncode:
        return "Debian's python3 with venv is not installed (apt-get install python3-venv)"
    return None


class Session:
    """One operator's shell: blocks are sourced in turn and their exported variables are kept."""

    def __init__(self, env: dict, workdir: Path):
        self.env, self.workdir, self.ran = env, workdir, []

    def _script(self, block: str) -> tuple[list[str], Path]:
        block_file = self.workdir / f"block-{len(self.ran)}.sh"
        block_file.write_text(block)
        state = self.workdir / f"state-{len(self.ran)}"
        command = ["bash", "-euo", "pipefail", "-c", 'source "$1"; env -0 > "$2"', "guide", str(block_file), str(state)]
        return command, state

    def _keep_state(self, state: Path) -> None:
        self.env = dict(item.split("=", 1) for item in state.read_text().split("\0") if "=" in item)

    def run(self, block: str) -> subprocess.CompletedProcess:
        command, state = self._script(block)
        result = subprocess.run(command, env=self.env, cwd=self.workdir, capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise BlockFailed(block, result)
        self.ran.append(block)
        self._keep_state(state)
        return result

    def run_interactively(self, block: str, answers: list[tuple[str, str]]) -> str:
        command, state = self._script(block)
        child = pexpect.spawn(
            command[0], command[1:], env=self.env, cwd=str(self.workdir), encoding="utf-8", timeout=300
        )
        for prompt, answer in answers:
            child.expect_exact(prompt)
            child.sendline(answer)
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, child.before
        self.ran.append(block)
        self._keep_state(state)
        return child.before


def unit_settings(unit: Path) -> dict:
    lines = [line.split("=", 1) for line in unit.read_text().splitlines() if "=" in line and not line.startswith("#")]
    return {key.strip(): value.strip() for key, value in lines}


def environment_file(path: Path) -> dict:
    lines = [line.split("=", 1) for line in path.read_text().splitlines() if "=" in line and not line.startswith("#")]
    return dict(lines)


class Systemd:
    """What the guide's systemctl commands would start, started directly."""

    def __init__(self, session: Session, log_dir: Path):
        self.session, self.log_dir, self.processes, self.nginx_started = session, log_dir, [], False

    def handle(self, block: str) -> None:
        if "enable --now govmatrix.service" in block:
            self.start_unit("govmatrix.service")
        elif "reload nginx" in block:
            subprocess.run(["nginx", "-s", "stop"], capture_output=True)  # a Debian install may have started one
            subprocess.run(["nginx"], check=True)
            self.nginx_started = True
        # status and journalctl only read.

    def start_unit(self, name: str) -> None:
        unit = unit_settings(Path(self.session.env["SYSTEMD_DIR"]) / name)
        env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
        env.update(environment_file(Path(unit["EnvironmentFile"])))
        log = open(self.log_dir / f"{name}.log", "w")  # noqa: SIM115 — closed with the process
        # As the unit's User and Group, as systemd would: the service must manage with the files root made.
        command = ["runuser", "-u", unit["User"], "-g", unit["Group"], "--", *shlex.split(unit["ExecStart"])]
        process = subprocess.Popen(command, cwd=unit["WorkingDirectory"], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append((process, log))

    def stop(self) -> None:
        for process, log in self.processes:
            stop(process)
            log.close()
        if self.nginx_started:
            subprocess.run(["nginx", "-s", "stop"], capture_output=True)


GUIDE_DATABASES = "govmatrix_guide_"
# A server's PATH: the guide installs with Debian's python3, which the service account can run (a developer's
# python3 may live in root's home, where the venv it makes would point).
SERVER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


def drop_guide_databases_and_role() -> None:
    """The guide creates the cluster-wide role `govmatrix`: remove it and this test's databases, nothing else."""
    with psycopg.connect(dbname="postgres", autocommit=True, **PG) as connection:
        owned = [
            name
            for (name,) in connection.execute(
                "SELECT datname FROM pg_database WHERE datdba = (SELECT oid FROM pg_roles WHERE rolname = 'govmatrix')"
            )
        ]
        others = [name for name in owned if not name.startswith(GUIDE_DATABASES)]
        if others:
            pytest.fail(f"the PostgreSQL role govmatrix owns {others}: this test would need to drop it")
        for name in owned:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute("DROP ROLE IF EXISTS govmatrix")


@pytest.fixture
def operator(tmp_path):
    missing = requirements_missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    # The installation's folders, where the service account can reach them (pytest's own are root's only).
    install_root = Path(tempfile.mkdtemp(prefix="govmatrix-guide-", dir="/var/tmp"))
    install_root.chmod(0o755)
    database = f"{GUIDE_DATABASES}{uuid.uuid4().hex[:8]}"
    drop_guide_databases_and_role()
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=BASE_DIR, capture_output=True, text=True, check=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
    env.update(
        PATH=SERVER_PATH,
        GOVMATRIX_HOME=str(install_root / "srv"),
        GOVMATRIX_ETC=str(install_root / "etc"),
        GOVMATRIX_DATA=str(install_root / "data"),
        GOVMATRIX_HOSTNAME=HOSTNAME,
        GOVMATRIX_PORT=str(operator_walkthrough.free_port()),
        GOVMATRIX_REPOSITORY=str(BASE_DIR),
        GOVMATRIX_VERSION=head.stdout.strip(),
        GOVMATRIX_DATABASE=database,
        PGHOST=PG["host"],
        PGPORT=PG["port"],
        PGUSER=PG["user"],
        NGINX_CONF_DIR="/etc/nginx/conf.d",
        SYSTEMD_DIR=str(tmp_path / "systemd"),
        PERSON="officer.new",
    )
    (tmp_path / "systemd").mkdir()
    session = Session(env, tmp_path)
    systemd = Systemd(session, tmp_path)
    try:
        yield session, systemd
    finally:
        systemd.stop()
        Path("/etc/nginx/conf.d/govmatrix.conf").unlink(missing_ok=True)
        drop_guide_databases_and_role()
        shutil.rmtree(install_root, ignore_errors=True)


def test_the_operator_guide_works_as_written(operator, tmp_path):
    session, systemd = operator
    blocks = fenced_blocks(GUIDE)
    assert sum(info == "sh" for info, _ in blocks) >= 15
    walked = False
    for info, block in blocks:
        if info == "sh" and "bootstrap_force" in block:
            output = session.run_interactively(
                block,
                [
                    ("Username: ", ADMIN["username"]),
                    ("Email address: ", ADMIN["email"]),
                    ("Password: ", ADMIN["password"]),
                    ("Password (again): ", ADMIN["password"]),
                ],
            )
            assert "draft(s) await the data protection officer's publication" in output
        elif info == "sh" and "$PERSON" in block:
            assert walked, "the incident commands need the walk-through's people"
            operator_walkthrough.before_incident(HOSTNAME, block, session.env["PERSON"])
            session.run(block)
            operator_walkthrough.after_incident(HOSTNAME, block, session.env["PERSON"])
        elif info == "sh":
            session.run(block)
        elif info == "sh-systemd":
            systemd.handle(block)
            if "reload nginx" in block:
                # Section 9, the onboarding walk-through, follows the proxy section.
                operator_walkthrough.onboard_and_record(HOSTNAME, ADMIN, tmp_path)
                walked = True
    assert walked
    assert [block for info, block in blocks if info == "sh"] == session.ran  # nothing skipped

    # An upgrade, as docs/backup-and-restore.md gives it, on the running installation (to the same version).
    upgrade = sh_blocks(UPGRADE, tag="sh-upgrade")
    assert len(upgrade) == 2
    results = [session.run(block) for block in upgrade]
    assert '"status": "ok"' in results[-1].stdout and "Access log chain intact" in results[-1].stdout
