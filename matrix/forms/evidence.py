from django import forms

from config.date_input import DayMonthYearField
from config.form_messages import SpecificMessages
from matrix.forms.base import RecordForm
from matrix.models import Evidence

EVIDENCE_FIELDS = [
    "summary",
    "information_date",
    "nature",
    "source_type",
    "source_reference",
    "source_evaluation",
    "intelligence_assessment",
    "handling_code",
    "handling_conditions",
    "offence_type",
    "relates_to_victimisation",
    "social_media_url",
    "social_media_platform",
    "captured_on",
]


class EvidenceForm(RecordForm):
    """One intelligence item with its 3x5x2 grading. The services decide whether it counts."""

    social_media_url = forms.URLField(
        label="Social media address (URL)",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Social media items only: the address of the material.",
    )

    class Meta:
        model = Evidence
        fields = EVIDENCE_FIELDS
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "handling_conditions": forms.Textarea(attrs={"rows": 2}),
            "nature": forms.RadioSelect,
            "source_evaluation": forms.RadioSelect,
            "intelligence_assessment": forms.RadioSelect,
            "handling_code": forms.RadioSelect,
        }
        field_classes = {"information_date": DayMonthYearField, "captured_on": DayMonthYearField}
        labels = {
            "information_date": "Date the information relates to",
            "nature": "Fact or assessment",
            "source_evaluation": "Source evaluation (3x5x2)",
            "intelligence_assessment": "Intelligence assessment (3x5x2)",
            "handling_code": "Handling code (3x5x2)",
            "offence_type": "Offence type (for the harm score)",
            "relates_to_victimisation": "This item records the subject as a victim",
            "social_media_platform": "Social media platform",
            "captured_on": "Date the social media material was captured",
        }
        help_texts = {
            "nature": "DPA 2018 s.38(2): facts are kept apart from personal assessments.",
            "source_reference": "Report number, source code or agency. Items with different references count as "
            "independent sources.",
            "handling_conditions": "Required for handling code C: the conditions travel with every disclosure.",
            "offence_type": "Leave empty if the item is not about an offence. Only perpetrators are harm-scored.",
            "relates_to_victimisation": "Supports a perpetrator record marked as also a victim; it never counts "
            "against them.",
            "social_media_platform": "Social media items only.",
            "captured_on": "Social media items only. Social media starts unverified and never counts until a "
            "supervisor verifies it.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offence_type"].empty_label = "Not about an offence"

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in EVIDENCE_FIELDS}


class WithdrawEvidenceForm(SpecificMessages, forms.Form):
    reason = forms.CharField(
        label="Why is this item withdrawn?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The item stays on the record, marked withdrawn, with this reason.",
    )


class VerifySocialMediaForm(SpecificMessages, forms.Form):
    method = forms.CharField(
        label="How was the material verified?",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: matched to the subject's known account and corroborated by a police record.",
    )
