"""Keyset pagination for browser lists (each page is one indexed range scan, however deep), and the links
from one page to the next that every list shows.

A cursor names the sort it belongs to, the last row's sort value and its UUID (the tie-breaker).
A cursor that is tampered with, truncated or from another sort is ignored and the list restarts:
bad input never reaches the database and never causes an error page.
"""

import base64
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db.models import Q


@dataclass(frozen=True)
class KeysetOrder:
    """One sort order: a non-null field, its direction, and how its values travel in a cursor."""

    name: str
    field: str
    descending: bool
    parse: object  # text -> value; raises ValueError on anything it does not accept
    render: object = str

    @property
    def ordering(self) -> tuple[str, str]:
        sign = "-" if self.descending else ""
        return f"{sign}{self.field}", f"{sign}uuid"

    def after(self, value, uuid_text) -> Q:
        beyond = "lt" if self.descending else "gt"
        # The first term is implied by the rest; it gives the planner an index range to start from, so a
        # deep page is one range scan rather than a walk past every earlier row.
        return Q(**{f"{self.field}__{beyond}e": value}) & (
            Q(**{f"{self.field}__{beyond}": value}) | Q(**{self.field: value, f"uuid__{beyond}": uuid_text})
        )


def aware_datetime(text: str) -> datetime:
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise ValueError("cursor datetimes carry their time zone")
    return value


def finite_decimal(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(text) from error
    if not value.is_finite():
        raise ValueError(text)
    return value


def isoformat(value) -> str:
    return value.isoformat()


NEWEST = KeysetOrder("newest", "created_at", True, aware_datetime, isoformat)


def encode_cursor(order: KeysetOrder, row) -> str:
    raw = f"{order.name}|{order.render(getattr(row, order.field))}|{row.uuid}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")  # no padding: nothing to escape in a URL


def decode_cursor(order: KeysetOrder, cursor: str):
    """(value, uuid text) from a cursor of this order, or None for anything else."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        name, value_text, uuid_text = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
        if name != order.name:
            return None
        return order.parse(value_text), str(uuid_module.UUID(uuid_text))
    except (ValueError, UnicodeError, TypeError):
        return None


def keyset_slice(queryset, order: KeysetOrder, cursor: str | None, size: int):
    """The query for one page (and one row more, to know whether another page follows)."""
    queryset = queryset.order_by(*order.ordering)
    position = decode_cursor(order, cursor) if cursor else None
    if position:
        queryset = queryset.filter(order.after(*position))
    return queryset[: size + 1]


def keyset_page(queryset, order: KeysetOrder, cursor: str | None, size: int):
    """Rows in ``order`` after ``cursor``; returns (rows, next_cursor or None). A bad cursor restarts.

    The caller must exclude rows whose sort field is null (keyset comparisons cannot place them).
    """
    rows = list(keyset_slice(queryset, order, cursor, size))
    next_cursor = encode_cursor(order, rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_cursor


def newest_first_page(queryset, cursor: str | None, size: int):
    """Rows newest first after ``cursor``; returns (rows, next_cursor or None). A bad cursor restarts."""
    return keyset_page(queryset, NEWEST, cursor, size)


def page_links(request, param: str, next_position) -> dict:
    """Query strings for the next page (``param`` set to ``next_position``) and back to the first, keeping the
    filters: ``filter_query`` (the filters alone), ``first_query`` (None on the first page), ``next_query``."""
    params = request.GET.copy()
    params.pop(param, None)
    links = {
        "filter_query": params.urlencode(),
        "first_query": params.urlencode() if request.GET.get(param) else None,
        "next_query": None,
    }
    if next_position:
        params[param] = next_position
        links["next_query"] = params.urlencode()
    return links
