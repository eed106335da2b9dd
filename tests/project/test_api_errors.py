"""Every API error is JSON, whoever raises it: DRF, Django's request parsing, a middleware or a fault."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from audit.models import AccessEvent
from config import errors
from matrix.api import views as api_views
from matrix.models import Subject

pytestmark = pytest.mark.django_db

TOO_LARGE = json.dumps({"family_name": "x" * (3 * 1024 * 1024)})  # over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB)


def test_a_body_over_the_upload_limit_is_a_json_413_and_writes_nothing(api_as, officer):
    response = api_as(officer).post("/api/subjects/", TOO_LARGE, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "The request body is too large: at most 2,621,440 bytes are accepted."}
    assert not Subject.objects.exists()


def test_too_many_form_fields_is_a_json_400(api_as, officer, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = api_as(officer).post("/api/subjects/", {f"field{n}": "x" for n in range(20)})
    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in response.json()["detail"]


def test_a_host_django_refuses_is_json_under_the_api_and_a_page_elsewhere():
    client = Client(HTTP_HOST="not-allowed.example")
    api = client.get("/api/subjects/")
    assert (api.status_code, api["Content-Type"]) == (400, "application/json")
    assert api.json() == {"detail": "Bad request: the request could not be read."}
    page = client.get("/subjects/")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_a_server_fault_under_the_api_is_json(api_as, officer, monkeypatch):
    def fault(self, request, *args, **kwargs):
        raise RuntimeError("synthetic fault")

    monkeypatch.setattr(api_views.BoroughViewSet, "list", fault)
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    response = client.get("/api/boroughs/")
    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert "server's log" in response.json()["detail"]


def test_a_refusal_raised_outside_drf_is_json_under_the_api_and_logged(officer):
    """handler403 answers refusals raised before DRF (a middleware's): logged, and JSON under /api/."""
    request = RequestFactory().get("/api/boroughs/")
    request.user = officer
    response = errors.permission_denied(request, PermissionDenied("Synthetic refusal"))
    assert (response.status_code, response["Content-Type"]) == (403, "application/json")
    assert json.loads(response.content) == {"detail": "Synthetic refusal"}
    assert AccessEvent.objects.filter(detail__contains="Synthetic refusal", outcome="refused").exists()
