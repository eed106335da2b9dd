"""The People pages end to end: joiner, mover and leaver journeys through the browser, the refusals, and
what the administrator role can and cannot reach."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AccessEvent
from matrix.models import Borough, BoroughUserGrant
from tests.accounts.test_accounts_services import NewEntries
from tests.conftest import HACKNEY, SESSION_QUERIES, SOUTHWARK
from tests.factories import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
REASON = "Synthetic: HR ticket SYN-42"
NEW_PASSWORD = "a-long-synthetic-passphrase-2026"


@pytest.fixture
def administrator(db):
    return make_user("administrator", username="admin.people")


@pytest.fixture
def admin_client(administrator):
    client = Client()
    client.force_login(administrator)
    return client


def changes(entries):
    """The entries that record a change (pages also log the sign-ins and searches around them)."""
    return [entry for entry in entries.all() if entry.action in ("collect", "alter")]


def refused(client, account, response):
    """A refused step redirects to the person's page (post/redirect/get), which shows it: that page."""
    assert response.status_code == 302
    assert response["Location"] == reverse("person-detail", args=[account.pk]) + "#error-summary"
    return client.get(reverse("person-detail", args=[account.pk]))


def act(client, account, action, **data):
    return client.post(reverse(f"person-{action}", args=[account.pk]), {"reason": REASON, **data})


