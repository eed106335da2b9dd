"""The benchmark's arithmetic: percentiles, summaries, Server-Timing parsing, ratios and their verdicts."""

import pytest

from bench import report
from bench.client import Reply, parse_server_timing, path_of
from bench.datasets import size_label
from bench.load import timed
from bench.scenarios import Scenario
from bench.stats import Sample, percentile, ratio, summarise


class TestPercentile:
    def test_interpolates_linearly_between_closest_ranks(self):
        values = list(range(1, 11))  # 1..10
        assert percentile(values, 50) == pytest.approx(5.5)
        assert percentile(values, 95) == pytest.approx(9.55)
        assert percentile(values, 90) == pytest.approx(9.1)

    def test_ends_are_the_minimum_and_maximum(self):
        assert percentile([7, 3, 5], 0) == 3
        assert percentile([7, 3, 5], 100) == 7

    def test_order_of_input_does_not_matter(self):
        assert percentile([10, 1, 4, 2, 3], 50) == percentile([1, 2, 3, 4, 10], 50) == 3

    def test_a_single_value_is_every_percentile(self):
        assert percentile([42.0], 95) == 42.0

    def test_a_skewed_tail_shows_in_p95_not_p50(self):
        values = [10] * 95 + [1000] * 5
        assert percentile(values, 50) == 10
        assert percentile(values, 95) == pytest.approx(10 + 990 * 0.05)

    @pytest.mark.parametrize("values, pct", [([], 50), ([1, 2], -1), ([1, 2], 101)])
    def test_refuses_what_has_no_answer(self, values, pct):
        with pytest.raises(ValueError):
            percentile(values, pct)


def test_summary_times_only_successes_but_counts_errors():
    samples = [
        Sample(0.010, True, db_ms=4.0, app_ms=8.0, queries=3),
        Sample(0.030, True, db_ms=6.0, app_ms=12.0, queries=5),
        Sample(5.000, False),
    ]
    summary = summarise(samples, wall_seconds=0.5, error_samples=["HTTP 500: boom"])
    assert (summary.count, summary.errors) == (3, 1)
    assert summary.p50_ms == pytest.approx(20.0)
    assert summary.mean_ms == pytest.approx(20.0)
    assert summary.throughput == pytest.approx(4.0)  # two good operations in half a second
    assert (summary.db_ms, summary.app_ms, summary.queries) == (5.0, 10.0, 4.0)
    assert summary.app_over_db == pytest.approx(2.0)
    assert summary.client_over_db == pytest.approx(4.0)
    assert summary.error_samples == ["HTTP 500: boom"]


def test_summary_without_server_timing_has_no_sql_figures():
    summary = summarise([Sample(0.01, True)], wall_seconds=1)
    assert summary.db_ms is None and summary.app_over_db is None


def test_summary_of_nothing_but_errors_has_no_latency():
    summary = summarise([Sample(0, False)], wall_seconds=1)
    assert (summary.errors, summary.p95_ms, summary.throughput) == (1, None, None)


@pytest.mark.parametrize(
    "numerator, denominator, expected", [(6, 3, 2), (None, 3, None), (6, None, None), (6, 0, None)]
)
def test_ratio(numerator, denominator, expected):
    assert ratio(numerator, denominator) == expected


def test_server_timing_header_is_parsed():
    timing = parse_server_timing('db;dur=12.5;desc="7 queries", app;dur=40')
    assert timing == {"db": {"dur": "12.5", "desc": "7 queries"}, "app": {"dur": "40"}}
    reply = Reply(200, "", {}, 0.05, timing)
    assert (reply.db_ms, reply.app_ms, reply.queries) == (12.5, 40.0, 7)


def test_missing_server_timing_gives_no_figures():
    reply = Reply(200, "", {}, 0.05, parse_server_timing(""))
    assert (reply.db_ms, reply.app_ms, reply.queries) == (None, None, None)


def test_links_become_paths():
    assert (
        path_of("http://testserver/api/subjects/?cursor=abc&page_size=25") == "/api/subjects/?cursor=abc&page_size=25"
    )
    assert path_of("/subjects/") == "/subjects/"


@pytest.mark.parametrize("count, label", [(10_000, "10k"), (1_000_000, "1M"), (250, "250"), (1500, "1500")])
def test_size_label(count, label):
    assert size_label(count) == label


