"""Running Django, gunicorn and shell steps in subprocesses with an environment of their own."""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = str(BASE_DIR / "manage.py")
# Settings read from the environment all start with one of these; tests start from none of them.
SETTINGS_PREFIXES = ("GOVMATRIX_", "DJANGO_", "DATABASE_", "GUNICORN_", "PROMETHEUS_")
LOAD_SETTINGS = "import django; from django.conf import settings; settings.INSTALLED_APPS"


def clean_env(**overrides) -> dict:
    """The current environment without any govmatrix setting, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(SETTINGS_PREFIXES)}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    env.update(overrides)
    return env


def run(args, env, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=timeout
    )


def strong_secret() -> str:
    return secrets.token_urlsafe(64)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_serving(server: subprocess.Popen, port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited early with code {server.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server did not answer on port {port} within {timeout} seconds")


def stop(process: subprocess.Popen, timeout: float = 30) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def serving(command: list[str], env: dict, log_path: Path, port: int):
    """Run a server ``command`` (logging to ``log_path``) until the block ends; yields its base URL."""
    with open(log_path, "a") as log_file:
        server = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log_file, stderr=subprocess.STDOUT)
        try:
            try:
                wait_until_serving(server, port)
            except AssertionError as error:
                raise AssertionError(f"{error}\n{log_path.read_text()}") from None
            yield f"http://127.0.0.1:{port}"
        finally:
            stop(server)


@contextmanager
def gunicorn(env: dict, log_path: Path, workers: int = 1):
    """gunicorn with the project's own config/gunicorn.py, on a free port; yields its base URL."""
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": str(workers)}
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "--config",
        "config/gunicorn.py",
        "config.wsgi:application",
    ]
    with serving(command, env, log_path, port) as url:
        yield url
