"""Subject access requests (DPA 2018 s.45): the deadline, the DPO's pages, the report and its logging."""

import json
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit import sar as services
from audit.log import justification_as_read
from audit.models import AccessEvent, SarStatus, SubjectAccessRequest, one_calendar_month_after
from matrix import services as matrix_services
from matrix import workflow
from matrix.retention import erase_subject, system_user
from sharing import services as sharing
from tests.factories import make_user
from tests.sharing_factories import AgreementFactory, basis

pytestmark = pytest.mark.django_db
JUSTIFICATION = "Synthetic: answering the applicant's s.45 request"
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


def travel(day: date):
    return time_machine.travel(timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 12, 0)), tick=False)


def events(action: str):
    return AccessEvent.objects.filter(action=action)


@pytest.fixture
def agreement():
    return AgreementFactory()


def disclose(officer, supervisor, subject, agreement):
    requested = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name", "date_of_birth", "evidence"],
    )
    return sharing.approve_disclosure(acting_user=supervisor, disclosure=requested)


@pytest.fixture
def subject(make_subject, officer, supervisor, agreement):
    """On the matrix, with a corrected name, a retain review and one approved disclosure."""
    subject = make_subject("approved", aliases="Synthetic Alias")
    subject = matrix_services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"family_name": "Corrected"},
        reason="Synthetic: spelling corrected",
    )
    workflow.review_subject(
        acting_user=supervisor,
        subject=subject,
        outcome="retain",
        justification="Synthetic: still meets criteria",
    )
    disclose(officer, supervisor, subject, agreement)
    subject.refresh_from_db()
    return subject


def open_request(dpo, received_on=None, **fields):
    return services.open_request(
        acting_user=dpo,
        requester_name=fields.pop("requester_name", "Synthetic Applicant"),
        requester_contact="1 Synthetic Street, London",
        received_on=received_on or timezone.localdate(),
        **fields,
    )


@pytest.fixture
def sar(dpo, subject):
    """Opened, matched to the subject and with the applicant's identity verified."""
    sar = open_request(dpo, timezone.localdate() - timedelta(days=3))
    services.match_subject(acting_user=dpo, sar=sar, subject=subject)
    return services.verify_identity(acting_user=dpo, sar=sar, method="Synthetic: passport seen in person")


def report_url(sar, subject, suffix="report/"):
    return f"/subject-access/{sar.uuid}/subjects/{subject.uuid}/{suffix}"


class TestDeadline:
    @pytest.mark.parametrize(
        "received, due",
        [
            (date(2026, 3, 15), date(2026, 4, 15)),
            (date(2026, 1, 31), date(2026, 2, 28)),
            (date(2028, 1, 31), date(2028, 2, 29)),  # leap year
            (date(2026, 1, 29), date(2026, 2, 28)),
            (date(2026, 8, 31), date(2026, 9, 30)),
            (date(2026, 12, 31), date(2027, 1, 31)),
        ],
    )
    def test_one_calendar_month(self, received, due):
        assert one_calendar_month_after(received) == due

    def test_opening_a_request_sets_the_due_date_and_logs_the_collection(self, dpo):
        sar = open_request(dpo, date(2026, 1, 31))
        assert sar.due_on == date(2026, 2, 28) and sar.status == SarStatus.OPEN
        assert sar.reference.startswith("SAR-")
        event = events("collect").get(object_uuid=sar.uuid)
        assert event.actor_username == "dpo" and "Synthetic Applicant" not in event.detail

    def test_the_database_refuses_a_due_date_not_after_receipt(self, dpo):
        sar = open_request(dpo, date(2026, 1, 31))
        with pytest.raises(IntegrityError), transaction.atomic():
            SubjectAccessRequest.objects.filter(pk=sar.pk).update(due_on=sar.received_on)

    def test_the_requests_history_is_append_only(self, dpo):
        sar = open_request(dpo, date(2026, 1, 31))
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            sar.history.update(requester_name="Rewritten")
        with pytest.raises(Exception, match="append-only"), transaction.atomic():
            sar.history.all().delete()

    def test_a_future_receipt_date_is_refused(self, dpo):
        with pytest.raises(ValidationError) as error:
            open_request(dpo, timezone.localdate() + timedelta(days=1))
        assert "received_on" in error.value.message_dict
        assert not SubjectAccessRequest.objects.exists()


