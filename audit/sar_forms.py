"""Forms of the subject access pages. They collect input; the rules are applied by audit.sar."""

from django import forms
from django.core.exceptions import ValidationError

from config.date_input import DayMonthYearField
from config.form_messages import SpecificMessages


class RequestForm(SpecificMessages, forms.Form):
    requester_name = forms.CharField(label="Applicant's name", max_length=200, help_text="As the applicant gave it.")
    requester_contact = forms.CharField(
        label="Applicant's contact details",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Where the response goes: postal address, e-mail or both.",
    )
    received_on = DayMonthYearField(
        label="Date received",
        help_text="The response is due one calendar month later (DPA 2018 s.54). If you had to ask for proof of "
        "identity, use the date it arrived.",
    )
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SubjectSearchForm(SpecificMessages, forms.Form):
    """Find the records a request concerns: by reference, or by family name and date of birth."""

    reference = forms.CharField(
        label="Reference", required=False, max_length=20, help_text="For example GM-2026-000123."
    )
    family_name = forms.CharField(label="Family name", required=False, max_length=100)
    given_names = forms.CharField(label="Given names (optional)", required=False, max_length=150)
    date_of_birth = DayMonthYearField(label="Date of birth", required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "search-%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not data.get("reference") and not (data.get("family_name") and data.get("date_of_birth")):
            raise ValidationError("Search by reference, or by family name and date of birth.")
        return data


class ActionForm(SpecificMessages, forms.Form):
    action = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)


class MatchForm(ActionForm):
    action = "match"
    subject = forms.UUIDField(widget=forms.HiddenInput)


class UnmatchForm(MatchForm):
    action = "unmatch"


class IdentityForm(ActionForm):
    action = "identity"
    method = forms.CharField(
        label="How the applicant's identity was verified",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example the documents seen and who checked them. At least 10 characters.",
    )


class CompleteForm(ActionForm):
    action = "complete"


class RefuseForm(ActionForm):
    action = "refuse"
    reason = forms.CharField(
        label="Reason for refusing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Cite the provision relied on (for example s.45(4) or s.53). The applicant must be told.",
    )


class JustificationForm(SpecificMessages, forms.Form):
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why you are gathering this person's data now. At least 10 characters; kept in the access log.",
    )
