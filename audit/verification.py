"""Walks the access log in sequence, in constant memory, and names the first entry that breaks the chain.

``verify_chain`` is the walk; ``check_chain`` runs one and keeps its result as a ``ChainCheck``. A full
check starts at the first entry; a check "since the last" starts from the newest entry an earlier check
found good (after confirming that entry is unchanged), so it reads only what was added since.

The chain holds a commitment in place of text typed about a person (audit/log.py); ``logged_text_problem``
checks, for the same entries, that each text not yet erased still matches its commitment and that every
referred text is there. A rewritten text is tampering, reported like an altered entry.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Right
from django.utils import timezone

from audit import chain
from audit.log import TEXT_REFERENCE, commitment, record
from audit.models import AccessEvent, Action, ChainCheck, CheckScope, LoggedText

CHUNK = 10_000
FIELDS = (*chain.CHAINED_FIELDS, "entry_hash")
SEQUENCE, PREVIOUS_HASH = FIELDS.index("sequence"), FIELDS.index("previous_hash")


@dataclass(frozen=True)
class Checkpoint:
    """An entry found good, by sequence and hash; sequence 0 is the start of the log."""

    sequence: int
    entry_hash: str


START_OF_LOG = Checkpoint(0, chain.GENESIS_HASH)


@dataclass(frozen=True)
class ChainReport:
    checked: int
    first_sequence: int = 1
    through: Checkpoint | None = None  # the newest entry found good
    reached_end: bool = True
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_sequence is None


def _altered(sequence: int, row) -> str:
    event = dict(zip(FIELDS, row))
    return (
        f"entry #{sequence} ({event['action']} by {event['actor_username'] or 'anonymous'} at "
        f"{event['occurred_at'].isoformat()}) was altered: its content no longer matches its hash"
    )


def _rewritten(sequence: int) -> str:
    return (
        f"entry #{sequence} is not the entry an earlier check found good there: the chain has been "
        "rewritten from that point or before"
    )


def _anchor_problem(start: Checkpoint) -> str:
    """Why the walk cannot start from ``start`` (the entry changed or went since it was found good), or ""."""
    if start.sequence == 0:
        return ""
    row = AccessEvent.objects.filter(sequence=start.sequence).values_list(*FIELDS).first()
    if row is None:
        return f"entry #{start.sequence}, found good by an earlier check, is missing"
    if row[-1] != start.entry_hash or chain.seal_row(row[:-1]) != start.entry_hash:
        return _altered(start.sequence, row)
    return ""


def _link_problem(row, expected_sequence: int, previous_hash: str) -> tuple[int, str] | None:
    """(the broken entry's sequence, what is wrong) when ``row`` does not continue the chain, else None."""
    sequence = row[SEQUENCE]
    if sequence != expected_sequence:
        return expected_sequence, f"entry #{expected_sequence} is missing (next found is #{sequence})"
    if row[PREVIOUS_HASH] != previous_hash:
        return sequence, f"entry #{sequence} does not follow the entry before it"
    if chain.seal_row(row[:-1]) != row[-1]:
        return sequence, _altered(sequence, row)
    return None


def verify_chain(
    start: Checkpoint = START_OF_LOG, limit: int | None = None, known_good: Checkpoint | None = None
) -> ChainReport:
    """Check the entries after ``start``, at most ``limit`` of them. ``first_sequence`` is the first entry read:
    ``start`` itself when it is an entry, re-read to confirm it is unchanged.

    ``known_good`` is an entry an earlier check found good: the walk must find it with the same hash, so a
    chain rewritten from some point on (every hash recomputed) or cut short is caught too.
    """
    first = start.sequence or 1
    problem = _anchor_problem(start)
    if problem:
        return ChainReport(0, first, broken_sequence=start.sequence, problem=problem)
    expected_sequence, previous_hash, checked = start.sequence + 1, start.entry_hash, 0

    def report(**outcome) -> ChainReport:
        # The newest entry found good is the one before the next expected: ``start`` itself if nothing followed.
        through = Checkpoint(expected_sequence - 1, previous_hash) if expected_sequence > 1 else None
        return ChainReport(checked, first, through, **outcome)

    known_sequence = known_good.sequence if known_good else None  # a local: compared on every row
    rows = AccessEvent.objects.filter(sequence__gt=start.sequence).order_by("sequence").values_list(*FIELDS)
    if limit is not None:
        rows = rows[: limit + 1]  # one more, to know whether the end was reached
    # Plain rows, not model instances: the walk is dominated by per-row cost (millions of rows).
    for row in rows.iterator(chunk_size=CHUNK):
        if checked == limit:
            return report(reached_end=False)
        broken = _link_problem(row, expected_sequence, previous_hash)
        if broken:
            return report(broken_sequence=broken[0], problem=broken[1])
        if row[SEQUENCE] == known_sequence and row[-1] != known_good.entry_hash:
            return report(broken_sequence=known_good.sequence, problem=_rewritten(known_good.sequence))
        previous_hash, expected_sequence, checked = row[-1], expected_sequence + 1, checked + 1
    if known_good and known_good.sequence >= expected_sequence:
        return report(
            broken_sequence=expected_sequence,
            problem=(
                f"entries #{expected_sequence} to #{known_good.sequence}, found good by an earlier check, are missing"
            ),
        )
    return report()


def logged_text_problem(first: int, through: int) -> tuple[int, str] | None:
    """(the entry's sequence, what is wrong) for the first entry from ``first`` to ``through`` whose typed text
    (kept beside the chain) was altered or removed, else None. Erased texts are empty and are not compared."""
    if through < first:
        return None
    entries = AccessEvent.objects.filter(sequence__gte=first, sequence__lte=through)
    missing = (
        entries.filter(justification__contains=TEXT_REFERENCE)
        .annotate(found=Exists(LoggedText.objects.filter(digest=Right(OuterRef("justification"), 64))))
        .filter(found=False)
        .order_by("sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    texts = LoggedText.objects.filter(sequence__gte=first, sequence__lte=through).order_by("sequence")
    for sequence, digest, nonce, text, erased_at in texts.values_list(
        "sequence", "digest", "nonce", "text", "erased_at"
    ).iterator(chunk_size=CHUNK):
        if missing is not None and missing < sequence:
            break
        if erased_at is None and commitment(nonce, text) != digest:
            return sequence, (
                f"the text of entry #{sequence} (logged text {digest[:12]}…) was altered: it no "
                "longer matches the commitment the chain holds"
            )
        if erased_at is not None and (text or nonce):
            return (
                sequence,
                f"the text of entry #{sequence} (logged text {digest[:12]}…) is marked erased but is not empty",
            )
    if missing is not None:
        return (
            missing,
            f"the text of entry #{missing} is missing: no logged text matches the commitment the chain holds",
        )
    return None


def _with_text_check(report: ChainReport) -> ChainReport:
    """The chain walk's report, or, when the chain is intact, the first problem with a typed text in its range."""
    if not report.intact or report.through is None:
        return report
    problem = logged_text_problem(report.first_sequence, report.through.sequence)
    if problem is None:
        return report
    sequence, text = problem
    before = AccessEvent.objects.filter(sequence=sequence - 1).values_list("entry_hash", flat=True).first()
    through = Checkpoint(sequence - 1, before) if before else None
    checked = max(0, sequence - report.first_sequence)
    return ChainReport(checked, report.first_sequence, through, report.reached_end, sequence, text)


def verify_log(
    start: Checkpoint = START_OF_LOG, limit: int | None = None, known_good: Checkpoint | None = None
) -> ChainReport:
    """``verify_chain``, then the typed texts of the entries it found good."""
    return _with_text_check(verify_chain(start, limit, known_good=known_good))


def _checkpoint(check: ChainCheck | None) -> Checkpoint:
    return Checkpoint(check.through_sequence, check.through_hash) if check else START_OF_LOG


def _with_checkpoints():
    return ChainCheck.objects.filter(through_sequence__isnull=False).order_by("-through_sequence")


def open_break() -> ChainCheck | None:
    """The latest check that found the chain broken, unless a full check has since read the whole log intact."""
    latest = ChainCheck.objects.filter(broken_sequence__isnull=False).order_by("-id").first()
    if latest is None:
        return None
    cleared = ChainCheck.objects.filter(
        id__gt=latest.id, scope=CheckScope.FULL, reached_end=True, broken_sequence__isnull=True
    ).exists()
    return None if cleared else latest


def last_checkpoint() -> Checkpoint:
    """Where a check "since the last" starts: the newest entry an earlier check found good, but before any break
    still open, so that every later check finds that break again; or the start of the log."""
    broken = open_break()
    candidates = _with_checkpoints()
    if broken is not None:
        candidates = candidates.filter(through_sequence__lt=broken.broken_sequence)
    return _checkpoint(candidates.first())


def latest_full_check() -> ChainCheck | None:
    """The latest check of the whole log: one that read to the newest entry, or stopped at a break (a full check
    stopped early by ``--limit`` says nothing about the rest)."""
    return (
        ChainCheck.objects.filter(scope=CheckScope.FULL)
        .filter(Q(reached_end=True) | Q(broken_sequence__isnull=False))
        .order_by("-id")
        .first()
    )


def log_is_intact(check: ChainCheck, full: ChainCheck | None) -> bool:
    """The verdict on the log after ``check``: it and the latest full check (if any) found nothing wrong."""
    return check.intact and (full is None or full.intact)


def check_chain(*, scope: str, requested_by: str, limit: int | None = None) -> ChainCheck:
    """Run a check and keep its result (the check is itself evidence an auditor may be asked for).

    Either kind must also find the newest entry any earlier check found good, unchanged: that is what catches
    a chain re-sealed from some point on, or its newest entries deleted.
    """
    started_at = timezone.now()
    newest_good = _with_checkpoints().first()
    known_good = _checkpoint(newest_good) if newest_good else None
    start = START_OF_LOG if scope == CheckScope.FULL else last_checkpoint()
    report = verify_log(start, limit, known_good=known_good)
    return ChainCheck.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        scope=scope,
        requested_by=requested_by,
        first_sequence=report.first_sequence,
        checked=report.checked,
        through_sequence=report.through.sequence if report.through else None,
        through_hash=report.through.entry_hash if report.through else "",
        reached_end=report.reached_end,
        broken_sequence=report.broken_sequence,
        problem=report.problem,
    )


def check_on_request(*, acting_user, limit: int) -> ChainCheck:
    """An auditor's on-demand check: the entries since the last good check (at most ``limit``), kept and logged
    in one transaction."""
    with transaction.atomic():
        check = check_chain(scope=CheckScope.SINCE_LAST, requested_by=acting_user.get_username(), limit=limit)
        state = "intact" if check.intact else f"broken at #{check.broken_sequence}"
        record(
            Action.SEARCH,
            actor=acting_user,
            detail=(
                f"Access log chain checked through the API from #{check.first_sequence}: {check.checked} checked, {state}"
            ),
        )
    return check
