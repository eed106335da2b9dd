"""What needs someone's attention is said plainly: overdue reviews are warned of, tagged and counted and cannot
be disclosed; supervisors see disclosures awaiting their decision; the DPO sees subject-access deadlines; a draft
with no evidence is "Never scored"; an officer of one borough is not asked to pick it; messages name their field."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit import sar as sar_services
from matrix.models import Subject
from sharing import services as sharing
from tests.factories import make_user
from tests.sharing_factories import AgreementFactory, basis
from tests.ui_helpers import count_queries, page_text

pytestmark = pytest.mark.django_db


def overdue(subject, days=3):
    Subject.objects.filter(pk=subject.pk).update(review_due=timezone.localdate() - timedelta(days=days))
    subject.refresh_from_db()
    return subject


def test_an_overdue_record_is_warned_of_and_offers_no_disclosure(client, officer, make_subject):
    subject = make_subject("approved")
    client.force_login(officer)
    assert "Request a disclosure" in page_text(client.get(f"/subjects/{subject.uuid}/"))
    overdue(subject)
    page = page_text(client.get(f"/subjects/{subject.uuid}/"))
    assert "Review overdue since" in page and "nothing from it can be disclosed" in page
    assert "Request a disclosure" not in page


def test_the_overdue_list_says_how_many_and_tags_each(client, supervisor, make_subject):
    late = [overdue(make_subject("approved", family_name=f"Lateperson{n}")) for n in range(2)]
    make_subject("approved", family_name="Ontimeperson")
    client.force_login(supervisor)
    page = page_text(client.get("/subjects/", {"overdue": "on", "sort": "review"}))
    assert "2 records overdue for review" in page
    assert page.count('class="tag tag-overdue">Overdue') == 2
    dashboard = page_text(client.get("/"))
    assert "Reviews overdue (2)" in dashboard
    assert all(subject.reference in dashboard for subject in late)


def test_the_supervisor_dashboard_lists_disclosures_awaiting_a_decision(client, officer, supervisor, make_subject):
    client.force_login(supervisor)
    assert "No disclosure request is waiting for your decision." in page_text(client.get("/"))
    subject = make_subject("approved")
    pending = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=AgreementFactory(),
        lawful_basis=basis("cda-1998-s115"),
        purpose="Synthetic: safeguarding strategy meeting for a named child",
        fields=["name"],
    )
    page = page_text(client.get("/"))
    assert "Disclosures awaiting my decision (1)" in page
    assert f'href="/disclosures/{pending.uuid}/">{pending.reference}</a>' in page


def test_the_dpo_dashboard_shows_subject_access_deadlines(client):
    dpo = make_user("dpo", username="dpo")
    late = sar_services.open_request(
        acting_user=dpo,
        requester_name="Synthetic Applicant",
        requester_contact="1 Synthetic Street",
        received_on=timezone.localdate() - timedelta(days=40),
    )
    client.force_login(dpo)
    page = page_text(client.get("/"))
    assert "Subject access deadlines (1 overdue, 0 due within 7 days)" in page
    assert late.reference in page and "Past their deadline" in page


def test_a_draft_with_no_evidence_is_never_scored(client, officer, make_subject):
    draft = make_subject("draft", qualifying=False, family_name="Unscoredperson")
    client.force_login(officer)
    row = page_text(client.get("/subjects/")).split(draft.reference)[1].split("</tr>")[0]
    assert "Never scored" in row and "0.00" not in row
    assert "0.00" not in page_text(client.get(f"/subjects/{draft.uuid}/"))


def test_an_officer_of_one_borough_is_not_asked_to_pick_it(client, officer):
    client.force_login(officer)
    page = page_text(client.get("/subjects/new/"))
    assert "Borough: <strong>Hackney</strong>, the only borough you work in." in page
    assert '<select name="borough"' not in page
    two_boroughs = make_user("officer", ["E09000012", "E09000028"], username="officer.two")
    client.force_login(two_boroughs)
    assert '<select name="borough"' in page_text(client.get("/subjects/new/"))


def test_messages_say_what_to_do_about_which_field(client, officer):
    client.force_login(officer)
    page = page_text(client.post("/subjects/new/", {"aliases": ""}))
    assert "This field is required" not in page
    for message in ("Select classification", "Enter family name", "Enter date of birth", "Select gender"):
        assert message in page, message


def test_the_harm_rule_scores_nobody_without_evidence():
    from types import SimpleNamespace

    from matrix import rules

    method = SimpleNamespace(version=1, amber_threshold=10, red_threshold=20)
    harm = rules.assess_harm("suspected", [], method, {}, timezone.localdate())
    assert harm.applicable and harm.score is None and harm.band == "" and not harm.zero_flag


def test_no_list_offers_dashes(client, officer, make_subject):
    subject = make_subject("draft")
    client.force_login(officer)
    for url in ("/subjects/new/", f"/subjects/{subject.uuid}/edit/", f"/subjects/{subject.uuid}/evidence/new/"):
        page = page_text(client.get(url))
        assert "---------" not in page, url
    assert '<option value="" selected>Choose gender</option>' in page_text(client.get("/subjects/new/"))


def test_counted_panels_cost_the_same_however_many_rows(client, supervisor, make_subject):
    client.force_login(supervisor)
    for n in range(2):
        overdue(make_subject("approved", family_name=f"Lateperson{n}"))
    few = count_queries(lambda: client.get("/"))
    for n in range(2, 23):  # more than the panel shows (PANEL_SIZE)
        overdue(make_subject("approved", family_name=f"Lateperson{n}"))
    assert count_queries(lambda: client.get("/")) == few
    assert "Reviews overdue (23)" in page_text(client.get("/"))
