"""Scale-test data: N synthetic subjects with their evidence, history and access log, written fast.

Rows are built as model instances, so the real harm rules score them, and written batch by batch as
plain rows: with COPY on PostgreSQL (a million subjects, five million evidence items and their
history and log entries in minutes), with multi-row INSERTs elsewhere. Each subject gets the history
a real one would have (recorded, then submitted and approved where its status says so) and the access
log gets the matching hash-chained entries, so ``verify_audit``, the timelines and the benchmark all
run on data shaped like production's.
"""

import random
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from operator import attrgetter

from django.db import connection, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from audit import chain
from audit.log import CHAIN_LOCK_KEY
from audit.models import AccessEvent, Action
from matrix import rules, services
from matrix.choices import Classification, Ethnicity, Gender, SourceType, Status, Verification
from matrix.demo import GIVEN_NAMES
from matrix.models import Borough, Evidence, Subject

GENDERS, ETHNICITIES, CLASSIFICATIONS = Gender.values, Ethnicity.values, Classification.values
POLICE_RECORD, NOT_REQUIRED = SourceType.POLICE_RECORD.value, Verification.NOT_REQUIRED.value
COLLECT, ALTER = Action.COLLECT.value, Action.ALTER.value
STATUS_MIX = [Status.APPROVED.value, Status.APPROVED.value, Status.SUBMITTED.value, Status.DRAFT.value]
SPREAD = timedelta(days=365)  # generated records are spread over the year before the run
REASON = "Scale test data"


@dataclass
class Totals:
    subjects: int = 0
    evidence: int = 0
    subject_history: int = 0
    evidence_history: int = 0
    access_events: int = 0


# --- Writing rows ------------------------------------------------------------------------------------


def _columns(model, skip=()) -> list:
    return [f for f in model._meta.concrete_fields if f.attname not in skip]


def _write(model, fields: list, rows: list[tuple]) -> None:
    """Append rows to the model's table: COPY on PostgreSQL, a multi-row INSERT elsewhere."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepared = [tuple(f.get_db_prep_save(value, connection) for f, value in zip(fields, row)) for row in rows]
        placeholders = ", ".join(["%s"] * len(fields))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", prepared)


def _reserve_ids(model, count: int) -> list[int]:
    """Primary keys for rows written with explicit ids (evidence and history rows point at them)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


class HistoryRows:
    """Rows of a model's simple-history table, taken from an instance as it stood at one step."""

    META = ("history_date", "history_change_reason", "history_type", "history_user_id", "history_request_id")

    def __init__(self, model):
        history = model.history.model
        recorded = [f for f in _columns(history, skip=("history_id", *self.META))]
        self.fields = recorded + [history._meta.get_field(name) for name in self.META]
        self.values_of = attrgetter(*(f.attname for f in recorded))
        self.position = {f.attname: index for index, f in enumerate(recorded)}

    def row(self, instance, *, when, kind: str, user_id: int, **as_it_was) -> tuple:
        values = self.values_of(instance)
        if as_it_was:
            values = list(values)
            for name, value in as_it_was.items():
                values[self.position[name]] = value
        return (*values, when, REASON, kind, user_id, None)  # written outside any request


class AccessLogWriter:
    """Continues the hash chain from its current last entry, sealing each entry as ``audit.log.record``
    does; the caller holds the chain lock."""

    FIELDS = [AccessEvent._meta.get_field(name) for name in (*chain.CHAINED_FIELDS, "entry_hash")]
    BLANK = {f.attname: f.get_default() for f in FIELDS[:-1]}

    def __init__(self):
        last = AccessEvent.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
        self.sequence, self.previous_hash = last if last else (0, chain.GENESIS_HASH)
        self.pending: list[list] = []

    def add(self, **values) -> None:
        self.sequence += 1
        content = {**self.BLANK, **values, "sequence": self.sequence, "previous_hash": self.previous_hash}
        row = [content[name] for name in chain.CHAINED_FIELDS]
        self.previous_hash = chain.seal_row(row)
        row.append(self.previous_hash)
        self.pending.append(row)

    def flush(self) -> int:
        _write(AccessEvent, self.FIELDS, self.pending)
        written, self.pending = len(self.pending), []
        return written


def _blank_instance(model):
    """A factory of unsaved instances that skips ``Model.__init__``'s per-field work: millions are built.
    Callers pass every value that must differ between rows (uuids, times)."""
    template = {f.attname: f.get_default() for f in model._meta.concrete_fields}

    def build(**values):
        instance = model.__new__(model)
        instance.__dict__.update(template, **values)
        instance._state = ModelState()
        return instance

    return build


