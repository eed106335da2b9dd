"""Production mode under gunicorn: probes over plain HTTP, no pages without static files, JSON logs, metrics.

A real gunicorn serves a SQLite file of its own, so nothing here touches the test database.
"""

import http.client
import json
import time
from urllib.parse import urlsplit

import pytest

from tests.serving import MANAGE, clean_env, gunicorn, run, strong_secret

PUBLIC_HOST = "matrix.example.test"


def request(base_url, path, host=PUBLIC_HOST, headers=None):
    """One request, redirects not followed; returns (status, headers, body)."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """Environment of a migrated production install whose static files are not yet collected."""
    home = tmp_path_factory.mktemp("production")
    env = clean_env(
        GOVMATRIX_PRODUCTION="1",
        DJANGO_SECRET_KEY=strong_secret(),
        DJANGO_ALLOWED_HOSTS=PUBLIC_HOST,
        DATABASE_URL=f"sqlite:///{home / 'db.sqlite3'}",
        GOVMATRIX_STATIC_ROOT=str(home / "static"),
        PROMETHEUS_MULTIPROC_DIR=str(home / "metrics"),
    )
    migrated = run([MANAGE, "migrate", "--noinput"], env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    return home, env


def test_without_collected_static_files_pages_are_refused_and_readiness_says_why(production):
    home, env = production
    with gunicorn(env, home / "uncollected.log") as url:
        status, _, body = request(url, "/sign-in/", headers={"X-Forwarded-Proto": "https"})
        assert status == 503
        assert "collectstatic" in body
        status, _, body = request(url, "/readyz", host="10.0.0.5:8000")
        assert status == 503
        assert json.loads(body)["static"].startswith("static files have not been collected")
        assert request(url, "/healthz", host="10.0.0.5:8000")[0] == 200  # alive, just not ready


@pytest.fixture(scope="module")
def served(production):
    home, env = production
    collected = run([MANAGE, "collectstatic", "--noinput"], env, timeout=300)
    assert collected.returncode == 0, collected.stdout + collected.stderr
    log = home / "served.log"
    with gunicorn(env, log, workers=2) as url:
        yield url, log


def test_probes_answer_over_plain_http_to_any_host_name(served):
    url, _ = served
    for path in ("/healthz", "/readyz"):
        status, headers, body = request(url, path, host="10.0.0.5:8000")  # no TLS, not an allowed host
        assert (status, json.loads(body)) == (200, {"status": "ok"}), path
        assert "no-cache" in headers["Cache-Control"]


def test_pages_still_redirect_to_https_and_refuse_unknown_hosts(served):
    url, _ = served
    status, headers, _ = request(url, "/sign-in/")
    assert status == 301 and headers["Location"] == f"https://{PUBLIC_HOST}/sign-in/"
    assert request(url, "/sign-in/", host="attacker.example", headers={"X-Forwarded-Proto": "https"})[0] == 400
    status, _, body = request(url, "/sign-in/", headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "Sign in" in body


def test_logs_are_json_lines_with_the_request_id_and_no_query_string(served):
    url, log = served
    status, headers, _ = request(
        url,
        "/sign-in/?next=/subjects/%3Fname%3DZanzibarquux",
        headers={"X-Forwarded-Proto": "https", "User-Agent": "probe-agent-7"},
    )
    assert status == 200
    request_id = headers["X-Request-ID"]
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    finished = [
        line for line in lines if line.get("event") == "request_finished" and line.get("request_id") == request_id
    ]
    assert finished, log.read_text()[-3000:]
    assert finished[0]["request"] == "GET /sign-in/"
    assert finished[0]["code"] == 200 and finished[0]["level"] == "info" and "timestamp" in finished[0]
    text = log.read_text()
    assert "Zanzibarquux" not in text and "probe-agent-7" not in text
    assert '"ip"' not in text


def test_metrics_cover_the_workers_and_are_refused_through_the_proxy(served):
    url, _ = served
    for _ in range(4):  # a few pages first, so that the workers have responses to count
        assert request(url, "/sign-in/", headers={"X-Forwarded-Proto": "https"})[0] == 200
    status, _, body = request(url, "/metrics", host="127.0.0.1")
    assert status == 200
    assert "django_http_responses_total_by_status_total" in body
    assert request(url, "/metrics", host="127.0.0.1", headers={"X-Forwarded-For": "203.0.113.9"})[0] == 403


def test_a_set_up_links_secret_never_reaches_the_logs(served):
    url, log = served
    status, headers, _ = request(
        url, "/people/set-up/MTIz/cq3-Secrettoken9f2a/", headers={"X-Forwarded-Proto": "https"}
    )
    assert status in (200, 302)
    # gunicorn writes its access-log line once the response is sent, so it may follow a moment later.
    deadline = time.monotonic() + 10
    while '"GET /people/set-up/…/"' not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert '"GET /people/set-up/…/"' in text  # gunicorn's access log
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(
        line.get("request_id") == headers["X-Request-ID"] and line.get("request") == "GET /people/set-up/…/"
        for line in lines
    )  # the application's log
    assert "Secrettoken9f2a" not in text and "MTIz" not in text


def test_an_unread_request_body_does_not_reset_the_connection(served):
    """The API refuses this request before reading its 12 MB body (more than the kernel buffers); the client still gets the JSON answer."""
    url, _ = served
    address = urlsplit(url)
    body = json.dumps({"family_name": "x" * (12 * 1024 * 1024)}).encode()
    headers = {"Host": PUBLIC_HOST, "X-Forwarded-Proto": "https", "Content-Type": "application/json"}
    for _ in range(3):
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request("POST", "/api/subjects/", body=body, headers=headers)
            response = connection.getresponse()
            assert response.status == 401
            assert json.loads(response.read()) == {"detail": "Authentication credentials were not provided."}
        finally:
            connection.close()
