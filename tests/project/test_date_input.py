"""Dates are typed as day, month and year (the GOV.UK pattern), survive an edit unchanged, and are refused
with messages that say which part is wrong — keeping what the person typed."""

from datetime import date

import pytest
from django.utils import formats

from config.date_input import DayMonthYearField
from matrix.models import Evidence
from tests.ui_helpers import page_text, submitted_fields

pytestmark = pytest.mark.django_db


def parts(day, month, year, name="date_of_birth"):
    return {f"{name}_day": day, f"{name}_month": month, f"{name}_year": year}


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (("", "5", "2004"), "Date of birth must include a day"),
        (("6", "", ""), "Date of birth must include a month and year"),
        (("31", "2", "2004"), "Date of birth must be a real date"),
        (("six", "5", "2004"), "Date of birth must be a real date"),
        (("6", "5", "04"), "Year must include 4 numbers"),
    ],
)
def test_each_wrong_part_has_its_own_message(typed, message):
    field = DayMonthYearField(label="Date of birth")
    with pytest.raises(Exception) as refused:
        field.clean(list(typed))
    assert refused.value.messages == [message]


def test_three_boxes_make_a_date_and_empty_boxes_make_none():
    field = DayMonthYearField(label="Date of birth", required=False)
    assert field.clean([" 06", "5", "2004"]) == date(2004, 5, 6)
    assert field.clean(["", "", ""]) is None


def test_the_edit_form_shows_the_stored_date_in_three_boxes_and_saves_it_unchanged(client, officer, make_subject):
    subject = make_subject("draft", date_of_birth=date(2004, 5, 6))
    client.force_login(officer)
    form = client.get(f"/subjects/{subject.uuid}/edit/")
    page = page_text(form)
    assert 'type="date"' not in page
    assert '<legend class="label">Date of birth</legend>' in page
    typed = submitted_fields(form)
    assert (typed["date_of_birth_day"], typed["date_of_birth_month"], typed["date_of_birth_year"]) == ("6", "5", "2004")
    response = client.post(f"/subjects/{subject.uuid}/edit/", {**typed, "reason": "Saved without changes"})
    assert response.status_code == 302, page_text(response)
    subject.refresh_from_db()
    assert subject.date_of_birth == date(2004, 5, 6)


def test_correcting_evidence_keeps_both_of_its_dates(client, officer, make_subject):
    subject = make_subject("draft", qualifying=False)
    client.force_login(officer)
    new_item = submitted_fields(client.get(f"/subjects/{subject.uuid}/evidence/new/"))
    client.post(
        f"/subjects/{subject.uuid}/evidence/new/",
        {
            **new_item,
            "summary": "Synthetic sighting",
            **parts("3", "2", "2026", "information_date"),
            "source_type": "social_media",
            "source_reference": "SM-1",
            "source_evaluation": "2",
            "intelligence_assessment": "B",
            "handling_code": "P",
            "nature": "fact",
            "social_media_url": "https://social.example.test/p/1",
            "social_media_platform": "ExampleNet",
            **parts("4", "2", "2026", "captured_on"),
        },
    )
    item = Evidence.objects.get(subject=subject)
    edit_url = f"/subjects/{subject.uuid}/evidence/{item.uuid}/edit/"
    typed = submitted_fields(client.get(edit_url))
    assert [typed[f"captured_on_{part}"] for part in ("day", "month", "year")] == ["4", "2", "2026"]
    response = client.post(edit_url, {**typed, "reason": "Saved without changes"})
    assert response.status_code == 302, page_text(response)
    item.refresh_from_db()
    assert (item.information_date, item.captured_on) == (date(2026, 2, 3), date(2026, 2, 4))


def test_a_refused_date_keeps_what_was_typed_and_is_announced(client, officer, make_subject):
    subject = make_subject("draft")
    client.force_login(officer)
    typed = submitted_fields(client.get(f"/subjects/{subject.uuid}/edit/"))
    response = client.post(
        f"/subjects/{subject.uuid}/edit/",
        {
            **typed,
            **parts("31", "2", "2004"),
            "reason": "Corrected the date of birth",
        },
    )
    page = page_text(response)
    assert response.status_code == 200
    assert "<title>Error: " in page
    assert '<a href="#id_date_of_birth_0">Date of birth must be a real date</a>' in page
    assert 'aria-describedby="id_date_of_birth_error"' in page
    assert 'id="id_date_of_birth_error"' in page
    for box, value in (("0", "31"), ("1", "2"), ("2", "2004")):
        assert (
            f'id="id_date_of_birth_{box}" name="date_of_birth_{("day", "month", "year")[int(box)]}" type="text" '
            f'inputmode="numeric" value="{value}"' in page
        )


def test_a_link_may_carry_the_whole_date(client, officer, make_subject):
    subject = make_subject("approved")
    client.force_login(officer)
    due = subject.review_due.isoformat()
    page = page_text(client.get("/subjects/", {"review_due_before": due}))
    assert subject.reference in page
    day, month, year = (str(subject.review_due.day), str(subject.review_due.month), str(subject.review_due.year))
    assert f'name="review_due_before_day" type="text" inputmode="numeric" value="{day}"' in page
    assert f'value="{month}"' in page and f'value="{year}"' in page


def test_pages_write_dates_one_way():
    assert formats.date_format(date(2026, 12, 7)) == "7 December 2026"
    assert formats.date_format(date(2026, 12, 7), "SHORT_DATE_FORMAT") == "7 December 2026"
