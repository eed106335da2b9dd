"""How much of each request was SQL, for the benchmark (``bench/``): a ``Server-Timing`` response header.

Switched on only by ``GOVMATRIX_SQL_TIMING=1`` outside production mode (config/settings.py refuses it in
production: the header tells any client how long the database took, which is for measuring, not serving).
It is the outermost middleware, so the session, sign-in and access-log queries of the request are counted
too. The header reads ``db;dur=<ms>;desc="<n> queries", app;dur=<ms>``: ``app`` is the whole request as
the server saw it. A streamed response's queries run after the header is sent and are not in it.
"""

import time

from django.db import connection


class QueryTimer:
    """A database execute wrapper that adds up how long the queries of one request took, and how many ran."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def server_timing(timer: QueryTimer, total_seconds: float) -> str:
    return f'db;dur={timer.seconds * 1000:.3f};desc="{timer.count} queries", app;dur={total_seconds * 1000:.3f}'


class SQLTimingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timer = QueryTimer()
        started = time.perf_counter()
        with connection.execute_wrapper(timer):
            response = self.get_response(request)
        response["Server-Timing"] = server_timing(timer, time.perf_counter() - started)
        return response
