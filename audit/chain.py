"""Hash chaining of the access log: each entry's hash covers its own content and the previous hash."""

import hashlib
import json

GENESIS_HASH = "0" * 64
CHAINED_FIELDS = (
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_username",
    "action",
    "object_type",
    "object_uuid",
    "subject_uuid",
    "subject_reference",
    "borough_code",
    "justification",
    "recipient",
    "request_id",
    "ip_address",
    "user_agent",
    "outcome",
    "detail",
    "previous_hash",
)


_AS_IS = frozenset({str, int, bool, type(None)})


def _canonical_value(value):
    if type(value) in _AS_IS:  # the common case first: the log is verified millions of rows at a time
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value if isinstance(value, (int, str)) else str(value)


# Built once: the log is sealed and verified millions of entries at a time.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode


def canonical_row(row) -> bytes:
    """A stable byte string of an entry's content (its values in ``CHAINED_FIELDS`` order): same content,
    same bytes, on any database."""
    return _encode(dict(zip(CHAINED_FIELDS, map(_canonical_value, row)))).encode()


def seal_row(row) -> str:
    return hashlib.sha256(canonical_row(row)).hexdigest()


def seal(event) -> str:
    return seal_row([getattr(event, name) for name in CHAINED_FIELDS])
