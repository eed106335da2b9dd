"""gunicorn settings for the container; every value can be overridden from the environment."""

import multiprocessing
import os
import shutil
import tempfile

from gunicorn import glogging

from config.logs import loggable_path

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads (gthread workers) overlap the waits on PostgreSQL; each thread holds one persistent connection
# (DATABASE_CONN_MAX_AGE), so workers x threads must stay below the server's max_connections.
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", 5))
# Heartbeat files in memory, not on the container's overlay filesystem (which can stall workers).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Query strings can carry search terms (names); the access log keeps only the path, less any secret in it.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'


class AccessLogWithoutSecrets(glogging.Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["U"] = loggable_path(atoms["U"])
        return atoms


logger_class = AccessLogWithoutSecrets
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Each worker counts its own metrics; prometheus_client merges them from files in this directory
# when /metrics is read, so the figures cover every worker, not the one that happened to answer.
metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="govmatrix-metrics-"))


def on_starting(server):
    """Counts left from an earlier run of the service would be added to this one's."""
    shutil.rmtree(metrics_dir, ignore_errors=True)
    os.makedirs(metrics_dir, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
