"""schemathesis against the published OpenAPI schema (issue 6 item 4).

Every operation in ``/api/schema/`` is called through the WSGI application with generated parameters
and bodies, once with an officer's token and once with a partner's token, and every response must:
not be a server error, carry a status code, content type and body that the schema documents.

Generated UUIDs match nothing, so for about half the examples the test swaps in a real object of the
right kind (a Hackney or Southwark subject in some state, an evidence item, a disclosure, …), chosen
deterministically from the generated value so that hypothesis can replay and shrink a failure. The
same goes for the references inside bodies (the subject, agreement and lawful basis of a disclosure
request, the borough of a new subject). Nothing is excluded: every operation and both tokens run.

Bounded: a few examples per operation and no deadline, so the file runs in about a minute on SQLite.
"""

from datetime import date

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from matrix.models import Borough
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import AgreementFactory, PartnerAgencyFactory, basis, make_partner_user

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"
# Body fields that name another record, and the kind of record they name.
BODY_REFERENCES = {
    "subject": "subjects",
    "agreement": "agreements",
    "lawful_basis": "lawful-bases",
    "borough": "boroughs",
}


class Objects:
    """Real records for the generated requests to hit, in both boroughs, built through the services."""

    def __init__(self):
        from matrix import evidence_services, services, workflow
        from sharing import services as sharing

        officers = {code: make_user("officer", [code]) for code in (HACKNEY, SOUTHWARK)}
        supervisors = {code: make_user("supervisor", [code]) for code in (HACKNEY, SOUTHWARK)}
        agency = PartnerAgencyFactory()
        partner = make_partner_user(agency)
        self.tokens = {
            "officer": Token.objects.create(user=officers[HACKNEY]).key,
            "partner": Token.objects.create(user=partner).key,
        }
        agreements = [AgreementFactory(partner=agency), AgreementFactory()]
        subjects, evidence, disclosures = [], [], []
        for code in (HACKNEY, SOUTHWARK):
            officer, supervisor = officers[code], supervisors[code]
            for status in ("draft", "submitted", "approved", "approved"):
                subject = services.create_subject(
                    acting_user=officer,
                    borough=Borough.objects.get(code=code),
                    family_name="Schemathesis",
                    given_names=status.title(),
                    date_of_birth=date(2002, 3, 4),
                    gender="female",
                    ethnicity="not_stated",
                    classification="suspected",
                )
                evidence.append(
                    evidence_services.add_evidence(
                        acting_user=officer,
                        subject=subject,
                        summary="Synthetic arrest record",
                        information_date=timezone.localdate(),
                        source_type="police_record",
                        source_reference="CAD-1",
                        source_evaluation="1",
                        intelligence_assessment="A",
                        handling_code="P",
                        nature="fact",
                    )
                )
                evidence.append(
                    evidence_services.add_evidence(
                        acting_user=officer,
                        subject=subject,
                        summary="Synthetic post",
                        information_date=timezone.localdate(),
                        source_type="social_media",
                        source_reference="SM-1",
                        source_evaluation="2",
                        intelligence_assessment="C",
                        handling_code="P",
                        nature="assessment",
                        social_media_url="https://social.example.test/post/1",
                        social_media_platform="ExampleNet",
                        captured_on=timezone.localdate(),
                    )
                )
                if status != "draft":
                    subject = workflow.submit_subject(acting_user=officer, subject=subject)
                if status == "approved":
                    subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
                    # Per agreement (the partner's agency, another agency): one awaiting a decision, one live.
                    for agreement in agreements:
                        for fields in (["name", "evidence"], ["name"]):
                            disclosures.append(
                                sharing.request_disclosure(
                                    acting_user=officer,
                                    subject=subject,
                                    agreement=agreement,
                                    lawful_basis=basis("cda-1998-s115"),
                                    purpose=PURPOSE,
                                    fields=fields,
                                )
                            )
                        disclosures[-1] = sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosures[-1])
                subjects.append(subject)
        self.by_collection = {
            "subjects": [str(s.uuid) for s in subjects],
            "evidence": [str(e.uuid) for e in evidence],
            "disclosures": [str(d.uuid) for d in disclosures],
            "agreements": [str(a.uuid) for a in agreements],
            "partners": [str(agency.uuid), str(agreements[1].partner.uuid)],
            "boroughs": [HACKNEY, SOUTHWARK],
            "lawful-bases": ["cda-1998-s115", "dpa-2018-sch8-para4"],
        }

    @staticmethod
    def pick(choices: list[str], generated) -> str | None:
        """A real value for about half the generated ones, chosen by the generated value itself."""
        digest = sum(str(generated).encode())
        return choices[digest // 2 % len(choices)] if digest % 2 == 0 else None

    def substitute(self, case) -> None:
        """Point about half the generated path and body references at real records of the right kind."""
        in_path = self.by_collection.get(case.path.removeprefix("/api/").split("/")[0])
        for name, value in (case.path_parameters or {}).items():
            real = self.pick(in_path, value) if in_path else None
            if real is not None:
                case.path_parameters[name] = real
        if isinstance(case.body, dict):
            for field, collection in BODY_REFERENCES.items():
                real = self.pick(self.by_collection[collection], case.body[field]) if field in case.body else None
                if real is not None:
                    case.body[field] = real


@pytest.fixture
def objects(db, any_criterion, monkeypatch):
    # The WSGI handler closes "old" connections at each request; inside the test's transaction that
    # would end it. Django's own test client disconnects the same handler.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    # Thousands of calls a minute: the rate limits are tested in test_security, not here. The counters
    # are emptied afterwards too, or the next test's user (same database key) would start throttled.
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"user": "100000/minute", "anon": "100000/minute"})
    cache.clear()
    try:
        yield Objects()
    finally:
        cache.clear()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.slow
@schema.parametrize()
@pytest.mark.parametrize("role", ["officer", "partner"])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case, role, objects):
    objects.substitute(case)
    case.call_and_validate(headers={"Authorization": f"Token {objects.tokens[role]}"}, checks=CHECKS)


# What schemathesis found, pinned as plain tests (each was a 500 or an answer the schema did not document).


@pytest.fixture
def officer_client(officer):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=officer).key}")
    return client


@pytest.mark.parametrize("path", ["/api/boroughs/%00/", "/api/lawful-bases/cda%00/", "/audit/users/officer%00/"])
def test_a_nul_character_in_the_path_names_nothing(client, auditor, path):
    """PostgreSQL refuses NUL in text: the lookup used to end in a database error (500)."""
    client.force_login(auditor)
    response = client.get(path)
    assert response.status_code == 404
    if path.startswith("/api/"):
        assert response.json() == {"detail": "Not found."}


def test_a_nul_character_in_a_code_reference_is_a_400(officer_client):
    body = {
        "borough": "E09\x00000012",
        "family_name": "Nul",
        "given_names": "Test",
        "date_of_birth": "2001-01-01",
        "gender": "male",
        "ethnicity": "not_stated",
        "classification": "suspected",
    }
    response = officer_client.post("/api/subjects/", body, format="json")
    assert response.status_code == 400 and "borough" in response.json()


@pytest.mark.parametrize("path", ["/api/subjects/null/history/", "/api/subjects/null/", "/api/evidence/null/"])
def test_a_path_value_that_is_not_a_uuid_is_a_404(officer_client, path):
    """It was a 400 ("not a valid UUID") from the denial log's own lookup."""
    assert officer_client.get(path).status_code == 404


def test_an_api_path_matching_no_endpoint_answers_json(officer_client):
    response = officer_client.get("/api/subjects/0.5/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
