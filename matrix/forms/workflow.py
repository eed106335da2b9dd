"""The small forms behind each workflow button. Reasons are checked by matrix.workflow, not here."""

from django import forms

from config.form_messages import SpecificMessages
from matrix.forms.base import VersionField, without_blank_choices
from matrix.models import ReviewOutcome


class ActionForm(SpecificMessages, forms.Form):
    """Every action carries the version it was shown; ids are prefixed so several fit on one page."""

    version = VersionField()
    action = ""

    def __init__(self, *args, subject=None, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)
        if subject is not None:
            self.fields["version"].initial = subject.version
        without_blank_choices(self)

    @property
    def expected_version(self):
        return self.cleaned_data.get("version")


class SubmitForm(ActionForm):
    action = "submit"


class ApproveForm(ActionForm):
    action = "approve"
    reason = forms.CharField(
        label="Approval note (optional)",
        required=False,
        max_length=500,
        help_text="Kept in the record's history with the criteria that were met.",
    )


class RejectForm(ActionForm):
    action = "reject"
    reason = forms.CharField(
        label="Reason for rejecting",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The officer sees this reason. At least 10 characters.",
    )


class ReviewForm(ActionForm):
    action = "review"
    outcome = forms.ChoiceField(
        label="Review outcome", required=False, choices=ReviewOutcome.choices, widget=forms.RadioSelect
    )
    justification = forms.CharField(
        label="Justification",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the record should stay on the matrix, or why it should come off. At least 10 characters.",
    )


class RemoveForm(ActionForm):
    action = "remove"
    reason = forms.CharField(
        label="Reason for removal",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Removal starts the retention clock; the personal data is erased when it ends. "
        "At least 10 characters.",
    )


class RestrictForm(ActionForm):
    action = "restrict"
    reason = forms.CharField(
        label="Reason for restricting processing",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: the subject contests the accuracy of the record. Recipients of live disclosures are told.",
    )


class LiftRestrictionForm(ActionForm):
    action = "lift"
    reason = forms.CharField(
        label="Reason for lifting the restriction", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


ACTION_FORMS = {
    form.action: form
    for form in (SubmitForm, ApproveForm, RejectForm, ReviewForm, RemoveForm, RestrictForm, LiftRestrictionForm)
}
