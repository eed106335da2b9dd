"""The subject list, the subject page, and the subject and evidence forms, as browser users meet them."""

import base64
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from matrix import evidence_services, services
from matrix.models import Borough, Evidence, Subject
from tests.conftest import HACKNEY, LOGGED_READ_QUERIES, SESSION_QUERIES, SOUTHWARK
from tests.factories import (
    CriterionFactory,
    EvidenceFactory,
    HarmMethodFactory,
    OffenceWeightFactory,
    SocialMediaEvidenceFactory,
    SubjectFactory,
)
from tests.ui_helpers import QUALIFYING_ITEM, add_social_media, count_queries, page_text

pytestmark = pytest.mark.django_db


def hackney():
    return Borough.objects.get(code=HACKNEY)


def references(response) -> list[str]:
    return [subject.reference for subject in response.context["subjects"]]


def scored(score: str, **fields):
    band = "red" if Decimal(score) >= 30 else "amber" if Decimal(score) >= 10 else "green"
    return SubjectFactory(borough=hackney(), harm_score=Decimal(score), harm_band=band, harm_method_version=1, **fields)


def walk(client, params: dict) -> list[str]:
    """Follow every page of a list; returns the references in order."""
    seen, cursor = [], None
    for _ in range(20):
        response = client.get("/subjects/", {**params, **({"after": cursor} if cursor else {})})
        seen += references(response)
        cursor = response.context["next_cursor"]
        if not cursor:
            return seen
    raise AssertionError("the list never ended")


