"""``record()``: the one way anything is written to the access log; and ``justification_as_read``, the one
way it is read back.

Appends are serialised (a PostgreSQL advisory lock; SQLite's write lock, taken at BEGIN IMMEDIATE),
so concurrent writers cannot fork the chain. Called inside a service's transaction, the entry
commits or rolls back with the change it describes.

Typed text about a person (the justification of an entry that concerns a subject) is not put in the
chain: it is kept as a ``LoggedText`` row, and the chained ``justification`` holds a reference to it,
the commitment ``sha256(nonce || text)`` after ``TEXT_REFERENCE``. The chain covers the commitment; the
text can be erased with the subject (matrix/retention.py) and the chain still verifies. A fixed marker
the system recognises entries by ("Break glass: ") is code's text, not the person's: it stays plain in
the column, before the reference. Entries about no one keep their justification as plain text.
"""

import hashlib
import re
import secrets

from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Right
from django.utils import timezone

from audit import chain
from audit.context import current
from audit.models import AccessEvent, Action, LoggedText, Outcome
from config.formats import written_day

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
    marker: str = "",
) -> AccessEvent:
    """Append one entry. ``obj`` is what was acted on (anything with a ``uuid``); ``subject`` the person it concerns.

    ``marker`` is a fixed label of the code's own (``BREAK_GLASS``) put plain before the justification, so
    that queries can recognise the entry by it whatever becomes of the typed text after it.
    """
    if action not in Action.values:
        raise ValueError(f"Unknown audit action {action!r}")
    if TEXT_REFERENCE in marker:
        raise ValueError("A marker cannot contain a text reference.")
    request = current()
    text = justification or ""
    event = AccessEvent(
        occurred_at=timezone.now(),
        action=action,
        object_type=obj._meta.model_name if obj is not None else "",
        object_uuid=getattr(obj, "uuid", None),
        justification=marker + text,
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
        # Beside the chain: text about a person, and any text that looks like a reference (so that every
        # reference in the column was written here and names a row, whatever anyone types).
        if text and (subject is not None or TEXT_REFERENCE in text):
            nonce = secrets.token_hex(16)
            digest = commitment(nonce, text)
            LoggedText.objects.create(
                digest=digest,
                nonce=nonce,
                text=text,
                subject_uuid=getattr(subject, "uuid", None),
                sequence=event.sequence,
            )
            event.justification = marker + TEXT_REFERENCE + digest
        event.entry_hash = chain.seal(event)
        event.save(force_insert=True)
    return event


# --- Typed text beside the chain -------------------------------------------------------------------------------

# Before the commitment in the chained column. "␞" (U+241E, SYMBOL FOR RECORD SEPARATOR) is not typed in
# reasons; and record() keeps any text containing this prefix beside the chain, so it never appears plain.
TEXT_REFERENCE = "\u241esha256:"
_REFERENCE = re.compile(r"\A(?P<marker>.*?)" + re.escape(TEXT_REFERENCE) + r"(?P<digest>[0-9a-f]{64})\Z", re.DOTALL)
# The marker of a view made through break glass (audit/queries.py, audit/timeline.py recognise it).
BREAK_GLASS = "Break glass: "
ERASED_TEXT = "[erased with the record on {day}]"
MISSING_TEXT = "[text missing from the log: run the access log check]"


def commitment(nonce: str, text: str) -> str:
    """sha256(nonce || text), in hex: what the chain holds in place of the text."""
    return hashlib.sha256((nonce + text).encode()).hexdigest()


def parse_reference(justification: str) -> tuple[str, str] | None:
    """(marker, digest) when the stored justification refers to a ``LoggedText``, else None (plain text)."""
    match = _REFERENCE.match(justification or "")
    return (match["marker"], match["digest"]) if match else None


def _logged_texts():
    return LoggedText.objects.filter(digest=Right(OuterRef("justification"), 64))


def with_justifications(events):
    """``events`` (a queryset) with each referred text and its erasure time, so that a page of entries is
    still one query: read each with ``justification_as_read``."""
    if "logged_text" in events.query.annotations:
        return events
    return events.annotate(
        logged_text=Subquery(_logged_texts().values("text")[:1]),
        logged_text_erased_at=Subquery(_logged_texts().values("erased_at")[:1]),
    )


def read_justification(stored: str, text: str | None, erased_at) -> str:
    """The justification as people read it, from the stored column and the text it refers to (if any)."""
    parsed = parse_reference(stored)
    if parsed is None:
        return stored or ""
    if erased_at is not None:
        return parsed[0] + ERASED_TEXT.format(day=written_day(erased_at))
    return parsed[0] + (MISSING_TEXT if text is None else text)


def justification_as_read(event) -> str:
    """An entry's justification as people read it: the text, or "[erased with the record on …]" once erased.

    Every screen, export and API reads it through here. Entries from ``with_justifications`` cost nothing
    more; any other costs one query when it refers to a text.
    """
    stored = event.justification
    if hasattr(event, "logged_text"):
        return read_justification(stored, event.logged_text, event.logged_text_erased_at)
    parsed = parse_reference(stored)
    if parsed is None:
        return stored or ""
    row = LoggedText.objects.filter(digest=parsed[1]).values_list("text", "erased_at").first()
    return read_justification(stored, *(row or (None, None)))


def erase_logged_texts(subject_uuid) -> int:
    """Empty the texts typed about one subject (inside erase_subject's erasure window); how many."""
    return LoggedText.objects.filter(subject_uuid=subject_uuid, erased_at__isnull=True).update(
        text="", nonce="", erased_at=timezone.now()
    )
