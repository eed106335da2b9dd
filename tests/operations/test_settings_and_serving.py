"""Production settings refuse to start half-configured, and `make run` really serves the sign-in page.

These run Django in subprocesses with their own environment, so they never touch the test database.
"""

import http.client
import sys
import urllib.error
import urllib.request

import pytest

from tests.serving import LOAD_SETTINGS, MANAGE, clean_env, free_port, run, serving, strong_secret


class TestProductionModeRefusesToStartHalfConfigured:
    def test_without_secret_key(self):
        env = clean_env(GOVMATRIX_PRODUCTION="1", DJANGO_ALLOWED_HOSTS="matrix.example.test")
        result = run(["-c", LOAD_SETTINGS], env)
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_SECRET_KEY must be set in production mode" in result.stderr

    def test_with_blank_secret_key(self):
        env = clean_env(GOVMATRIX_PRODUCTION="1", DJANGO_SECRET_KEY="   ", DJANGO_ALLOWED_HOSTS="matrix.example.test")
        result = run(["-c", LOAD_SETTINGS], env)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY must be set in production mode" in result.stderr

    def test_without_allowed_hosts(self):
        env = clean_env(GOVMATRIX_PRODUCTION="1", DJANGO_SECRET_KEY=strong_secret())
        result = run(["-c", LOAD_SETTINGS], env)
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_ALLOWED_HOSTS must be set in production mode" in result.stderr

    def test_manage_py_check_also_refuses(self):
        env = clean_env(GOVMATRIX_PRODUCTION="1", DJANGO_ALLOWED_HOSTS="matrix.example.test")
        result = run([MANAGE, "check"], env)
        assert result.returncode != 0
        assert "DJANGO_SECRET_KEY" in result.stderr

    def test_fully_configured_passes_the_deployment_checklist_once_static_files_are_collected(self, tmp_path):
        env = clean_env(
            GOVMATRIX_PRODUCTION="1",
            DJANGO_SECRET_KEY=strong_secret(),
            DJANGO_ALLOWED_HOSTS="matrix.example.test",
            GOVMATRIX_STATIC_ROOT=str(tmp_path / "static"),
        )
        before = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env)
        assert before.returncode != 0
        assert "govmatrix.E001" in before.stderr and "collectstatic" in before.stderr

        collected = run([MANAGE, "collectstatic", "--noinput"], env)
        assert collected.returncode == 0, collected.stdout + collected.stderr
        result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], env)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_production_settings_values(self):
        secret = strong_secret()
        env = clean_env(
            GOVMATRIX_PRODUCTION="yes",
            DJANGO_SECRET_KEY=secret,
            DJANGO_ALLOWED_HOSTS="matrix.example.test, other.example.test",
        )
        script = (
            "import django; from django.conf import settings as s; "
            f"print(s.DEBUG, s.ALLOWED_HOSTS, s.SECRET_KEY == {secret!r}, s.SESSION_COOKIE_SECURE, "
            "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT)"
        )
        result = run(["-c", script], env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False ['matrix.example.test', 'other.example.test'] True True True True"

    def test_development_mode_uses_no_secret_from_the_environment_and_debugs(self):
        result = run(
            ["-c", "import django; from django.conf import settings as s; print(s.PRODUCTION, s.DEBUG)"], clean_env()
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "False True"

    def test_development_mode_fails_the_deployment_checklist(self):
        """Development mode must never pass --deploy, so nobody ships it by mistake."""
        result = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], clean_env())
        assert result.returncode != 0
        assert "security.W018" in result.stderr  # DEBUG is on


def test_make_run_serves_the_sign_in_page(tmp_path):
    """What `make run` does: migrate, seed_demo, runserver; then a browser gets the sign-in page.

    Deliberately not a django_db test: it uses its own SQLite file through DATABASE_URL.
    """
    database = tmp_path / "run.sqlite3"
    env = clean_env(DATABASE_URL=f"sqlite:///{database}")

    migrated = run([MANAGE, "migrate", "--noinput"], env, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    seeded = run([MANAGE, "seed_demo"], env, timeout=300)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    assert "officer.hackney" in seeded.stdout
    assert database.exists()

    port = free_port()
    with serving(
        [sys.executable, MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"], env, tmp_path / "runserver.log", port
    ):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sign-in/", timeout=10) as response:
            assert response.status == 200
            body = response.read().decode()
        assert "Sign in" in body
        assert 'name="username"' in body
        assert 'name="password"' in body

        # The home page is not for anonymous visitors: a redirect (not followed) to sign in.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.request("GET", "/")
            home = connection.getresponse()
            home.read()
        finally:
            connection.close()
        assert home.status == 302
        assert home.getheader("Location").startswith("/sign-in/")
        assert "next=/" in home.getheader("Location")

        # A page that does not exist is a plain 404, not a crash.
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/no-such-page/", timeout=10)
        assert missing.value.code == 404


class TestYesNoSettingsAcceptOnlyTheDocumentedWords:
    @pytest.mark.parametrize("word", ["y", "enabled", "2", "ture"])
    def test_an_unknown_word_stops_start_up_instead_of_meaning_no(self, word):
        result = run(["-c", LOAD_SETTINGS], clean_env(GOVMATRIX_PRODUCTION=word))
        assert result.returncode != 0
        assert "GOVMATRIX_PRODUCTION must be one of 1, true, yes, on (yes) or 0, false, no, off (no)" in result.stderr
        assert repr(word) in result.stderr

    @pytest.mark.parametrize(("word", "production"), [("ON", True), ("Yes", True), ("off", False), ("0", False)])
    def test_documented_words_in_any_case(self, word, production):
        env = clean_env(GOVMATRIX_PRODUCTION=word, DJANGO_SECRET_KEY=strong_secret(), DJANGO_ALLOWED_HOSTS="a.test")
        result = run(["-c", "import django; from django.conf import settings as s; print(s.PRODUCTION)"], env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(production)
