"""The auditor's screens and API (docs/access-log.md, Auditor screens; issue 5, items 4 and 6): who may read
the access log, what each screen shows and filters, that reading and exporting the log is itself logged, and
that pages cost the same number of queries however many rows they show."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import hooks
from audit.log import justification_as_read, record
from audit.models import AccessEvent, Action, Outcome
from matrix import services, workflow
from matrix.models import Borough
from matrix.retention import erase_subject, system_user
from sharing import services as sharing
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import SubjectFactory, make_user
from tests.sharing_factories import AgreementFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(db):
    return SubjectFactory(reference="GM-2026-100001")


def page_urls(subject, username="auditor"):
    """Every auditor screen; the user page is the visitor's own (even that is refused to other roles)."""
    return [
        "/audit/events/",
        "/audit/events/?action=consult",
        "/audit/events/export.csv",
        f"/audit/subjects/{subject.uuid}/",
        f"/audit/users/{username}/",
        "/audit/unusual/",
    ]


API_URLS = ["/api/audit/events/", "/api/audit/verify/"]


def newest(**filters) -> AccessEvent:
    return AccessEvent.objects.filter(**filters).order_by("-sequence").first()


def shown(response) -> list[int]:
    return [event.sequence for event in response.context["events"]]


# --- Who may read the log ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "outsider"])
def test_other_roles_get_403_on_every_screen_and_the_attempt_is_logged(request, client, role, subject):
    user = request.getfixturevalue(role)
    client.force_login(user)
    for url in page_urls(subject, user.username):
        response = client.get(url)
        assert response.status_code == 403, url
        denial = newest(action=Action.DENIED)
        assert denial.actor_username == user.username, url
        assert denial.outcome == Outcome.REFUSED
        assert url.split("?")[0] in denial.detail
    response = client.post("/audit/events/export.csv", {"justification": "Trying to take the log home"})
    assert response.status_code == 403
    assert newest(action=Action.DENIED).actor_username == user.username
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "outsider"])
def test_other_roles_get_403_on_every_api_endpoint_and_the_attempt_is_logged(request, api_as, role):
    user = request.getfixturevalue(role)
    client = api_as(user)
    for url in API_URLS:
        before = AccessEvent.objects.filter(action=Action.DENIED, actor_username=user.username).count()
        response = client.get(url)
        assert response.status_code == 403, url
        assert AccessEvent.objects.filter(action=Action.DENIED, actor_username=user.username).count() == before + 1
        assert "API refused" in newest(action=Action.DENIED).detail
    assert not AccessEvent.objects.filter(action=Action.SEARCH, actor_username=user.username).exists()


def test_a_superuser_without_the_role_is_refused(client, subject):
    admin = make_user(None, username="sysadmin", is_superuser=True, is_staff=True)
    client.force_login(admin)
    for url in page_urls(subject, "sysadmin"):
        assert client.get(url).status_code == 403, url


def test_anonymous_visitors_are_sent_to_sign_in(client, api_client, subject):
    for url in page_urls(subject):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/sign-in/?next=")
    for url in API_URLS:
        assert api_client.get(url).status_code in (401, 403), url


@pytest.mark.parametrize("role", ["auditor", "dpo"])
def test_auditor_and_dpo_can_open_every_screen_and_endpoint(request, client, api_as, role, subject):
    user = request.getfixturevalue(role)
    record(Action.CONSULT, actor=user, subject=subject)
    client.force_login(user)
    for url in page_urls(subject, user.username):
        assert client.get(url).status_code == 200, url
    for url in API_URLS:
        assert api_as(user).get(url).status_code == 200, url


def test_menu_and_subject_page_link_to_the_log_only_for_its_readers(client, auditor, officer, subject):
    client.force_login(auditor)
    menu = {item["label"]: item["url"] for item in client.get("/").context["main_menu"]}
    assert menu["Access log"] == "/audit/events/"
    page = client.get(f"/subjects/{subject.uuid}/").content.decode()
    assert f'href="/audit/subjects/{subject.uuid}/">Audit timeline</a>' in page
    client.force_login(officer)
    assert "Access log" not in [item["label"] for item in client.get("/").context["main_menu"]]
    assert "Audit timeline" not in client.get(f"/subjects/{subject.uuid}/").content.decode()


# --- Searching the log ---------------------------------------------------------------------------------------


