"""The form for recording an impact assessment. It collects input; transparency.assessments decides."""

from django import forms

from matrix.forms.base import RecordForm
from transparency import assessments
from transparency.models import ImpactAssessment

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class AssessmentForm(RecordForm):
    class Meta:
        model = ImpactAssessment
        fields = assessments.FIELDS
        labels = {
            "kind": "Kind of assessment",
            "approver_name": "Approved by (name)",
            "approver_role": "Approver's role",
        }
        help_texts = {
            "assessed_on": "The date the assessment was completed and signed off. Not in the future.",
            "summary": "What was assessed and the conclusion, in plain English. The title, version and dates are published.",
        }
        widgets = {
            "kind": forms.RadioSelect,
            "assessed_on": DATE_INPUT,
            "next_review_on": DATE_INPUT,
            "summary": forms.Textarea(attrs={"rows": 5}),
            "residual_risks": forms.Textarea(attrs={"rows": 5}),
        }
