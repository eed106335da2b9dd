"""Dates typed as day, month and year in three boxes, the GOV.UK date input pattern.

A native date picker shows dates in the browser's own format, refuses the format Django writes back into
an edit form, and is hard to use with a screen reader; three numeric boxes work everywhere and keep
exactly what the person typed when the date is refused. The boxes are named ``<field>_day``,
``<field>_month`` and ``<field>_year``; the field's messages say which part is missing or wrong. A link
(a dashboard's "see all", a bookmarked filter) may instead carry the whole date as ``<field>=yyyy-mm-dd``.
"""

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError

PARTS = (("day", "Day", 2), ("month", "Month", 2), ("year", "Year", 4))


class DayMonthYearWidget(forms.MultiWidget):
    """Three text boxes. ``templates/includes/field.html`` draws them in a fieldset, one label each."""

    input_type = "day-month-year"
    use_fieldset = True

    def __init__(self, attrs=None):
        boxes = {name: forms.TextInput(attrs={"inputmode": "numeric"}) for name, _, _ in PARTS}
        super().__init__(boxes, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [str(value.day), str(value.month), str(value.year)]
        if isinstance(value, str) and value:
            try:
                return self.decompress(datetime.date.fromisoformat(value))
            except ValueError:
                pass
        return ["", "", ""]

    def value_from_datadict(self, data, files, name):
        if self.value_omitted_from_data(data, files, name) and name in data:
            return data[name]
        return super().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return all(f"{name}_{part}" not in data for part, _, _ in PARTS)


@dataclass(frozen=True)
class DatePart:
    name: str
    id: str
    label: str
    value: str
    width: int


class DayMonthYearBoundField(forms.BoundField):
    @property
    def date_parts(self) -> list[DatePart]:
        """Each box with its name, id, label and what it holds (the typed text after an error)."""
        value = self.value()
        typed = value if isinstance(value, (list, tuple)) else self.field.widget.decompress(value)
        return [
            DatePart(f"{self.html_name}_{name}", f"{self.auto_id}_{index}", label, typed[index] or "", width)
            for index, (name, label, width) in enumerate(PARTS)
        ]


class DayMonthYearField(forms.Field):
    """A date from three boxes, refused with GOV.UK's messages ("Date of birth must include a month")."""

    widget = DayMonthYearWidget
    bound_field_class = DayMonthYearBoundField
    hidden_widget = forms.HiddenInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.date):
            return value
        if isinstance(value, str):
            return self._from_iso(value)
        day, month, year = (str(part or "").strip() for part in value)
        if not (day or month or year):
            return None
        return self._from_parts(day, month, year)

    def _from_iso(self, text: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{self._name} must be a real date", code="invalid") from None

    def _from_parts(self, day: str, month: str, year: str) -> datetime.date:
        missing = [name for name, text in (("day", day), ("month", month), ("year", year)) if not text]
        if missing:
            raise ValidationError(f"{self._name} must include a {' and '.join(missing)}", code="incomplete")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise ValidationError(f"{self._name} must be a real date", code="invalid")
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self._name} must be a real date", code="invalid") from None

    @property
    def _name(self) -> str:
        return str(self.label or "The date")