class TestRequestList:
    @pytest.fixture
    def requests(self, dpo):
        today = date(2026, 6, 10)
        made = {
            "overdue": open_request(dpo, date(2026, 5, 1)),  # due 1 June
            "due_soon": open_request(dpo, date(2026, 5, 14)),  # due 14 June
            "later": open_request(dpo, date(2026, 6, 1)),  # due 1 July
            "closed_late": open_request(dpo, date(2026, 4, 1)),
        }
        services.refuse_request(
            acting_user=dpo, sar=made["closed_late"], reason="Synthetic: manifestly unfounded (s.53)"
        )
        return today, made

    def test_overdue_and_due_within_seven_days(self, dpo, requests):
        today, made = requests
        lists = services.request_lists(dpo, today=today)
        assert lists["overdue"] == [made["overdue"]]
        assert lists["due_soon"] == [made["due_soon"]]
        assert lists["open"] == [made["later"]]
        assert [sar.pk for sar in lists["closed"]] == [made["closed_late"].pk]

    def test_the_page_shows_the_overdue_section(self, client, dpo, requests):
        today, made = requests
        client.force_login(dpo)
        with travel(today):
            page = client.get("/subject-access/").content.decode()
        overdue = page.split('id="overdue"')[1].split('id="due-soon"')[0]
        due_soon = page.split('id="due-soon"')[1].split('id="open"')[0]
        assert made["overdue"].reference in overdue and "9 days late" in overdue
        assert made["due_soon"].reference in due_soon and made["overdue"].reference not in due_soon
        assert made["later"].reference not in overdue + due_soon
        assert events("search").filter(actor_username="dpo", detail__startswith="Subject access requests").exists()


class TestReportContents:
    @pytest.fixture
    def report(self, dpo, sar, subject):
        return services.generate_report(acting_user=dpo, sar=sar, subject=subject, justification=JUSTIFICATION)

    def test_current_record_and_addresses(self, report, subject):
        record = {row["field"]: row["value"] for row in report["record"]}
        assert record["reference"] == subject.reference and record["family_name"] == "Corrected"
        assert record["date_of_birth"] == subject.date_of_birth and record["borough"] == "Hackney"
        assert record["classification"] == "Suspected of an offence" and record["created_by"] == "officer.hackney"
        assert report["subject"]["on_matrix"] is True and report["erasure"] is None

    def test_evidence_with_gradings_nature_and_whether_it_counts(self, report):
        [item] = report["evidence"]
        assert item["grading"] == "1AP" and item["nature"] == "Fact" and item["counts"] is True
        assert item["source_evaluation"].startswith("1") and item["intelligence_assessment"].startswith("A")
        assert item["source_type"] == "Police record" and item["summary"] == "Synthetic arrest record"

    def test_history_says_who_changed_what_from_what_to_what(self, report):
        renamed = [
            (entry["who"], change["old"], change["new"], entry["reason"])
            for entry in report["history"]
            for change in entry["changes"]
            if change["field"] == "family_name"
        ]
        assert renamed == [("officer.hackney", "Testperson", "Corrected", "Synthetic: spelling corrected")]
        assert any(
            entry["record"].startswith("Evidence item") and entry["kind"] == "Created" for entry in report["history"]
        )

    def test_reviews(self, report):
        [review] = report["reviews"]
        assert review["outcome"] == "Retain on the matrix" and review["reviewed_by"] == "supervisor.hackney"
        assert review["justification"] == "Synthetic: still meets criteria"

    def test_disclosures_with_recipient_basis_purpose_fields_and_dates(self, report, agreement):
        [disclosure] = report["disclosures"]
        assert disclosure["recipient"] == agreement.partner.name
        assert disclosure["lawful_basis"].startswith("Crime and Disorder Act 1998 s.115")
        assert disclosure["purpose"] == PURPOSE and disclosure["disclosed"] is True
        assert disclosure["fields"] == ["Name", "Date of birth", "Evidence items with their gradings"]
        assert disclosure["disclosed_at"] is not None and disclosure["expires_at"] > disclosure["disclosed_at"]
        assert disclosure["revoked"] is False
        assert disclosure["what_was_sent"]["fields"]["name"]["family_name"] == "Corrected"

    def test_the_s45_2_information(self, report, agreement, settings):
        info = report["information"]
        assert any("s.31" in line for line in info["purposes"])
        assert any("s.31" in line for line in info["legal_basis"]) and any(
            "s.35" in line for line in info["legal_basis"]
        )
        assert any("Crime and Disorder Act 1998 s.115" in line for line in info["legal_basis"])
        assert any("Ethnic origin" in line for line in info["categories"])
        assert any("1 item(s)" in line for line in info["categories"])
        assert info["recipients"] == [f"{agreement.partner.name} (Local authority)"]
        assert any(f"{settings.GOVMATRIX_REVIEW_PERIOD_DAYS} days" in line for line in info["retention"])
        assert any(f"{settings.GOVMATRIX_RETENTION_DAYS} days" in line for line in info["retention"])
        assert {right["section"] for right in info["rights"]} >= {"s.45", "s.46", "s.47"}
        complaint = info["complaint"]
        assert complaint["name"] == "Information Commissioner's Office"
        assert complaint["address"] == ["Wycliffe House", "Water Lane", "Wilmslow", "Cheshire", "SK9 5AF"]
        assert complaint["website"] == "https://ico.org.uk" and complaint["telephone"] == "0303 123 1113"
        assert info["origin"] == [
            {"source": "Police record", "items": 1, "description": info["origin"][0]["description"]}
        ]

    def test_the_printable_page(self, client, dpo, sar, subject, agreement):
        client.force_login(dpo)
        response = client.post(report_url(sar, subject), {"justification": JUSTIFICATION})
        page = response.content.decode()
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        for text in (
            subject.reference,
            "Corrected",
            "1AP",
            "Testperson → Corrected",
            "Synthetic: still meets criteria",
            agreement.partner.name,
            "Crime and Disorder Act 1998 s.115",
            PURPOSE,
            "Wycliffe House",
            "SK9 5AF",
            "0303 123 1113",
            "ico.org.uk",
            "Police record",
            "s.47",
        ):
            assert text in page, text
        assert 'class="inset screen-only"' in page


