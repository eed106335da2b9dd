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


def _canonical_value(value):
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value) if not isinstance(value, (int, str)) else value


def canonical(event) -> bytes:
    """A stable byte string of the entry's content: same content, same bytes, on any database."""
    content = {name: _canonical_value(getattr(event, name)) for name in CHAINED_FIELDS}
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def seal(event) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()
