"""Authentication, sessions, headers and rate limits (issue 6; OWASP ASVS V2, V3, V14)."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AccessEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, user, password=TEST_PASSWORD):
    return client.post("/sign-in/", {"username": user.username, "password": password})


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def enrol(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Test app", confirmed=True)


class TestPasswords:
    def test_argon2_is_the_first_hasher(self):
        from config import settings as project_settings

        assert project_settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"

    def test_passwords_need_twelve_characters(self):
        with pytest.raises(ValidationError):
            validate_password("Sh0rt-pass!")
        validate_password("a-much-longer-passphrase-2026")


class TestLockout:
    def test_five_failures_lock_the_username_and_address_and_are_logged(self, client, officer):
        for _ in range(5):
            sign_in(client, officer, "wrong-password-123")
        locked = sign_in(client, officer)  # even the right password is refused now
        assert locked.status_code == 429
        assert "Too many sign-in attempts" in locked.content.decode()
        assert "_auth_user_id" not in client.session
        assert AccessEvent.objects.filter(action="login_failed", actor_username=officer.username).count() >= 5
        assert AccessEvent.objects.filter(
            action="denied", actor_username=officer.username, detail__contains="locked out"
        ).exists()

    def test_lockout_ends_after_the_cool_off(self, client, officer):
        for _ in range(5):
            sign_in(client, officer, "wrong-password-123")
        with time_machine.travel(timezone.now() + timedelta(minutes=16)):
            assert sign_in(client, officer).status_code == 302


class TestTwoFactor:
    def test_an_enrolled_user_must_enter_a_code_after_the_password(self, client, officer):
        device = enrol(officer)
        sign_in(client, officer)
        response = client.get("/subjects/")
        assert response.status_code == 302 and response["Location"].startswith("/two-factor/")
        wrong = client.post("/two-factor/", {"code": "000000", "next": "/subjects/"})
        assert "That code is not right" in wrong.content.decode()
        assert AccessEvent.objects.filter(action="login_failed", detail="Wrong second-factor code").exists()
        with time_machine.travel(timezone.now() + timedelta(seconds=3)):  # django-otp throttles after a failure
            device.refresh_from_db()
            right = client.post("/two-factor/", {"code": current_code(device), "next": "/subjects/"})
        assert right.status_code == 302 and right["Location"] == "/subjects/"
        assert client.get("/subjects/").status_code == 200

    def test_production_mode_makes_everyone_enrol_first(self, client, officer, settings):
        settings.GOVMATRIX_REQUIRE_2FA = True
        sign_in(client, officer)
        assert client.get("/").status_code == 302
        setup = client.get("/two-factor/setup/")
        assert setup.status_code == 200 and "<svg" in setup.content.decode()
        device = TOTPDevice.objects.get(user=officer, confirmed=False)
        done = client.post("/two-factor/setup/", {"code": current_code(device), "next": "/"})
        codes = done.context["codes"]
        assert len(codes) == 10 and StaticToken.objects.filter(device__user=officer).count() == 10
        assert client.get("/").status_code == 200
        assert AccessEvent.objects.filter(
            action="alter", detail__startswith="Two-factor authentication enrolled"
        ).exists()

    def test_a_recovery_code_works_once(self, client, officer, settings):
        settings.GOVMATRIX_REQUIRE_2FA = True
        enrol(officer)
        from django_otp.plugins.otp_static.models import StaticDevice

        StaticDevice.objects.create(user=officer, name="Recovery").token_set.create(token="recover01")
        sign_in(client, officer)
        assert client.post("/two-factor/", {"code": "recover01"}).status_code == 302
        other = Client()
        sign_in(other, officer)
        assert "That code is not right" in other.post("/two-factor/", {"code": "recover01"}).content.decode()

    def test_api_tokens_go_only_to_enrolled_users_in_production_mode(self, officer, settings, capsys):
        settings.GOVMATRIX_REQUIRE_2FA = True
        with pytest.raises(CommandError):
            call_command("create_api_token", officer.username)
        enrol(officer)
        call_command("create_api_token", officer.username)
        assert len(capsys.readouterr().out.strip()) == 40

    def test_the_dpo_reset_of_a_device_is_logged(self, officer):
        enrol(officer).delete()
        assert AccessEvent.objects.filter(action="alter", detail="Two-factor device removed (reset)").exists()


class TestSessions:
    def test_idle_sessions_expire_after_fifteen_minutes(self, settings):
        assert settings.SESSION_COOKIE_AGE == 15 * 60 and settings.SESSION_SAVE_EVERY_REQUEST

    def test_sessions_end_eight_hours_after_sign_in_however_active(self, client, officer):
        start = timezone.now()
        sign_in(client, officer)
        for minutes in range(10, 8 * 60, 10):  # active every ten minutes, so never idle for fifteen
            with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
                assert client.get("/").status_code == 200
        with time_machine.travel(start + timedelta(hours=8, minutes=5), tick=False):
            response = client.get("/")
        assert response.status_code == 302 and response["Location"].startswith("/sign-in/")

    def test_a_password_change_ends_the_users_other_sessions(self, officer):
        phone, desk = Client(), Client()
        sign_in(phone, officer)
        sign_in(desk, officer)
        assert desk.get("/").status_code == 200
        changed = phone.post(
            "/password/",
            {
                "old_password": TEST_PASSWORD,
                "new_password1": "a-brand-new-passphrase-77",
                "new_password2": "a-brand-new-passphrase-77",
            },
        )
        assert changed.status_code == 302
        assert phone.get("/").status_code == 200
        assert desk.get("/").status_code == 302


class TestHeaders:
    def test_security_headers(self, client):
        response = client.get("/sign-in/")
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "Server" not in response

    def test_api_docs_need_no_inline_script(self, client, officer):
        client.force_login(officer)
        page = client.get("/api/docs/").content.decode()
        assert "<script>" not in page.replace(" ", "")
        assert "swagger-ui-bundle.js" in page


class TestRateLimits:
    def test_api_answers_429_past_the_per_user_rate(self, api_as, officer, monkeypatch):
        from django.core.cache import cache
        from rest_framework.throttling import SimpleRateThrottle

        cache.clear()
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "3/minute", "anon": "3/minute"})
        client = api_as(officer)
        statuses = [client.get("/api/boroughs/").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert "throttled" in client.get("/api/boroughs/").json()["detail"].lower()
        cache.clear()


def test_healthz_reports_database_and_migrations(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_a_token_can_be_revoked_and_stops_working_at_once(officer, capsys):
    from rest_framework.test import APIClient

    call_command("create_api_token", officer.username)
    key = capsys.readouterr().out.strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/boroughs/").status_code == 200
    call_command("create_api_token", officer.username, "--revoke")
    assert client.get("/api/boroughs/").status_code == 401
    assert AccessEvent.objects.filter(detail="API token revoked", actor_username=officer.username).exists()
    with pytest.raises(CommandError):
        call_command("create_api_token", officer.username, "--revoke")
