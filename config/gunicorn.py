"""gunicorn settings for the container; every value can be overridden from the environment."""

import multiprocessing
import os

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
# Query strings can carry search terms (names); the access log keeps only the path.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