def test_the_print_stylesheet_hides_navigation():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static/css/govmatrix.css").read_text()
    print_rules = css.split("@media print", 1)[1]
    assert ".site-header" in print_rules and ".main-nav" in print_rules and ".screen-only" in css


class TestErasedSubject:
    @pytest.fixture
    def erased(self, make_subject, officer, supervisor, agreement):
        subject = make_subject("approved")
        disclose(officer, supervisor, subject, agreement)
        workflow.remove_subject(acting_user=supervisor, subject=subject, reason="Synthetic: no longer meets criteria")
        return erase_subject(subject, acting_user=system_user())

    def test_the_report_states_the_erasure_and_still_lists_disclosures(self, dpo, erased, agreement):
        sar = open_request(dpo)
        services.match_subject(acting_user=dpo, sar=sar, subject=erased)
        services.verify_identity(acting_user=dpo, sar=sar, method="Synthetic: passport seen in person")
        report = services.generate_report(acting_user=dpo, sar=sar, subject=erased, justification=JUSTIFICATION)
        erased_on = timezone.localtime(erased.erased_at).date()
        assert report["subject"]["erased"] is True
        assert f"erased on {erased_on.day} {erased_on:%B %Y}" in report["erasure"]["statement"]
        assert report["evidence"] == report["addresses"] == report["history"] == report["reviews"] == []
        assert {row["field"]: row["value"] for row in report["record"]}["family_name"] == "[erased]"
        [disclosure] = report["disclosures"]
        assert disclosure["recipient"] == agreement.partner.name and disclosure["revoked"] is True
        assert "Erased" in [notice["kind"] for notice in disclosure["notices"]]
        assert any("erased on" in line for line in report["information"]["retention"])

    def test_an_erased_record_is_found_by_reference_only(self, dpo, erased):
        assert services.find_subjects(dpo, reference=erased.reference.lower()) == [erased]
        assert services.find_subjects(dpo, family_name="Testperson", date_of_birth=date(2003, 6, 1)) == []


