import re
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from core.text import NULL_CHARACTERS_MESSAGE

# Royal Mail postcode shapes: A9 9AA, A99 9AA, A9A 9AA, AA9 9AA, AA99 9AA, AA9A 9AA (and GIR 0AA).
UK_POSTCODE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$")

MINIMUM_PERPETRATOR_AGE = 10  # the age of criminal responsibility in England and Wales


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", (value or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def validate_uk_postcode(value: str) -> None:
    if not UK_POSTCODE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real UK postcode, like E8 1EA.", code="invalid_postcode")


def validate_not_future(value) -> None:
    if value and value > timezone.localdate():
        raise ValidationError("This date cannot be in the future.", code="future_date")


def age_on(date_of_birth, on_date) -> int:
    before_birthday = (on_date.month, on_date.day) < (date_of_birth.month, date_of_birth.day)
    return on_date.year - date_of_birth.year - int(before_birthday)


def latest_birth_date_at_age(on_date, years: int):
    """The latest date of birth of someone at least ``years`` old on ``on_date`` (as ``age_on`` counts): the
    boundary of an age band in a query."""
    try:
        return on_date.replace(year=on_date.year - years)
    except ValueError:  # 29 February in a year without one: the 28th has the same people on either side
        return on_date.replace(year=on_date.year - years, day=28)


def _input_problem(field, value) -> str | None:
    if value is None:
        return None if field.null else "This field is required."
    if field.is_relation:
        return None if isinstance(value, field.related_model) else f"Choose a {field.related_model._meta.verbose_name}."
    if isinstance(field, models.DateField):
        if isinstance(value, str):
            try:
                field.to_python(value)
            except ValidationError as error:
                return error.messages[0]
            return None
        return None if isinstance(value, date) else "Enter a date."
    if isinstance(field, (models.CharField, models.TextField)):
        if not isinstance(value, str):
            return "Enter text."
        if "\x00" in value:
            return NULL_CHARACTERS_MESSAGE
    return None


def check_input(model, values: dict) -> None:
    """Refuse, field by field, values of a type the model field cannot hold (full_clean does the rest)."""
    errors = {}
    for name, value in values.items():
        problem = _input_problem(model._meta.get_field(name), value)
        if problem:
            errors[name] = problem
    if errors:
        raise ValidationError(errors)