@pytest.fixture
def logged(officer, outsider, subject):
    """A few entries: a view, a refused view, a view in another borough, a failed sign-in under a real name."""
    southwark = SubjectFactory(reference="GM-2026-100002", borough=Borough.objects.get(code=SOUTHWARK))
    return {
        "view": record(Action.CONSULT, actor=officer, subject=subject, detail="Subject record viewed"),
        "refused": record(Action.DENIED, actor=outsider, subject=subject, outcome=Outcome.REFUSED, detail="Outside"),
        "southwark": record(Action.CONSULT, actor=outsider, subject=southwark),
        "failed": record(Action.LOGIN_FAILED, username="officer.hackney", outcome=Outcome.REFUSED),
        "disclosed": record(
            Action.DISCLOSE,
            actor=officer,
            subject=subject,
            recipient="Synthetic Council",
            justification="CDA 1998 s.115: joint plan",
            detail="Disclosed name",
        ),
    }


@pytest.mark.parametrize(
    "query, expected",
    [
        ("actor=officer.hackney", {"view", "failed", "disclosed"}),
        ("subject=gm-2026-100001", {"view", "refused", "disclosed"}),
        ("action=denied", {"refused"}),
        (f"borough={SOUTHWARK}", {"southwark"}),
        ("outcome=refused", {"refused", "failed"}),
        ("actor=officer.hackney&action=consult", {"view"}),
    ],
)
def test_each_filter_narrows_the_log(client, auditor, logged, query, expected):
    client.force_login(auditor)
    response = client.get(f"/audit/events/?{query}")
    assert response.status_code == 200
    ours = {name for name, event in logged.items() if event.sequence in shown(response)}
    assert ours == expected


def test_date_range_filter_uses_local_days(client, auditor, officer, subject):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        old = record(Action.CONSULT, actor=officer, subject=subject)
    recent = record(Action.CONSULT, actor=officer, subject=subject)
    client.force_login(auditor)
    today, ten_days_ago = timezone.localdate(), timezone.localdate(old.occurred_at)
    assert shown(client.get(f"/audit/events/?date_to={today - timedelta(days=5)}")) == [old.sequence]
    in_range = shown(client.get(f"/audit/events/?date_from={today}"))
    assert recent.sequence in in_range and old.sequence not in in_range
    one_day = shown(client.get(f"/audit/events/?date_from={ten_days_ago}&date_to={ten_days_ago}"))
    assert one_day == [old.sequence]


def test_rows_show_every_column(client, auditor, logged):
    client.force_login(auditor)
    response = client.get("/audit/events/?action=disclose")
    page = response.content.decode()
    event = logged["disclosed"]
    for text in (
        "officer.hackney",
        "Disclosure",
        "GM-2026-100001",
        "CDA 1998 s.115: joint plan",
        "Synthetic Council",
        "Succeeded",
        "Disclosed name",
        "E09000012",
    ):
        assert text in page, text
    assert 'href="/audit/users/officer.hackney/"' in page
    assert f'href="/audit/subjects/{event.subject_uuid}/"' in page


def test_what_was_logged_is_shown_as_text_never_as_markup(client, auditor):
    hostile = '<script>alert("x")</script><a href="javascript:1">'
    record(
        Action.LOGIN_FAILED,
        username=f"{hostile}@example",
        outcome=Outcome.REFUSED,
        detail=hostile,
        justification=hostile,
        recipient=hostile,
    )
    client.force_login(auditor)
    page = client.get("/audit/events/?action=login_failed").content.decode()
    assert "<script>" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'class="refused"' in page


def test_request_id_is_shown(client, auditor, officer, subject):
    client.force_login(officer)
    client.get(f"/subjects/{subject.uuid}/")
    view = newest(action=Action.CONSULT, actor_username="officer.hackney")
    assert view.request_id
    client.force_login(auditor)
    assert str(view.request_id) in client.get("/audit/events/?actor=officer.hackney").content.decode()


def test_invalid_filters_are_reported_and_ignored(client, auditor, logged):
    client.force_login(auditor)
    response = client.get("/audit/events/?subject=Smith&date_from=2026-05-02&date_to=2026-05-01")
    page = response.content.decode()
    assert "Enter a subject reference like GM-2026-000123." in page
    assert "The end date must be the same as or after the start date." in page
    assert {event.sequence for event in logged.values()} <= set(shown(response))