class TestJustification:
    @pytest.mark.parametrize("justification", ["", "   ", "too short"])
    def test_required_for_the_page_and_nothing_is_logged(self, client, dpo, sar, subject, justification):
        client.force_login(dpo)
        response = client.post(report_url(sar, subject), {"justification": justification})
        assert response.status_code == 400
        assert "at least 10 characters" in response.context["form"].errors["justification"][0]
        assert not events("combine").exists()

    def test_required_for_json(self, client, dpo, sar, subject):
        client.force_login(dpo)
        response = client.post(report_url(sar, subject, "report.json"), {"justification": "short"})
        assert response.status_code == 302 and response["Location"] == report_url(sar, subject) + "#error-summary"
        assert not events("combine").exists()
        form_page = client.get(report_url(sar, subject))
        page = form_page.content.decode()
        assert page.lstrip().startswith("<!DOCTYPE html>") and "<title>Error: " in page
        assert "at least 10 characters" in form_page.context["form"].errors["justification"][0]
        assert '<a href="#id_justification">' in page and ">\nshort</textarea>" in page
        assert not events("combine").exists()

    def test_the_report_is_logged_as_a_combination_with_the_justification(self, client, dpo, sar, subject):
        client.force_login(dpo)
        client.post(report_url(sar, subject), {"justification": JUSTIFICATION})
        event = events("combine").get()
        assert (event.actor_username, event.subject_uuid, event.object_uuid) == ("dpo", subject.uuid, sar.uuid)
        assert justification_as_read(event) == JUSTIFICATION and event.object_type == "subjectaccessrequest"

    def test_a_get_only_shows_the_form(self, client, dpo, sar, subject):
        client.force_login(dpo)
        response = client.get(report_url(sar, subject))
        assert response.status_code == 200 and 'name="justification"' in response.content.decode()
        assert not events("combine").exists()

    def test_no_report_before_the_applicants_identity_is_verified(self, dpo, subject):
        sar = open_request(dpo)
        services.match_subject(acting_user=dpo, sar=sar, subject=subject)
        with pytest.raises(ValidationError, match="identity"):
            services.generate_report(acting_user=dpo, sar=sar, subject=subject, justification=JUSTIFICATION)
        assert not events("combine").exists()

    def test_no_report_on_a_record_not_matched_to_the_request(self, client, dpo, sar, make_subject):
        other = make_subject("approved", family_name="Otherperson")
        client.force_login(dpo)
        assert client.post(report_url(sar, other), {"justification": JUSTIFICATION}).status_code == 404
        assert not events("combine").exists()


class TestJson:
    def test_the_json_parses_and_matches_the_report(self, client, dpo, sar, subject):
        client.force_login(dpo)
        response = client.post(report_url(sar, subject, "report.json"), {"justification": JUSTIFICATION})
        assert response.status_code == 200 and response["Content-Type"] == "application/json"
        assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
        body = json.loads(response.content)
        expected = json.loads(json.dumps(services.build_report(sar, subject), cls=DjangoJSONEncoder))
        for key in ("generated_at", "generated_by"):
            body["report"].pop(key), expected["report"].pop(key)
        assert body == expected
        assert body["subject"]["reference"] == subject.reference
        assert body["information"]["complaint"]["telephone"] == "0303 123 1113"
        assert events("combine").get().detail == "Subject access report generated (JSON)"

    def test_json_needs_a_post(self, client, dpo, sar, subject):
        client.force_login(dpo)
        assert client.get(report_url(sar, subject, "report.json")).status_code == 405


class TestRequestPages:
    def test_open_a_request(self, client, dpo):
        client.force_login(dpo)
        response = client.post(
            "/subject-access/new/",
            {
                "requester_name": "Synthetic Applicant",
                "requester_contact": "synthetic@example.test",
                "received_on": "2026-01-31",
                "notes": "",
            },
        )
        sar = SubjectAccessRequest.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/subject-access/{sar.uuid}/"
        assert sar.due_on == date(2026, 2, 28) and sar.created_by == dpo

    def test_missing_fields_are_shown_and_nothing_is_written(self, client, dpo):
        client.force_login(dpo)
        response = client.post(
            "/subject-access/new/", {"requester_name": "", "requester_contact": "", "received_on": ""}
        )
        assert response.status_code == 200 and "There is a problem" in response.content.decode()
        assert not SubjectAccessRequest.objects.exists()

    def test_search_by_reference_and_by_name_or_alias_with_date_of_birth(self, client, dpo, subject):
        sar = open_request(dpo)
        client.force_login(dpo)
        url = f"/subject-access/{sar.uuid}/"
        assert subject.reference in client.get(url, {"reference": subject.reference}).content.decode()
        by_alias = client.get(url, {"family_name": "alias", "date_of_birth": "2003-06-01"})
        assert list(by_alias.context["results"]) == [subject]
        wrong_dob = client.get(url, {"family_name": "Corrected", "date_of_birth": "2003-06-02"})
        assert wrong_dob.context["results"] == []
        assert events("search").filter(detail__contains=sar.reference).count() == 3
        assert events("consult").filter(object_uuid=sar.uuid).count() == 3

    def test_match_verify_and_complete(self, client, dpo, subject):
        sar = open_request(dpo)
        client.force_login(dpo)
        base = f"/subject-access/{sar.uuid}/"
        assert client.post(f"{base}match/", {"subject": subject.uuid}).status_code == 302
        assert list(sar.subjects.all()) == [subject]
        refused = client.post(f"{base}complete/")
        assert refused.status_code == 302 and refused["Location"] == f"{base}#error-summary"
        assert "Verify the applicant's identity" in client.get(base).content.decode()
        client.post(f"{base}identity/", {"method": "Synthetic: passport seen in person"})
        assert client.post(f"{base}complete/").status_code == 302
        sar.refresh_from_db()
        assert sar.status == SarStatus.COMPLETED and sar.completed_on == timezone.localdate() and sar.closed_by == dpo
        assert sar.identity_verified_by == dpo
        assert {h.history_user for h in sar.history.all()} == {dpo}
        assert [h.history_change_reason for h in sar.history.order_by("history_date", "history_id")] == [
            "Subject access request received",
            f"Matched to {subject.reference}",
            "Applicant's identity verified",
            "Response sent",
        ]
        late = client.post(f"{base}match/", {"subject": subject.uuid})
        assert late.status_code == 302 and "There is a problem" in client.get(base).content.decode()
        assert list(sar.subjects.all()) == [subject]

    def test_refusal_needs_a_reason(self, client, dpo):
        sar = open_request(dpo)
        client.force_login(dpo)
        response = client.post(f"/subject-access/{sar.uuid}/refuse/", {"reason": "no"})
        assert response.status_code == 302 and response["Location"].endswith("#error-summary")
        assert "<title>Error: " in client.get(f"/subject-access/{sar.uuid}/").content.decode()
        sar.refresh_from_db()
        assert sar.status == SarStatus.OPEN

    def test_the_menu_offers_subject_access_to_the_dpo(self, client, dpo):
        client.force_login(dpo)
        assert 'href="/subject-access/"' in client.get("/subject-access/").content.decode()


