"""API tokens. A token request skips the second sign-in step, so when a second factor is required
(``GOVMATRIX_REQUIRE_2FA``, on in production mode) a token is issued to, and accepted from, only a user with a
confirmed django-otp device; issuing and revoking are logged (never the token itself).

``create_api_token`` is the only way to issue one: DRF's ``drf_create_token`` is replaced by a refusal
(config/management/commands) and its token admin is unregistered (matrix/admin.py).
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q
from django_otp import device_classes
from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import AuthenticationFailed

from audit.log import record
from audit.models import Action, Outcome

NO_SECOND_FACTOR = (
    "This token's user has not set up two-factor authentication, which is required: sign in on the website to set "
    "it up; until then the token is refused."
)


class TokenRefused(Exception):
    """A token cannot be issued or revoked; the message says why."""


def has_second_factor(user_field: str) -> ExpressionWrapper:
    """True when the user at ``user_field`` (of the query it annotates) has a confirmed device of any kind."""
    confirmed = (
        Q(Exists(model.objects.filter(user=OuterRef(user_field), confirmed=True))) for model in device_classes()
    )
    return ExpressionWrapper(reduce(or_, confirmed), output_field=BooleanField())


class SecondFactorTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing inactive users and, when required, users with no second factor.
    One query, as DRF's own: the device check is a subquery of the token's."""

    def authenticate_credentials(self, key):
        tokens = Token.objects.select_related("user").annotate(second_factor=has_second_factor("user"))
        try:
            token = tokens.get(key=key)
        except Token.DoesNotExist as exc:
            raise AuthenticationFailed("Invalid token.") from exc
        if not token.user.is_active:
            raise AuthenticationFailed("User inactive or deleted.")
        if settings.GOVMATRIX_REQUIRE_2FA and not token.second_factor:
            record(
                Action.LOGIN_FAILED,
                username=token.user.get_username(),
                outcome=Outcome.REFUSED,
                detail="API token refused: no second factor",
            )
            raise AuthenticationFailed(NO_SECOND_FACTOR)
        return token.user, token


class SecondFactorSessionAuthentication(SessionAuthentication):
    """A browser session reaches the API only after the second sign-in step wherever pages would ask for it
    (the two-factor middleware leaves /api/ to this class, which answers 401/403 instead of redirecting)."""

    def authenticate(self, request):
        from config.twofactor import second_step_required

        authenticated = super().authenticate(request)
        if authenticated is not None and second_step_required(request._request):
            raise AuthenticationFailed("Complete the second sign-in step (your authenticator code) first.")
        return authenticated


class SecondFactorSessionScheme(SessionScheme):
    """The OpenAPI schema describes the session cookie as before (drf-spectacular matches the class exactly)."""

    target_class = SecondFactorSessionAuthentication
    priority = 0


@transaction.atomic
def issue_token(username: str, *, rotate: bool = False) -> Token:
    """The user's new token; with ``rotate`` any existing one is revoked first."""
    users = get_user_model().objects.annotate(second_factor=has_second_factor("pk"))
    try:
        user = users.select_for_update(of=("self",)).get(username=username, is_active=True)
    except users.model.DoesNotExist as exc:
        raise TokenRefused(f"No active user called {username!r}.") from exc
    if settings.GOVMATRIX_REQUIRE_2FA and not user.second_factor:
        raise TokenRefused(f"{username} has not set up two-factor authentication; tokens go only to users who have.")
    if rotate:
        Token.objects.filter(user=user).delete()
    token, created = Token.objects.get_or_create(user=user)
    if not created:
        raise TokenRefused(f"{username} already has a token; use --rotate to replace it (the old one stops working).")
    record(Action.ALTER, actor=user, detail="API token rotated" if rotate else "API token issued")
    return token


@transaction.atomic
def revoke_token(username: str) -> None:
    deleted, _ = Token.objects.filter(user__username=username).delete()
    if not deleted:
        raise TokenRefused(f"{username!r} has no API token to revoke.")
    record(Action.ALTER, username=username, detail="API token revoked")
