"""The SQL-timing middleware the benchmark reads: a Server-Timing header, only when switched on, never in production."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import Client, RequestFactory

from bench.client import parse_server_timing
from config.sqltiming import SQLTimingMiddleware

MIDDLEWARE = "config.sqltiming.SQLTimingMiddleware"
PROJECT = Path(__file__).resolve().parents[2]


def two_queries(request):
    users = get_user_model().objects
    users.filter(username="a").exists()
    users.filter(username="b").exists()
    return HttpResponse("ok")


@pytest.mark.django_db
def test_header_counts_and_times_the_requests_queries():
    response = SQLTimingMiddleware(two_queries)(RequestFactory().get("/"))
    timing = parse_server_timing(response["Server-Timing"])
    assert timing["db"]["desc"] == "2 queries"
    assert 0 <= float(timing["db"]["dur"]) <= float(timing["app"]["dur"])


def test_a_view_without_sql_reports_none():
    response = SQLTimingMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().get("/"))
    assert response["Server-Timing"].startswith('db;dur=0.000;desc="0 queries", app;dur=')


@pytest.mark.django_db
def test_pages_carry_the_header_only_when_the_middleware_is_on(settings):
    assert "Server-Timing" not in Client().get("/readyz")
    settings.MIDDLEWARE = [MIDDLEWARE, *settings.MIDDLEWARE]
    timing = parse_server_timing(Client().get("/readyz")["Server-Timing"])  # a new client loads the new middleware
    assert int(timing["db"]["desc"].split()[0]) >= 1  # the readiness check asks the database


def load_settings(**env):
    """Import config.settings in a fresh interpreter with ``env``; returns (exit code, MIDDLEWARE or stderr)."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("GOVMATRIX_", "DJANGO_"))}
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings as s; print(s.MIDDLEWARE[0])"],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.returncode, result.stdout.strip() or result.stderr


def test_the_environment_switches_it_on_as_the_outermost_middleware():
    assert load_settings(GOVMATRIX_SQL_TIMING="1") == (0, MIDDLEWARE)
    assert load_settings()[1] != MIDDLEWARE


def test_production_mode_refuses_it():
    code, output = load_settings(
        GOVMATRIX_SQL_TIMING="1",
        GOVMATRIX_PRODUCTION="1",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="matrix.example.test",
    )
    assert code != 0
    assert "GOVMATRIX_SQL_TIMING is for benchmarks only" in output
