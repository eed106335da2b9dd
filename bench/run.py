"""``python -m bench``: measure the pages at 10k and 1M subjects and report the ratios. See ``--help``."""

import argparse
import os
import platform
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, closing
from datetime import datetime
from functools import partial
from pathlib import Path

import psycopg

from bench import datasets, report, scenarios
from bench.client import HttpSession
from bench.load import Clients, Track, measure_interleaved
from bench.server import Server

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"
SUBJECT_SAMPLE = 1000
QUICK = {"requests": 20, "warmup": 4, "pages": 2, "pool_pages": 1, "rounds": 2}


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure govmatrix's pages at 10k and 1M subjects under concurrent clients and report the "
        "ratios against their targets (README, Performance).",
    )
    parser.add_argument(
        "--small-url", default=f"{DEFAULT_SERVER}/govmatrix_bench_10k", help="DATABASE_URL, 10k dataset"
    )
    parser.add_argument("--large-url", default=f"{DEFAULT_SERVER}/govmatrix_bench_1m", help="DATABASE_URL, 1M dataset")
    parser.add_argument("--small-subjects", type=int, default=10_000)
    parser.add_argument("--large-subjects", type=int, default=1_000_000)
    parser.add_argument("--only", choices=[report.SMALL, report.LARGE], help="run one dataset (no 1M ÷ 10k ratios)")
    parser.add_argument(
        "--prepare",
        action="store_true",
        help="create, migrate and seed missing datasets first (skips those already seeded)",
    )
    parser.add_argument("--target", metavar="URL", help="benchmark this running server instead of starting one")
    parser.add_argument(
        "--label",
        choices=[report.SMALL, report.LARGE],
        default=report.SMALL,
        help="which dataset the --target server holds (its --*-url gives row counts if reachable)",
    )
    parser.add_argument("-c", "--concurrency", type=int, default=4, help="concurrent clients (default 4)")
    parser.add_argument("-n", "--requests", type=int, default=200, help="timed operations per scenario (default 200)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed operations per scenario first (default 20)")
    parser.add_argument(
        "--rounds",
        type=int,
        default=4,
        help="alternate the datasets this many times per scenario, so drift in the machine's load "
        "weighs on both (default 4)",
    )
    parser.add_argument("--pages", type=int, default=3, help="list pages to spread list requests over (default 3)")
    parser.add_argument(
        "--pool-pages",
        type=int,
        default=5,
        help="with --target: API pages of 200 approved subjects to open at random (else a random sample "
        "from the database)",
    )
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: config/gunicorn.py's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads per worker (default: config/gunicorn.py's)")
    parser.add_argument("--quick", action="store_true", help=f"a smoke run: {QUICK}")
    parser.add_argument("--seed", default="govmatrix-bench", help="random seed of the request mix")
    parser.add_argument("--output", type=Path, default=RESULTS, help="where the JSON report goes")
    options = parser.parse_args(argv)
    if options.quick:
        for name, value in QUICK.items():
            setattr(options, name, min(getattr(options, name), value))
    if (
        min(options.concurrency, options.requests, options.pages, options.pool_pages, options.rounds) < 1
        or options.warmup < 0
    ):
        parser.error(
            "--concurrency, --requests, --pages, --pool-pages and --rounds must be at least 1, --warmup at least 0"
        )
    return options


def selected_datasets(options) -> list:
    chosen = {
        report.SMALL: datasets.Dataset(report.SMALL, options.small_url, options.small_subjects),
        report.LARGE: datasets.Dataset(report.LARGE, options.large_url, options.large_subjects),
    }
    if options.target:
        return [chosen[options.label]]
    return [dataset for label, dataset in chosen.items() if options.only in (None, label)]


def environment(options) -> dict:
    import django

    from config import gunicorn as gunicorn_config  # its defaults, as the server computes them

    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn_workers": options.workers or gunicorn_config.workers,
        "gunicorn_threads": options.threads or gunicorn_config.threads,
        "concurrency": options.concurrency,
        "requests": options.requests,
        "warmup": options.warmup,
        "rounds": options.rounds,
        "pages": options.pages,
        "target": options.target,
        "started_at": datetime.now().astimezone().isoformat(timespec="seconds"),
    }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare_drafts(plan, base_url: str, options, count: int) -> None:
    """Drafts with qualifying evidence for the write scenario, made through the API beforehand (untimed)."""
    stamp = datetime.now().strftime("%Y%m%d%H%M%S")
    clients = Clients(lambda: HttpSession(base_url), scenarios.PASSWORD, options.concurrency)
    clients.sign_in([scenarios.OFFICER])

    def client(index):  # each client thread uses only its own session
        session = clients.of(index)(scenarios.OFFICER)
        for number in range(index, count, options.concurrency):
            plan.drafts.put(scenarios.create_draft(session, f"Benchtest-{stamp}-{number:05d}"))

    try:
        with ThreadPoolExecutor(options.concurrency) as pool:
            list(pool.map(client, range(options.concurrency)))
    finally:
        clients.close()


