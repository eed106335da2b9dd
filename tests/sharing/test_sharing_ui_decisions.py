"""The supervisor's decision page: field names, a preview of what approval sends, and refused decisions
shown GOV.UK style after a redirect (error summary, the error on its field, "Error: " in the title)."""

import re

import pytest

from sharing import services as sharing
from tests.sharing_factories import AgreementFactory, basis, make_partner_user

pytestmark = pytest.mark.django_db
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"


@pytest.fixture
def subject(make_subject):
    return make_subject("approved")


@pytest.fixture
def agreement():
    return AgreementFactory()


@pytest.fixture
def pending(officer, subject, agreement):
    return sharing.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=agreement,
        lawful_basis=basis("cda-1998-s115"),
        purpose=PURPOSE,
        fields=["date_of_birth", "name", "evidence"],
    )


def title(page: str) -> str:
    return re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()


def squeeze(html: str) -> str:
    return " ".join(html.split())


def between(page: str, start: str, end: str) -> str:
    return page.split(start, 1)[1].split(end, 1)[0]


class TestDecisionPage:
    def test_fields_are_named_as_people_read_them_not_by_code(self, client, supervisor, pending):
        client.force_login(supervisor)
        page = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        fields = between(page, "<dt>Fields</dt>", "</dd>")
        assert "Name, Date of birth, Evidence items with their gradings" in fields
        assert "date_of_birth" not in fields

    def test_preview_is_exactly_what_the_partner_then_receives(self, client, supervisor, pending):
        from django.template.loader import render_to_string

        client.force_login(supervisor)
        page = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        assert f"What {pending.partner.name} will receive if you approve" in page
        preview = between(page, 'id="preview"', "<h2>Decide</h2>")
        assert "Testperson, Alpha" in preview and "Synthetic arrest record" in preview

        client.post(f"/disclosures/{pending.uuid}/approve/")
        pending.refresh_from_db()
        client.force_login(make_partner_user(pending.partner))
        portal = client.get(f"/partner/disclosures/{pending.uuid}/").content.decode()
        received = between(portal, "<h2>What was disclosed</h2>", "<h2>Download a copy</h2>")
        # The same include draws both, from the same builder: what was previewed is what was sent.
        sent = squeeze(render_to_string("sharing/includes/snapshot.html", {"snapshot": pending.snapshot}))
        assert "Testperson, Alpha" in sent and "Synthetic arrest record" in sent
        assert sent in squeeze(preview) and sent in squeeze(received)

    def test_preview_uses_the_snapshot_builder_of_approval(self, client, supervisor, pending):
        from sharing.snapshot import build_snapshot

        client.force_login(supervisor)
        preview = client.get(f"/disclosures/{pending.uuid}/").context["preview"]
        expected = build_snapshot(pending.subject, pending.fields, pending.agreement)
        assert {k: v for k, v in preview.items() if k != "taken_at"} == {
            k: v for k, v in expected.items() if k != "taken_at"
        }

    def test_no_preview_for_the_requester_or_once_decided(self, client, officer, supervisor, pending):
        client.force_login(officer)
        response = client.get(f"/disclosures/{pending.uuid}/")
        assert response.context["preview"] is None and "will receive if you approve" not in response.content.decode()
        sharing.approve_disclosure(acting_user=supervisor, disclosure=pending)
        client.force_login(supervisor)
        assert client.get(f"/disclosures/{pending.uuid}/").context["preview"] is None

    def test_approve_and_refuse_are_separate_sections_with_headings(self, client, supervisor, pending):
        client.force_login(supervisor)
        page = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        sections = re.findall(r"<section class=\"action\" aria-labelledby=\"(\w+)-title\">(.*?)</section>", page, re.S)
        assert [name for name, _ in sections] == ["approve", "refuse"]
        approve, refuse = (body for _, body in sections)
        assert '<h3 id="approve-title">Approve</h3>' in approve and "Approve disclosure" in approve
        assert "textarea" not in approve
        assert '<h3 id="refuse-title">Refuse</h3>' in refuse and 'id="refuse-reason"' in refuse
        assert '<label class="label" for="refuse-reason">Reason for refusing</label>' in refuse


class TestRefusedDecisions:
    def test_refusing_without_a_reason_redirects_back_to_the_error_summary(self, client, supervisor, pending):
        client.force_login(supervisor)
        response = client.post(f"/disclosures/{pending.uuid}/refuse/", {"reason": "  "})
        assert response.status_code == 302
        assert response["Location"] == f"/disclosures/{pending.uuid}/#error-summary"
        page = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        assert title(page).startswith("Error: Disclosure")
        assert page.count('class="error-summary"') == 1
        summary = between(page, 'class="error-summary"', "</div>")
        assert '<a href="#refuse-reason">Give the reason' in summary
        field = between(page, '<h3 id="refuse-title">', "</section>")
        assert 'class="error-message" id="refuse-reason_error"' in field and "Give the reason" in field
        # Once in the summary and once on the field: never again as a message or an info box.
        assert page.count("Give the reason") == 2
        assert "notification" not in page and 'class="inset" role="status"' not in page
        pending.refresh_from_db()
        assert pending.status == "requested"

    def test_what_was_typed_is_kept_and_shown_once_only(self, client, supervisor, pending):
        client.force_login(supervisor)
        client.post(f"/disclosures/{pending.uuid}/refuse/", {"reason": "Too short"})
        page = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        assert "Too short</textarea>" in page
        again = client.get(f"/disclosures/{pending.uuid}/").content.decode()
        assert not title(again).startswith("Error") and "error-summary" not in again and "Too short" not in again

    def test_a_refused_approval_is_at_the_top_with_error_in_the_title(self, client, supervisor, pending):
        sharing.refuse_disclosure(
            acting_user=supervisor, disclosure=pending, reason="Synthetic: not needed for the plan"
        )
        client.force_login(supervisor)
        response = client.post(f"/disclosures/{pending.uuid}/approve/", follow=True)
        page = response.content.decode()
        assert response.redirect_chain == [(f"/disclosures/{pending.uuid}/#error-summary", 302)]
        assert title(page).startswith("Error: ")
        summary = between(page, 'class="error-summary"', "</div>")
        assert "it cannot be approved" in summary
        assert page.count("it cannot be approved") == 1

    def test_revoking_without_a_reason_puts_the_error_on_the_revoke_field(self, client, supervisor, pending):
        live = sharing.approve_disclosure(acting_user=supervisor, disclosure=pending)
        client.force_login(supervisor)
        page = client.post(f"/disclosures/{live.uuid}/revoke/", {"reason": ""}, follow=True).content.decode()
        assert title(page).startswith("Error: ")
        assert '<a href="#revoke-reason">Give the reason' in page
        assert 'id="revoke-reason_error"' in page
        live.refresh_from_db()
        assert live.status == "approved"


class TestMessagesOnce:
    def test_approval_is_announced_once(self, client, supervisor, pending):
        client.force_login(supervisor)
        page = client.post(f"/disclosures/{pending.uuid}/approve/", follow=True).content.decode()
        assert page.count(f"Disclosure {pending.reference} approved.") == 1

    def test_a_request_is_announced_once(self, client, officer, subject, agreement):
        client.force_login(officer)
        response = client.post(
            f"/subjects/{subject.uuid}/disclose/",
            {
                "agreement": agreement.pk,
                "lawful_basis": basis("cda-1998-s115").pk,
                "purpose": PURPOSE,
                "fields": ["name"],
                "action": "request",
            },
            follow=True,
        )
        assert response.content.decode().count("requested. A supervisor must approve it.") == 1
