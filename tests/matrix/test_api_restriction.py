"""Restriction of processing (DPA 2018 s.47) through the API: POST /api/subjects/{uuid}/restrict/ and /lift/.

The same permission function as the subject page (``permissions.can_restrict``) and the same workflow
functions (``workflow.restrict_processing``, ``workflow.lift_restriction``), so the API and the browser
give the same result; every refusal leaves the record exactly as it was.
"""

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from audit.models import AccessEvent
from matrix import workflow
from matrix.models import Subject
from tests.conftest import SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import live_disclosure

pytestmark = pytest.mark.django_db

REASON = "Synthetic: the subject contests the accuracy of the record"
LIFT_REASON = "Synthetic: record verified as accurate"


@pytest.fixture
def southwark_supervisor(db):
    return make_user("supervisor", [SOUTHWARK], username="supervisor.southwark")


@pytest.fixture
def live(officer, supervisor, make_subject):
    """An approved Hackney record with a live disclosure to a partner."""
    return live_disclosure(officer=officer, supervisor=supervisor, subject=make_subject("approved"))


@pytest.fixture
def subject(live):
    return live.subject


def url(subject, step: str) -> str:
    return f"/api/subjects/{subject.uuid}/{step}/"


def state(subject) -> tuple:
    """What a refused step must leave untouched."""
    subject = Subject.objects.get(pk=subject.pk)
    return subject.restricted_at, subject.restriction_reason, subject.version, subject.history.count()


def as_read(event) -> str:
    """An entry's justification as people read it (audit.log.justification_as_read, where the log keeps typed
    text beside its chain; the plain column otherwise)."""
    try:
        from audit.log import justification_as_read
    except ImportError:
        return event.justification
    return justification_as_read(event)


def restricted(subject):
    return workflow.restrict_processing(acting_user=make_user("dpo"), subject=subject, reason=REASON)


class TestRestrictThenLift:
    def test_the_dpo_restricts_and_lifts_through_the_api(self, token_api_as, dpo, live, subject):
        client = token_api_as(dpo)
        response = client.post(url(subject, "restrict"), {"reason": REASON, "version": subject.version}, format="json")
        assert response.status_code == 200, response.json()
        data = response.json()
        assert data["restriction_reason"] == REASON and data["restricted_at"] is not None
        assert data["version"] == subject.version + 1
        stored = Subject.objects.get(pk=subject.pk)
        assert stored.is_restricted and stored.history.latest().history_user == dpo
        assert live.notices.get().kind == "restriction"  # the recipient is told
        logged = AccessEvent.objects.filter(
            action="alter", object_type="subject", subject_uuid=subject.uuid, actor_username=dpo.username
        )[0]
        assert (logged.detail, as_read(logged)) == ("Processing restricted", REASON)

        response = client.post(url(subject, "lift"), {"reason": LIFT_REASON, "version": data["version"]}, format="json")
        assert response.status_code == 200, response.json()
        assert response.json()["restricted_at"] is None and response.json()["restriction_reason"] == ""
        stored.refresh_from_db()
        assert not stored.is_restricted
        assert stored.history.latest().history_change_reason == f"Restriction lifted: {LIFT_REASON}"

    def test_the_version_may_be_left_out(self, token_api_as, dpo, subject):
        assert token_api_as(dpo).post(url(subject, "restrict"), {"reason": REASON}, format="json").status_code == 200

    def test_the_subject_api_shows_the_restriction(self, token_api_as, dpo, officer, subject):
        token_api_as(dpo).post(url(subject, "restrict"), {"reason": REASON}, format="json")
        shown = token_api_as(officer).get(f"/api/subjects/{subject.uuid}/").json()
        assert shown["restriction_reason"] == REASON and shown["restricted_at"]


class TestRefusals:
    @pytest.mark.parametrize("step", ["restrict", "lift"])
    @pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
    def test_a_role_other_than_the_dpo_is_403_before_the_body_is_read(self, request, token_api_as, subject, role, step):
        if step == "lift":
            restricted(subject)
        before = state(subject)
        user = request.getfixturevalue(role)
        for data in ({"reason": REASON}, {}):
            response = token_api_as(user).post(url(subject, step), data, format="json")
            assert response.status_code == 403
            assert response.json()["detail"].startswith("Only the data protection officer can")
        assert state(subject) == before
        refusal = AccessEvent.objects.filter(action="denied").order_by("-sequence").first()
        assert refusal.actor_username == user.username

    @pytest.mark.parametrize("step", ["restrict", "lift"])
    def test_a_partner_is_403(self, token_api_as, partner, subject, step):
        before = state(subject)
        assert token_api_as(partner).post(url(subject, step), {"reason": REASON}, format="json").status_code == 403
        assert state(subject) == before

    @pytest.mark.parametrize("step", ["restrict", "lift"])
    @pytest.mark.parametrize("role", ["outsider", "southwark_supervisor"])
    def test_another_borough_is_404(self, request, token_api_as, subject, role, step):
        before = state(subject)
        response = token_api_as(request.getfixturevalue(role)).post(
            url(subject, step), {"reason": REASON}, format="json"
        )
        assert response.status_code == 404
        assert state(subject) == before

    @pytest.mark.parametrize("step", ["restrict", "lift"])
    def test_a_stale_version_is_409_and_changes_nothing(self, token_api_as, dpo, subject, step):
        if step == "lift":
            subject = restricted(subject)
        before = state(subject)
        stale = {"reason": REASON, "version": subject.version - 1}
        response = token_api_as(dpo).post(url(subject, step), stale, format="json")
        assert response.status_code == 409
        assert response.json()["current_version"] == subject.version
        assert response.json()["your_version"] == subject.version - 1
        assert state(subject) == before

    @pytest.mark.parametrize("step", ["restrict", "lift"])
    def test_a_missing_or_short_reason_is_400_on_its_field(self, token_api_as, dpo, subject, step):
        if step == "lift":
            subject = restricted(subject)
        before = state(subject)
        client = token_api_as(dpo)
        missing = client.post(url(subject, step), {"version": subject.version}, format="json")
        assert missing.status_code == 400 and list(missing.json()) == ["reason"]
        short = client.post(url(subject, step), {"reason": "short", "version": subject.version}, format="json")
        assert short.status_code == 400
        assert "at least 10 characters" in " ".join(short.json()["reason"])
        assert state(subject) == before

    def test_restricting_twice_or_lifting_nothing_is_409(self, token_api_as, dpo, subject):
        client = token_api_as(dpo)
        lifted = client.post(url(subject, "lift"), {"reason": LIFT_REASON}, format="json")
        assert lifted.status_code == 409 and "is not restricted" in lifted.json()["detail"]
        assert client.post(url(subject, "restrict"), {"reason": REASON}, format="json").status_code == 200
        before = state(subject)
        again = client.post(url(subject, "restrict"), {"reason": REASON}, format="json")
        assert again.status_code == 409 and "already restricted" in again.json()["detail"]
        assert state(subject) == before