# --- Generating subjects -----------------------------------------------------------------------------


@dataclass
class Generator:
    """Builds one batch at a time; ``author`` records and submits, ``approver`` approves (four-eyes)."""

    author: object
    approver: object
    seed: int
    rng: random.Random = field(init=False)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        self.boroughs = list(Borough.objects.all())
        self.method = services.current_harm_method()
        self.weights = {w.offence_type_id: w.weight for w in self.method.weights.all()} if self.method else {}
        self.offence_ids = list(self.weights) or [None]
        self.series = services.reference_series()
        self.today = timezone.localdate()
        self.subject_history = HistoryRows(Subject)
        self.evidence_history = HistoryRows(Evidence)
        self.subject_fields = _columns(Subject)
        self.evidence_fields = _columns(Evidence)
        self.subject_row = attrgetter(*(f.attname for f in self.subject_fields))
        self.evidence_row = attrgetter(*(f.attname for f in self.evidence_fields))
        self.new_subject = _blank_instance(Subject)
        self.new_evidence = _blank_instance(Evidence)
        self.borough_codes = {b.pk: b.code for b in self.boroughs}

    def subject(self, number: int, pk: int, created: datetime) -> Subject:
        rng = self.rng
        return self.new_subject(
            id=pk,
            uuid=uuid.uuid4(),
            reference=services.format_reference(self.series, number),
            borough_id=rng.choice(self.boroughs).pk,
            family_name=f"Scaletest-{number}",
            given_names=rng.choice(GIVEN_NAMES),
            date_of_birth=date(rng.randint(1985, 2010), rng.randint(1, 12), rng.randint(1, 28)),
            gender=rng.choice(GENDERS),
            ethnicity=rng.choice(ETHNICITIES),
            classification=rng.choice(CLASSIFICATIONS),
            status=rng.choice(STATUS_MIX),
            created_by_id=self.author.pk,
            created_at=created,
            updated_at=created,
        )

    def evidence(self, subject: Subject, created: datetime) -> Evidence:
        rng = self.rng
        return self.new_evidence(
            uuid=uuid.uuid4(),
            subject_id=subject.pk,
            summary="Synthetic scale-test intelligence.",
            information_date=self.today - timedelta(days=rng.randint(1, 900)),
            source_type=POLICE_RECORD,
            source_reference=f"SCALE-{rng.randint(1, 50)}",
            source_evaluation=rng.choice("122"),
            intelligence_assessment=rng.choice("ABBC"),
            handling_code="P",
            nature="fact",
            offence_type_id=rng.choice(self.offence_ids) if subject.is_perpetrator else None,
            verification=NOT_REQUIRED,
            created_by_id=self.author.pk,
            created_at=created,
        )


def _steps(subject: Subject, gen: Generator, created: datetime, step: timedelta) -> list[tuple[str, datetime]]:
    """The workflow steps the subject went through after it was recorded, with their times."""
    steps = []
    if subject.status in (Status.SUBMITTED, Status.APPROVED):
        subject.submitted_by_id, subject.submitted_at = gen.author.pk, created + step
        steps.append(("submitted", subject.submitted_at))
    if subject.status == Status.APPROVED:
        subject.approved_by_id, subject.approved_at = gen.approver.pk, created + 2 * step
        subject.review_due = gen.today + timedelta(days=gen.rng.randint(-30, 90))
        steps.append(("approved", subject.approved_at))
    subject.version = 1 + len(steps)
    subject.updated_at = steps[-1][1] if steps else created
    return steps


def _subject_events(log: AccessLogWriter, subject: Subject, items: list, steps, gen: Generator) -> None:
    about = {
        "subject_uuid": subject.uuid,
        "subject_reference": subject.reference,
        "borough_code": gen.borough_codes[subject.borough_id],
    }
    author = {"actor_id": gen.author.pk, "actor_username": gen.author.username}
    log.add(
        action=COLLECT,
        occurred_at=subject.created_at,
        object_type="subject",
        object_uuid=subject.uuid,
        detail="Subject recorded as a draft",
        **author,
        **about,
    )
    for item in items:
        log.add(
            action=COLLECT,
            occurred_at=item.created_at,
            object_type="evidence",
            object_uuid=item.uuid,
            detail=f"Evidence added ({item.grading})",
            **author,
            **about,
        )
    for name, when in steps:
        actor = (
            author if name == "submitted" else {"actor_id": gen.approver.pk, "actor_username": gen.approver.username}
        )
        log.add(
            action=ALTER,
            occurred_at=when,
            object_type="subject",
            object_uuid=subject.uuid,
            detail=f"Subject {name}",
            **actor,
            **about,
        )


