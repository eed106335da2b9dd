"""API tokens and the second factor (issue 12 item 4): no token is issued to, or accepted from, a user without
a confirmed second factor when one is required; the typed TOTP key is base32, as authenticator apps expect."""

import re

import pyotp
import pytest
from django.contrib import admin
from django.core.management import CommandError, call_command, get_commands
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from audit.models import AccessEvent
from config.tokens import SecondFactorTokenAuthentication
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def enrol(user, *, confirmed=True) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Test app", confirmed=confirmed)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def second_factor_required(settings):
    settings.GOVMATRIX_REQUIRE_2FA = True


class TestIssuing:
    def test_drf_create_token_is_replaced_by_a_refusal(self, officer):
        assert get_commands()["drf_create_token"] == "config"
        with pytest.raises(CommandError, match="create_api_token"):
            call_command("drf_create_token", officer.username)
        assert not Token.objects.exists()

    def test_the_token_admin_is_not_offered(self):
        assert not admin.site.is_registered(TokenProxy)

    def test_no_token_without_a_confirmed_second_factor(self, officer, second_factor_required):
        enrol(officer, confirmed=False)  # set-up started, never finished
        with pytest.raises(CommandError, match="has not set up two-factor authentication"):
            call_command("create_api_token", officer.username)
        assert not Token.objects.exists()
        assert not AccessEvent.objects.filter(detail__startswith="API token").exists()

    def test_a_token_for_an_enrolled_user_is_printed_once_and_logged(self, officer, second_factor_required, capsys):
        enrol(officer)
        call_command("create_api_token", officer.username)
        key = capsys.readouterr().out.strip()
        assert Token.objects.get(user=officer).key == key
        event = AccessEvent.objects.get(detail="API token issued")
        assert event.actor_username == officer.username and key not in event.detail

    @pytest.mark.parametrize("rotate", [False, True])
    def test_issuing_is_one_transaction_with_its_log_entry(self, officer, monkeypatch, rotate):
        """If the log entry cannot be written, no token is issued and a rotated one is not revoked."""
        from config import tokens

        old = Token.objects.create(user=officer) if rotate else None

        def log_fails(*args, **kwargs):
            raise RuntimeError("synthetic: the access log is unavailable")

        monkeypatch.setattr(tokens, "record", log_fails)
        with pytest.raises(RuntimeError, match="access log is unavailable"):
            call_command("create_api_token", officer.username, *(["--rotate"] if rotate else []))
        assert list(Token.objects.filter(user=officer)) == ([old] if rotate else [])

    def test_an_inactive_user_gets_no_token(self, officer):
        officer.is_active = False
        officer.save()
        with pytest.raises(CommandError, match="No active user"):
            call_command("create_api_token", officer.username)


class TestAccepting:
    def test_a_token_without_a_second_factor_is_refused_when_required(self, officer, second_factor_required):
        response = token_client(officer).get("/api/boroughs/")
        assert response.status_code == 401
        assert "two-factor authentication" in response.json()["detail"]
        assert AccessEvent.objects.filter(
            action="login_failed", actor_username=officer.username, detail="API token refused: no second factor"
        ).exists()

    def test_a_token_with_a_second_factor_works_when_required(self, officer, second_factor_required):
        enrol(officer)
        assert token_client(officer).get("/api/boroughs/").status_code == 200

    def test_a_token_without_a_second_factor_works_in_development(self, officer, settings):
        settings.GOVMATRIX_REQUIRE_2FA = False
        assert token_client(officer).get("/api/boroughs/").status_code == 200

    def test_an_inactive_users_token_is_refused(self, officer):
        client = token_client(officer)
        officer.is_active = False
        officer.save()
        assert client.get("/api/boroughs/").status_code == 401

    def test_the_check_costs_no_query_beyond_the_tokens_own(
        self, officer, second_factor_required, django_assert_num_queries
    ):
        enrol(officer)
        key = Token.objects.create(user=officer).key
        with django_assert_num_queries(1):
            user, _token = SecondFactorTokenAuthentication().authenticate_credentials(key)
        assert user == officer

    def test_a_password_only_session_cannot_use_the_api_when_a_second_factor_is_required(
        self, client, officer, second_factor_required
    ):
        enrol(officer)
        client.post("/sign-in/", {"username": officer.username, "password": TEST_PASSWORD})
        response = client.get("/api/boroughs/")
        assert response.status_code == 401
        assert "second sign-in step" in response.json()["detail"]


def test_the_typed_key_is_base32_and_a_real_authenticator_code_from_it_is_accepted(
    client, officer, second_factor_required
):
    client.post("/sign-in/", {"username": officer.username, "password": TEST_PASSWORD})
    page = client.get("/two-factor/setup/").content.decode()
    typed = re.search(r'<code class="secret">([^<]+)</code>', page).group(1)
    assert re.fullmatch(r"[A-Z2-7]{4}( [A-Z2-7]{4})*", typed)
    code = pyotp.TOTP(typed.replace(" ", "")).now()  # what an authenticator app shows for the typed key
    done = client.post("/two-factor/setup/", {"code": code, "next": "/"})
    assert done.status_code == 200 and len(done.context["codes"]) == 10
    assert TOTPDevice.objects.get(user=officer).confirmed
