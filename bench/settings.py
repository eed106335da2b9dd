"""The benchmark server's settings: the app's own, plus the baseline admin changelist (bench/urls.py).

Everything else (debug off, SQL timing, rate limits, persistent connections) is set through the
environment by bench/server.py, exactly as an operator would set it.
"""

from config.settings import *  # noqa: F403 — the app's settings, unchanged

ROOT_URLCONF = "bench.urls"
