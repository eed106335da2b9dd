"""The published statistics: counted from approved records only, suppressed, stored, shown without sign-in."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessEvent, Action
from core.history import save_tracked
from matrix import workflow
from matrix.models import Address
from sharing import services as sharing_services
from sharing.models import LawfulBasis
from tests.conftest import HACKNEY
from tests.factories import SubjectFactory, make_user
from tests.sharing_factories import AgreementFactory, PartnerAgencyFactory, basis
from transparency import aggregates
from transparency.models import StatisticsRelease
from transparency.releases import latest_release, publish_release, whole_months_before

# Far enough ahead that this month is inside the release's period of whole months.
NEXT_PERIOD = timedelta(days=40)


def table(release, key):
    return next(t for t in release.tables["tables"] if t["key"] == key)


def row(tbl, label):
    return [cell["text"] for cell in next(r for r in tbl["rows"] if r["label"] == label)["cells"]]


def approved(supervisor, **fields):
    return SubjectFactory(
        status="approved", approved_by=supervisor, review_due=date.today() + timedelta(days=90), **fields
    )


# --- Counting and suppression -----------------------------------------------------------------------


def test_only_approved_subjects_are_counted(db, supervisor, make_subject):
    for _ in range(10):
        approved(supervisor, classification="suspected", ethnicity="black_caribbean", gender="male")
    for _ in range(6):
        approved(supervisor, classification="victim", ethnicity="white_british", gender="female")
    for status in ("draft", "submitted", "rejected", "removed"):
        make_subject(status, classification="victim")
    SubjectFactory(status="draft", classification="suspected")

    release = publish_release()

    borough = table(release, "on_matrix_by_borough")
    assert row(borough, "Hackney") == ["10", "0", "6", "0", "16"]
    assert row(borough, "Southwark") == ["0", "0", "0", "0", "0"]
    assert [c["text"] for c in borough["total"]["cells"]] == ["10", "0", "6", "0", "16"]
    ethnicity = table(release, "on_matrix_by_ethnicity")
    assert row(ethnicity, "Black, Black British, Black Welsh, Caribbean or African") == ["10", "0", "0", "0", "10"]
    assert row(ethnicity, "White") == ["0", "0", "6", "0", "6"]


def test_a_count_hidden_in_one_table_is_not_given_away_by_another(db, supervisor):
    """Six suspects and one victim. The 1 is hidden and so is the 6 beside it; but the harm bands count the
    same six suspects, and the gender, age and review tables the same seven people, so what they publish
    must not give the 6 (and so the 1) away: the tables are protected together."""
    for _ in range(6):
        approved(supervisor, classification="suspected", ethnicity="black_caribbean", gender="male")
    approved(supervisor, classification="victim", ethnicity="white_british", gender="female")
    release = publish_release()
    borough = table(release, "on_matrix_by_borough")
    assert row(borough, "Hackney")[:4] == ["hidden", "0", "fewer than 5", "0"]
    suspects_total = borough["total"]["cells"][0]
    harm = table(release, "perpetrators_by_harm_band")
    assert suspects_total["text"] == "hidden" and harm["total"]["cells"][0]["text"] == "hidden"
    assert "6" not in [r["cells"][0]["text"] for r in harm["rows"]]
    everyone = borough["total"]["cells"][-1]
    for key in ("on_matrix_by_ethnicity", "on_matrix_by_age", "on_matrix_by_gender", "reviews_due"):
        assert table(release, key)["total"]["cells"][-1] == everyone, key  # one count, shown one way
    gender = table(release, "on_matrix_by_gender")
    assert [r["cells"][0]["text"] for r in gender["rows"]][:2] == ["fewer than 5", "hidden"]


def test_small_totals_and_their_complements_are_hidden_and_zeros_shown(db, supervisor):
    for _ in range(12):
        approved(supervisor, gender="male")
    for _ in range(3):
        approved(supervisor, gender="female")
    release = publish_release()
    gender = table(release, "on_matrix_by_gender")
    assert [r["cells"][0]["text"] for r in gender["rows"]] == ["fewer than 5", "hidden", "0", "0", "0"]
    assert gender["total"]["cells"][0] == {"value": 15, "text": "15"}


def test_harm_bands_count_perpetrators_only(db, supervisor):
    for _ in range(5):
        approved(supervisor, classification="convicted", harm_band="red", harm_score=40, harm_method_version=1)
    for _ in range(5):
        approved(supervisor, classification="at_risk")
    harm = table(publish_release(), "perpetrators_by_harm_band")
    assert [r["cells"][0]["text"] for r in harm["rows"]] == ["5", "0", "0", "0"]


def test_ages_are_banded_on_the_day_of_the_release(db, supervisor):
    today = timezone.localdate()
    for _ in range(5):
        approved(supervisor, date_of_birth=today.replace(year=today.year - 16))
    for _ in range(5):
        approved(supervisor, date_of_birth=today.replace(year=today.year - 40))
    ages = table(publish_release(), "on_matrix_by_age")
    assert [r["cells"][0]["text"] for r in ages["rows"]] == ["0", "5", "0", "0", "5"]


def test_activity_in_the_period_disclosures_reviews_and_removals(db, officer, supervisor, make_subject):
    other_supervisor = make_user("supervisor", [HACKNEY], username="supervisor.two")
    agency = PartnerAgencyFactory(kind="housing")
    agreement = AgreementFactory(partner=agency)
    subjects = [make_subject("approved") for _ in range(6)]
    for subject in subjects[:5]:
        disclosure = sharing_services.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: housing safeguarding panel",
            fields=["name"],
        )
        sharing_services.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
    # A late review: the record's review date had passed when the review was recorded.
    late = subjects[5]
    late.review_due = timezone.localdate() - timedelta(days=3)
    save_tracked(late, acting_user=supervisor, reason="Synthetic: review date in the past")
    workflow.review_subject(
        acting_user=other_supervisor, subject=late, outcome="retain", justification="Synthetic: criterion still met"
    )
    workflow.review_subject(
        acting_user=other_supervisor, subject=subjects[0], outcome="remove", justification="Synthetic: no longer needed"
    )

    release = publish_release(now=timezone.now() + NEXT_PERIOD)
    this_month = f"{timezone.localdate():%B %Y}"
    kinds = table(release, "disclosures_by_partner_kind")
    assert kinds["columns"][2] == "Housing"
    assert row(kinds, this_month)[2] == "5"
    bases = table(release, "disclosures_by_lawful_basis")
    assert "5" in row(bases, this_month)
    reviews = table(release, "reviews_by_month")
    assert row(reviews, this_month) == ["fewer than 5", "fewer than 5", "fewer than 5"]
    assert reviews["total"]["cells"][-1]["text"] == "fewer than 5"
    removals = table(release, "removals_by_month")
    assert row(removals, this_month) == ["fewer than 5"]


def test_review_timeliness_reads_the_due_date_the_record_carried(db, make_subject, supervisor):
    other_supervisor = make_user("supervisor", [HACKNEY], username="supervisor.two")
    on_time = make_subject("approved")
    late = make_subject("approved", family_name="Testlate")
    late.review_due = timezone.localdate() - timedelta(days=1)
    save_tracked(late, acting_user=supervisor, reason="Synthetic: overdue")
    for subject in (on_time, late):
        workflow.review_subject(
            acting_user=other_supervisor,
            subject=subject,
            outcome="retain",
            justification="Synthetic: criterion still met",
        )
    period = whole_months_before(timezone.localdate() + NEXT_PERIOD, 2)
    counts = aggregates.reviews_by_timeliness(period)
    month = timezone.localdate().replace(day=1)
    assert counts[(month, "on_time")] == 1
    assert counts[(month, "late")] == 1


def test_events_outside_the_period_are_not_counted(db, make_subject):
    make_subject("removed")
    release = publish_release()  # whole months before this one: today's removal is not in them
    assert table(release, "removals_by_month")["total"]["cells"] == [{"value": 0, "text": "0"}]


def test_the_whole_release_costs_a_handful_of_queries(db, supervisor, django_assert_max_num_queries):
    for _ in range(3):
        approved(supervisor)
    # The previous release (where this one's period starts), 11 aggregate queries, the borough and lawful-basis
    # lists, then the insert and the access-log append (its lock on PostgreSQL), and inside a test's
    # transaction a savepoint and its release around each of the two steps.
    with django_assert_max_num_queries(23):
        publish_release()


# --- The stored release -----------------------------------------------------------------------------


def test_a_release_is_never_changed_or_deleted(db):
    release = publish_release()
    release.threshold = 10
    with pytest.raises(ValidationError):
        release.save()
    with pytest.raises(ValidationError):
        release.delete()


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE transparency_statisticsrelease SET threshold = 9",
        "DELETE FROM transparency_statisticsrelease",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_release(db, statement):
    publish_release()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert StatisticsRelease.objects.get().threshold == 5


def test_the_small_number_rule_cannot_be_relaxed(db):
    with pytest.raises(ValueError):
        publish_release(threshold=3)
    with pytest.raises(DatabaseError), transaction.atomic():
        StatisticsRelease.objects.create(
            produced_at=timezone.now(),
            period_start=date(2026, 1, 1),
            period_end=date(2026, 1, 31),
            threshold=3,
            tables={},
        )
    assert not StatisticsRelease.objects.exists()


def test_publishing_is_logged_without_personal_data(db):
    release = publish_release()
    event = AccessEvent.objects.get(object_uuid=release.uuid)
    assert event.action == Action.EXPORT
    assert event.actor_username == "system.publish_statistics"
    assert event.subject_uuid is None


def test_each_release_covers_the_months_since_the_last_so_no_month_is_counted_twice(db, supervisor):
    for _ in range(5):
        approved(supervisor)
    out = io.StringIO()
    call_command("publish_statistics", stdout=out)
    first = latest_release()
    assert (first.period_start, first.period_end) == (
        whole_months_before(timezone.localdate(), 3).start,
        whole_months_before(timezone.localdate(), 1).end,
    )
    assert len(table(first, "removals_by_month")["rows"]) == 3
    with pytest.raises(CommandError, match="already in a release"):
        call_command("publish_statistics", stdout=out)
    approved(supervisor)
    with time_machine.travel(timezone.now() + NEXT_PERIOD):
        call_command("publish_statistics", "--months", "12", stdout=out)  # --months is for the first release only
    second = latest_release()
    assert StatisticsRelease.objects.count() == 2
    assert second.period_start == first.period_end + timedelta(days=1)
    assert len(table(second, "removals_by_month")["rows"]) == 1
    assert table(first, "on_matrix_by_gender")["total"]["cells"][0]["text"] == "5"
    assert table(second, "on_matrix_by_gender")["total"]["cells"][0]["text"] == "6"
    assert "Published statistics release" in out.getvalue()


@pytest.mark.parametrize("arguments", [["--months", "0"], ["--threshold", "1"], ["--threshold", "4"]])
def test_the_command_refuses_bad_arguments(db, arguments):
    with pytest.raises(CommandError):
        call_command("publish_statistics", *arguments)
    assert not StatisticsRelease.objects.exists()


def test_no_unsuppressed_count_is_stored(db, supervisor):
    for _ in range(3):
        approved(supervisor, ethnicity="asian_chinese")
    release = publish_release()
    for tbl in release.tables["tables"]:
        for r in [*tbl["rows"], tbl["total"]]:
            for cell in r["cells"]:
                assert cell["value"] is None or cell["value"] == 0 or cell["value"] >= 5


# --- The public page and its export ----------------------------------------------------------------

DISTINCTIVE = {
    "family_name": "Zyxwvutsson",
    "given_names": "Quobaltine",
    "date_of_birth": date(1999, 2, 13),
}


@pytest.fixture
def published_with_distinctive_people(db, make_subject):
    people = []
    for n in range(6):
        subject = make_subject(
            "approved",
            family_name=f"{DISTINCTIVE['family_name']}{n}",
            given_names=DISTINCTIVE["given_names"],
            date_of_birth=DISTINCTIVE["date_of_birth"],
        )
        Address.objects.create(subject=subject, line_1=f"{n} Synthetic Mews", postcode="ZZ9 9ZZ")
        people.append(subject)
    unapproved = make_subject("submitted", family_name="Unapprovedperson", classification="victim")
    publish_release()
    return people, unapproved


def forbidden_strings(people):
    strings = {
        "Zyxwvutsson",
        "Quobaltine",
        "1999-02-13",
        "13 February 1999",
        "13/02/1999",
        "ZZ9 9ZZ",
        "Synthetic Mews",
        "Unapprovedperson",
    }
    for subject in people:
        strings |= {subject.reference, str(subject.uuid), subject.family_name}
    return strings


@pytest.mark.parametrize("url_name", ["public-home", "public-statistics-json", "public-statistics-csv"])
def test_public_pages_need_no_sign_in_and_hold_no_individual_data(client, published_with_distinctive_people, url_name):
    people, unapproved = published_with_distinctive_people
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    body = response.content.decode()
    for text in forbidden_strings(people) | {unapproved.reference, str(unapproved.uuid)}:
        assert text not in body, f"{text!r} leaked into {url_name}"


def test_unapproved_subjects_are_not_in_the_published_figures(client, published_with_distinctive_people):
    document = client.get(reverse("public-statistics-json")).json()
    borough = next(t for t in document["tables"] if t["key"] == "on_matrix_by_borough")
    hackney_row = next(r for r in borough["rows"] if r["label"] == "Hackney")
    # Six approved suspects; the submitted victim is not counted.
    assert [c["text"] for c in hackney_row["cells"]] == ["6", "0", "0", "0", "6"]


def test_the_page_shows_the_criteria_the_release_date_and_small_numbers(
    client, published_with_distinctive_people, any_criterion
):
    response = client.get(reverse("public-home"))
    body = response.content.decode()
    assert any_criterion.plain_text in body
    assert f"Version {any_criterion.version}, published" in body
    assert f"{latest_release().produced_at:%-d %B %Y}" in body
    assert "fewer than 5" in body
    assert 'role="img"' in body and "<desc" in body
    for lawful_basis in LawfulBasis.objects.filter(active=True):
        assert lawful_basis.citation in body
    assert "Section 62" in body and "Section 45" in body
    assert "Information Commissioner" in body
    assert "Restricted" not in body  # the public page is not marked as holding personal data


def test_each_chart_names_what_its_table_counts(client, published_with_distinctive_people):
    units = {table["key"]: table["unit"] for table in latest_release().tables["tables"]}
    assert units["on_matrix_by_borough"] == units["removals_by_month"] == "people"
    assert units["disclosures_by_partner_kind"] == units["disclosures_by_lawful_basis"] == "disclosures"
    assert units["reviews_by_month"] == "reviews"
    body = client.get(reverse("public-home")).content.decode()
    for unit in ("people", "disclosures", "reviews"):
        assert f"Scale: {unit}" in body


def test_the_page_reads_timescales_from_settings(client, db, settings):
    settings.GOVMATRIX_REVIEW_PERIOD_DAYS = 63
    settings.GOVMATRIX_RETENTION_DAYS = 222
    body = client.get(reverse("public-home")).content.decode()
    assert "every 63 days" in body
    assert "222 days after removal" in body
    assert "No statistics have been published yet" in body


def test_the_exports_carry_the_production_date_and_the_same_suppressed_figures(client, db, supervisor):
    for _ in range(7):
        approved(supervisor, gender="male")
    approved(supervisor, gender="female")
    release = publish_release()
    document = client.get(reverse("public-statistics-json")).json()
    assert document["produced_at"] == release.produced_at.isoformat()
    assert document["tables"] == release.tables["tables"]
    assert "fewer than 5" in document["suppression"]["rule"]
    rows = list(csv.DictReader(io.StringIO(client.get(reverse("public-statistics-csv")).content.decode())))
    female = next(r for r in rows if r["table"] == "on_matrix_by_gender" and r["row"] == "Female")
    assert female == {**female, "count": "", "shown_as": "fewer than 5", "produced_at": release.produced_at.isoformat()}
    total = next(r for r in rows if r["table"] == "on_matrix_by_gender" and r["row"] == "Total")
    assert total["count"] == "8"


def test_earlier_releases_stay_downloadable_exactly_as_published(client, db, supervisor):
    for _ in range(6):
        approved(supervisor)
    first = publish_release()
    approved(supervisor)
    latest = publish_release(now=timezone.now() + NEXT_PERIOD)
    page = client.get(reverse("public-home")).content.decode()
    assert reverse("public-release-csv", args=[first.uuid]) in page
    assert reverse("public-release-json", args=[latest.uuid]) not in page  # the latest is the one shown above
    document = client.get(reverse("public-release-json", args=[first.uuid])).json()
    assert document["produced_at"] == first.produced_at.isoformat() and document["tables"] == first.tables["tables"]
    assert table(first, "on_matrix_by_gender")["total"]["cells"][0]["text"] == "6"
    exported = client.get(reverse("public-release-csv", args=[first.uuid]))
    assert (
        f"govmatrix-statistics-{timezone.localtime(first.produced_at):%Y-%m-%d}.csv" in exported["Content-Disposition"]
    )
    assert client.get(reverse("public-statistics-json")).json()["produced_at"] == latest.produced_at.isoformat()
    missing = "00000000-0000-4000-8000-000000000000"
    assert client.get(reverse("public-release-json", args=[missing])).status_code == 404


def test_the_exports_are_not_found_before_anything_is_published(client, db):
    assert client.get(reverse("public-statistics-json")).status_code == 404
    assert client.get(reverse("public-statistics-csv")).status_code == 404


def test_the_public_page_costs_a_fixed_small_number_of_queries(
    client, db, supervisor, any_criterion, django_assert_max_num_queries
):
    for _ in range(8):
        approved(supervisor)
    publish_release()
    publish_release(now=timezone.now() + NEXT_PERIOD)
    # The latest release, the list of earlier ones (without their tables), current criteria, lawful bases, the
    # scoring method and the assessment versions.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("public-home")).status_code == 200


def test_public_pages_refuse_posts(client, db):
    assert client.post(reverse("public-home")).status_code == 405
    assert client.post(reverse("public-statistics-json")).status_code == 405


def test_the_sign_in_page_and_footer_link_to_the_public_page(client, db):
    public = reverse("public-home")
    assert f'href="{public}"' in client.get(reverse("login")).content.decode()
    assert f'href="{public}"' in client.get(public).content.decode()  # the footer
