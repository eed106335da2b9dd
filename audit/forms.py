"""The access log's search filters (shared by the page, the CSV export and, through queries, the API) and the
export's justification."""

from django import forms

from audit.models import Action, Outcome
from audit.queries import REFERENCE_PATTERN
from config.date_input import DayMonthYearField
from config.form_messages import SpecificMessages
from matrix.models import Borough


class EventFilterForm(SpecificMessages, forms.Form):
    """Filters of the access log (GET). Invalid values are reported; the list ignores them, the export refuses."""

    actor = forms.CharField(label="User", required=False, max_length=150, help_text="Their username, exactly.")
    subject = forms.CharField(
        label="Subject reference", required=False, max_length=16, help_text="For example GM-2026-000123."
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "Any action"), *Action.choices])
    borough = forms.ChoiceField(label="Borough", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=[("", "Any outcome"), *Outcome.choices])
    date_from = DayMonthYearField(label="From (date)", required=False)
    date_to = DayMonthYearField(label="To (date, inclusive)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].choices = [
            ("", "Any borough"),
            *Borough.objects.order_by("name").values_list("code", "name"),
        ]

    def clean_actor(self) -> str:
        return self.cleaned_data["actor"].strip()

    def clean_subject(self) -> str:
        reference = self.cleaned_data["subject"].strip().upper()
        if reference and not REFERENCE_PATTERN.fullmatch(reference):
            raise forms.ValidationError("Enter a subject reference like GM-2026-000123.")
        return reference

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date.")
        return cleaned

    def criteria(self) -> dict:
        """The valid filters only: a bad value in one field never hides the whole log."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class ExportForm(SpecificMessages, forms.Form):
    justification = forms.CharField(
        label="Why are you exporting these entries?",
        min_length=10,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="At least 10 characters. It is kept in the access log with the export.",
        error_messages={
            "required": "Give the reason for this export; it is kept in the access log.",
            "min_length": "Give the reason for this export (at least 10 characters); it is kept in the access log.",
        },
    )