def test_searching_is_logged_without_personal_data(client, auditor, logged, subject):
    client.force_login(auditor)
    client.get(f"/audit/events/?subject={subject.reference}&action=denied&actor=Jane Synthetic-Person")
    search = newest(action=Action.SEARCH)
    assert search.actor_username == "auditor"
    assert search.detail.startswith("Access log searched: actor=(a name matching no account), subject=GM-2026-100001")
    assert "action=denied" in search.detail and "row(s) shown" in search.detail
    assert "Jane" not in search.detail and subject.family_name not in search.detail
    # A search for one subject is part of that subject's story.
    assert search.subject_uuid == subject.uuid


def test_keyset_pages_walk_the_whole_log_newest_first(client, auditor, officer, subject):
    for _ in range(60):
        record(Action.CONSULT, actor=officer, subject=subject)
    client.force_login(auditor)
    first = client.get("/audit/events/?action=consult")
    assert len(shown(first)) == 50 and shown(first) == sorted(shown(first), reverse=True)
    assert first.context["next_query"] == f"action=consult&before={shown(first)[-1]}"
    second = client.get(f"/audit/events/?{first.context['next_query']}")
    assert len(shown(second)) == 10 and max(shown(second)) < min(shown(first))
    assert second.context["next_query"] is None
    assert shown(client.get("/audit/events/?action=consult&before=not-a-number")) == shown(first)


# --- CSV export ----------------------------------------------------------------------------------------------


def test_export_form_asks_for_a_justification(client, auditor, logged):
    client.force_login(auditor)
    response = client.get("/audit/events/export.csv?action=consult")
    assert response.status_code == 200
    assert "Why are you exporting these entries?" in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()


@pytest.mark.parametrize("justification", ["", "too short"])
def test_export_without_a_justification_is_refused(client, auditor, logged, justification):
    client.force_login(auditor)
    response = client.post("/audit/events/export.csv?action=consult", {"justification": justification})
    assert response.status_code == 400
    assert "Give the reason for this export" in response.content.decode()
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_with_unreadable_filters_is_refused(client, auditor, logged):
    client.force_login(auditor)
    response = client.post("/audit/events/export.csv?subject=Smith", {"justification": "Quarterly compliance check"})
    assert response.status_code == 400
    assert not AccessEvent.objects.filter(action=Action.EXPORT).exists()


def test_export_streams_the_filtered_log_and_is_logged_with_its_justification(client, auditor, logged):
    client.force_login(auditor)
    response = client.post(
        "/audit/events/export.csv?actor=officer.hackney", {"justification": "Quarterly compliance check"}
    )
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="access-log-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = {logged[name].sequence for name in ("view", "failed", "disclosed")}
    assert {int(row["Sequence"]) for row in rows} == expected
    disclosed = next(row for row in rows if int(row["Sequence"]) == logged["disclosed"].sequence)
    assert disclosed["Recipient"] == "Synthetic Council" and disclosed["Subject reference"] == "GM-2026-100001"
    assert "actor_id" not in rows[0] and "Actor" in rows[0]
    export = newest(action=Action.EXPORT)
    assert export.actor_username == "auditor"
    assert export.justification == "Quarterly compliance check"
    assert export.detail == "Access log exported as CSV: actor=officer.hackney"


def test_export_defuses_spreadsheet_formulas(client, auditor, officer, subject):
    record(Action.CONSULT, actor=officer, subject=subject, justification='=HYPERLINK("http://example.test")')
    client.force_login(auditor)
    response = client.post("/audit/events/export.csv?action=consult", {"justification": "Checking formula handling"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0]["Justification"].startswith("'=HYPERLINK")


# --- One subject's timeline ----------------------------------------------------------------------------------


@pytest.fixture
def story(make_subject, officer, supervisor):
    """Approved by a supervisor, corrected by an officer, viewed by the supervisor, disclosed to a partner."""
    subject = make_subject("approved")
    subject = services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"given_names": "Alfie"},
        reason="Corrected the spelling of the given name",
    )
    hooks.consulted(supervisor, subject)
    agreement = AgreementFactory(partner__name="Synthetic Youth Offending Team")
    disclosure = sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose="Synthetic: joint diversion plan agreed at the panel",
        fields=["name", "classification"],
    )
    sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
    return subject


