"""The timed loop: C client threads, each with its own signed-in sessions, share N operations of a scenario."""

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

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


def measure(scenario, clients: Clients, *, warmup: int, requests: int, seed: str):
    """Warm up (not counted), then time ``requests`` operations; returns their Summary."""
    clients.sign_in(scenario.users)
    _samples, warmup_errors, _wall = run_operations(scenario, clients, warmup, f"{seed}/warmup")
    samples, errors, wall = run_operations(scenario, clients, requests, seed)
    summary = summarise(samples, wall, error_samples=(warmup_errors + errors)[:MAX_ERROR_SAMPLES])
    summary.warmup_errors = len(warmup_errors)
    return summary
