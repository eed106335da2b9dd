"""The ratios against their targets, the printed report and the JSON report.

Targets are reported, never asserted: a miss is information for whoever tunes the app, not a failure of
the run. ``results`` is {dataset label: {"name": "10k", "scenarios": {key: Summary}, "checks": {...}, ...}}.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from bench.stats import ratio

SMALL, LARGE = "small", "large"
GROWTH_TARGET = 1.3  # each page's p95 at 1M ÷ at 10k, at most
GATING_TARGET = 1.3  # gated list ÷ the same list ungated, at most
ADMIN_TARGET = 3.0  # the admin changelist ÷ our list (at 1M), at least
SQL_TARGET = 4.0  # page time ÷ its SQL time, at most
# (gated scenario, ungated scenario, the discovery check saying both show the same rows)
GATING_PAIRS = [
    ("list", "list_ungated", "subject list: gated and ungated pages show the same rows"),
    ("api_list", "api_list_ungated", "API list: gated and ungated pages show the same rows"),
]
ADMIN_CHECK = "admin changelist shows the same rows as the subject list"
BASELINES = {"admin"}  # measured for comparison only: not our page, so our targets do not apply to it


@dataclass
class Ratio:
    what: str
    value: float | None
    target: str  # e.g. "≤ 1.3"
    verdict: str  # PASS, MISS, INFO (no target here: this size, or the baseline), N/A (no data), NOT COMPARABLE


def judge(value, limit: float, *, at_most: bool, comparable: bool = True, applies: bool = True) -> str:
    if not comparable:
        return "NOT COMPARABLE"
    if value is None:
        return "N/A"
    if not applies:
        return "INFO"
    return "PASS" if (value <= limit if at_most else value >= limit) else "MISS"


def _p95(results, label, key):
    summary = results.get(label, {}).get("scenarios", {}).get(key)
    return summary.p95_ms if summary else None


def compute_ratios(results: dict) -> list[Ratio]:
    ratios = []
    if SMALL in results and LARGE in results:
        small, large = results[SMALL]["name"], results[LARGE]["name"]
        for key, summary in results[LARGE]["scenarios"].items():
            value = ratio(summary.p95_ms, _p95(results, SMALL, key))
            ratios.append(
                Ratio(
                    f"{key}: p95 at {large} ÷ at {small}",
                    value,
                    f"≤ {GROWTH_TARGET}",
                    judge(value, GROWTH_TARGET, at_most=True, applies=key not in BASELINES),
                )
            )
    for label, result in results.items():
        name, checks = result["name"], result["checks"]
        for gated, ungated, check in GATING_PAIRS:
            value = ratio(_p95(results, label, gated), _p95(results, label, ungated))
            ratios.append(
                Ratio(
                    f"{gated} ÷ {ungated} (p95) at {name}",
                    value,
                    f"≤ {GATING_TARGET}",
                    judge(value, GATING_TARGET, at_most=True, comparable=checks.get(check, True)),
                )
            )
        value = ratio(_p95(results, label, "admin"), _p95(results, label, "list"))
        ratios.append(
            Ratio(
                f"admin changelist ÷ our list (p95) at {name}",
                value,
                f"≥ {ADMIN_TARGET} at 1M",
                judge(
                    value, ADMIN_TARGET, at_most=False, comparable=checks.get(ADMIN_CHECK, True), applies=label == LARGE
                ),
            )
        )
        for key, summary in result["scenarios"].items():
            ratios.append(
                Ratio(
                    f"{key}: server time ÷ SQL time at {name} (client ÷ SQL {fmt(summary.client_over_db)})",
                    summary.app_over_db,
                    f"≤ {SQL_TARGET}",
                    judge(summary.app_over_db, SQL_TARGET, at_most=True, applies=key not in BASELINES),
                )
            )
    return ratios


def error_count(results: dict) -> int:
    return sum(
        summary.errors + summary.warmup_errors
        for result in results.values()
        for summary in result["scenarios"].values()
    )


def fmt(value, digits=2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def render(report: dict) -> str:
    """The report as text: environment, a table per dataset, notes, ratios."""
    env = report["environment"]
    lines = [
        "Environment",
        f"  CPUs {env['cpus']}; Python {env['python']}; Django {env['django']}; "
        f"gunicorn {env['gunicorn_workers']} workers × {env['gunicorn_threads']} threads; "
        f"{env['concurrency']} clients, {env['requests']} operations per scenario after {env['warmup']} warm-up, "
        f"datasets alternating in {env.get('rounds', 1)} rounds",
    ]
    for label, result in report["datasets"].items():
        facts = result.get("facts") or {}
        rows = ", ".join(f"{name} {count:,}" for name, count in facts.get("rows", {}).items()) or "row counts unknown"
        lines += [
            "",
            f"Dataset {result['name']} ({label}) at {result['base_url']}: PostgreSQL "
            f"{facts.get('postgresql', 'unknown')}; {rows}",
        ]
        lines.append(
            f"  {'scenario':<17}{'ops':>5}{'err':>5}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'ops/s':>8}"
            f"{'SQL ms':>8}{'queries':>8}{'app/SQL':>8}  title"
        )
        for key, summary in result["scenarios"].items():
            lines.append(
                f"  {key:<17}{summary['count']:>5}{summary['errors'] + summary['warmup_errors']:>5}"
                f"{fmt(summary['p50_ms'], 1):>9}{fmt(summary['p95_ms'], 1):>9}{fmt(summary['mean_ms'], 1):>9}"
                f"{fmt(summary['throughput'], 1):>8}{fmt(summary['db_ms'], 1):>8}"
                f"{fmt(summary['queries'], 1):>8}{fmt(ratio(summary['app_ms'], summary['db_ms'])):>8}"
                f"  {summary['title']}"
            )
            lines += [f"      error: {problem}" for problem in summary["error_samples"]]
        lines += [f"  check: {'yes' if ok else 'NO'} — {check}" for check, ok in result["checks"].items()]
        lines += [f"  note: {note}" for note in result["notes"]]
    lines += ["", "Ratios (targets are reported, not asserted)"]
    lines += [
        f"  [{item['verdict']:<5}] {item['what']} = {fmt(item['value'])} (target {item['target']})"
        for item in report["ratios"]
    ]
    lines += ["", f"Errors: {report['errors']}"]
    if report.get("stopped"):
        lines.append(f"Stopped before the end: {report['stopped']}")
    return "\n".join(lines)


def build(environment: dict, results: dict) -> dict:
    """The JSON-ready report."""
    datasets = {}
    for label, result in results.items():
        scenarios = {}
        for key, summary in result["scenarios"].items():
            scenarios[key] = {
                "title": result["titles"][key],
                **asdict(summary),
                "app_over_db": summary.app_over_db,
                "client_over_db": summary.client_over_db,
            }
        datasets[label] = {
            **{k: v for k, v in result.items() if k not in ("scenarios", "titles")},
            "scenarios": scenarios,
        }
    return {
        "environment": environment,
        "datasets": datasets,
        "ratios": [asdict(item) for item in compute_ratios(results)],
        "errors": error_count(results),
    }


def write(report: dict, directory: Path, stamp: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"report-{stamp}.json"
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
    return path
