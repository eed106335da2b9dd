"""Free text given to a service (a reason, a purpose, a justification).

Services are called by forms and the API (which type their input) but also by commands and scripts.
Whatever they are given, bad input gets a field error, never a crash deep in the ORM or a database error
(docs/engineering.md, Bad input); PostgreSQL, unlike SQLite, also refuses NUL characters in text.
"""

from django.core.exceptions import ValidationError

NULL_CHARACTERS_MESSAGE = "Null characters are not allowed."
# A reason, purpose or justification short enough to say nothing ("ok", "n/a") is refused.
MINIMUM_TEXT_LENGTH = 10


def validate_text(value, field: str) -> str:
    if not isinstance(value, str):
        raise ValidationError({field: "Enter text."})
    if "\x00" in value:
        raise ValidationError({field: NULL_CHARACTERS_MESSAGE})
    return value


def require_text(value, field: str, message: str, minimum: int = MINIMUM_TEXT_LENGTH) -> str:
    """The text a step needs, stripped; a field error with ``message`` (which may name ``{minimum}``) when it
    is shorter than ``minimum`` characters."""
    text = validate_text(value or "", field).strip()
    if len(text) < minimum:
        raise ValidationError({field: message.format(minimum=minimum)})
    return text
