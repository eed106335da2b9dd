"""Error messages that say what to do about which field, as GOV.UK services write them.

Django's stock "This field is required." and "Select a valid choice." do not say which field, and the
error summary lists each message on its own, so every form in the service takes its field messages from
here: "Enter date of birth", "Select the borough", "Select lawful basis from the list". A message a form
writes itself is kept. For the same reason a list's empty choice reads "Choose gender", never "---------".
"""

from django import forms

STOCK_REQUIRED = forms.Field.default_error_messages["required"]
STOCK_INVALID_CHOICE = tuple(
    kind.default_error_messages["invalid_choice"]
    for kind in (forms.ChoiceField, forms.ModelChoiceField, forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
)
CHOSEN = (forms.ChoiceField, forms.ModelChoiceField, forms.BooleanField)
DJANGO_BLANK = "---------"


def _named(label) -> str:
    """The label as it reads mid-sentence: "Date of birth" becomes "date of birth", "URL" stays."""
    text = str(label or "a value").rstrip(":")
    if len(text) > 1 and not text[1].isupper():
        text = text[0].lower() + text[1:]
    return text


def specific_messages(field: forms.Field) -> None:
    """Replace the field's stock messages with ones that name it."""
    name = _named(field.label)
    messages = field.error_messages
    if messages.get("required") is STOCK_REQUIRED:
        if str(field.label or "").endswith("?"):
            messages["required"] = f"Answer the question “{field.label}”"
        else:
            messages["required"] = f"{'Select' if isinstance(field, CHOSEN) else 'Enter'} {name}"
    if any(messages.get("invalid_choice") is stock for stock in STOCK_INVALID_CHOICE):
        messages["invalid_choice"] = f"Select {name} from the choices given"
    if getattr(field, "empty_label", None) == DJANGO_BLANK:
        field.empty_label = f"Choose {name}"
    elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
        if any(label == DJANGO_BLANK for _, label in field.choices):
            field.choices = [
                (value, f"Choose {name}" if label == DJANGO_BLANK else label) for value, label in field.choices
            ]


class SpecificMessages:
    """A form mixin: after the form's own set-up, every field's stock messages name the field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            specific_messages(field)
