from django import forms

from config.date_input import DayMonthYearField
from config.form_messages import SpecificMessages
from matrix import permissions
from matrix.choices import Classification, HarmBand, Status
from matrix.forms.base import RecordForm, VersionField
from matrix.models import Borough, Subject
from matrix.queries import FLAGS, OWNERS, SORTS

# The form for a new draft asks everything but "also a victim", which the edit form asks.
NEW_SUBJECT_FIELDS = [name for name in Subject.EDITABLE_FIELDS if name != "also_victim"]


class SubjectForm(RecordForm):
    """A draft subject. Field rules come from the model; workflow rules from the services."""

    class Meta:
        model = Subject
        fields = NEW_SUBJECT_FIELDS
        widgets = {
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "classification": forms.RadioSelect,
        }
        field_classes = {"date_of_birth": DayMonthYearField}
        help_texts = {
            "classification": "Required by DPA 2018 s.38(3). Victims and people at risk are never harm-scored "
            "and never shown as gang members.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        boroughs = permissions.boroughs_for(user)
        self.fields["borough"].queryset = boroughs
        # Someone who works in one borough is not asked to pick it; the page names it instead.
        only = list(boroughs[:2])
        self.only_borough = only[0] if len(only) == 1 else None
        if self.only_borough is not None:
            self.fields["borough"].widget = forms.HiddenInput()
            self.fields["borough"].initial = self.only_borough.pk


class SubjectEditForm(SubjectForm):
    """An edit of an existing subject, made against the version the person loaded."""

    version = VersionField()
    reason = forms.CharField(
        label="Reason for the change",
        required=False,
        max_length=500,
        help_text="Kept in the record's history. Changing the classification or borough of a submitted or "
        "approved record sends it back for approval.",
    )

    class Meta(SubjectForm.Meta):
        fields = Subject.EDITABLE_FIELDS
        labels = {"also_victim": "Also a victim (perpetrator records only)"}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["version"].required = True

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def _choices(label, choices):
    return [("", label), *choices]


class SubjectListForm(SpecificMessages, forms.Form):
    """Filters and sort order of the subject list (GET). Invalid values are reported and ignored."""

    q = forms.CharField(label="Name, alias or reference", required=False, max_length=100)
    borough = forms.ModelChoiceField(
        label="Borough",
        required=False,
        queryset=Borough.objects.none(),
        to_field_name="code",
        empty_label="Any borough",
    )
    classification = forms.ChoiceField(
        label="Classification", required=False, choices=_choices("Any classification", Classification.choices)
    )
    status = forms.ChoiceField(label="Status", required=False, choices=_choices("Any status", Status.choices))
    harm_band = forms.ChoiceField(
        label="Harm band (perpetrators only)", required=False, choices=_choices("Any band", HarmBand.choices)
    )
    review_due_before = DayMonthYearField(label="Review due on or before", required=False)
    overdue = forms.BooleanField(label="Review overdue", required=False)
    flag = forms.ChoiceField(
        label="Needs attention",
        required=False,
        choices=_choices("No flag", [(key, label) for key, (label, _filter) in FLAGS.items()]),
    )
    owner = forms.ChoiceField(
        label="Entered by",
        required=False,
        choices=[("", "Anyone"), *OWNERS.items()],
    )
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(key, option.label) for key, option in SORTS.items()]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the boroughs whose subjects this person sees; choosing one narrows the list, never widens it.
        self.fields["borough"].queryset = permissions.list_boroughs_for(user).order_by("name")

    def criteria(self) -> dict:
        """The valid filters only: a bad value in one field never hides the whole list."""
        self.is_valid()
        return dict(self.cleaned_data)
