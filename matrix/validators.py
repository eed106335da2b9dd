import re

from django.core.exceptions import ValidationError
from django.utils import timezone

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
