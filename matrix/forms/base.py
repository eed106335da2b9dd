from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance

from config.form_messages import SpecificMessages


def without_blank_choices(form: forms.BaseForm) -> None:
    """Radio buttons never offer a "---------" choice: the person must pick a real one."""
    for field in form.fields.values():
        if isinstance(field.widget, forms.RadioSelect):
            field.choices = [choice for choice in field.choices if choice[0] not in ("", None)]


class RecordForm(SpecificMessages, forms.ModelForm):
    """A model form that checks fields and the model's ``clean()`` as the services do.

    Database constraints are left to the database and the services, whose messages are written for
    people; the form only collects every field error in one pass.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        without_blank_choices(self)

    def _post_clean(self):
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(), validate_unique=False, validate_constraints=False
            )
        except ValidationError as error:
            self._update_errors(error)


class VersionField(forms.IntegerField):
    """The record version the person was looking at; a stale one is refused by the services."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on the field it names, else at the top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            on_field = field in form.fields and not form.fields[field].widget.is_hidden
            form.add_error(field if on_field else None, messages)
    else:
        form.add_error(None, error.messages)
