"""The People pages: user administration for the administrator role and the DPO. Views parse and call
accounts.services; accounts.permissions decides who may.

A wrong role is a 403 (logged by the 403 handler) before any input is read. A refused step shows its
reason in the error summary and changes nothing. Every change is a POST that redirects to the person's
page (POST/redirect/GET); a new set-up link is kept in the session only until that page shows it once.
"""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts import forms, queries, services
from accounts import permissions as can
from config import failed_forms
from matrix.forms.base import add_service_errors

SCOPE = "staff accounts only (roles, boroughs, agencies; never matrix records), because you manage users"
SET_UP_LINK = "accounts_set_up_link"
PAGE_SIZE = 100


def _account(user_id):
    return get_object_or_404(services.User, pk=user_id)


def _keep_link(request, account, path: str) -> None:
    request.session[SET_UP_LINK] = [account.pk, request.build_absolute_uri(path)]


def _take_link(request, account) -> str | None:
    """The account's new set-up link, once: only its own page takes it from the session."""
    kept = request.session.get(SET_UP_LINK)
    if not kept or kept[0] != account.pk:
        return None
    del request.session[SET_UP_LINK]
    return kept[1]


@login_required
@require_GET
def people_list(request):
    can.require_manager(request.user)
    page = Paginator(queries.people(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/people_list.html", {"page": page, "scope": SCOPE})


@login_required
def person_create(request):
    can.require_manager(request.user)
    form = forms.CreateUserForm(request.POST or None, acting_user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account, link = services.create_user(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _keep_link(request, account, link)
            messages.success(request, f"{account.get_username()} created as {form.cleaned_data['role']}.")
            return redirect("person-detail", user_id=account.pk)
    return render(request, "accounts/person_create.html", {"form": form, "scope": SCOPE})


def _form(form_class, request, *args, account=None):
    """An action's form for the signed-in manager: the role form offers only the roles they may give."""
    kwargs = {"acting_user": request.user}
    if form_class is forms.BoroughWithdrawForm and account is not None:
        kwargs["account"] = account
    return form_class(*args, **kwargs)


def detail_page(request, account, *, failed=None):
    shown = {action: _form(form_class, request, account=account) for action, (form_class, _) in ACTIONS.items()}
    if failed is not None:
        shown[failed.action] = failed
    shown = {action.replace("-", "_"): form for action, form in shown.items()}  # names a template can read
    context = {
        "person": queries.person(account),
        "forms": shown,
        "failed_form": failed,
        "may_change": can.may_change(request.user, account),
        "own_account": request.user.pk == account.pk,
        "refusal": can.refusal(request.user, account),
        "set_up_link": _take_link(request, account),
        "scope": SCOPE,
    }
    return render(request, "accounts/person_detail.html", context)


@login_required
@require_GET
def person_detail(request, user_id):
    can.require_manager(request.user)
    failed = failed_forms.recall(
        request,
        _failed_action_page(user_id),
        lambda data, context: _form(ACTIONS[context["action"]][0], request, data),
    )
    return detail_page(request, _account(user_id), failed=failed)


def _failed_action_page(user_id) -> str:
    """The key under which a refused step waits for the person's page (config.failed_forms)."""
    return f"person-action:{user_id}"


def _role(request, account, data):
    services.change_role(user=account, role=data["role"], acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} is now {data['role']}."


def _grant(request, account, data):
    services.grant_borough(user=account, borough=data["borough"], acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} now works in {data['borough'].name}."


def _withdraw(request, account, data):
    services.withdraw_borough(user=account, borough=data["borough"], acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} no longer works in {data['borough'].name}."


def _partner(request, account, data):
    services.set_partner_membership(
        user=account, partner=data["partner"], acting_user=request.user, reason=data["reason"]
    )
    return f"{account.get_username()} now belongs to {data['partner'].name}."


def _partner_remove(request, account, data):
    services.remove_partner_membership(user=account, acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} no longer belongs to a partner agency."


def _deactivate(request, account, data):
    services.deactivate_user(user=account, acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} is deactivated: their sessions have ended and their API token is revoked."


def _reactivate(request, account, data):
    _keep_link(
        request, account, services.reactivate_user(user=account, acting_user=request.user, reason=data["reason"])
    )
    return f"{account.get_username()} is active again once they choose a password through their new set-up link."


def _lockout_reset(request, account, data):
    services.reset_lockout(user=account, acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} can try to sign in again."


def _second_factor_reset(request, account, data):
    services.reset_second_factor(user=account, acting_user=request.user, reason=data["reason"])
    return f"{account.get_username()} will set up two-factor authentication again at their next sign-in."


ACTIONS = {
    "role": (forms.RoleForm, _role),
    "borough-grant": (forms.BoroughGrantForm, _grant),
    "borough-withdraw": (forms.BoroughWithdrawForm, _withdraw),
    "partner": (forms.PartnerForm, _partner),
    "partner-remove": (forms.PartnerRemoveForm, _partner_remove),
    "deactivate": (forms.DeactivateForm, _deactivate),
    "reactivate": (forms.ReactivateForm, _reactivate),
    "lockout-reset": (forms.LockoutResetForm, _lockout_reset),
    "second-factor-reset": (forms.SecondFactorResetForm, _second_factor_reset),
}


@login_required
@require_POST
def person_action(request, user_id, action):
    can.require_manager(request.user)
    account = _account(user_id)
    can.require_may_change(request.user, account)
    form_class, perform = ACTIONS[action]
    form = _form(form_class, request, request.POST)
    if form.is_valid():
        try:
            done = perform(request, account, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("person-detail", user_id=account.pk)
    return failed_forms.refused(
        request,
        _failed_action_page(account.pk),
        form,
        "person-detail",
        user_id=account.pk,
        context={"action": action},
    )


class SetUpView(auth_views.PasswordResetConfirmView):
    """A joiner's one-time link: Django's reset-confirm flow (the token leaves the address bar at once)."""

    token_generator = services.set_up_tokens
    form_class = forms.SetUpForm
    template_name = "accounts/set_up.html"
    success_url = reverse_lazy("login")
    post_reset_login = False

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your password is set. Sign in with it now.")
        return response