def _batch(gen: Generator, numbers: range, start_time: datetime, gap: timedelta, log: AccessLogWriter, totals: Totals):
    subject_ids = _reserve_ids(Subject, len(numbers))
    subjects, subject_history, evidence_items, subject_steps = [], [], [], []
    for offset, (number, pk) in enumerate(zip(numbers, subject_ids)):
        created = start_time + gap * offset
        subject = gen.subject(number, pk, created)
        tick = gap / 10  # each subject's own steps fit before the next subject is recorded
        items = [gen.evidence(subject, created + tick) for _ in range(gen.rng.randint(3, 7))]
        services.apply_harm(
            subject, rules.assess_harm(subject.classification, items, gen.method, gen.weights, gen.today)
        )
        steps = _steps(subject, gen, created, 2 * tick)
        subject_history.append(
            gen.subject_history.row(
                subject,
                when=created,
                kind="+",
                user_id=gen.author.pk,
                status=Status.DRAFT.value,
                version=1,
                submitted_by_id=None,
                submitted_at=None,
                approved_by_id=None,
                approved_at=None,
                review_due=None,
                updated_at=created,
            )
        )
        for version, (name, when) in enumerate(steps, start=2):
            as_it_was = {"status": name, "version": version, "updated_at": when}
            if name == "submitted":
                as_it_was.update(approved_by_id=None, approved_at=None, review_due=None)
            user_id = gen.author.pk if name == "submitted" else gen.approver.pk
            subject_history.append(gen.subject_history.row(subject, when=when, kind="~", user_id=user_id, **as_it_was))
        subjects.append(subject)
        evidence_items.append(items)
        subject_steps.append(steps)
    _write(Subject, gen.subject_fields, [gen.subject_row(s) for s in subjects])
    _write(Subject.history.model, gen.subject_history.fields, subject_history)

    flat = [item for items in evidence_items for item in items]
    for item, pk in zip(flat, _reserve_ids(Evidence, len(flat))):
        item.id = pk
    _write(Evidence, gen.evidence_fields, [gen.evidence_row(i) for i in flat])
    _write(
        Evidence.history.model,
        gen.evidence_history.fields,
        [gen.evidence_history.row(i, when=i.created_at, kind="+", user_id=gen.author.pk) for i in flat],
    )
    for subject, items, steps in zip(subjects, evidence_items, subject_steps):
        _subject_events(log, subject, items, steps, gen)
    totals.subjects += len(subjects)
    totals.evidence += len(flat)
    totals.subject_history += len(subject_history)
    totals.evidence_history += len(flat)
    totals.access_events += log.flush()


BIG_TABLES = (Subject, Evidence, Subject.history.model, Evidence.history.model, AccessEvent)
DEFER_INDEXES_FROM = 50_000  # rows per big load, above which building indexes once at the end is faster


@contextmanager
def _indexes_built_after_load(count: int):
    """On PostgreSQL, a big load drops the tables' secondary indexes and builds each once at the end (one
    sorted pass instead of millions of inserts). Same transaction as the load: nothing is lost if it fails."""
    if connection.vendor != "postgresql" or count < DEFER_INDEXES_FROM:
        yield
        return
    tables = [model._meta.db_table for model in BIG_TABLES]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes i WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [tables],
        )
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem TO '256MB'")
        for _name, definition in secondary:
            cursor.execute(definition)


def generate(count: int, author, approver, *, batch_size: int = 5000, progress=None) -> Totals:
    """Write ``count`` subjects in one transaction (an interrupted run writes nothing), batch by batch."""
    gen = Generator(author, approver, seed=count)
    totals = Totals()
    gap = SPREAD / max(count, 1)
    start = timezone.now().astimezone(UTC) - SPREAD
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
                # Foreign keys checked row by row: a queue of millions of deferred checks would fill memory
                # (and would stop the indexes being built in this transaction).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        log = AccessLogWriter()
        with _indexes_built_after_load(count):
            for first in range(0, count, batch_size):
                numbers = services.allocate_reference_numbers(gen.series, min(batch_size, count - first))
                _batch(gen, numbers, start + gap * first, gap, log, totals)
                if progress:
                    progress(totals.subjects, count)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in BIG_TABLES:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return totals
