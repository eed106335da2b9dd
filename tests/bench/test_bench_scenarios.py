"""The benchmark cannot rot silently: every scenario runs here, once, against a tiny seeded dataset.

The scenarios, discovery and draft preparation are the benchmark's own code; only the transport differs
(Django's test client, with CSRF checks on, instead of HTTP to gunicorn).
"""

import io
import random
import time
from http.cookies import SimpleCookie

import pytest
from django.core.management import call_command
from django.test import Client

from bench import run, scenarios
from bench.client import HttpSession, Reply, Session, SignInFailed, parse_server_timing
from bench.load import Clients, Track, measure_interleaved, round_sizes


class DjangoClientSession(Session):
    """A Session over Django's test client."""

    def __init__(self):
        super().__init__()
        self.client = Client(enforce_csrf_checks=True)

    def cookie(self, name):
        morsel = self.client.cookies.get(name)
        return morsel.value if morsel else None

    def send(self, method, path, body, headers):
        extra = {
            f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items() if name != "Content-Type"
        }
        started = time.perf_counter()
        response = self.client.generic(
            method, path, data=body or b"", content_type=headers.get("Content-Type", ""), **extra
        )
        return Reply(
            status=response.status_code,
            body=response.content.decode(),
            headers={name.lower(): value for name, value in response.items()},
            seconds=time.perf_counter() - started,
            timing=parse_server_timing(response.get("Server-Timing", "")),
        )


@pytest.fixture
def bench_users(db, settings):
    """The benchmark's server configuration (baseline admin, SQL timing), the demo users and demo rules."""
    from matrix import demo

    settings.ROOT_URLCONF = "bench.urls"
    settings.MIDDLEWARE = ["config.sqltiming.SQLTimingMiddleware", *settings.MIDDLEWARE]
    demo.ensure_reference_rules(demo.ensure_users()["dpo"])


@pytest.fixture
def bench_server(bench_users):
    """... over a tiny dataset seeded as the benchmark's are."""
    call_command("seed_demo", subjects=40, stdout=io.StringIO())


def signed_in(*usernames):
    sessions = {name: DjangoClientSession().sign_in(name, scenarios.PASSWORD) for name in usernames}
    return sessions.__getitem__


@pytest.mark.slow
def test_every_scenario_answers_as_expected(bench_server):
    plan = scenarios.discover(signed_in(scenarios.SUPERVISOR, scenarios.AUDITOR, scenarios.DPO), pages=2, pool_pages=1)
    assert plan.subjects and plan.admin_served
    assert plan.checks["API list: gated and ungated pages show the same rows"]
    assert plan.checks["admin changelist shows the same rows as the subject list"]
    officer = signed_in(scenarios.OFFICER)(scenarios.OFFICER)
    for number in range(2):
        plan.drafts.put(scenarios.create_draft(officer, f"Benchtest-{number}"))
    built = scenarios.build_scenarios(plan)
    assert {scenario.key for scenario in built} == {
        "list",
        "list_ungated",
        "admin",
        "api_list",
        "api_list_ungated",
        "subject",
        "search",
        "register",
        "timeline",
        "audit_search",
        "write",
    }
    sessions = signed_in(scenarios.OFFICER, scenarios.SUPERVISOR, scenarios.AUDITOR, scenarios.DPO)
    rng = random.Random(7)
    for scenario in built:
        for reply in scenario.operation(sessions, rng):
            assert reply.status in scenario.expect, (scenario.key, reply.status, reply.body[:300])
            assert reply.db_ms is not None and reply.queries, scenario.key


def test_the_write_scenario_approves_the_prepared_draft(bench_users):
    from matrix.models import Subject

    officer = signed_in(scenarios.OFFICER)(scenarios.OFFICER)
    plan = scenarios.Plan()
    uuid = scenarios.create_draft(officer, "Benchtest-write")
    plan.drafts.put(uuid)
    write = next(scenario for scenario in scenarios.build_scenarios(plan) if scenario.key == "write")
    replies = write.operation(signed_in(scenarios.OFFICER, scenarios.SUPERVISOR), random.Random(1))
    assert [reply.status for reply in replies] == [200, 200]
    assert Subject.objects.get(uuid=uuid).status == "approved"


