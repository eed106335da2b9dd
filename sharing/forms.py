from django import forms
from django.utils import timezone

from config.date_input import DayMonthYearField
from config.form_messages import SpecificMessages
from matrix.choices import SAFEGUARDING_CLASSIFICATIONS
from matrix.forms.base import RecordForm, without_blank_choices
from matrix.models import Borough
from matrix.permissions import list_boroughs_for
from sharing.choices import DisclosureStatus, ShareableField
from sharing.models import InformationSharingAgreement, LawfulBasis, PartnerAgency
from sharing.permissions import VIEW_ALL_DISCLOSURES, holds


class DisclosureRequestForm(SpecificMessages, forms.Form):
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
        choices=ShareableField.choices,
        widget=forms.CheckboxSelectMultiple,
        label="What to disclose",
        help_text="Choose the least that meets the purpose. The agreement limits what can be chosen.",
    )
    expiry = DayMonthYearField(
        required=False,
        label="Expires on",
        help_text="Leave empty for 30 days. It can never pass the agreement's end.",
    )

    def __init__(self, *args, subject, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["agreement"].queryset = InformationSharingAgreement.objects.filter(
            valid_from__lte=today, valid_to__gte=today
        ).select_related("partner")
        agreements = list(self.fields["agreement"].queryset)
        if subject.classification in SAFEGUARDING_CLASSIFICATIONS:
            self.fields[
                "lawful_basis"
            ].help_text = "This person is a victim or at risk: only safeguarding bases are allowed."
        without_blank_choices(self)
        self.chosen_agreement = self._chosen(agreements)
        self._offer_allowed_fields(agreements)  # after without_blank_choices, which resets every widget's choices

    def _chosen(self, agreements):
        """The agreement the request is made under: the one posted or asked for, or the only one in force."""
        value = self.data.get("agreement") if self.is_bound else self.initial.get("agreement")
        by_pk = {str(agreement.pk): agreement for agreement in agreements}
        if str(value) in by_pk:
            return by_pk[str(value)]
        if not self.is_bound and len(agreements) == 1:
            self.initial["agreement"] = agreements[0].pk
            return agreements[0]
        return None

    def _offer_allowed_fields(self, agreements) -> None:
        """Show only the fields the agreement allows (each agreement's own list, ``shareable_fields``).

        Before an agreement is chosen that is every field some agreement in force allows. The choices
        accepted are still the whole fixed list, so a field outside the agreement reaches
        sharing.services, whose message names the agreement and the field, never a bare "invalid choice"."""
        field = self.fields["fields"]
        if self.chosen_agreement is not None:
            allowed = set(self.chosen_agreement.shareable_fields)
            field.help_text = (
                f"Choose the least that meets the purpose. {self.chosen_agreement.reference} allows only these."
            )
        else:
            allowed = {name for agreement in agreements for name in agreement.shareable_fields}
            field.help_text = (
                "Choose the least that meets the purpose. Each agreement allows only some of these: choose the "
                "agreement and preview to see only what it allows."
            )
        field.widget.choices = [(value, label) for value, label in ShareableField.choices if value in allowed]


class ReasonForm(SpecificMessages, forms.Form):
    """The reason for refusing or revoking. Whether it is enough is sharing.services' rule, and its message."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason", required=False)

    def __init__(self, *args, label="Reason", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = label
        self.fields["reason"].validators = []  # null characters too: the service refuses them, once


class DecisionForm(SpecificMessages, forms.Form):
    """Approval has nothing to type: the form only carries what sharing.services said against it."""


class RegisterFilterForm(SpecificMessages, forms.Form):
    partner = forms.ModelChoiceField(
        queryset=PartnerAgency.objects.all(), required=False, label="Partner agency", empty_label="Any partner agency"
    )
    lawful_basis = forms.ModelChoiceField(
        queryset=LawfulBasis.objects.all(), required=False, label="Lawful basis", empty_label="Any lawful basis"
    )
    # Named by borough; the address keeps the ONS code, so links to the register written with it still work.
    borough = forms.ModelChoiceField(
        queryset=Borough.objects.none(),
        required=False,
        to_field_name="code",
        label="Borough",
        empty_label="Any borough",
    )
    status = forms.ChoiceField(
        choices=[("", "Any status"), ("live", "Live"), *DisclosureStatus.choices], required=False
    )
    requested_from = DayMonthYearField(required=False, label="Requested from")
    requested_to = DayMonthYearField(required=False, label="Requested to")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only boroughs whose disclosures this person can see: choosing one narrows the register, never widens it.
        boroughs = Borough.objects.all() if holds(user, VIEW_ALL_DISCLOSURES) else list_boroughs_for(user)
        self.fields["borough"].queryset = boroughs.order_by("name")

    def clean_borough(self):
        borough = self.cleaned_data.get("borough")
        return borough.code if borough else ""


class PartnerAgencyForm(RecordForm):
    """Registers a partner agency; sharing.services decides whether it can be."""

    class Meta:
        model = PartnerAgency
        fields = ["name", "kind"]
        labels = {"name": "Agency name", "kind": "Kind of agency"}
        help_texts = {"name": "The agency's full name, as its information-sharing agreement will name it."}
        widgets = {"kind": forms.RadioSelect}
