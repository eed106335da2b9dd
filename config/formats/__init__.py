"""How pages and messages write dates: one way everywhere (the formats are in en_GB/formats.py)."""

from datetime import datetime

from django.utils import formats, timezone


def written(value) -> str:
    """A date as "7 December 2026"; a time as "7 December 2026, 14:05" in the service's time zone."""
    if isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def written_day(value) -> str:
    """The day alone, in the service's time zone for a time."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "DATE_FORMAT")