class TestSubjectList:
    def test_filters_by_classification_status_and_harm_band(self, client, officer):
        red = scored("45", classification="convicted")
        green = scored("2")
        victim = SubjectFactory(borough=hackney(), classification="victim", status="draft")
        client.force_login(officer)
        assert references(client.get("/subjects/", {"classification": "victim"})) == [victim.reference]
        assert references(client.get("/subjects/", {"harm_band": "red"})) == [red.reference]
        assert set(references(client.get("/subjects/", {"status": "draft"}))) == {
            red.reference,
            green.reference,
            victim.reference,
        }

    def test_review_due_before_and_overdue(self, client, officer, make_subject):
        subject = make_subject("approved")
        client.force_login(officer)
        due = subject.review_due
        assert references(client.get("/subjects/", {"review_due_before": due.isoformat()})) == [subject.reference]
        earlier = (due - timedelta(days=1)).isoformat()
        assert references(client.get("/subjects/", {"review_due_before": earlier})) == []
        assert references(client.get("/subjects/", {"overdue": "on"})) == []
        Subject.objects.filter(pk=subject.pk).update(review_due=timezone.localdate() - timedelta(days=1))
        assert references(client.get("/subjects/", {"overdue": "on"})) == [subject.reference]

    @pytest.mark.parametrize("query", ["Zulutest", "zulu", "Streetname", "REFERENCE"])
    def test_search_by_name_alias_or_reference(self, client, officer, query):
        subject = SubjectFactory(borough=hackney(), family_name="Zulutest", aliases="Streetname\nOther")
        SubjectFactory(borough=hackney(), family_name="Unrelated")
        client.force_login(officer)
        text = subject.reference.lower() if query == "REFERENCE" else query
        assert references(client.get("/subjects/", {"q": text})) == [subject.reference]

    def test_another_borough_is_never_listed(self, client, outsider):
        SubjectFactory(borough=hackney())
        mine = SubjectFactory(borough=Borough.objects.get(code=SOUTHWARK))
        client.force_login(outsider)
        assert references(client.get("/subjects/")) == [mine.reference]

    def test_the_borough_filter_narrows_to_one_borough_and_never_widens(self, client, officer, auditor):
        southwark = Borough.objects.get(code=SOUTHWARK)
        in_hackney, in_southwark = SubjectFactory(borough=hackney()), SubjectFactory(borough=southwark)
        client.force_login(auditor)
        assert set(references(client.get("/subjects/"))) == {in_hackney.reference, in_southwark.reference}
        assert references(client.get("/subjects/", {"borough": SOUTHWARK})) == [in_southwark.reference]
        client.force_login(officer)  # Hackney only: Southwark is not a choice, and the list stays Hackney's
        response = client.get("/subjects/", {"borough": SOUTHWARK})
        assert 'href="#id_borough"' in page_text(response)
        assert references(response) == [in_hackney.reference]
        assert [code for code, _ in response.context["form"].fields["borough"].choices if code] == [HACKNEY]

    def test_invalid_filters_are_reported_and_ignored(self, client, officer):
        subject = SubjectFactory(borough=hackney())
        client.force_login(officer)
        response = client.get("/subjects/", {"status": "bogus", "review_due_before": "soon", "sort": "harm"})
        page = page_text(response)
        assert response.status_code == 200
        assert "There is a problem" in page
        assert 'href="#id_status"' in page and 'href="#id_review_due_before_0"' in page
        assert references(client.get("/subjects/", {"status": "bogus"})) == [subject.reference]

    def test_victims_and_people_at_risk_never_appear_in_the_harm_view(self, client, officer):
        high, low = scored("35"), scored("4.5")
        SubjectFactory(borough=hackney(), classification="victim")
        SubjectFactory(borough=hackney(), classification="at_risk")
        SubjectFactory(borough=hackney())  # a perpetrator not yet scored
        client.force_login(officer)
        response = client.get("/subjects/", {"sort": "harm"})
        assert references(response) == [high.reference, low.reference]
        page = page_text(response)
        assert "tag-victim" not in page
        # Even when asked for victims, the offender view stays empty.
        assert references(client.get("/subjects/", {"sort": "harm", "classification": "victim"})) == []

    def test_harm_view_pages_through_every_scored_perpetrator_once_in_order(self, client, officer):
        made = [scored(str(value)) for value in [5, 5, 5, 12, 40, 7] * 6]
        SubjectFactory.create_batch(3, borough=hackney(), classification="victim")
        client.force_login(officer)
        seen = walk(client, {"sort": "harm"})
        assert len(seen) == len(set(seen)) == len(made)
        scores = [Subject.objects.get(reference=ref).harm_score for ref in seen]
        assert scores == sorted(scores, reverse=True)

    def test_review_view_lists_approved_records_soonest_first(self, client, officer, make_subject):
        first = make_subject("approved", family_name="Firstdue")
        second = make_subject("approved", family_name="Seconddue")
        make_subject("draft")
        Subject.objects.filter(pk=second.pk).update(review_due=first.review_due - timedelta(days=3))
        client.force_login(officer)
        assert walk(client, {"sort": "review"}) == [second.reference, first.reference]

    def test_review_view_pages_through_every_row_once(self, client, officer, supervisor):
        today = timezone.localdate()
        for offset in range(30):
            SubjectFactory(
                borough=hackney(),
                status="approved",
                approved_by=supervisor,
                approved_at=timezone.now(),
                review_due=today + timedelta(days=offset % 4),
            )
        client.force_login(officer)
        seen = walk(client, {"sort": "review"})
        assert len(seen) == len(set(seen)) == 30

    @pytest.mark.parametrize(
        "cursor",
        [
            "not-a-cursor%%",
            base64.urlsafe_b64encode(b"harm|NaN|00000000-0000-0000-0000-000000000000").decode(),
            base64.urlsafe_b64encode(b"newest|2026-01-01T00:00:00|00000000-0000-0000-0000-000000000000").decode(),
            base64.urlsafe_b64encode(b"review|tomorrow|x").decode(),
            base64.urlsafe_b64encode("newest|é|ü".encode()).decode(),
            "=",
        ],
    )
    @pytest.mark.parametrize("sort", ["newest", "harm", "review"])
    def test_a_tampered_cursor_restarts_the_list(self, client, officer, cursor, sort):
        scored("10")
        client.force_login(officer)
        response = client.get("/subjects/", {"sort": sort, "after": cursor})
        assert response.status_code == 200
        assert references(response) == references(client.get("/subjects/", {"sort": sort}))

    def test_a_cursor_from_another_sort_restarts(self, client, officer):
        for value in range(30):
            scored(str(value + 1))
        client.force_login(officer)
        newest_cursor = client.get("/subjects/").context["next_cursor"]
        restarted = client.get("/subjects/", {"sort": "harm", "after": newest_cursor})
        assert references(restarted) == references(client.get("/subjects/", {"sort": "harm"}))

    def test_next_page_link_keeps_the_filters(self, client, officer):
        for value in range(30):
            scored(str(value + 1))
        client.force_login(officer)
        response = client.get("/subjects/", {"sort": "harm", "status": "draft"})
        link = f'href="?sort=harm&status=draft&after={response.context["next_cursor"]}"'
        assert link in page_text(response).replace("&amp;", "&")

    def test_perpetrators_and_victims_are_visibly_distinct(self, client, officer):
        SubjectFactory(borough=hackney(), classification="at_risk")
        SubjectFactory(borough=hackney(), classification="convicted", also_victim=True)
        client.force_login(officer)
        page = page_text(client.get("/subjects/"))
        assert 'class="tag tag-victim">At risk of gang violence or exploitation' in page
        assert 'class="tag tag-perpetrator">Convicted of an offence' in page
        assert 'class="tag tag-victim">Also a victim' in page


