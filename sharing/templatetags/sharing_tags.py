import datetime

from django import template
from django.utils import formats, timezone

from matrix.queries import with_total
from sharing.choices import ShareableField
from sharing.queries import approval_queue
from sharing.snapshot import FIELD_ORDER, snapshot_rows
from sharing.views.staff import mark_openable_subjects

register = template.Library()


@register.filter
def human_date(value):
    """An ISO 8601 date or date-time kept in a snapshot, written as every page writes dates.

    "2026-12-07" reads "7 December 2026"; a date-time is shown in local time, "7 December 2026, 14:05".
    Anything that is not an ISO date is shown as it is."""
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    elif isinstance(value, str) and value:
        try:
            if len(value) == 10:
                return formats.date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
    else:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


@register.filter
def rows_of(snapshot):
    return snapshot_rows(snapshot, show_date=human_date) if snapshot else []


@register.filter
def evidence_of(snapshot):
    return ((snapshot or {}).get("fields") or {}).get("evidence")


@register.filter
def field_labels(fields):
    """A disclosure's field codes as the names people read, in the order snapshots list them."""
    chosen = set(fields or [])
    return [ShareableField(field).label for field in FIELD_ORDER if field in chosen] + sorted(chosen - set(FIELD_ORDER))


@register.simple_tag
def disclosures_awaiting_decision(user, size=5) -> dict:
    """For a supervisor's dashboard: the oldest requests they may decide, and how many there are in all."""
    rows = list(with_total(approval_queue(user))[:size])
    mark_openable_subjects(user, rows)
    return {"rows": rows, "total": rows[0].total_rows if rows else 0}
