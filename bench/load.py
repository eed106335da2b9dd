"""The timed loop: C client threads, each with its own signed-in sessions, share N operations of a scenario.

Datasets are compared in alternating rounds (10k, 1M, 1M, 10k, …) rather than one after the other, so
whatever else the machine is doing over the run weighs on both sides of a ratio alike.
"""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from bench.stats import Sample, summarise

MAX_ERROR_SAMPLES = 5


class Clients:
    """Signed-in sessions for C client threads: one session (one connection) per client and user."""

    def __init__(self, make_session, password: str, concurrency: int):
        self.make_session, self.password, self.concurrency = make_session, password, concurrency
        self.sessions = [{} for _ in range(concurrency)]

    def sign_in(self, usernames):
        """Sign every client in afresh as each user (untimed). Fresh per scenario: sessions end after
        15 idle minutes, and a long run at 1M may not come back to a user within that."""
        self.close()
        pairs = [(index, name) for index in range(self.concurrency) for name in usernames]
        with ThreadPoolExecutor(self.concurrency) as pool:
            signed_in = list(pool.map(lambda pair: self.make_session().sign_in(pair[1], self.password), pairs))
        for (index, name), session in zip(pairs, signed_in):
            self.sessions[index][name] = session

    def of(self, index: int):
        return self.sessions[index].__getitem__

    def close(self):
        for sessions in self.sessions:
            for session in sessions.values():
                getattr(session, "close", lambda: None)()
            sessions.clear()


def timed(scenario, sessions, rng) -> tuple[Sample, str | None]:
    """Run one operation; (its sample, a description of what went wrong or None)."""
    try:
        replies = scenario.operation(sessions, rng)
    except Exception as error:  # a refused connection, a timeout, no draft left: counted and shown, never hidden
        return Sample(seconds=0.0, ok=False), f"{type(error).__name__}: {error}"[:300]
    seconds = sum(reply.seconds for reply in replies)
    unexpected = [reply for reply in replies if reply.status not in scenario.expect]
    if unexpected:
        reply = unexpected[0]
        return Sample(seconds=seconds, ok=False), f"HTTP {reply.status}: {' '.join(reply.body[:200].split())}"
    timings = [(reply.db_ms, reply.app_ms, reply.queries) for reply in replies]
    complete = all(db is not None and app is not None for db, app, _count in timings)
    return Sample(
        seconds=seconds,
        ok=True,
        db_ms=sum(db for db, _app, _count in timings) if complete else None,
        app_ms=sum(app for _db, app, _count in timings) if complete else None,
        queries=sum(count or 0 for _db, _app, count in timings) if complete else None,
    ), None


def run_operations(scenario, clients: Clients, total: int, seed: str):
    """``total`` operations spread over the clients; returns (samples, error descriptions, wall seconds)."""
    lock, issued = threading.Lock(), [0]

    def take_ticket() -> bool:
        with lock:
            issued[0] += 1
            return issued[0] <= total

    def client(index):
        rng = random.Random(f"{seed}/{scenario.key}/{index}")
        sessions, results = clients.of(index), []
        while take_ticket():
            results.append(timed(scenario, sessions, rng))
        return results

    started = time.perf_counter()
    with ThreadPoolExecutor(clients.concurrency) as pool:
        per_client = list(pool.map(client, range(clients.concurrency)))
    wall = time.perf_counter() - started
    results = [result for batch in per_client for result in batch]
    errors = [problem for _sample, problem in results if problem]
    return [sample for sample, _problem in results], errors, wall


@dataclass
class Track:
    """One scenario on one server: who runs it and what it has measured so far."""

    scenario: object
    clients: Clients
    seed: str
    samples: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    wall_seconds: float = 0.0
    warmup_errors: int = 0


def round_sizes(requests: int, rounds: int) -> list[int]:
    """``requests`` operations split as evenly as possible into at most ``rounds`` non-empty rounds."""
    rounds = max(1, min(rounds, requests))
    return [requests // rounds + (1 if number < requests % rounds else 0) for number in range(rounds)]


def measure_interleaved(tracks: list[Track], *, warmup: int, requests: int, rounds: int):
    """Warm each track up (not counted), then time ``requests`` operations of each in alternating rounds;
    returns their Summaries in the order of ``tracks``."""
    for track in tracks:
        track.clients.sign_in(track.scenario.users)
        _samples, warmup_errors, _wall = run_operations(track.scenario, track.clients, warmup, f"{track.seed}/warmup")
        track.warmup_errors = len(warmup_errors)
        track.errors.extend(warmup_errors)
    for number, size in enumerate(round_sizes(requests, rounds)):
        for track in tracks if number % 2 == 0 else reversed(tracks):
            samples, errors, wall = run_operations(track.scenario, track.clients, size, f"{track.seed}/{number}")
            track.samples.extend(samples)
            track.errors.extend(errors)
            track.wall_seconds += wall
    summaries = []
    for track in tracks:
        summary = summarise(track.samples, track.wall_seconds, error_samples=track.errors[:MAX_ERROR_SAMPLES])
        summary.warmup_errors = track.warmup_errors
        summaries.append(summary)
    return summaries
