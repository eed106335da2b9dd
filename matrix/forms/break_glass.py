"""The break-glass request: which record, why, and for how long.

The form only parses. Which record the reference names is ``services.find_break_glass_subject``; the
rules on the justification (``services.BREAK_GLASS_MINIMUM_JUSTIFICATION`` characters) and the hours (1 to GOVMATRIX_BREAK_GLASS_MAX_HOURS)
are ``services.grant_break_glass``'s, so the page and the API refuse the same requests with the same words.
"""

from django import forms
from django.conf import settings

from config.form_messages import SpecificMessages
from matrix import services


class BreakGlassForm(SpecificMessages, forms.Form):
    reference = forms.CharField(
        label="Record reference",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    justification = forms.CharField(
        label="Why you need this record",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"At least {services.BREAK_GLASS_MINIMUM_JUSTIFICATION} characters. It is kept in the access log "
        "and shown with every view of the record.",
    )
    hours = forms.IntegerField(
        label="Hours of access",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"invalid": "Enter the hours of access as a whole number, for example 2"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[
            "reference"
        ].help_text = f"As it is written on the record, for example {services.example_reference()}."
        self.fields["hours"].help_text = (
            f"Between 1 and {settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS}. Access ends by itself after this time; "
            "ask for no longer than you need."
        )