def test_the_baseline_admin_is_for_oversight_staff_only_and_absent_from_the_app(bench_users, settings):
    path = scenarios.admin_path(1)
    assert signed_in(scenarios.SUPERVISOR)(scenarios.SUPERVISOR).get(path).status == 302  # to the admin sign-in
    assert signed_in(scenarios.DPO)(scenarios.DPO).get(path).status == 200
    settings.ROOT_URLCONF = "config.urls"
    assert signed_in(scenarios.DPO)(scenarios.DPO).get(path).status == 404


def test_a_refused_password_stops_the_run(bench_users):
    with pytest.raises(SignInFailed):
        DjangoClientSession().sign_in(scenarios.SUPERVISOR, "not-the-password")


class FakeSession:
    def __init__(self, username):
        self.username = username

    def sign_in(self, username, password):
        return FakeSession(username)

    def close(self):
        pass


def test_measure_signs_in_each_client_and_runs_the_requested_number_of_operations():
    seen = []

    def operation(sessions, rng):
        seen.append(sessions("auditor").username)
        return [Reply(200, "", {}, 0.01, parse_server_timing('db;dur=2;desc="1 queries", app;dur=5'))]

    clients = Clients(lambda: FakeSession(None), "pw", concurrency=3)
    track = Track(scenarios.Scenario("fake", "Fake", ("auditor",), operation), clients, "test")
    [summary] = measure_interleaved([track], warmup=2, requests=10, rounds=3)
    assert (summary.count, summary.errors, summary.warmup_errors) == (10, 0, 0)
    assert len(seen) == 12 and set(seen) == {"auditor"}
    assert summary.app_over_db == pytest.approx(2.5)


def test_datasets_alternate_round_by_round_and_each_keeps_its_own_samples():
    order = []

    def operation_of(label, seconds):
        def operation(sessions, rng):
            order.append(label)
            return [Reply(200, "", {}, seconds, parse_server_timing(None))]

        return operation

    tracks = [
        Track(
            scenarios.Scenario("page", "Page", ("auditor",), operation_of(label, seconds)),
            Clients(lambda: FakeSession(None), "pw", concurrency=1),
            label,
        )
        for label, seconds in (("small", 0.01), ("large", 0.03))
    ]
    small, large = measure_interleaved(tracks, warmup=1, requests=6, rounds=3)
    timed = order[2:]  # after one warm-up operation each
    assert timed == ["small"] * 2 + ["large"] * 4 + ["small"] * 4 + ["large"] * 2
    assert (small.count, large.count) == (6, 6)
    assert (small.p95_ms, large.p95_ms) == (pytest.approx(10), pytest.approx(30))


@pytest.mark.parametrize("requests, rounds, sizes", [(10, 3, [4, 3, 3]), (2, 4, [1, 1]), (5, 1, [5])])
def test_rounds_share_the_operations_evenly(requests, rounds, sizes):
    assert round_sizes(requests, rounds) == sizes


def test_http_session_keeps_and_forgets_cookies():
    session = HttpSession("http://127.0.0.1:9")
    session._keep_cookies(["csrftoken=abc; Path=/; SameSite=Lax", "sessionid=s1; HttpOnly; Path=/"])
    assert (session.cookie("csrftoken"), session.cookie("sessionid")) == ("abc", "s1")
    deleted = SimpleCookie()
    deleted["sessionid"] = ""
    deleted["sessionid"]["max-age"] = 0
    session._keep_cookies([deleted.output(header="").strip()])
    assert session.cookie("sessionid") is None and session.cookie("csrftoken") == "abc"


def test_http_session_refuses_https_targets():
    with pytest.raises(ValueError):
        HttpSession("https://matrix.example.test")


def test_quick_mode_caps_the_run_and_bad_numbers_are_refused():
    options = run.parse(["--quick", "-n", "500"])
    assert (options.requests, options.warmup, options.pages) == (20, 4, 2)
    with pytest.raises(SystemExit):
        run.parse(["-c", "0"])


def test_an_unreachable_server_stops_the_run_with_exit_code_2(tmp_path):
    code = run.main(
        [
            "--target",
            "http://127.0.0.1:9",
            "--small-url",
            "postgres://nobody@127.0.0.1:9/none",
            "--quick",
            "--output",
            str(tmp_path),
        ]
    )
    assert code == 2
    assert not list(tmp_path.iterdir())  # nothing measured, no report
