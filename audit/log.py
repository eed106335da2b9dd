"""``record()``: the one way anything is written to the access log.

Appends are serialised (a PostgreSQL advisory lock; SQLite's write lock, taken at BEGIN IMMEDIATE),
so concurrent writers cannot fork the chain. Called inside a service's transaction, the entry
commits or rolls back with the change it describes.
"""

from django.db import connection, transaction
from django.utils import timezone

from audit import chain
from audit.context import current
from audit.models import AccessEvent, Action, Outcome

# An arbitrary constant naming "the access log chain" among PostgreSQL advisory locks.
CHAIN_LOCK_KEY = 620_062_062


def _lock_chain() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def _subject_fields(subject) -> dict:
    if subject is None:
        return {}
    return {
        "subject_uuid": subject.uuid,
        "subject_reference": subject.reference,
        "borough_code": subject.borough.code if subject.borough_id else "",
    }


def _actor_fields(actor) -> dict:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor_id": None, "actor_username": ""}
    return {"actor_id": actor.pk, "actor_username": actor.get_username()}


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    subject=None,
    justification: str = "",
    recipient: str = "",
    outcome: str = Outcome.SUCCESS,
    detail: str = "",
    username: str = "",
) -> AccessEvent:
    """Append one entry. ``obj`` is what was acted on (anything with a ``uuid``); ``subject`` the person it concerns."""
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    request = current()
    event = AccessEvent(
        occurred_at=timezone.now(),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_uuid=getattr(obj, "uuid", None),
        justification=justification or "",
        recipient=recipient or "",
        outcome=outcome,
        detail=detail[:300],
        request_id=request.request_id if request else None,
        ip_address=request.ip_address if request else None,
        user_agent=request.user_agent if request else "",
        **_actor_fields(actor),
        **_subject_fields(subject),
    )
    if username and not event.actor_username:
        event.actor_username = username[:150]
    with transaction.atomic():
        _lock_chain()
        last = AccessEvent.objects.order_by("-sequence").values_list("sequence", "entry_hash").first()
        event.sequence, event.previous_hash = (last[0] + 1, last[1]) if last else (1, chain.GENESIS_HASH)
        event.entry_hash = chain.seal(event)
        event.save(force_insert=True)
    return event
