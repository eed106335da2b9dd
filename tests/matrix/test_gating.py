"""Borough gating (docs/access.md, Borough partitioning): outsiders get 404, break glass opens one subject for a
while, roles limit actions."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from matrix import services
from matrix.models import Borough, Subject
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import SubjectFactory, UserFactory, make_user

JUSTIFICATION = "Joint operation with Southwark CID, ref OP-DEMO-7; need address history."


@pytest.fixture
def southwark_subject(db):
    return SubjectFactory(borough=Borough.objects.get(code=SOUTHWARK), family_name="Southwarkonly")


@pytest.fixture
def hackney_subject(db):
    return SubjectFactory(borough=Borough.objects.get(code=HACKNEY), family_name="Hackneyonly")


def listed_references(client, url="/api/subjects/"):
    return {row["reference"] for row in client.get(url).json()["results"]}


@pytest.mark.django_db
class TestOtherBoroughIsInvisible:
    def test_api_list_leaves_out_other_borough(self, officer, api_as, hackney_subject, southwark_subject):
        assert listed_references(api_as(officer)) == {hackney_subject.reference}

    def test_api_retrieve_other_borough_is_404(self, officer, api_as, southwark_subject):
        response = api_as(officer).get(f"/api/subjects/{southwark_subject.uuid}/")
        assert response.status_code == 404

    def test_api_update_other_borough_is_404_and_changes_nothing(self, officer, api_as, southwark_subject):
        response = api_as(officer).patch(
            f"/api/subjects/{southwark_subject.uuid}/", {"family_name": "Changed", "version": 1}, format="json"
        )
        assert response.status_code == 404
        southwark_subject.refresh_from_db()
        assert southwark_subject.family_name == "Southwarkonly"
        assert southwark_subject.version == 1

    def test_ui_list_leaves_out_other_borough(self, officer, client, hackney_subject, southwark_subject):
        client.force_login(officer)
        page = client.get("/").content.decode()
        assert hackney_subject.reference in page
        assert southwark_subject.reference not in page

    def test_ui_detail_other_borough_is_404(self, officer, client, southwark_subject):
        client.force_login(officer)
        assert client.get(f"/subjects/{southwark_subject.uuid}/").status_code == 404

    def test_ui_search_does_not_reach_other_borough(self, officer, client, southwark_subject):
        client.force_login(officer)
        response = client.get("/subjects/", {"q": southwark_subject.reference})
        assert response.context["subjects"] == []
        assert str(southwark_subject.uuid) not in response.content.decode()

    def test_service_update_refuses_other_borough(self, officer, southwark_subject):
        with pytest.raises(PermissionDenied):
            services.update_subject(
                acting_user=officer,
                subject=southwark_subject,
                expected_version=1,
                changes={"family_name": "Changed"},
                reason="Attempt",
            )

    def test_cannot_create_in_a_borough_not_granted(self, officer, api_as):
        response = api_as(officer).post(
            "/api/subjects/",
            {
                "borough": SOUTHWARK,
                "family_name": "Testperson",
                "given_names": "Alpha",
                "date_of_birth": "2000-01-01",
                "gender": "male",
                "ethnicity": "not_stated",
                "classification": "suspected",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "borough" in response.json()
        assert not Subject.objects.exists()


@pytest.mark.django_db
class TestBreakGlass:
    def test_grant_opens_that_subject_only(self, officer, api_as, southwark_subject):
        other = SubjectFactory(borough=Borough.objects.get(code=SOUTHWARK))
        services.grant_break_glass(acting_user=officer, subject=southwark_subject, justification=JUSTIFICATION, hours=2)
        client = api_as(officer)
        assert client.get(f"/api/subjects/{southwark_subject.uuid}/").status_code == 200
        assert client.get(f"/api/subjects/{other.uuid}/").status_code == 404
        assert listed_references(client) == {southwark_subject.reference}

    def test_grant_is_read_only(self, officer, api_as, southwark_subject):
        services.grant_break_glass(acting_user=officer, subject=southwark_subject, justification=JUSTIFICATION, hours=2)
        response = api_as(officer).patch(
            f"/api/subjects/{southwark_subject.uuid}/", {"family_name": "Changed", "version": 1}, format="json"
        )
        assert response.status_code == 403
        southwark_subject.refresh_from_db()
        assert southwark_subject.family_name == "Southwarkonly"

    def test_grant_stops_working_when_it_expires(self, officer, client, southwark_subject):
        services.grant_break_glass(acting_user=officer, subject=southwark_subject, justification=JUSTIFICATION, hours=2)
        client.force_login(officer)
        assert client.get(f"/subjects/{southwark_subject.uuid}/").status_code == 200
        with time_machine.travel(timezone.now() + timedelta(hours=2, minutes=1)):
            client.force_login(officer)  # a fresh session: the old one has expired after 15 idle minutes
            assert client.get(f"/subjects/{southwark_subject.uuid}/").status_code == 404
            assert not Subject.objects.visible_to(officer).filter(pk=southwark_subject.pk).exists()

    def test_grant_needs_a_justification(self, officer, southwark_subject):
        with pytest.raises(ValidationError) as error:
            services.grant_break_glass(acting_user=officer, subject=southwark_subject, justification="need it", hours=2)
        assert "justification" in error.value.message_dict
        assert not southwark_subject.access_grants.exists()

    def test_grant_is_time_limited(self, officer, southwark_subject, settings):
        with pytest.raises(ValidationError) as error:
            services.grant_break_glass(
                acting_user=officer,
                subject=southwark_subject,
                justification=JUSTIFICATION,
                hours=settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS + 1,
            )
        assert "hours" in error.value.message_dict

    def test_partner_cannot_break_glass(self, partner, southwark_subject):
        with pytest.raises(PermissionDenied):
            services.grant_break_glass(
                acting_user=partner, subject=southwark_subject, justification=JUSTIFICATION, hours=1
            )

    def test_grant_records_history_with_the_user(self, officer, southwark_subject):
        grant = services.grant_break_glass(
            acting_user=officer, subject=southwark_subject, justification=JUSTIFICATION, hours=1
        )
        record = grant.history.get()
        assert record.history_user == officer
        assert record.justification == JUSTIFICATION


@pytest.mark.django_db
class TestRolesWithoutScope:
    def test_model_permissions_without_borough_grant_see_nothing(self, api_as, hackney_subject):
        user = UserFactory()
        user.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label="matrix",
                codename__in=[
                    "view_subject",
                    "add_subject",
                    "change_subject",
                ],
            )
        )
        assert not Subject.objects.visible_to(user).exists()
        assert api_as(user).get("/api/subjects/").json()["results"] == []
        assert api_as(user).get(f"/api/subjects/{hackney_subject.uuid}/").status_code == 404

    def test_superuser_flag_alone_sees_nothing(self, hackney_subject):
        admin = UserFactory(is_superuser=True, is_staff=True)
        assert not Subject.objects.visible_to(admin).exists()

    def test_borough_grant_through_a_group_works(self, hackney_subject):
        from django.contrib.auth.models import Group
        from guardian.shortcuts import assign_perm

        team = Group.objects.create(name="hackney-gangs-unit")
        assign_perm("matrix.access_borough", team, Borough.objects.get(code=HACKNEY))
        user = make_user("officer")
        user.groups.add(team)
        assert list(Subject.objects.visible_to(user)) == [hackney_subject]

    def test_partner_with_a_stray_borough_grant_still_sees_no_matrix(self, api_as, hackney_subject):
        partner = make_user("partner", [HACKNEY])
        assert not Subject.objects.visible_to(partner).exists()
        assert api_as(partner).get("/api/subjects/").status_code == 403

    def test_auditor_reads_every_borough_but_changes_nothing(self, auditor, api_as, hackney_subject, southwark_subject):
        client = api_as(auditor)
        assert listed_references(client) == {hackney_subject.reference, southwark_subject.reference}
        response = client.patch(
            f"/api/subjects/{hackney_subject.uuid}/", {"family_name": "Changed", "version": 1}, format="json"
        )
        assert response.status_code == 403
        hackney_subject.refresh_from_db()
        assert hackney_subject.family_name == "Hackneyonly"

    def test_anonymous_is_refused(self, api_client, client, hackney_subject):
        assert api_client.get("/api/subjects/").status_code in (401, 403)
        assert client.get(f"/subjects/{hackney_subject.uuid}/").status_code == 302
