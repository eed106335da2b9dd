"""The partner portal: a refused export goes back to the disclosure with the error summary; dates are
written for people on pages and in ISO 8601 in the CSV."""

import csv
import datetime
import io
import re

import pytest
from django.utils import timezone

from audit.models import AccessEvent
from sharing import services as sharing
from sharing.templatetags.sharing_tags import human_date
from tests.sharing_factories import AgreementFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"
JUSTIFICATION = "Synthetic: copy for the case conference file"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")
HUMAN_DATE = re.compile(r"\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{4}")


@pytest.fixture
def live(officer, supervisor, make_subject):
    subject = make_subject("approved")
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=AgreementFactory(),
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["name", "date_of_birth", "evidence"],
    )
    return sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)


@pytest.fixture
def partner_client(client, live):
    client.force_login(make_partner_user(live.partner))
    return client


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


class TestRefusedExport:
    def test_no_justification_goes_back_to_the_disclosure_page(self, partner_client, live):
        response = partner_client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": ""})
        assert response.status_code == 302
        assert response["Location"] == f"/partner/disclosures/{live.uuid}/#error-summary"
        assert not AccessEvent.objects.filter(action="export").exists()

    def test_the_page_shows_the_error_summary_once_and_the_error_on_the_field(self, partner_client, live):
        partner_client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": "Too short"})
        page = partner_client.get(f"/partner/disclosures/{live.uuid}/").content.decode()
        assert title(page).startswith(f"Error: Disclosure {live.reference}")
        assert page.count('id="error-summary"') == 1
        # The summary is at the top, before what was disclosed, and links to the field.
        assert page.index('id="error-summary"') < page.index("<h2>What was disclosed</h2>")
        assert '<a href="#id_justification">' in page
        assert 'id="id_justification_error"' in page
        assert "Too short</textarea>" in page  # what was typed is kept

    def test_reloading_the_page_shows_it_without_the_error(self, partner_client, live):
        partner_client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": ""})
        partner_client.get(f"/partner/disclosures/{live.uuid}/")
        again = partner_client.get(f"/partner/disclosures/{live.uuid}/").content.decode()
        assert not title(again).startswith("Error") and "error-summary" not in again

    def test_a_justified_export_is_still_a_download(self, partner_client, live):
        response = partner_client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": JUSTIFICATION})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


class TestDates:
    def test_snapshot_dates_on_the_partner_page_are_written_for_people(self, partner_client, live):
        page = partner_client.get(f"/partner/disclosures/{live.uuid}/").content.decode()
        disclosed = page.split("<h2>What was disclosed</h2>")[1].split("<h2>Download a copy</h2>")[0]
        assert "<dd>1 June 2003</dd>" in disclosed and "2003-06-01" not in disclosed
        today = timezone.localdate()
        assert f"{today.day} {today:%B %Y}</td>" in disclosed and today.isoformat() not in disclosed

    def test_every_date_in_the_csv_is_iso_8601(self, officer, partner_client, live):
        from matrix import services

        services.update_subject(
            acting_user=officer,
            subject=live.subject,
            expected_version=live.subject.version,
            changes={"family_name": "Correctedname"},
            reason="Spelling corrected",
        )
        response = partner_client.post(f"/partner/disclosures/{live.uuid}/export.csv", {"justification": JUSTIFICATION})
        rows = {row[2]: row[3] for row in list(csv.reader(io.StringIO(response.content.decode())))[1:]}
        assert ISO_DATE.match(rows["Date of birth"]) and rows["Date of birth"] == "2003-06-01"
        assert ISO_DATETIME.match(rows["Expires"]), rows["Expires"]
        assert datetime.datetime.fromisoformat(rows["Expires"]) == live.expires_at.replace(microsecond=0)
        evidence = [item for item in rows if item.startswith("Evidence ")]
        notices = [item for item in rows if item.startswith("Notice ")]
        assert evidence and notices
        assert all(ISO_DATE.match(item.split()[1]) for item in evidence)
        assert all(ISO_DATETIME.match(item.split()[1]) for item in notices)
        assert not any(HUMAN_DATE.search(f"{item} {value}") for item, value in rows.items())


class TestHumanDate:
    def test_an_iso_date_reads_as_the_service_writes_dates(self):
        assert human_date("2026-12-07") == "7 December 2026"

    def test_an_iso_datetime_reads_in_local_time(self):
        assert human_date("2026-07-01T13:05:00+00:00") == "1 July 2026, 14:05"  # British Summer Time
        assert human_date("2026-12-07T13:05:00+00:00") == "7 December 2026, 13:05"

    def test_anything_else_is_shown_as_it_is(self):
        assert human_date("Not recorded") == "Not recorded"
        assert human_date(None) is None
