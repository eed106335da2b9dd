"""Keyset pagination for browser lists: each page is one indexed range scan, however deep."""

import base64
from datetime import datetime

from django.db.models import Q


def encode_cursor(row) -> str:
    raw = f"{row.created_at.isoformat()}|{row.uuid}"
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str):
    try:
        created_iso, uuid_text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return datetime.fromisoformat(created_iso), uuid_text
    except (ValueError, UnicodeError):
        return None


def newest_first_page(queryset, cursor: str | None, size: int):
    """Rows newest first after ``cursor``; returns (rows, next_cursor or None). A bad cursor restarts."""
    queryset = queryset.order_by("-created_at", "-uuid")
    position = decode_cursor(cursor) if cursor else None
    if position:
        created_at, uuid_text = position
        queryset = queryset.filter(Q(created_at__lt=created_at) | Q(created_at=created_at, uuid__lt=uuid_text))
    rows = list(queryset[: size + 1])
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_cursor