class TestTheBrowserAndTheApiAgree:
    def test_both_doors_call_the_same_workflow_functions(self, client, token_api_as, dpo, make_subject, monkeypatch):
        calls = []
        for name in ("restrict_processing", "lift_restriction"):
            real = getattr(workflow, name)
            monkeypatch.setattr(
                workflow, name, lambda real=real, name=name, **kwargs: calls.append(name) or real(**kwargs)
            )
        on_page, by_api = make_subject("approved"), make_subject("approved", family_name="Testpersontwo")
        client.force_login(dpo)
        client.post(f"/subjects/{on_page.uuid}/restrict/", {"reason": REASON, "version": on_page.version})
        client.post(f"/subjects/{on_page.uuid}/lift/", {"reason": LIFT_REASON, "version": on_page.version + 1})
        api = token_api_as(dpo)
        api.post(url(by_api, "restrict"), {"reason": REASON, "version": by_api.version}, format="json")
        api.post(url(by_api, "lift"), {"reason": LIFT_REASON, "version": by_api.version + 1}, format="json")
        assert calls == ["restrict_processing", "lift_restriction"] * 2

    def test_the_same_request_gives_the_same_record_history_and_log(self, client, token_api_as, dpo, make_subject):
        on_page, by_api = make_subject("approved"), make_subject("approved", family_name="Testpersontwo")
        client.force_login(dpo)
        response = client.post(f"/subjects/{on_page.uuid}/restrict/", {"reason": REASON, "version": on_page.version})
        assert response.status_code == 302
        api = token_api_as(dpo).post(
            url(by_api, "restrict"), {"reason": REASON, "version": by_api.version}, format="json"
        )
        assert api.status_code == 200

        def outcome(subject):
            stored = Subject.objects.get(pk=subject.pk)
            latest = stored.history.latest()
            steps = AccessEvent.objects.filter(subject_uuid=subject.uuid, action="alter", actor_username=dpo.username)
            event = steps[0]  # the newest: the log is ordered newest first
            return (
                stored.is_restricted,
                stored.restriction_reason,
                stored.version - subject.version,
                stored.restricted_at.date() == timezone.localdate(),
                latest.history_user,
                latest.history_change_reason,
                event.actor_username,
                event.detail,
                as_read(event),
                event.outcome,
            )

        assert outcome(on_page) == outcome(by_api)

    def test_both_doors_refuse_a_supervisor_and_a_short_reason_alike(
        self, client, token_api_as, dpo, supervisor, subject
    ):
        client.force_login(supervisor)
        assert client.post(f"/subjects/{subject.uuid}/restrict/", {"reason": REASON}).status_code == 403
        assert (
            token_api_as(supervisor).post(url(subject, "restrict"), {"reason": REASON}, format="json").status_code
            == 403
        )
        client.force_login(dpo)
        client.post(f"/subjects/{subject.uuid}/restrict/", {"reason": "short", "version": subject.version})
        page_errors = client.get(f"/subjects/{subject.uuid}/").context["failed_form"].errors["reason"]
        api_errors = (
            token_api_as(dpo).post(url(subject, "restrict"), {"reason": "short"}, format="json").json()["reason"]
        )
        assert list(page_errors) == api_errors


def test_the_schema_documents_both_actions_with_their_errors():
    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for step in ("restrict", "lift"):
        operation = paths[f"/api/subjects/{{uuid}}/{step}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
        assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "RestrictRequest" if step == "restrict" else "LiftRestrictionRequest"
        )
    break_glass = paths["/api/break-glass/"]["post"]
    assert {"201", "400", "403"} <= set(break_glass["responses"])


def test_an_erased_record_cannot_be_restricted_and_the_page_does_not_offer_it(
    token_api_as, client, dpo, supervisor, make_subject
):
    from matrix.retention import erase_subject

    erased = erase_subject(make_subject("removed"), acting_user=supervisor)
    response = token_api_as(dpo).post(f"/api/subjects/{erased.uuid}/restrict/", {"reason": REASON}, format="json")
    assert response.status_code == 409
    assert response.json() == {"detail": f"{erased.reference} has been erased: nothing is left to restrict."}
    assert Subject.objects.get(pk=erased.pk).restricted_at is None
    client.force_login(dpo)
    assert "Restrict processing" not in client.get(f"/subjects/{erased.uuid}/").content.decode()
