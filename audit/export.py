"""CSV export of a filtered view of the access log, streamed row by row so it works on millions of entries.

The export is logged (with its justification) before the first row is sent, and covers the entries before
that log entry, so what was exported can be reconstructed from the log itself.
"""

import csv

from django.http import StreamingHttpResponse
from django.utils import timezone

from audit.log import read_justification, record, with_justifications
from audit.models import Action
from audit.queries import EventSearch

CHUNK = 2000
COLUMNS = [
    ("sequence", "Sequence"),
    ("occurred_at", "Time (UTC)"),
    ("actor_username", "Actor"),
    ("action", "Action"),
    ("object_type", "Object type"),
    ("object_uuid", "Object id"),
    ("subject_reference", "Subject reference"),
    ("subject_uuid", "Subject id"),
    ("borough_code", "Borough"),
    ("justification", "Justification"),
    ("recipient", "Recipient"),
    ("outcome", "Outcome"),
    ("detail", "Detail"),
    ("request_id", "Request id"),
    ("ip_address", "IP address"),
    ("user_agent", "User agent"),
    ("entry_hash", "Entry hash"),
]
# A cell starting with one of these is a formula to a spreadsheet (CSV injection, OWASP): it is quoted.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value):
        return value


def _cell(value) -> str:
    if value is None:
        return ""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


JUSTIFICATION = [name for name, _label in COLUMNS].index("justification")


def _rows(events):
    """The justification column as people read it (the typed text, or the mark of its erasure)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([label for _name, label in COLUMNS])
    names = [name for name, _label in COLUMNS]
    rows = with_justifications(events).values_list(*names, "logged_text", "logged_text_erased_at")
    for *row, text, erased_at in rows.iterator(chunk_size=CHUNK):
        row[JUSTIFICATION] = read_justification(row[JUSTIFICATION], text, erased_at)
        yield writer.writerow([_cell(value) for value in row])


def export_response(user, search: EventSearch, justification: str) -> StreamingHttpResponse:
    entry = record(
        Action.EXPORT,
        actor=user,
        subject=search.subject(),
        justification=justification,
        detail=f"Access log exported as CSV: {search.describe()}"[:300],
    )
    events = search.events().filter(sequence__lt=entry.sequence)
    response = StreamingHttpResponse(_rows(events), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.csv"'
    response["Cache-Control"] = "no-store"
    return response
