"""gunicorn settings for the container; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
max_requests = 2000
max_requests_jitter = 200
accesslog = "-"
# Query strings can carry search terms (names); the access log keeps only the path.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
