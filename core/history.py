"""The one way history is written: every save, delete or many-to-many change of a history-tracked row
(django-simple-history) says who did it and why.

Services call these inside their own transaction, so the history row commits or rolls back with the change.
"""

from contextlib import contextmanager

from django.db import models
from simple_history.models import HistoricalRecords

from core.text import validate_text


class RequestStamped(models.Model):
    """What every history row carries beside simple-history's own columns: the id of the request that made
    the change (the access log's entries of that request carry the same id), so a version and the log entry
    of the step that wrote it can be read together. Empty for changes made outside a request."""

    history_request_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class History(HistoricalRecords):
    """simple-history as every model here uses it: its rows are ``RequestStamped``."""

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, bases=[RequestStamped, *bases], **kwargs)


def fit_change_reason(instance, reason: str) -> str:
    """History keeps the reason in a 100-character column, which PostgreSQL (unlike SQLite) enforces.

    A longer reason is shortened there with an ellipsis; the full text stays where each step keeps it
    (the record's own field, e.g. ``rejection_reason``, and the access log's justification).
    """
    if reason is None:
        return reason
    validate_text(reason, "reason")
    limit = type(instance).history.model._meta.get_field("history_change_reason").max_length
    return reason if limit is None or len(reason) <= limit else reason[: limit - 1] + "…"


@contextmanager
def tracked(instance, *, acting_user, reason: str):
    """Every history row the block writes for ``instance`` (a save, a delete, a many-to-many change) carries
    ``acting_user`` and ``reason``."""
    instance._history_user = acting_user
    instance._change_reason = fit_change_reason(instance, reason)
    yield instance


def save_tracked(instance, *, acting_user, reason: str, update_fields=None) -> None:
    """Save with who and why (``update_fields``: only those columns are written; the history row is still a
    full copy of the instance, so read it under a lock first)."""
    with tracked(instance, acting_user=acting_user, reason=reason):
        instance.save(update_fields=update_fields)


def delete_tracked(instance, *, acting_user, reason: str) -> None:
    """Delete; the row's last version says who did it and why."""
    with tracked(instance, acting_user=acting_user, reason=reason):
        instance.delete()
