"""Start gunicorn on a dataset for the run, as production would run it, and stop it afterwards.

The server runs the project's ``config/gunicorn.py`` (bind, workers and threads from its environment
variables) with debug off, persistent database connections as in production, the SQL-timing header on,
API rate limits raised out of the way, and ``bench.settings`` (the app plus the baseline admin).
"""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from bench.datasets import PROJECT

KEEP_ALIVE_SECONDS = 75  # gunicorn's default is 2 s; the clients keep their connections between operations
START_TIMEOUT = 90


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_environment(database_url: str, port: int, workers: int | None, threads: int | None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DATABASE_CONN_MAX_AGE": "60",  # production's value; the development default reconnects per request
        "GOVMATRIX_SQL_TIMING": "1",
        "GOVMATRIX_API_USER_RATE": "1000000/minute",  # measure the API, not its throttle
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }
    env.pop("GOVMATRIX_PRODUCTION", None)  # production mode refuses SQL timing and would need 2FA for the demo users
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    if threads:
        env["GUNICORN_THREADS"] = str(threads)
    return env


class Server:
    """``with Server(url, log_path) as base_url:`` — gunicorn on a free local port, stopped on exit."""

    def __init__(self, database_url: str, log_path: Path, workers: int | None = None, threads: int | None = None):
        self.database_url, self.log_path, self.workers, self.threads = database_url, log_path, workers, threads
        self.process = None

    def __enter__(self) -> str:
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.py",
            "--keep-alive",
            str(KEEP_ALIVE_SECONDS),
            "config.wsgi:application",
        ]
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=server_environment(self.database_url, port, self.workers, self.threads),
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            self._wait_healthy(base_url)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return base_url

    def _wait_healthy(self, base_url: str) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=5) as response:
                    if response.status == 200:
                        return
            except urllib.error.HTTPError as error:
                answer = error.read().decode(errors="replace")
                if "migrations" in answer:  # waiting will not help
                    raise RuntimeError(f"/healthz: {answer} (run with --prepare to migrate)") from error
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass  # not listening yet
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT}s; see {self.log_path}")

    def __exit__(self, *exc_info):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful shutdown
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
