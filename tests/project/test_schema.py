import pytest
import yaml
from django.core.management import call_command


@pytest.mark.django_db
def test_openapi_schema_is_valid_and_warning_free(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "/api/subjects/{uuid}/" in schema["paths"]
    assert "/api/boroughs/" in schema["paths"]
    subject_fields = schema["components"]["schemas"]["SubjectRequest"]["required"]
    assert "classification" in subject_fields


@pytest.mark.django_db
def test_schema_endpoint_answers_signed_in_users(client, officer):
    client.force_login(officer)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "govmatrix API"