class TestJoiner:
    def test_created_with_a_role_and_borough_then_signs_in_through_the_set_up_link(
        self, admin_client, administrator, make_subject
    ):
        subject = make_subject("approved")
        entries = NewEntries()
        hackney = Borough.objects.get(code=HACKNEY)
        response = admin_client.post(
            reverse("person-create"),
            {
                "username": "joiner.one",
                "email": "joiner.one@example.test",
                "role": "officer",
                "boroughs": [hackney.pk],
                "reason": REASON,
            },
        )
        joiner = User.objects.get(username="joiner.one")
        assert response.status_code == 302 and response["Location"] == reverse("person-detail", args=[joiner.pk])
        [created] = changes(entries)
        assert (created.action, created.actor_username) == ("collect", "admin.people")

        page = admin_client.get(response["Location"]).content.decode()
        assert "Set-up link for joiner.one" in page
        link = page.split('<p class="identifier">')[1].split("</p>")[0].removeprefix("http://testserver")
        assert "Set-up link" not in admin_client.get(response["Location"]).content.decode()  # shown once

        joiner_browser = Client()
        form_page = joiner_browser.get(link, follow=True)
        assert form_page.status_code == 200 and form_page.context["validlink"]
        done = joiner_browser.post(
            form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
        )
        assert done.status_code == 302 and done["Location"] == reverse("login")
        signed_in = joiner_browser.post(reverse("login"), {"username": "joiner.one", "password": NEW_PASSWORD})
        assert signed_in.status_code == 302
        assert joiner_browser.get(reverse("subject-detail", args=[subject.uuid])).status_code == 200
        assert Client().get(link, follow=True).context["validlink"] is False  # the link worked once

        set_password = AccessEvent.objects.get(detail="Password chosen through the set-up link by joiner.one")
        assert set_password.actor_id == joiner.pk
        assert [version.history_type for version in joiner.history.order_by("history_id")] == ["+", "~"]

    def test_malformed_input_is_a_field_error_and_creates_nobody(self, admin_client):
        before = (User.objects.count(), AccessEvent.objects.filter(action="collect").count())
        response = admin_client.post(
            reverse("person-create"),
            {
                "username": "joiner.two",
                "email": "not-an-email",
                "role": "auditor",
                "boroughs": [Borough.objects.get(code=HACKNEY).pk],
                "reason": REASON,
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["email"]
        assert 'href="#id_email"' in response.content.decode()  # the error summary links to the field
        assert (User.objects.count(), AccessEvent.objects.filter(action="collect").count()) == before

    def test_a_rule_the_service_applies_is_shown_on_its_field(self, admin_client):
        response = admin_client.post(
            reverse("person-create"),
            {
                "username": "joiner.three",
                "email": "joiner.three@example.test",
                "role": "auditor",
                "boroughs": [Borough.objects.get(code=HACKNEY).pk],
                "reason": REASON,
            },
        )
        assert response.status_code == 200
        assert "Only officers and supervisors work in boroughs" in response.context["form"].errors["boroughs"][0]
        assert 'href="#id_boroughs_0"' in response.content.decode()
        assert not User.objects.filter(username="joiner.three").exists()


class TestMover:
    def test_a_withdrawn_borough_is_out_of_sight_at_once(self, admin_client, make_subject):
        subject = make_subject("approved")
        mover = make_user("officer", [HACKNEY, SOUTHWARK], username="officer.mover")
        mover_browser = Client()
        mover_browser.force_login(mover)
        assert mover_browser.get(reverse("subject-detail", args=[subject.uuid])).status_code == 200
        entries = NewEntries()
        response = act(admin_client, mover, "borough-withdraw", borough=Borough.objects.get(code=HACKNEY).pk)
        assert response.status_code == 302
        [withdrawn] = changes(entries)
        assert (withdrawn.actor_username, withdrawn.detail) == (
            "admin.people",
            "Withdrew borough Hackney (E09000012) from officer.mover",
        )
        assert mover_browser.get(reverse("subject-detail", args=[subject.uuid])).status_code == 404
        assert BoroughUserGrant.history.filter(user_id=mover.pk, history_type="-").get().history_change_reason == REASON

    def test_a_refused_change_is_shown_on_its_field_even_if_its_form_is_not_offered(self, admin_client):
        partner_user = make_user("partner", username="partner.mover")
        response = refused(
            admin_client,
            partner_user,
            act(admin_client, partner_user, "borough-grant", borough=Borough.objects.get(code=HACKNEY).pk),
        )
        assert "<title>Error: " in response.content.decode()
        assert "Only officers and supervisors" in response.context["failed_form"].errors["borough"][0]
        page = response.content.decode()
        assert 'href="#borough-grant-borough"' in page and 'id="borough-grant-borough"' in page
        assert not BoroughUserGrant.objects.filter(user=partner_user).exists()

    def test_a_change_of_role_through_the_page(self, admin_client):
        mover = make_user("auditor", username="auditor.mover")
        entries = NewEntries()
        assert act(admin_client, mover, "role", role="supervisor").status_code == 302
        assert [entry.detail for entry in changes(entries)] == [
            "Changed role of auditor.mover from auditor to supervisor"
        ]
        assert mover.history.latest().history_change_reason == REASON

    @pytest.mark.parametrize(
        "action, data, field",
        [
            ("role", {"role": "superhero"}, "role"),
            ("borough-grant", {"borough": "999999"}, "borough"),
            ("borough-grant", {"borough": "1", "reason": ""}, "reason"),
            ("borough-withdraw", {"borough": "not-a-number"}, "borough"),
        ],
    )
    def test_malformed_changes_are_field_errors_and_change_nothing(self, admin_client, action, data, field):
        mover = make_user("officer", [HACKNEY], username="officer.mover")
        before = (AccessEvent.objects.count(), BoroughUserGrant.history.count(), mover.history.count())
        response = act(admin_client, mover, action, **data)
        assert (AccessEvent.objects.count(), BoroughUserGrant.history.count(), mover.history.count()) == before
        assert refused(admin_client, mover, response).context["failed_form"].errors[field]


class TestLeaver:
    def test_deactivation_ends_their_session_and_their_api_token(self, admin_client):
        leaver = make_user("officer", [HACKNEY], username="officer.leaver")
        browser = Client()
        browser.force_login(leaver)
        assert browser.get(reverse("home")).status_code == 200
        token = Token.objects.create(user=leaver)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        assert api.get("/api/subjects/").status_code == 200
        entries = NewEntries()

        assert act(admin_client, leaver, "deactivate").status_code == 302

        [deactivated] = changes(entries)
        assert (deactivated.actor_username, deactivated.detail) == (
            "admin.people",
            "Deactivated officer.leaver: 1 session(s) ended, API token revoked",
        )
        response = browser.get(reverse("home"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        assert api.get("/api/subjects/").status_code == 401
        assert not Session.objects.filter(session_key=browser.session.session_key).exists()
        leaver.refresh_from_db()
        assert not leaver.is_active and leaver.history.latest().history_change_reason == REASON

    def test_resets_through_the_page(self, admin_client):
        from django_otp.plugins.otp_totp.models import TOTPDevice

        person = make_user("officer", [HACKNEY], username="officer.phone")
        TOTPDevice.objects.create(user=person, name="Synthetic app", confirmed=True)
        Client().post(reverse("login"), {"username": person.username, "password": "wrong-password-for-test"})
        page = admin_client.get(reverse("person-detail", args=[person.pk])).content.decode()
        assert "Reset their lockout" in page and "Reset their second factor" in page
        entries = NewEntries()
        assert act(admin_client, person, "lockout-reset").status_code == 302
        assert act(admin_client, person, "second-factor-reset").status_code == 302
        assert [entry.detail.split(":")[0] for entry in changes(entries)] == [
            "Sign-in lockout reset for officer.phone",
            "Second factor reset for officer.phone",
        ]


class TestRefusals:
    @pytest.mark.parametrize("role", ["officer", "supervisor", "partner", "auditor"])
    def test_other_roles_are_refused_every_page(self, role):
        target = make_user("officer", [HACKNEY], username="officer.target")
        client = Client()
        client.force_login(make_user(role, username=f"someone.{role}"))
        before = (AccessEvent.objects.filter(action__in=["collect", "alter"]).count(), target.history.count())
        assert client.get(reverse("people-list")).status_code == 403
        assert client.get(reverse("person-create")).status_code == 403
        assert client.get(reverse("person-detail", args=[target.pk])).status_code == 403
        assert act(client, target, "deactivate").status_code == 403
        target.refresh_from_db()
        assert target.is_active
        assert (AccessEvent.objects.filter(action__in=["collect", "alter"]).count(), target.history.count()) == before

    def test_nobody_changes_their_own_account(self, admin_client, administrator):
        page = admin_client.get(reverse("person-detail", args=[administrator.pk])).content.decode()
        assert "This is your own account" in page and "Deactivate a leaver" not in page
        assert act(admin_client, administrator, "deactivate").status_code == 403
        assert act(admin_client, administrator, "role", role="dpo").status_code == 403
        administrator.refresh_from_db()
        assert administrator.is_active and administrator.groups.get().name == "administrator"

    @pytest.mark.parametrize(
        "url_name", ["subject-list", "disclosure-register", "audit-events", "sar-list", "assessment-register"]
    )
    def test_the_administrator_reaches_no_personal_data(self, admin_client, url_name):
        assert admin_client.get(reverse(url_name)).status_code == 403

    def test_nor_through_the_api(self, administrator):
        api = APIClient()
        api.force_authenticate(administrator)
        assert api.get("/api/subjects/").status_code == 403


class TestPages:
    def test_the_list_says_whose_data_it_shows_and_the_menu_leads_to_it(self, admin_client):
        page = admin_client.get(reverse("people-list")).content.decode()
        assert "You are seeing data for staff accounts" in page
        assert f'href="{reverse("people-list")}" aria-current="page">Users<' in page
        # Only the service's own script file, never an inline one (the CSP forbids inline scripts and styles).
        assert re.findall(r"<script[^>]*>", page) == ['<script src="/static/js/govmatrix.js" defer>']
        assert "style=" not in page

    def test_the_dashboard_sends_an_administrator_to_the_users(self, admin_client):
        page = admin_client.get(reverse("home")).content.decode()
        assert "Your role is user administration" in page and "Partner agencies" not in page

    def test_the_list_costs_the_same_for_few_and_many_users(self, admin_client, django_assert_max_num_queries):
        for n in range(3):
            make_user("officer", [HACKNEY], username=f"officer.few{n}")
        # Session, user, permissions and menu; the page count; then the users with their roles and boroughs.
        with django_assert_max_num_queries(SESSION_QUERIES + 7) as few:
            assert admin_client.get(reverse("people-list")).status_code == 200
        for n in range(40):
            make_user("supervisor", [HACKNEY, SOUTHWARK], username=f"supervisor.many{n}")
        with django_assert_max_num_queries(len(few.captured_queries)):
            assert admin_client.get(reverse("people-list")).status_code == 200


def offered_roles(form):
    return [value for value, _label in form.fields["role"].widget.choices]


class TestPrivilegedRolesOnThePages:
    def test_an_administrator_is_offered_the_first_dpo_and_nothing_else_privileged(self, admin_client):
        form = admin_client.get(reverse("person-create")).context["form"]
        assert offered_roles(form) == ["officer", "supervisor", "partner", "auditor", "dpo"]
        make_user("dpo", username="dpo.existing")
        form = admin_client.get(reverse("person-create")).context["form"]
        assert offered_roles(form) == ["officer", "supervisor", "partner", "auditor"]
        assert 'value="administrator"' not in admin_client.get(reverse("person-create")).content.decode()

    def test_the_dpo_is_offered_every_role(self):
        client = Client()
        client.force_login(make_user("dpo", username="dpo.existing"))
        form = client.get(reverse("person-create")).context["form"]
        assert offered_roles(form) == ["officer", "supervisor", "partner", "auditor", "dpo", "administrator"]

    def test_a_privileged_role_posted_anyway_is_refused_on_its_field(self, admin_client):
        before = (User.objects.count(), AccessEvent.objects.filter(action="collect").count())
        response = admin_client.post(
            reverse("person-create"),
            {
                "username": "admin.friend",
                "email": "friend@example.test",
                "role": "administrator",
                "reason": REASON,
            },
        )
        assert response.status_code == 200
        assert "Only the data protection officer" in response.context["form"].errors["role"][0]
        assert 'href="#id_role_0"' in response.content.decode()
        assert (User.objects.count(), AccessEvent.objects.filter(action="collect").count()) == before

    def test_the_role_form_offers_no_privileged_role_and_the_service_refuses_one(self, admin_client):
        mover = make_user("auditor", username="auditor.mover")
        page = admin_client.get(reverse("person-detail", args=[mover.pk]))
        assert offered_roles(page.context["forms"]["role"]) == ["officer", "supervisor", "partner", "auditor"]
        response = refused(admin_client, mover, act(admin_client, mover, "role", role="dpo"))
        assert "Only the data protection officer" in response.context["failed_form"].errors["role"][0]
        assert mover.groups.get().name == "auditor"

    @pytest.mark.parametrize("kind", ["dpo", "administrator", "superuser"])
    def test_an_administrator_cannot_change_a_privileged_or_super_account(self, admin_client, kind):
        if kind == "superuser":
            target = make_user("officer", [HACKNEY], username="root.officer", is_superuser=True, is_staff=True)
            why = "superuser or a system account"
        else:
            target = make_user(kind, username=f"target.{kind}")
            why = "only the data protection officer can change"
        page = admin_client.get(reverse("person-detail", args=[target.pk])).content.decode()
        assert why in page and "Deactivate a leaver" not in page
        before = (AccessEvent.objects.filter(action__in=["collect", "alter"]).count(), target.history.count())
        assert act(admin_client, target, "deactivate").status_code == 403
        assert act(admin_client, target, "role", role="auditor").status_code == 403
        target.refresh_from_db()
        assert target.is_active and target.groups.get().name == ("officer" if kind == "superuser" else kind)
        assert (AccessEvent.objects.filter(action__in=["collect", "alter"]).count(), target.history.count()) == before

    def test_the_dpo_deactivates_an_administrator(self, administrator):
        client = Client()
        client.force_login(make_user("dpo", username="dpo.existing"))
        assert "Deactivate a leaver" in client.get(reverse("person-detail", args=[administrator.pk])).content.decode()
        assert act(client, administrator, "deactivate").status_code == 302
        administrator.refresh_from_db()
        assert not administrator.is_active

    def test_the_first_administrator_creates_the_dpo_then_the_staff(self, admin_client):
        """The order the operator's guide follows: the DPO first, then everyone else."""
        for username, role, boroughs in [
            ("dpo.new", "dpo", []),
            ("officer.new", "officer", [HACKNEY]),
            ("supervisor.new", "supervisor", [HACKNEY]),
            ("auditor.new", "auditor", []),
        ]:
            response = admin_client.post(
                reverse("person-create"),
                {
                    "username": username,
                    "email": f"{username}@example.test",
                    "role": role,
                    "reason": REASON,
                    "boroughs": [Borough.objects.get(code=code).pk for code in boroughs],
                },
            )
            assert response.status_code == 302, response.context["form"].errors
            assert User.objects.get(username=username).groups.get().name == role


class TestTheDpoUsesTheAdminSite:
    def test_a_dpo_created_by_the_service_opens_the_admin_and_the_criteria(self, administrator):
        from accounts import services

        dpo, _ = services.create_user(
            username="dpo.new", email="dpo.new@example.test", role="dpo", acting_user=administrator, reason=REASON
        )
        services.complete_set_up(user=dpo, password=NEW_PASSWORD)
        client = Client()
        assert client.post(reverse("login"), {"username": "dpo.new", "password": NEW_PASSWORD}).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
        assert client.get(reverse("admin:matrix_inclusioncriterion_changelist")).status_code == 200
        assert client.get(reverse("admin:sharing_informationsharingagreement_changelist")).status_code == 200

    def test_an_administrator_created_by_the_service_does_not(self):
        from accounts import services

        user, _ = services.create_user(
            username="admin.new", email="admin.new@example.test", role="administrator", acting_user=None, reason=REASON
        )
        client = Client()
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