def timeline_text(client, subject) -> str:
    response = client.get(f"/audit/subjects/{subject.uuid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_timeline_shows_field_diffs_views_and_disclosures_in_time_order(client, auditor, story):
    client.force_login(auditor)
    page = timeline_text(client, story)
    assert "Given names: from Alpha to Alfie" in page
    assert "Corrected the spelling of the given name" in page
    assert "Viewed" in page and 'href="/audit/users/supervisor.hackney/"' in page
    assert "requested</strong>" in page and "approved</strong>" in page
    assert "Synthetic Youth Offending Team" in page
    kinds = [entry.kind for entry in client.get(f"/audit/subjects/{story.uuid}/").context["timeline"].entries]
    assert (
        kinds.index("Record changed")
        < kinds.index("Viewed")
        < next(i for i, kind in enumerate(kinds) if kind.endswith("approved"))
    )
    whens = [entry.when for entry in client.get(f"/audit/subjects/{story.uuid}/").context["timeline"].entries]
    assert whens == sorted(whens)


def test_timeline_names_the_recipient_and_basis_of_each_disclosure(client, auditor, story):
    client.force_login(auditor)
    entries = client.get(f"/audit/subjects/{story.uuid}/").context["timeline"].entries
    approved = next(entry for entry in entries if entry.kind.endswith("approved"))
    assert approved.who == "supervisor.hackney"
    assert approved.recipient == "Synthetic Youth Offending Team"
    assert "s.115" in approved.summary and "Name" in approved.summary
    requested = next(entry for entry in entries if entry.kind.endswith("requested"))
    assert requested.who == "officer.hackney"
    assert requested.justification == "Synthetic: joint diversion plan agreed at the panel"


def test_timeline_shows_reviews_break_glass_and_refusals(client, auditor, outsider, supervisor, make_subject):
    subject = make_subject("approved")
    workflow.review_subject(
        acting_user=supervisor, subject=subject, outcome="retain", justification="Still meets the criterion on review"
    )
    services.grant_break_glass(
        acting_user=outsider, subject=subject, hours=2, justification="Joint operation with Hackney tonight, urgent"
    )
    hooks.consulted(outsider, subject)
    hooks.denied(make_user("officer", [SOUTHWARK], username="nosy.officer"), subject=subject, detail="Outside")
    client.force_login(auditor)
    entries = client.get(f"/audit/subjects/{subject.uuid}/").context["timeline"].entries
    kinds = {entry.kind: entry for entry in entries}
    assert kinds["Reviewed"].justification == "Still meets the criterion on review"
    assert kinds["Break-glass access granted"].who == "officer.southwark"
    assert kinds["Viewed through break glass"].justification.startswith("Break glass: Joint operation")
    assert kinds["Access refused"].who == "nosy.officer"


def test_opening_a_timeline_is_logged_as_a_consultation(client, auditor, subject):
    client.force_login(auditor)
    timeline_text(client, subject)
    view = newest(action=Action.CONSULT)
    assert view.actor_username == "auditor" and view.subject_uuid == subject.uuid
    assert view.detail == "Audit timeline of the record viewed"


def test_timeline_of_an_erased_subject_shows_the_tombstone_and_the_erasure(client, auditor, supervisor, story):
    removed = workflow.remove_subject(acting_user=supervisor, subject=story, reason="No longer meets the criteria")
    erase_subject(removed, acting_user=system_user())
    client.force_login(auditor)
    page = timeline_text(client, story)
    assert "Personal data erased on" in page
    assert "Personal data erased</strong>" in page
    assert "Testperson" not in page and "Alfie" not in page
    assert "Disclosure" in page and "Recipient notified" in page


def test_timeline_of_an_unknown_subject_is_404_and_logged(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/subjects/00000000-0000-4000-8000-000000000000/")
    assert response.status_code == 404
    assert "no such record" in newest(action=Action.DENIED).detail


# --- One user's activity -------------------------------------------------------------------------------------


def test_user_page_shows_roles_boroughs_and_their_events(client, auditor, officer, subject, logged):
    client.force_login(auditor)
    response = client.get("/audit/users/officer.hackney/")
    page = response.content.decode()
    assert "officer" in response.context["profile"].roles
    assert "Hackney (granted directly)" in page
    assert set(shown(response)) >= {logged["view"].sequence, logged["failed"].sequence}
    assert logged["southwark"].sequence not in shown(response)
    search = newest(action=Action.SEARCH)
    assert search.detail.startswith("Access log: activity of officer.hackney viewed")


def test_user_page_shows_group_boroughs_partner_agency_and_break_glass(client, auditor, outsider, subject):
    make_partner_user(AgreementFactory().partner, username="partner.someone")
    services.grant_break_glass(
        acting_user=outsider, subject=subject, hours=2, justification="Joint operation with Hackney tonight, urgent"
    )
    client.force_login(auditor)
    assert "Synthetic Borough Council" in client.get("/audit/users/partner.someone/").content.decode()
    page = client.get("/audit/users/officer.southwark/").content.decode()
    assert "Southwark (granted directly)" in page and subject.reference in page


def test_user_page_for_a_name_with_only_failed_sign_ins(client, auditor):
    record(Action.LOGIN_FAILED, username="who.is.this", outcome=Outcome.REFUSED)
    client.force_login(auditor)
    response = client.get("/audit/users/who.is.this/")
    assert response.status_code == 200
    assert "No account has this name" in response.content.decode()
    assert "who.is.this" not in newest(action=Action.SEARCH).detail
    assert client.get("/audit/users/nobody.at.all/").status_code == 404


def test_user_page_pages_older_entries(client, auditor, officer, subject):
    for _ in range(55):
        record(Action.CONSULT, actor=officer, subject=subject)
    client.force_login(auditor)
    first = client.get("/audit/users/officer.hackney/")
    second = client.get(f"/audit/users/officer.hackney/?{first.context['next_query']}")
    assert len(shown(first)) == 50 and len(shown(second)) == 5


# --- Unusual activity ----------------------------------------------------------------------------------------


def test_unusual_activity_names_heavy_viewers_break_glass_and_refusals(
    client, settings, auditor, officer, outsider, subject
):
    settings.GOVMATRIX_UNUSUAL_VIEWS_PER_HOUR = 3
    moment = timezone.localtime().replace(minute=10, second=0, microsecond=0) - timedelta(hours=2)
    subjects = [SubjectFactory() for _ in range(4)]
    with time_machine.travel(moment, tick=False):
        for viewed in subjects:  # N + 1 distinct subjects in one hour, one of them twice
            record(Action.CONSULT, actor=officer, subject=viewed)
        record(Action.CONSULT, actor=officer, subject=subjects[0])
        for viewed in subjects[:3]:  # exactly N: not unusual
            record(Action.CONSULT, actor=outsider, subject=viewed)
    with time_machine.travel(moment - timedelta(days=8), tick=False):  # outside the last 7 days
        for viewed in subjects:
            record(Action.CONSULT, actor=outsider, subject=viewed)
    services.grant_break_glass(
        acting_user=outsider, subject=subject, hours=2, justification="Joint operation with Hackney tonight, urgent"
    )
    hooks.consulted(outsider, subject)
    hooks.denied(outsider, subject=subjects[0], detail="Subject page requested outside the user's access")
    client.force_login(auditor)
    response = client.get("/audit/unusual/")
    activity = response.context["activity"]
    assert [(row["actor_username"], row["subjects"], row["views"]) for row in activity.heavy_viewers] == [
        ("officer.hackney", 4, 5)
    ]
    assert [(row["actor_username"], row["grants"], row["views"]) for row in activity.break_glass] == [
        ("officer.southwark", 1, 1)
    ]
    assert [justification_as_read(event) for event in activity.grants] == [
        "Joint operation with Hackney tonight, urgent"
    ]
    denied = {row["actor_username"]: row for row in activity.denied}
    assert denied["officer.southwark"]["attempts"] == 1 and denied["officer.southwark"]["on_records"] == 1
    page = response.content.decode()
    assert 'href="/audit/users/officer.hackney/"' in page and 'href="/audit/users/officer.southwark/"' in page
    assert newest(action=Action.SEARCH).detail == "Access log: unusual activity of the last 7 days viewed"


def test_unusual_views_threshold_is_a_setting():
    from django.conf import settings

    assert settings.GOVMATRIX_UNUSUAL_VIEWS_PER_HOUR == 50


# --- API -----------------------------------------------------------------------------------------------------


def test_api_filters_like_the_page_and_pages_by_cursor(api_as, auditor, logged, officer, subject):
    for _ in range(5):
        record(Action.CONSULT, actor=officer, subject=subject)
    client = api_as(auditor)
    response = client.get("/api/audit/events/", {"actor": "officer.hackney", "action": "consult", "page_size": 4})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 4 and body["next"]
    assert all(row["actor_username"] == "officer.hackney" and row["action"] == "consult" for row in body["results"])
    assert "actor_id" not in body["results"][0]
    following = client.get(body["next"]).json()
    assert len(following["results"]) == 2
    sequences = [row["sequence"] for row in body["results"] + following["results"]]
    assert sequences == sorted(sequences, reverse=True) and len(set(sequences)) == 6
    refused = client.get("/api/audit/events/", {"outcome": "refused", "subject": "GM-2026-100001"}).json()["results"]
    assert [row["sequence"] for row in refused] == [logged["refused"].sequence]


def test_api_search_is_logged(api_as, auditor, logged):
    api_as(auditor).get("/api/audit/events/", {"borough": SOUTHWARK})
    search = newest(action=Action.SEARCH)
    assert search.actor_username == "auditor"
    assert search.detail.startswith(f"API access log search: borough={SOUTHWARK}")


def test_api_rejects_invalid_filters(api_as, auditor):
    response = api_as(auditor).get("/api/audit/events/", {"action": "steal", "date_from": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()) >= {"action", "date_from"}


def test_api_verify_reports_an_intact_chain(api_as, dpo, logged):
    response = api_as(dpo).get("/api/audit/verify/")
    assert response.status_code == 200
    body = response.json()
    assert body["intact"] is True and body["last_full_check"] is None
    assert body["this_check"] == {**body["this_check"], "intact": True, "broken_sequence": None, "problem": ""}
    assert body["this_check"]["checked"] >= len(logged)
    assert newest(action=Action.SEARCH).detail.startswith("Access log chain checked through the API")


def test_api_is_read_only(api_as, auditor):
    assert api_as(auditor).post("/api/audit/events/", {}).status_code in (403, 405)
    assert api_as(auditor).delete("/api/audit/verify/").status_code in (403, 405)


# --- Query counts do not grow with rows ----------------------------------------------------------------------


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_events_list_query_count_does_not_grow(client, auditor, officer, outsider, subject):
    client.force_login(auditor)
    record(Action.CONSULT, actor=officer, subject=subject)
    few = count_queries(client, "/audit/events/?action=consult")
    for index in range(30):
        record(Action.CONSULT, actor=officer if index % 2 else outsider, subject=SubjectFactory())
    assert count_queries(client, "/audit/events/?action=consult") == few


def test_timeline_query_count_does_not_grow(client, auditor, officer, supervisor, make_subject):
    agreement = AgreementFactory()

    def disclose(subject):
        disclosure = sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: joint diversion plan agreed at the panel",
            fields=["name"],
        )
        sharing.approve_disclosure(acting_user=supervisor, disclosure=disclosure)

    quiet, busy = make_subject("approved", family_name="Quiet"), make_subject("approved", family_name="Busy")
    disclose(quiet)
    hooks.consulted(officer, quiet)
    for index in range(3):
        disclose(busy)
        busy = services.update_subject(
            acting_user=officer,
            subject=busy,
            expected_version=busy.version,
            changes={"aliases": f"Alias {index}"},
            reason="Alias added",
        )
    for viewer in [officer, supervisor, make_user("officer", [HACKNEY])] * 5:
        hooks.consulted(viewer, busy)
    client.force_login(auditor)
    assert count_queries(client, f"/audit/subjects/{busy.uuid}/") == count_queries(
        client, f"/audit/subjects/{quiet.uuid}/"
    )


def test_user_page_query_count_does_not_grow(client, auditor, subject):
    quiet, busy = make_user("officer", [HACKNEY], username="quiet"), make_user("officer", [HACKNEY], username="busy")
    record(Action.CONSULT, actor=quiet, subject=subject)
    for _ in range(40):
        record(Action.CONSULT, actor=busy, subject=SubjectFactory())
    client.force_login(auditor)
    assert count_queries(client, "/audit/users/busy/") == count_queries(client, "/audit/users/quiet/")
