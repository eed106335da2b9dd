"""The home dashboard: what needs each role's attention, bounded, and at a fixed cost."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from matrix import evidence_services
from matrix.models import Borough
from tests.conftest import LOGGED_READ_QUERIES, SESSION_QUERIES, SOUTHWARK
from tests.factories import HarmMethodFactory, SocialMediaEvidenceFactory, SubjectFactory, make_user
from tests.ui_helpers import add_social_media, count_queries, own_submission, page_text

pytestmark = pytest.mark.django_db


def panel_rows(response, key: str) -> list:
    panels = {panel.key: panel for panel in response.context.get("supervisor_panels", [])}
    panels.update({panel.key: panel for panel in response.context.get("officer_panels", [])})
    panels.update({panel.key: panel for panel in response.context.get("oversight_panels", [])})
    return [subject.reference for subject in panels[key].rows]


def test_the_dashboard_needs_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


class TestOfficer:
    def test_my_drafts_and_my_rejected_entries_with_the_reason(self, client, officer, make_subject):
        draft = make_subject("draft", family_name="Draftperson")
        rejected = make_subject("rejected", family_name="Rejectedperson")
        approved = make_subject("approved", family_name="Approvedperson")
        client.force_login(officer)
        response = client.get("/")
        page = page_text(response)
        assert panel_rows(response, "drafts") == [draft.reference]
        assert panel_rows(response, "rejected") == [rejected.reference]
        assert "Synthetic rejection reason" in page
        assert approved.reference in panel_rows(response, "recent")
        assert 'href="/subjects/?status=draft&owner=mine"' in page.replace("&amp;", "&")
        assert "Record a new subject" in page
        assert "You are seeing data for Hackney" in page

    def test_an_officer_has_no_supervisor_panels(self, client, officer, make_subject):
        make_subject("submitted")
        client.force_login(officer)
        response = client.get("/")
        assert "supervisor_panels" not in response.context
        assert "Awaiting my approval" not in page_text(response)
        assert "Social media awaiting verification" not in page_text(response)

    def test_another_boroughs_records_never_appear(self, client, outsider, make_subject):
        subject = make_subject("draft")
        client.force_login(outsider)
        page = page_text(client.get("/"))
        assert subject.reference not in page
        assert "You are seeing data for Southwark" in page

    def test_drafts_are_bounded_with_a_see_all_link(self, client, officer, any_criterion):
        hackney = Borough.objects.get(code="E09000012")
        SubjectFactory.create_batch(23, borough=hackney, created_by=officer)
        client.force_login(officer)
        response = client.get("/")
        assert len(panel_rows(response, "drafts")) == 20
        assert 'See all<span class="visually-hidden">: my drafts' in page_text(response)


class TestSupervisor:
    def test_awaiting_approval_excludes_my_own_submissions(self, client, supervisor, make_subject):
        theirs = make_subject("submitted")
        mine = own_submission(supervisor)
        client.force_login(supervisor)
        response = client.get("/")
        assert panel_rows(response, "awaiting_approval") == [theirs.reference]
        assert mine.reference not in panel_rows(response, "awaiting_approval")
        assert "by officer.hackney" in page_text(response)

    def test_reviews_due_soon_and_overdue(self, client, supervisor, make_subject):
        approved = make_subject("approved")
        client.force_login(supervisor)
        assert panel_rows(client.get("/"), "reviews_due") == []
        with time_machine.travel(approved.review_due - timedelta(days=10), tick=False):
            client.force_login(supervisor)  # a fresh session: the old one expired on the way
            response = client.get("/")
            assert panel_rows(response, "reviews_due") == [approved.reference]
            assert panel_rows(response, "reviews_overdue") == []
        with time_machine.travel(approved.review_due + timedelta(days=1), tick=False):
            client.force_login(supervisor)
            response = client.get("/")
            assert panel_rows(response, "reviews_overdue") == [approved.reference]
            assert panel_rows(response, "reviews_due") == []

    def test_lapsed_criteria_are_listed(self, client, officer, supervisor, make_subject):
        subject = make_subject("approved")
        evidence_services.withdraw_evidence(
            acting_user=officer, evidence=subject.evidence.get(), reason="Source retracted the report"
        )
        client.force_login(supervisor)
        response = client.get("/")
        assert panel_rows(response, "lapsed") == [subject.reference]
        assert 'href="/subjects/?flag=lapsed"' in page_text(response)

    def test_approved_perpetrators_with_a_zero_harm_score_are_listed(self, client, supervisor, make_subject):
        HarmMethodFactory()  # the qualifying item records no offence, so the score is 0.00
        perpetrator = make_subject("approved")
        victim = make_subject("approved", classification="victim", family_name="Victimperson")
        client.force_login(supervisor)
        rows = panel_rows(client.get("/"), "zero_harm")
        assert rows == [perpetrator.reference]
        assert victim.reference not in rows

    def test_social_media_awaiting_verification(self, client, officer, supervisor, make_subject):
        subject = make_subject("draft")
        item = add_social_media(officer, subject)
        own_item = add_social_media(supervisor, subject, source_reference="OSINT-TEST-2")
        client.force_login(supervisor)
        response = client.get("/")
        assert [row.pk for row in response.context["social_media"]] == [item.pk]
        assert f"/subjects/{subject.uuid}/evidence/{item.uuid}/verify/" in page_text(response)
        assert f"/evidence/{own_item.uuid}/verify/" not in page_text(response)


class TestReadOnlyRoles:
    def test_auditor_sees_a_read_only_summary(self, client, auditor, make_subject):
        subject = make_subject("submitted")
        client.force_login(auditor)
        response = client.get("/")
        page = page_text(response)
        assert subject.reference in panel_rows(response, "recently_changed")
        assert "change nothing" in page
        assert "Record a new subject" not in page
        assert "Awaiting my approval" not in page

    def test_dpo_sees_the_same_summary(self, client, make_subject):
        dpo = make_user("dpo", username="dpo")
        subject = make_subject("draft")
        client.force_login(dpo)
        assert subject.reference in panel_rows(client.get("/"), "recently_changed")

    def test_partner_sees_a_plain_message_and_no_records(self, client, partner, make_subject):
        subject = make_subject("approved")
        client.force_login(partner)
        page = page_text(client.get("/"))
        assert "Partner agencies do not see the matrix" in page
        assert subject.reference not in page
        assert subject.family_name.upper() not in page
        assert 'href="/subjects/"' not in page


class TestQueryCount:
    def build(self, officer, supervisor, count: int):
        hackney = Borough.objects.get(code="E09000012")
        southwark = Borough.objects.get(code=SOUTHWARK)
        now = timezone.now()
        soon = timezone.localdate() + timedelta(days=5)
        for _ in range(count):
            SocialMediaEvidenceFactory(subject=SubjectFactory(borough=hackney, created_by=officer))
            SubjectFactory(borough=hackney, created_by=officer, status="rejected", rejection_reason="Synthetic reason")
            SubjectFactory(
                borough=hackney, created_by=officer, submitted_by=officer, status="submitted", submitted_at=now
            )
            SubjectFactory(
                borough=hackney,
                created_by=officer,
                submitted_by=officer,
                status="approved",
                approved_by=supervisor,
                approved_at=now,
                review_due=soon,
                criteria_lapsed_at=now,
                harm_score=0,
                harm_band="",
                harm_method_version=1,
            )
            SubjectFactory(borough=southwark)

    @pytest.mark.parametrize("role", ["officer", "supervisor", "auditor"])
    def test_dashboard_cost_does_not_grow_with_rows(
        self, role, request, client, officer, supervisor, django_assert_max_num_queries
    ):
        user = request.getfixturevalue(role)
        client.force_login(user)
        self.build(officer, supervisor, 2)
        small = count_queries(lambda: client.get("/"))
        self.build(officer, supervisor, 25)
        with django_assert_max_num_queries(small):
            large = count_queries(lambda: client.get("/"))
        assert small == large
        # 15: the supervisor's panels, one query each, including disclosures awaiting their decision.
        with django_assert_max_num_queries(15 + LOGGED_READ_QUERIES + SESSION_QUERIES):
            client.get("/")
