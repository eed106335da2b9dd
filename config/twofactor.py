"""Two-factor authentication (TOTP, with one-time recovery codes), on top of django-otp.

Anyone who has enrolled is asked for a code at every sign-in. In production mode
(GOVMATRIX_REQUIRE_2FA) nobody reaches any page until they have enrolled and passed the second step.
API tokens are issued to and accepted from enrolled users only (config/tokens.py), since token requests skip
this step.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.log import record
from audit.models import Action, Outcome
from config.form_messages import SpecificMessages

RECOVERY_CODES = 10
OPEN_PATHS = ("/two-factor/", "/sign-out/", "/static/", "/healthz")


class CodeForm(SpecificMessages, forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=16,
        strip=True,
        help_text="The six-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def _next_url(request) -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else reverse("home")


@login_required
def verify(request):
    """The second step of signing in."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not user_has_device(request.user):
        return redirect(f"{reverse('two-factor-setup')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            record(Action.LOGIN, actor=request.user, detail=f"Second factor verified ({device.__class__.__name__})")
            return redirect(_next_url(request))
        record(Action.LOGIN_FAILED, actor=request.user, outcome=Outcome.REFUSED, detail="Wrong second-factor code")
        form.add_error("code", "That code is not right. Check your app's clock, or use a recovery code.")
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


@login_required
def setup(request):
    """Enrol an authenticator app: scan the code (or type the key), then prove it with one code."""
    if user_has_device(request.user):
        return redirect("two-factor-verify")
    device = _pending_device(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = _confirm(request, device)
            return render(
                request, "registration/two_factor_recovery.html", {"codes": codes, "next": _next_url(request)}
            )
        form.add_error("code", "That code is not right. Check the time on your phone and try the newest code.")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#0b0c0c")
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": typed_key(device), "next": _next_url(request)},
    )


def typed_key(device: TOTPDevice) -> str:
    """The key to type into an authenticator app that cannot scan: base32, as the apps expect (and as the QR
    code carries it), without padding, in groups of four for reading aloud or copying by eye."""
    key = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[start : start + 4] for start in range(0, len(key), 4))


@transaction.atomic
def _confirm(request, device: TOTPDevice) -> list[str]:
    device.confirmed = True
    device.save()
    recovery = StaticDevice.objects.create(user=request.user, name="Recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=recovery, token=code) for code in codes)
    otp_login(request, device)
    request.session[ENROLLED] = True
    record(Action.ALTER, actor=request.user, detail="Two-factor authentication enrolled; recovery codes issued")
    return codes


ENROLLED = "govmatrix_2fa_enrolled"


def _enrolled(request) -> bool:
    """Whether the signed-in user has a second factor, looked up once per session (not per request)."""
    if ENROLLED not in request.session:
        request.session[ENROLLED] = user_has_device(request.user)
    return request.session[ENROLLED]


def second_step_required(request) -> bool:
    """Whether the signed-in user has yet to pass the second step, which everyone must take when it is required
    (production mode) and the enrolled always."""
    user = request.user
    return user.is_authenticated and not user.is_verified() and (settings.GOVMATRIX_REQUIRE_2FA or _enrolled(request))


@receiver(user_logged_in, dispatch_uid="config.twofactor.note_enrolment")
def note_enrolment(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED] = user_has_device(user)


class TwoFactorMiddleware:
    """Signed-in browsers pass the second step before anything else (required for all in production)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # The API answers for itself (config.tokens): a redirect means nothing to an API client.
        if (
            getattr(request, "user", None) is not None
            and not request.path.startswith(OPEN_PATHS)
            and not request.path.startswith("/api/")
            and second_step_required(request)
        ):
            return redirect(f"{reverse('two-factor-verify')}?next={request.path}")
        return self.get_response(request)
