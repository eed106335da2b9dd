from django import forms
from django.utils import timezone

from matrix.choices import SAFEGUARDING_CLASSIFICATIONS
from matrix.forms.base import RecordForm, without_blank_choices
from sharing.choices import DisclosureStatus, ShareableField
from sharing.models import InformationSharingAgreement, LawfulBasis, PartnerAgency


class DisclosureRequestForm(forms.Form):
    """Collects a request; the rules themselves are applied by sharing.services."""

    agreement = forms.ModelChoiceField(
        queryset=InformationSharingAgreement.objects.none(),
        help_text="Only agreements in force today are offered.",
        label="Information sharing agreement",
    )
    lawful_basis = forms.ModelChoiceField(queryset=LawfulBasis.objects.filter(active=True), label="Lawful basis")
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The specific purpose of this disclosure. It is kept with the disclosure and shown to the partner.",
    )
    fields = forms.MultipleChoiceField(
        choices=ShareableField.choices, widget=forms.CheckboxSelectMultiple, label="What to disclose",
        help_text="Choose the least that meets the purpose. The agreement limits what can be chosen.",
    )
    expiry = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Expires on",
        help_text="Leave empty for 30 days. It can never pass the agreement's end.",
    )

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["agreement"].queryset = InformationSharingAgreement.objects.filter(
            valid_from__lte=today, valid_to__gte=today
        ).select_related("partner")
        if subject.classification in SAFEGUARDING_CLASSIFICATIONS:
            self.fields["lawful_basis"].help_text = "This person is a victim or at risk: only safeguarding bases are allowed."
        without_blank_choices(self)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")


class RegisterFilterForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=PartnerAgency.objects.all(), required=False)
    lawful_basis = forms.ModelChoiceField(queryset=LawfulBasis.objects.all(), required=False, label="Lawful basis")
    borough = forms.CharField(required=False, max_length=9, label="Borough (ONS code)")
    status = forms.ChoiceField(choices=[("", "Any"), ("live", "Live"), *DisclosureStatus.choices], required=False)
    requested_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Requested from")
    requested_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Requested to")


class PartnerAgencyForm(RecordForm):
    """Registers a partner agency; sharing.services decides whether it can be."""

    class Meta:
        model = PartnerAgency
        fields = ["name", "kind"]
        labels = {"name": "Agency name", "kind": "Kind of agency"}
        help_texts = {"name": "The agency's full name, as its information-sharing agreement will name it."}
        widgets = {"kind": forms.RadioSelect}