def discover_dataset(dataset, base_url: str, options):
    """What to request on this server (untimed): pages, subjects, and drafts for the write scenario."""
    log(f"[{dataset.name}] discovering pages at {base_url}")
    discovery = Clients(lambda: HttpSession(base_url), scenarios.PASSWORD, 1)
    discovery.sign_in([scenarios.SUPERVISOR, scenarios.AUDITOR, scenarios.DPO])
    try:
        plan = scenarios.discover(discovery.of(0), options.pages, options.pool_pages)
    finally:
        discovery.close()
    if not options.target:  # the database is the server's own: sample subjects from all of it
        plan.subjects = datasets.sample_subjects(dataset.url, SUBJECT_SAMPLE) or plan.subjects
    log(f"[{dataset.name}] creating {options.warmup + options.requests} drafts for the write scenario")
    prepare_drafts(plan, base_url, options, options.warmup + options.requests)
    return plan


STOPPERS = (RuntimeError, OSError, psycopg.Error, subprocess.CalledProcessError)  # a run cannot go on after these


def dataset_facts(dataset) -> dict | None:
    try:
        return datasets.facts(dataset.url)
    except (psycopg.Error, OSError) as error:  # e.g. a --target server whose database is not reachable from here
        log(f"[{dataset.name}] no database facts: {error}")
        return None


def start_servers(chosen, options, stamp: str, stack: ExitStack) -> list[tuple]:
    """(dataset, base URL, facts) for each dataset, its server started (or the --target one)."""
    started = []
    for dataset in chosen:
        if not options.target:
            datasets.manage(dataset.url, "axes_reset")  # no lockout left over from anything else
        facts = dataset_facts(dataset)
        base_url = (
            options.target.rstrip("/")
            if options.target
            else stack.enter_context(
                Server(
                    dataset.url,
                    options.output / f"server-{dataset.label}-{stamp}.log",
                    options.workers,
                    options.threads,
                )
            )
        )
        started.append((dataset, base_url, facts))
    return started


def measure_datasets(chosen, options, stamp: str, results: dict) -> None:
    """Every scenario on every dataset, the datasets in alternating rounds; ``results`` fills as it goes, so a
    run that stops keeps what it measured."""
    began = time.perf_counter()
    with ExitStack() as stack:
        built, clients = {}, {}
        for dataset, base_url, facts in start_servers(chosen, options, stamp, stack):
            plan = discover_dataset(dataset, base_url, options)
            built[dataset.label] = {scenario.key: scenario for scenario in scenarios.build_scenarios(plan)}
            clients[dataset.label] = stack.enter_context(
                closing(Clients(partial(HttpSession, base_url), scenarios.PASSWORD, options.concurrency))
            )
            results[dataset.label] = {
                "name": dataset.name,
                "subjects": dataset.subjects,
                "base_url": base_url,
                "scenarios": {},
                "titles": {},
                "checks": plan.checks,
                "notes": plan.notes,
                "facts": facts,
            }
        keys = list(dict.fromkeys(key for scenario_set in built.values() for key in scenario_set))
        for key in keys:
            labels = [label for label in built if key in built[label]]
            tracks = [Track(built[label][key], clients[label], f"{options.seed}/{label}") for label in labels]
            summaries = measure_interleaved(
                tracks, warmup=options.warmup, requests=options.requests, rounds=options.rounds
            )
            for label, track, summary in zip(labels, tracks, summaries):
                results[label]["scenarios"][key], results[label]["titles"][key] = summary, track.scenario.title
                log(
                    f"[{results[label]['name']}] {key}: p95 {report.fmt(summary.p95_ms, 1)} ms, "
                    f"{summary.errors + summary.warmup_errors} error(s)"
                )
    log(f"measured in {time.perf_counter() - began:.0f}s")


def main(argv=None) -> int:
    """Exit 0 when every request succeeded (targets missed or not), 1 when some failed, 2 when the run stopped."""
    options = parse(argv)
    chosen, env, stamp = selected_datasets(options), environment(options), datetime.now().strftime("%Y%m%d-%H%M%S")
    stopped, results = None, {}
    try:
        if options.prepare and not options.target:
            for dataset in chosen:
                datasets.prepare(dataset, log=log)
        options.output.mkdir(parents=True, exist_ok=True)
        measure_datasets(chosen, options, stamp, results)
    except STOPPERS as error:
        stopped = str(error)
        log(f"bench: stopped: {stopped}")
    if not results:
        return 2
    built = {**report.build(env, results), "stopped": stopped}  # what was measured before a stop is kept
    print(report.render(built))
    print(f"\nJSON report: {report.write(built, options.output, stamp)}")
    return 2 if stopped else 1 if built["errors"] else 0
