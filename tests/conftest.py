import pytest
from rest_framework.test import APIClient

from tests.factories import make_user

HACKNEY = "E09000012"
SOUTHWARK = "E09000028"


@pytest.fixture
def officer(db):
    """An officer of Hackney."""
    return make_user("officer", [HACKNEY], username="officer.hackney")


@pytest.fixture
def supervisor(db):
    """A supervisor of Hackney."""
    return make_user("supervisor", [HACKNEY], username="supervisor.hackney")


@pytest.fixture
def outsider(db):
    """An officer of Southwark, who must not see Hackney's subjects."""
    return make_user("officer", [SOUTHWARK], username="officer.southwark")


@pytest.fixture
def partner(db):
    return make_user("partner", username="partner.council")


@pytest.fixture
def auditor(db):
    return make_user("auditor", username="auditor")


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as(api_client):
    def as_user(user):
        api_client.force_authenticate(user)
        return api_client

    return as_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests that create many users use a fast hasher (production is unaffected)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
