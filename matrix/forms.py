from django import forms

from matrix import permissions
from matrix.models import Subject


class SubjectForm(forms.ModelForm):
    """A draft subject. Field rules come from the model; workflow rules from the services."""

    class Meta:
        model = Subject
        fields = [
            "borough",
            "classification",
            "family_name",
            "given_names",
            "aliases",
            "date_of_birth",
            "gender",
            "ethnicity",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}),
            "aliases": forms.Textarea(attrs={"rows": 3}),
            "classification": forms.RadioSelect,
        }
        help_texts = {
            "classification": "Required by DPA 2018 s.38(3). Victims and people at risk are never harm-scored "
            "and never shown as gang members.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["borough"].queryset = permissions.boroughs_for(user)
        self.fields["classification"].choices = [
            choice for choice in self.fields["classification"].choices if choice[0]
        ]
