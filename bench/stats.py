"""Latency statistics of one scenario: percentiles by linear interpolation between closest ranks."""

import math
from dataclasses import dataclass, field


def percentile(values, pct: float) -> float:
    """The ``pct``-th percentile of ``values``, interpolating linearly between the two closest ranks.

    The same definition as numpy's default ("linear"): rank (n - 1) * pct / 100 in the sorted values.
    """
    if not values:
        raise ValueError("no values to take a percentile of")
    if not 0 <= pct <= 100:
        raise ValueError(f"percentile must be between 0 and 100, not {pct}")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * pct / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Sample:
    """One timed operation (one request, or a pair such as submit then approve)."""

    seconds: float  # as the client saw it
    ok: bool
    db_ms: float | None = None  # from Server-Timing, summed over the operation's requests
    app_ms: float | None = None
    queries: int | None = None


@dataclass
class Summary:
    count: int
    errors: int
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None
    throughput: float | None  # operations per second over the timed wall-clock time
    db_ms: float | None = None  # mean SQL time per operation (server side)
    app_ms: float | None = None  # mean server time per operation
    queries: float | None = None  # mean number of queries per operation
    warmup_errors: int = 0
    error_samples: list = field(default_factory=list)

    @property
    def app_over_db(self) -> float | None:
        return ratio(self.app_ms, self.db_ms)

    @property
    def client_over_db(self) -> float | None:
        return ratio(self.mean_ms, self.db_ms)


def ratio(numerator, denominator) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def _mean(values) -> float | None:
    return sum(values) / len(values) if values else None


def summarise(samples: list[Sample], wall_seconds: float, error_samples=()) -> Summary:
    """Latency over the successful operations; errors are counted, not timed."""
    good = [sample for sample in samples if sample.ok]
    millis = [sample.seconds * 1000 for sample in good]
    timed = [sample for sample in good if sample.db_ms is not None and sample.app_ms is not None]
    return Summary(
        count=len(samples),
        errors=len(samples) - len(good),
        p50_ms=percentile(millis, 50) if millis else None,
        p95_ms=percentile(millis, 95) if millis else None,
        mean_ms=_mean(millis),
        throughput=len(good) / wall_seconds if wall_seconds > 0 and good else None,
        db_ms=_mean([sample.db_ms for sample in timed]),
        app_ms=_mean([sample.app_ms for sample in timed]),
        queries=_mean([sample.queries for sample in timed if sample.queries is not None]),
        error_samples=list(error_samples),
    )