ROLES = ["officer", "supervisor", "auditor", "partner"]


class TestOnlyTheDpo:
    @pytest.fixture
    def attempts(self, sar, subject):
        base = f"/subject-access/{sar.uuid}/"
        new = {"requester_name": "X Y", "requester_contact": "Somewhere", "received_on": "2026-01-05"}
        return [
            ("get", "/subject-access/", {}),
            ("get", "/subject-access/new/", {}),
            ("post", "/subject-access/new/", new),
            ("get", base, {"reference": subject.reference}),
            ("post", f"{base}match/", {"subject": subject.uuid}),
            ("post", f"{base}unmatch/", {"subject": subject.uuid}),
            ("post", f"{base}identity/", {"method": "Synthetic: forged verification"}),
            ("post", f"{base}complete/", {}),
            ("post", f"{base}refuse/", {"reason": "Synthetic: refused by the wrong person"}),
            ("get", report_url(sar, subject), {}),
            ("post", report_url(sar, subject), {"justification": JUSTIFICATION}),
            ("post", report_url(sar, subject, "report.json"), {"justification": JUSTIFICATION}),
        ]

    @pytest.mark.parametrize("role", ROLES)
    def test_other_roles_get_403_and_nothing_is_written(self, client, request, role, sar, attempts):
        user = request.getfixturevalue(role)
        client.force_login(user)
        before = AccessEvent.objects.count()
        history = sar.history.count()
        for method, url, data in attempts:
            assert getattr(client, method)(url, data).status_code == 403, (role, method, url)
        written = AccessEvent.objects.filter(sequence__gt=before)
        assert set(written.values_list("action", flat=True)) == {"denied"}
        assert written.count() == len(attempts) and set(written.values_list("actor_username", flat=True)) == {
            user.username
        }
        assert SubjectAccessRequest.objects.count() == 1 and sar.history.count() == history
        sar.refresh_from_db()
        assert sar.status == SarStatus.OPEN and sar.subjects.count() == 1

    def test_a_superuser_without_the_role_is_refused_too(self, client, sar):
        admin = make_user(username="admin", is_superuser=True, is_staff=True)
        client.force_login(admin)
        assert client.get("/subject-access/").status_code == 403
        assert client.get(f"/subject-access/{sar.uuid}/").status_code == 403

    @pytest.mark.parametrize("role", ROLES)
    def test_services_refuse_other_roles(self, request, role, sar, subject):
        from django.core.exceptions import PermissionDenied

        user = request.getfixturevalue(role)
        with pytest.raises(PermissionDenied):
            services.generate_report(acting_user=user, sar=sar, subject=subject, justification=JUSTIFICATION)
        with pytest.raises(PermissionDenied):
            open_request(user)
        assert not events("combine").exists()
