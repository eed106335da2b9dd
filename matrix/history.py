"""A subject's change history as people read it: who changed which field from what to what, and why.

Shared by the subject page and the API so both tell the same story.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import OuterRef, Subquery

from audit.models import AccessEvent
from config.formats import written
from matrix.models import Subject

# Bookkeeping that changes with every step and says nothing a reader needs.
QUIET_FIELDS = frozenset({"id", "updated_at", "version", "harm_calculated_at"})
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    when: object
    who: str
    kind: str
    reason: str
    version: int | None
    changes: list[FieldChange] = field(default_factory=list)
    # The access-log entry the same request wrote about this subject (joined by request id), if any.
    log_sequence: int | None = None


def _shown_fields():
    return [f for f in Subject._meta.concrete_fields if f.name not in QUIET_FIELDS and f.name in _history_field_names()]


def _history_field_names() -> set[str]:
    return {f.name for f in Subject.history.model._meta.fields}


def _display(model_field, value, labels: dict) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(model_field, models.ForeignKey):
        # A name, never the database key: integer keys do not leave the server (docs/rules.md, The subject record).
        return labels.get((model_field.related_model, value), f"(a {model_field.related_model._meta.verbose_name})")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, date):
        return written(value)
    return str(value)


def _changes(newer, older, fields, labels: dict) -> list[FieldChange]:
    if older is None:
        return []
    return [
        FieldChange(
            field=f.name,
            label=str(f.verbose_name).capitalize(),
            old=_display(f, getattr(older, f.attname), labels),
            new=_display(f, getattr(newer, f.attname), labels),
        )
        for f in fields
        if getattr(older, f.attname) != getattr(newer, f.attname)
    ]


def _related_labels(records, fields) -> dict:
    """Names for foreign keys, keyed by (model, key): usernames, and other rows (a borough) only where they changed."""
    wanted = defaultdict(set)
    for f in fields:
        if not isinstance(f, models.ForeignKey):
            continue
        if f.related_model is get_user_model():
            wanted[f.related_model] |= {getattr(r, f.attname) for r in records}
        else:  # an unchanged borough is never shown, so it costs no query
            for newer, older in pairwise(records):
                if getattr(newer, f.attname) != getattr(older, f.attname):
                    wanted[f.related_model] |= {getattr(newer, f.attname), getattr(older, f.attname)}
    labels = {}
    for model, ids in wanted.items():
        ids -= {None}
        if not ids:
            continue
        if model is get_user_model():
            names = model.objects.filter(pk__in=ids).values_list("pk", "username")
        else:
            names = ((pk, str(row)) for pk, row in model.objects.in_bulk(ids).items())
        labels.update(((model, pk), name) for pk, name in names)
    return labels


def subject_history(subject: Subject, limit: int = 100) -> list[HistoryEntry]:
    """Newest first: ``limit + 1`` history rows (so the oldest shown has its diff), then usernames (and borough
    names when a borough changed)."""
    logged_in_same_request = AccessEvent.objects.filter(
        subject_uuid=subject.uuid, request_id=OuterRef("history_request_id")
    ).order_by("sequence")
    records = list(
        subject.history.select_related("history_user")
        .annotate(log_sequence=Subquery(logged_in_same_request.values("sequence")[:1]))
        .order_by("-history_date", "-history_id")[: limit + 1]
    )
    fields = _shown_fields()
    labels = _related_labels(records, fields)
    older_of = dict(pairwise(records))
    return [
        HistoryEntry(
            when=record.history_date,
            who=record.history_user.get_username() if record.history_user else "System",
            kind=KINDS.get(record.history_type, record.history_type),
            reason=record.history_change_reason or "",
            version=record.version,
            changes=_changes(record, older_of.get(record), fields, labels),
            log_sequence=record.log_sequence,
        )
        for record in records[:limit]
    ]