class TestTimedOperation:
    def scenario(self, *replies):
        return Scenario("fake", "Fake", (), lambda sessions, rng: list(replies))

    def test_a_pair_of_requests_is_one_operation_with_summed_times(self):
        first = Reply(200, "", {}, 0.1, parse_server_timing('db;dur=10;desc="2 queries", app;dur=30'))
        second = Reply(200, "", {}, 0.2, parse_server_timing('db;dur=20;desc="3 queries", app;dur=50'))
        sample, problem = timed(self.scenario(first, second), None, None)
        assert problem is None
        assert (sample.seconds, sample.db_ms, sample.app_ms, sample.queries) == (pytest.approx(0.3), 30, 80, 5)

    def test_an_unexpected_status_is_an_error_with_what_the_server_said(self):
        sample, problem = timed(self.scenario(Reply(302, "to   the sign-in page", {}, 0.1)), None, None)
        assert not sample.ok
        assert problem == "HTTP 302: to the sign-in page"

    def test_an_exception_is_an_error_not_a_crash(self):
        def broken(sessions, rng):
            raise ConnectionRefusedError("nobody listening")

        sample, problem = timed(Scenario("fake", "Fake", (), broken), None, None)
        assert not sample.ok and problem == "ConnectionRefusedError: nobody listening"


def summary(p95, db=10.0, app=20.0, errors=0):
    return summarise([Sample(p95 / 1000, True, db_ms=db, app_ms=app, queries=1)] + [Sample(0, False)] * errors, 1)


def results(small: dict, large: dict, **checks) -> dict:
    base = {"checks": checks, "notes": [], "titles": {}, "base_url": "http://x", "facts": None}
    return {
        report.SMALL: {**base, "name": "10k", "scenarios": small},
        report.LARGE: {**base, "name": "1M", "scenarios": large},
    }


def verdicts(ratios) -> dict:
    return {
        item.what.split(" (client")[0]: (round(item.value, 2) if item.value else None, item.verdict) for item in ratios
    }


class TestRatios:
    def test_growth_gating_admin_and_sql_ratios_with_verdicts(self):
        small = {"list": summary(100), "list_ungated": summary(90), "admin": summary(110), "search": summary(50)}
        large = {
            "list": summary(120, db=10, app=50),
            "list_ungated": summary(80),
            "admin": summary(600),
            "search": summary(100),
        }
        found = verdicts(report.compute_ratios(results(small, large)))
        assert found["list: p95 at 1M ÷ at 10k"] == (1.2, "PASS")
        assert found["search: p95 at 1M ÷ at 10k"] == (2.0, "MISS")
        assert found["admin: p95 at 1M ÷ at 10k"] == (5.45, "INFO")  # the baseline, not our page
        assert found["list ÷ list_ungated (p95) at 1M"] == (1.5, "MISS")
        assert found["list ÷ list_ungated (p95) at 10k"] == (1.11, "PASS")
        assert found["admin changelist ÷ our list (p95) at 1M"] == (5.0, "PASS")
        assert found["admin changelist ÷ our list (p95) at 10k"] == (1.1, "INFO")  # the target is for 1M only
        assert found["list: server time ÷ SQL time at 1M"] == (5.0, "MISS")
        assert found["list: server time ÷ SQL time at 10k"] == (2.0, "PASS")

    def test_pairs_that_show_different_rows_are_not_compared(self):
        data = results(
            {"list": summary(100), "list_ungated": summary(100)},
            {"list": summary(100)},
            **{report.GATING_PAIRS[0][2]: False, report.ADMIN_CHECK: False},
        )
        found = verdicts(report.compute_ratios(data))
        assert found["list ÷ list_ungated (p95) at 10k"][1] == "NOT COMPARABLE"
        assert found["admin changelist ÷ our list (p95) at 10k"][1] == "NOT COMPARABLE"

    def test_one_dataset_has_no_growth_ratios_and_missing_pages_are_n_a(self):
        data = results({"list": summary(100)}, {})
        del data[report.LARGE]
        found = verdicts(report.compute_ratios(data))
        assert not any("÷ at" in what for what in found)
        assert found["admin changelist ÷ our list (p95) at 10k"] == (None, "N/A")

    def test_errors_are_totalled_and_the_report_prints_every_ratio(self):
        data = results({"list": summary(100, errors=2)}, {"list": summary(110)})
        data[report.SMALL]["titles"] = data[report.LARGE]["titles"] = {"list": "Subject list"}
        env = {
            "cpus": 2,
            "python": "3",
            "django": "5",
            "gunicorn_workers": 5,
            "gunicorn_threads": 2,
            "concurrency": 4,
            "requests": 3,
            "warmup": 1,
        }
        built = report.build(env, data)
        assert built["errors"] == 2
        text = report.render(built)
        assert "[PASS ] list: p95 at 1M ÷ at 10k = 1.10 (target ≤ 1.3)" in text
        assert "Subject list" in text and "Errors: 2" in text