EDIT = {
    "borough": None,
    "classification": "suspected",
    "family_name": "Testperson",
    "given_names": "Alpha",
    "aliases": "",
    "date_of_birth": "2003-06-01",
    "gender": "male",
    "ethnicity": "not_stated",
    "reason": "Corrected the spelling",
}


def edit_data(subject, **overrides):
    return {**EDIT, "borough": subject.borough_id, "version": subject.version, **overrides}


class TestEditSubject:
    def test_officer_edits_a_draft_and_history_shows_the_change(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        response = client.post(f"/subjects/{subject.uuid}/edit/", edit_data(subject, family_name="Testpersonne"))
        assert response.status_code == 302 and response["Location"] == f"/subjects/{subject.uuid}/"
        subject.refresh_from_db()
        assert subject.family_name == "Testpersonne"
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Family name: Testperson → Testpersonne" in page
        assert "Corrected the spelling" in page

    def test_the_form_carries_the_version_it_was_loaded_at(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/edit/"))
        assert f'type="hidden" name="version" value="{subject.version}"' in page

    def test_a_stale_edit_is_refused_with_a_clear_message_and_changes_nothing(self, client, officer, make_subject):
        subject = make_subject("draft")
        stale = edit_data(subject, family_name="Overwriter")
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=subject.version,
            changes={"given_names": "Bravo"},
            reason="Someone else's change",
        )
        client.force_login(officer)
        response = client.post(f"/subjects/{subject.uuid}/edit/", stale)
        page = page_text(response)
        assert response.status_code == 200
        assert "was changed by someone else" in page and "Reload it" in page
        subject.refresh_from_db()
        assert subject.family_name == "Testperson" and subject.given_names == "Bravo"

    def test_invalid_input_keeps_the_form_with_linked_errors(self, client, officer, make_subject):
        subject = make_subject("draft")
        before = (subject.version, subject.history.count())
        client.force_login(officer)
        future = (timezone.localdate() + timedelta(days=2)).isoformat()
        response = client.post(
            f"/subjects/{subject.uuid}/edit/", edit_data(subject, date_of_birth=future, family_name="")
        )
        page = page_text(response)
        assert 'href="#id_date_of_birth_0"' in page and 'href="#id_family_name"' in page
        assert 'value="Corrected the spelling"' in page
        subject.refresh_from_db()
        assert (subject.version, subject.history.count()) == before

    def test_a_service_error_is_shown_on_its_field(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        response = client.post(f"/subjects/{subject.uuid}/edit/", edit_data(subject, also_victim="on"))
        page = page_text(response)
        assert 'href="#id_also_victim"' in page
        assert "at least one evidence item about their victimisation" in page
        assert Subject.objects.get(pk=subject.pk).also_victim is False

    def test_another_borough_gets_404_and_auditor_403(self, client, outsider, auditor, make_subject):
        subject = make_subject("draft")
        client.force_login(outsider)
        assert client.get(f"/subjects/{subject.uuid}/edit/").status_code == 404
        assert client.post(f"/subjects/{subject.uuid}/edit/", edit_data(subject)).status_code == 404
        client.force_login(auditor)
        assert client.post(f"/subjects/{subject.uuid}/edit/", edit_data(subject, family_name="X")).status_code == 403
        assert Subject.objects.get(pk=subject.pk).family_name == "Testperson"


EVIDENCE = {
    **QUALIFYING_ITEM,
    "information_date": "2026-01-10",
    "handling_conditions": "",
    "offence_type": "",
    "social_media_url": "",
    "social_media_platform": "",
    "captured_on": "",
}


class TestEvidenceForms:
    def test_officer_adds_a_graded_item(self, client, officer, make_subject):
        subject = make_subject("draft", qualifying=False)
        client.force_login(officer)
        response = client.post(f"/subjects/{subject.uuid}/evidence/new/", EVIDENCE)
        assert response.status_code == 302
        item = subject.evidence.get()
        assert item.grading == "1AP" and item.nature == "fact" and item.created_by == officer
        assert item.history.get().history_user == officer

    def test_every_field_has_a_label(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/evidence/new/"))
        for name in [
            "summary",
            "source_type",
            "source_reference",
            "handling_conditions",
            "offence_type",
            "relates_to_victimisation",
            "social_media_url",
            "social_media_platform",
        ]:
            assert f'<label for="id_{name}"' in page or f'<label class="label" for="id_{name}"' in page, name
        for date in ["information_date", "captured_on"]:
            for part, label in enumerate(["Day", "Month", "Year"]):
                assert f'<label class="date-input-label" for="id_{date}_{part}">{label}</label>' in page, date
        for radio in ["nature", "source_evaluation", "intelligence_assessment", "handling_code"]:
            assert f'<label for="id_{radio}_0">' in page, radio
        assert "---------" not in page.split('id="id_source_evaluation_0"')[0][-300:]

    def test_invalid_item_keeps_the_form_with_linked_errors_and_writes_nothing(self, client, officer, make_subject):
        subject = make_subject("draft", qualifying=False)
        client.force_login(officer)
        response = client.post(
            f"/subjects/{subject.uuid}/evidence/new/",
            {**EVIDENCE, "handling_code": "C", "source_type": "social_media", "intelligence_assessment": ""},
        )
        page = page_text(response)
        assert response.status_code == 200
        for field in ["handling_conditions", "social_media_url", "social_media_platform"]:
            assert f'href="#id_{field}"' in page, field
        assert 'href="#id_captured_on_0"' in page
        assert 'href="#id_intelligence_assessment_0"' in page
        assert not Evidence.objects.exists()

    def test_social_media_is_recorded_unverified(self, client, officer, make_subject):
        subject = make_subject("draft")
        client.force_login(officer)
        client.post(
            f"/subjects/{subject.uuid}/evidence/new/",
            {
                **EVIDENCE,
                "source_type": "social_media",
                "social_media_url": "https://social.example.test/p/9",
                "social_media_platform": "ExampleNet",
                "captured_on": "2026-01-11",
            },
        )
        item = subject.evidence.get(source_type="social_media")
        assert item.verification == "unverified"
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Unverified social media never counts" in page

    def test_edit_is_offered_and_allowed_only_while_draft_or_rejected(self, client, officer, make_subject):
        draft = make_subject("draft")
        item = draft.evidence.get()
        client.force_login(officer)
        assert f"/evidence/{item.uuid}/edit/" in page_text(client.get(f"/subjects/{draft.uuid}/"))
        response = client.post(f"/subjects/{draft.uuid}/evidence/{item.uuid}/edit/", {**EVIDENCE, "summary": "Fixed"})
        assert response.status_code == 302
        assert Evidence.objects.get(pk=item.pk).summary == "Fixed"

        submitted = make_subject("submitted", family_name="Submittedperson")
        item = submitted.evidence.get()
        assert f"/evidence/{item.uuid}/edit/" not in page_text(client.get(f"/subjects/{submitted.uuid}/"))
        response = client.post(
            f"/subjects/{submitted.uuid}/evidence/{item.uuid}/edit/", {**EVIDENCE, "summary": "Rewritten"}
        )
        assert response.status_code == 200
        assert "withdraw the item with a reason" in page_text(response)
        assert Evidence.objects.get(pk=item.pk).summary == "Synthetic arrest record"

    def test_opening_the_edit_page_is_logged_once(self, client, officer, make_subject):
        draft = make_subject("draft")
        item = draft.evidence.get()
        client.force_login(officer)
        already = AccessEvent.objects.filter(object_uuid=item.uuid, detail="Evidence item opened").count()
        response = client.get(f"/subjects/{draft.uuid}/evidence/{item.uuid}/edit/")
        assert response.status_code == 200
        opened = AccessEvent.objects.filter(object_uuid=item.uuid, detail="Evidence item opened")
        assert opened.count() - already == 1

    def test_withdraw_needs_a_reason_then_keeps_the_item_marked(self, client, officer, make_subject):
        subject = make_subject("approved")
        item = subject.evidence.get()
        url = f"/subjects/{subject.uuid}/evidence/{item.uuid}/withdraw/"
        client.force_login(officer)
        response = client.post(url, {"reason": "  "})
        assert 'href="#id_reason"' in page_text(response)
        assert Evidence.objects.get(pk=item.pk).withdrawn_at is None
        assert client.post(url, {"reason": "The source retracted the report"}).status_code == 302
        item.refresh_from_db()
        assert item.withdrawal_reason == "The source retracted the report"
        subject.refresh_from_db()
        assert subject.criteria_lapsed_at is not None
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Withdrawn: The source retracted the report" in page
        assert "Criteria lapsed on" in page

    def test_supervisor_verifies_social_media_with_the_method(self, client, officer, supervisor, make_subject):
        subject = make_subject("draft")
        item = add_social_media(officer, subject)
        url = f"/subjects/{subject.uuid}/evidence/{item.uuid}/verify/"
        client.force_login(supervisor)
        response = client.post(url, {"method": "short"})
        assert 'href="#id_method"' in page_text(response)
        assert Evidence.objects.get(pk=item.pk).verification == "unverified"
        assert client.post(url, {"method": "Matched to the subject's known account"}).status_code == 302
        item.refresh_from_db()
        assert item.verification == "verified" and item.verified_by == supervisor

    def test_verification_is_refused_to_officers_and_to_the_recorder(self, client, officer, supervisor, make_subject):
        subject = make_subject("draft")
        officers_item = add_social_media(officer, subject)
        supervisors_item = add_social_media(supervisor, subject, source_reference="OSINT-TEST-3")
        client.force_login(officer)
        url = f"/subjects/{subject.uuid}/evidence/{officers_item.uuid}/verify/"
        assert client.post(url, {"method": "Matched to a known account"}).status_code == 403
        client.force_login(supervisor)
        own = f"/subjects/{subject.uuid}/evidence/{supervisors_item.uuid}/verify/"
        response = client.post(own, {"method": "Matched to a known account"})
        assert "Someone other than the person who recorded the item must verify it." in page_text(response)
        assert Evidence.objects.filter(verification="verified").count() == 0

    def test_evidence_of_another_borough_is_404(self, client, outsider, partner, make_subject):
        subject = make_subject("draft")
        item = subject.evidence.get()
        for user in (outsider, partner):
            client.force_login(user)
            assert client.get(f"/subjects/{subject.uuid}/evidence/new/").status_code == 404
            assert client.post(f"/subjects/{subject.uuid}/evidence/new/", EVIDENCE).status_code == 404
            assert (
                client.post(
                    f"/subjects/{subject.uuid}/evidence/{item.uuid}/withdraw/", {"reason": "Not my borough at all"}
                ).status_code
                == 404
            )
        assert subject.evidence.count() == 1 and subject.evidence.get().withdrawn_at is None

    def test_an_item_is_reached_only_through_its_own_subject(self, client, officer, make_subject):
        first = make_subject("draft")
        second = make_subject("draft", family_name="Otherperson")
        item = first.evidence.get()
        client.force_login(officer)
        assert client.get(f"/subjects/{second.uuid}/evidence/{item.uuid}/edit/").status_code == 404


class TestSubjectPage:
    def test_outside_access_is_404(self, client, outsider, partner, make_subject):
        subject = make_subject("approved")
        for user in (outsider, partner):
            client.force_login(user)
            assert client.get(f"/subjects/{subject.uuid}/").status_code == 404

    def test_auditor_reads_without_any_action(self, client, auditor, make_subject):
        subject = make_subject("submitted")
        client.force_login(auditor)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert subject.reference in page
        for action in ["Edit this record", "Add evidence", "Approve", "Reject", "Withdraw"]:
            assert f">{action}<" not in page, action

    def test_dual_role_is_explicit(self, client, officer, make_subject):
        subject = make_subject("draft")
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            information_date=timezone.localdate(),
            relates_to_victimisation=True,
            **{**QUALIFYING_ITEM, "summary": "Stabbed in a synthetic incident"},
        )
        services.update_subject(
            acting_user=officer,
            subject=subject,
            expected_version=Subject.objects.get(pk=subject.pk).version,
            changes={"also_victim": True},
            reason="Dual role recorded",
        )
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert 'class="tag tag-victim">Also a victim' in page
        assert "recorded as a perpetrator <strong>and</strong> as a victim" in page
        assert "never counts against them as a perpetrator" in page

    def test_victim_page_says_never_scored(self, client, officer, make_subject):
        subject = make_subject("draft", classification="victim")
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert 'class="tag tag-victim">Victim of an offence' in page
        assert "never harm-scored and never shown as a gang member" in page

    def test_criteria_are_shown_with_the_items_that_meet_them(self, client, officer, make_subject):
        subject = make_subject("draft")
        item = subject.evidence.get()
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Test criterion (v1): met" in page
        assert f'Qualifying items: <a href="#item-{item.uuid}">Police record 1AP' in page
        assert f'id="item-{item.uuid}"' in page

    def test_harm_is_explained_item_by_item(self, client, officer):
        method = HarmMethodFactory()
        weight = OffenceWeightFactory(method=method, weight=Decimal("20.00"))
        subject = SubjectFactory(borough=hackney())
        EvidenceFactory(subject=subject, offence_type=weight.offence_type, information_date=timezone.localdate())
        EvidenceFactory(subject=subject, offence_type=weight.offence_type, intelligence_assessment="E")
        services.refresh_assessment(subject, acting_user=officer, reason="Recalculated for the test")
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "<strong>20.00 (Amber)</strong>" in page
        assert "Weight 20.00 halved every 365 days; 0 days old." in page
        assert "No: Graded E (suspected to be false or malicious): never counts." in page

    def test_history_and_reviews_are_shown(self, client, officer, supervisor, make_subject):
        from matrix import workflow

        subject = make_subject("approved")
        workflow.review_subject(
            acting_user=supervisor, subject=subject, outcome="retain", justification="Still meets the criterion"
        )
        client.force_login(officer)
        page = page_text(client.get(f"/subjects/{subject.uuid}/"))
        assert "Status: Draft → Submitted for approval" in page
        assert "supervisor.hackney" in page and "Approved (criteria met" in page
        assert "Retain on the matrix" in page and "Still meets the criterion" in page


class TestQueryCounts:
    def make_rows(self, supervisor, count):
        today = timezone.localdate()
        for index in range(count):
            scored(str(index + 1))
            SubjectFactory(borough=hackney(), classification="victim")
            SubjectFactory(
                borough=hackney(),
                status="approved",
                approved_by=supervisor,
                approved_at=timezone.now(),
                review_due=today + timedelta(days=index),
            )

    @pytest.mark.parametrize("sort", ["newest", "harm", "review"])
    def test_list_cost_is_fixed_for_each_sort(self, client, officer, supervisor, sort, django_assert_max_num_queries):
        client.force_login(officer)
        self.make_rows(supervisor, 2)
        small = count_queries(lambda: client.get("/subjects/", {"sort": sort, "q": "test"}))
        self.make_rows(supervisor, 30)
        with django_assert_max_num_queries(small):
            large = count_queries(lambda: client.get("/subjects/", {"sort": sort, "q": "test"}))
        assert small == large
        cursor = client.get("/subjects/", {"sort": sort}).context["next_cursor"]
        assert cursor
        with django_assert_max_num_queries(small):
            client.get("/subjects/", {"sort": sort, "after": cursor})

    def test_subject_page_cost_is_fixed(self, client, officer, supervisor, django_assert_max_num_queries):
        from matrix import workflow

        method = HarmMethodFactory()
        weight = OffenceWeightFactory(method=method)
        CriterionFactory()
        CriterionFactory(classifications=["suspected"], requires_independent_sources=True, min_items=2)
        subject = SubjectFactory(borough=hackney(), created_by=officer)
        EvidenceFactory(subject=subject, offence_type=weight.offence_type)
        client.force_login(supervisor)
        url = f"/subjects/{subject.uuid}/"
        with django_assert_max_num_queries(14 + LOGGED_READ_QUERIES + SESSION_QUERIES):
            small = count_queries(lambda: client.get(url))
        EvidenceFactory.create_batch(10, subject=subject, offence_type=weight.offence_type)
        SocialMediaEvidenceFactory.create_batch(3, subject=subject)
        EvidenceFactory(subject=subject, withdrawn_at=timezone.now(), withdrawn_by=officer, withdrawal_reason="Old")
        subject = workflow.submit_subject(acting_user=officer, subject=subject)
        subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
        workflow.review_subject(
            acting_user=supervisor, subject=subject, outcome="retain", justification="Still valid here"
        )
        large = count_queries(lambda: client.get(url))
        assert small == large
