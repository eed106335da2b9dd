"""Forms of the People pages. They collect input; accounts.services applies the rules."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from accounts import permissions, services
from accounts.roles import Role
from config.form_messages import SpecificMessages
from matrix.models import Borough
from sharing.models import PartnerAgency

REASON_HELP = "Why: for example the joiner's start, the move or the leaving date, and the request's ticket number."


def reason_field():
    return forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text=REASON_HELP
    )


def role_field():
    return forms.ChoiceField(label="Role", choices=Role.choices, widget=forms.RadioSelect)


def offer_roles(field, acting_user, *, creating=False) -> None:
    """Show only the roles ``acting_user`` may give. Any role still validates here, so a role they may not give
    reaches the service, which refuses it with its reason on the field."""
    field.widget.choices = permissions.roles_to_offer(acting_user, creating=creating)
    if len(field.widget.choices) < len(Role.choices):
        field.help_text = permissions.PRIVILEGED_ROLE


def partner_field(*, required: bool):
    return forms.ModelChoiceField(
        label="Partner agency" if required else "Partner agency (partner agency users only)",
        queryset=PartnerAgency.objects.order_by("name"),
        required=required,
    )


class CreateUserForm(SpecificMessages, forms.Form):
    username = forms.CharField(
        label="Username",
        max_length=150,
        help_text="For example firstname.lastname. Letters, digits and @ . + - _ only.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    email = forms.EmailField(label="Email address", widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    role = role_field()
    boroughs = forms.ModelMultipleChoiceField(
        label="Boroughs (officers and supervisors only)",
        queryset=Borough.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The boroughs whose records they work with.",
    )
    partner = partner_field(required=False)
    reason = reason_field()

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acting_user is not None:
            offer_roles(self.fields["role"], acting_user, creating=True)


class ActionForm(SpecificMessages, forms.Form):
    """One form on a person's page; its fields' ids are prefixed with the action so several can share it."""

    action = ""
    reason = reason_field()

    def __init__(self, *args, acting_user=None, **kwargs):
        kwargs.setdefault("auto_id", f"{self.action}-%s")
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user


class RoleForm(ActionForm):
    action = "role"
    role = role_field()
    field_order = ["role", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.acting_user is not None:
            offer_roles(self.fields["role"], self.acting_user)


class BoroughGrantForm(ActionForm):
    action = "borough-grant"
    borough = forms.ModelChoiceField(label="Borough", queryset=Borough.objects.order_by("name"))
    field_order = ["borough", "reason"]


class BoroughWithdrawForm(ActionForm):
    action = "borough-withdraw"
    borough = forms.ModelChoiceField(label="Borough", queryset=Borough.objects.order_by("name"))
    field_order = ["borough", "reason"]

    def __init__(self, *args, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        if account is not None:  # offer only the boroughs they work in (the service checks again)
            self.fields["borough"].queryset = Borough.objects.filter(user_grants__user=account).order_by("name")


class PartnerForm(ActionForm):
    action = "partner"
    partner = partner_field(required=True)
    field_order = ["partner", "reason"]


class PartnerRemoveForm(ActionForm):
    action = "partner-remove"


class DeactivateForm(ActionForm):
    action = "deactivate"


class ReactivateForm(ActionForm):
    action = "reactivate"


class LockoutResetForm(ActionForm):
    action = "lockout-reset"


class SecondFactorResetForm(ActionForm):
    action = "second-factor-reset"


class SignInForm(SpecificMessages, AuthenticationForm):
    """Django's sign-in form without autofocus, so a keyboard or screen-reader user meets the skip link and
    the page's explanation first."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.pop("autofocus", None)


class SetUpForm(SpecificMessages, SetPasswordForm):
    """The joiner's first password. Saving goes through the service, which checks and logs it."""

    def save(self, commit=True):
        services.complete_set_up(user=self.user, password=self.cleaned_data["new_password1"])
        return self.user
