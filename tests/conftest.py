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
def dpo(db):
    """The data protection officer (no borough: the role reads every borough)."""
    return make_user("dpo", username="dpo")


@pytest.fixture
def token_api_as():
    """A client with the user's API token: each request loads the user afresh, as a real caller's does."""
    from rest_framework.authtoken.models import Token

    def as_user(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        return client

    return as_user


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


@pytest.fixture
def any_criterion(db):
    """A published criterion every classification can meet with one police record graded 2C or better."""
    from tests.factories import CriterionFactory

    return CriterionFactory(code="any-classification", classifications=["suspected", "convicted", "victim", "at_risk"])


@pytest.fixture
def make_subject(officer, supervisor, any_criterion):
    """Build a Hackney subject through the real workflow, up to ``status``."""
    from datetime import date

    from django.utils import timezone

    from matrix import evidence_services, services, workflow
    from matrix.models import Borough

    def build(status="draft", *, classification="suspected", qualifying=True, **fields):
        subject = services.create_subject(
            acting_user=officer,
            borough=Borough.objects.get(code=HACKNEY),
            family_name=fields.pop("family_name", "Testperson"),
            given_names=fields.pop("given_names", "Alpha"),
            date_of_birth=fields.pop("date_of_birth", date(2003, 6, 1)),
            gender="male",
            ethnicity="not_stated",
            classification=classification,
            **fields,
        )
        if qualifying:
            evidence_services.add_evidence(
                acting_user=officer,
                subject=subject,
                summary="Synthetic arrest record",
                information_date=timezone.localdate(),
                source_type="police_record",
                source_reference="CAD-TEST-1",
                source_evaluation="1",
                intelligence_assessment="A",
                handling_code="P",
                nature="fact",
            )
        if status == "draft":
            return subject
        subject = workflow.submit_subject(acting_user=officer, subject=subject)
        if status == "submitted":
            return subject
        if status == "rejected":
            return workflow.reject_subject(acting_user=supervisor, subject=subject, reason="Synthetic rejection reason")
        subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
        if status == "approved":
            return subject
        assert status == "removed", status
        return workflow.remove_subject(acting_user=supervisor, subject=subject, reason="Synthetic removal reason")

    return build


REFERENCE_DATA_MIGRATIONS = [
    ("matrix.migrations.0002_boroughs", "load_boroughs"),
    ("sharing.migrations.0002_lawful_bases", "load"),
]


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests end with a flush that empties every table, data migrations included;
    this puts the boroughs, lawful bases and roles back (each idempotent)."""
    import importlib

    from django.apps import apps

    from accounts.roles import sync_roles

    for module_name, function_name in REFERENCE_DATA_MIGRATIONS:
        getattr(importlib.import_module(module_name), function_name)(apps, None)
    sync_roles()


# What logging one read costs (docs/access-log.md, What is logged): the access check for break glass, then a
# savepoint, the chain head, the insert and the release — plus the advisory lock on PostgreSQL.
LOGGED_READ_QUERIES = 6
# Sliding idle expiry saves the session on every request: a savepoint, the update and the release.
SESSION_QUERIES = 3


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres_only`` are skipped unless DATABASE_URL selects PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://…)")
    for item in items:
        if item.get_closest_marker("postgres_only"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def erasure_ledger_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("erasure-ledger")


@pytest.fixture(autouse=True)
def erasure_ledger_outside_the_repository(settings, erasure_ledger_folder):
    """Erasures in tests append to a ledger of their own, never the developer's (tests reading it set their own)."""
    settings.GOVMATRIX_ERASURE_LEDGER = erasure_ledger_folder / "erasure-ledger.jsonl"


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """API rate-limit counters live in the cache; each test starts with none (one test sets its own)."""
    from django.core.cache import cache

    cache.clear()
