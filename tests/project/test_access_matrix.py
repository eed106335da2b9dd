"""The access-control matrix (docs/access.md, Roles; issue 6 item 3; after NetBox's per-view permission tests).

Every URL pattern the resolver knows, except the few excluded below with a reason, has an entry in
``ACCESS``: for each method the view accepts, the status each role gets, and for object URLs the
status for an object of the role's own borough (Hackney) and of another borough (Southwark). Each
cell is its own test (e.g. ``subject-detail-GET-officer-other_borough``).

The build breaks when a URL is added without deciding who may use it, and when an entry names a URL
that no longer exists. POSTs are real but harmless: an empty body, so a role that is refused must be
refused (403/404) *before* any validation, and a role that is allowed gets past access (200/302/400/409).

Reading the cells:
- ``LOGIN``: an anonymous browser is redirected to the sign-in page (302 to /sign-in/?next=…);
  an anonymous API call is 401 (token authentication is the API's first scheme).
- ``(own, other)``: the status for the object of the role's own borough and of another borough.
  A bare number applies to both. A subject outside one's access is 404, never 403 (docs/access.md, Outside your access: 404, not 403).
- For the partner, "own" is a live disclosure to the partner's own agency (of a Hackney subject) and
  "other" a live disclosure to another agency (of a Southwark subject). Auditors and the DPO are not
  borough-bound: they read both, and are refused (403) every write except the DPO's own duties
  (restricting processing, s.47, and subject access requests, s.45).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from matrix import permissions
from matrix.models import Borough
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import (
    CriterionFactory,
    HarmMethodFactory,
    OffenceWeightFactory,
    make_user,
)
from tests.sharing_factories import (
    AgreementFactory,
    PartnerAgencyFactory,
    basis,
    make_partner_user,
)

ROLES = ("anonymous", "officer", "supervisor", "partner", "auditor", "dpo")
SCOPES = ("own_borough", "other_borough")
LOGIN = "login"  # 302 to the sign-in page for pages, 401 for the API
PURPOSE = "Synthetic: joint safeguarding plan agreed at panel"

# Patterns deliberately outside this matrix. Prefixes of the route, or URL names, each with its reason.
EXCLUDED_PREFIXES = {
    "admin/": "Django admin: its own staff/permission model, and role access is granted per model there",
    "static/": "static assets (served by WhiteNoise, no URL patterns in production): no data, no access decision",
}
EXCLUDED_NAMES = {
    "api-schema": "the public OpenAPI description; no personal data (checked by test_schema and test_schemathesis)",
    "api-docs": "Swagger UI over the same public schema; no personal data",
    "api-redoc": "ReDoc over the same public schema; no personal data",
}


# --- The table -------------------------------------------------------------------------------------

Cell = int | str | tuple[int, int]


def cells(anonymous: Cell, officer: Cell, supervisor: Cell, partner: Cell, auditor: Cell, dpo: Cell) -> dict[str, Cell]:
    return dict(zip(ROLES, (anonymous, officer, supervisor, partner, auditor, dpo)))


@dataclass(frozen=True)
class Entry:
    """One URL pattern: how to fill its kwargs, and the expected status per method and role."""

    methods: dict[str, dict[str, Cell]]
    kwargs: Callable[["World", str], dict] | None = None  # None: no URL kwargs
    scoped: bool = False  # True: the object belongs to a borough (own vs other)
    api: bool = False


def page(kwargs=None, *, scoped=None, **methods):
    return Entry({m: cells(*row) for m, row in methods.items()}, kwargs, bool(kwargs) if scoped is None else scoped)


def api(kwargs=None, *, scoped=None, **methods):
    return Entry(
        {m: cells(*row) for m, row in methods.items()}, kwargs, bool(kwargs) if scoped is None else scoped, api=True
    )


# How each object URL's kwargs are filled, for a scope (own_borough / other_borough).
def subject(status, key="subject_uuid"):
    return lambda w, scope: {key: w.subject(scope, status).uuid}


def evidence(kind, key="evidence_uuid", with_subject=True):
    def build(w, scope):
        item = w.evidence(scope, kind)
        return {"subject_uuid": item.subject.uuid, key: item.uuid} if with_subject else {key: item.uuid}

    return build


def disclosure(status, key="disclosure_uuid"):
    return lambda w, scope: {key: w.disclosure(scope, status).uuid}


def sar(w, scope):
    return {"request_uuid": w.sar.uuid}


def sar_subject(w, scope):
    return {"request_uuid": w.sar.uuid, "subject_uuid": w.subject(scope, "approved").uuid}


def borough_code(w, scope):
    return {"code": HACKNEY if scope == "own_borough" else SOUTHWARK}


def agency(w, scope):
    return {"uuid": w.own_agency.uuid}


def agreement(w, scope):
    return {"uuid": w.agreement("own_borough").uuid}


def username(w, scope):
    """The activity page of an officer of the own borough, or of the other borough."""
    return {"username": w.officers[scope].username}


def lawful_basis(w, scope):
    return {"code": "cda-1998-s115"}


def account(w, scope):
    """A person's page in the user administration: the own borough's officer (never the DPO's own account)."""
    return {"user_id": w.officers["own_borough"].pk}


def set_up_link(w, scope):
    """A joiner's one-time set-up link, as an administrator is shown it."""
    from django.urls import resolve

    from accounts import services

    _, path = services.create_user(
        username="joiner.matrix",
        email="joiner@example.test",
        role="officer",
        acting_user=None,
        reason="Synthetic joiner for the access matrix",
    )
    return resolve(path).kwargs


def with_published_release(w, scope):
    """No URL kwargs: the statistics exports need a published release to exist."""
    from transparency.releases import latest_release, publish_release

    if latest_release() is None:
        publish_release()
    return {}


def published_release(w, scope):
    """A release's downloads by its UUID."""
    from transparency.releases import latest_release

    with_published_release(w, scope)
    return {"release_uuid": latest_release().uuid}


def draft_criterion(w, scope):
    """A criterion version awaiting publication (not borough-bound)."""
    draft = CriterionFactory(code="matrix-draft", is_current=False, published_at=None)
    return {"code": draft.code, "version": draft.version}


def draft_harm_method(w, scope):
    """A harm scoring method version awaiting publication, with the weight publishing needs."""
    draft = HarmMethodFactory(is_current=False, published_at=None)
    OffenceWeightFactory(method=draft)
    return {"version": draft.version}


OWN_ONLY = (200, 404)  # seen in one's own borough, "not found" in another
EDIT = (200, 404)  # the form in one's own borough, "not found" in another

# Each row: (anonymous, officer, supervisor, partner, auditor, dpo) — see ``cells``.
ACCESS: dict[str, Entry] = {
    # Open to everyone: the orchestrator's probe.
    "healthz": page(GET=(200, 200, 200, 200, 200, 200), POST=(405, 405, 405, 405, 405, 405)),
    "readyz": page(GET=(200, 200, 200, 200, 200, 200), POST=(405, 405, 405, 405, 405, 405)),
    # The monitoring system's scrape: decided by the caller's address, not by who is signed in.
    "metrics": page(GET=(200, 200, 200, 200, 200, 200), POST=(405, 405, 405, 405, 405, 405)),
    # Sign-in and account pages.
    "login": page(GET=(200, 302, 302, 302, 302, 302), POST=(200, 302, 302, 302, 302, 302)),
    "logout": page(GET=(405, 405, 405, 405, 405, 405), POST=(302, 302, 302, 302, 302, 302)),
    "two-factor-verify": page(GET=(LOGIN, 302, 302, 302, 302, 302), POST=(LOGIN, 302, 302, 302, 302, 302)),
    "two-factor-setup": page(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 200, 200, 200, 200, 200)),
    "password_change": page(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 200, 200, 200, 200, 200)),
    "password_change_done": page(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 405, 405, 405, 405, 405)),
    # The dashboard: partners get a plain "you see only disclosures" page with a link to their portal.
    "home": page(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 200, 200, 200, 200, 200)),
    # The matrix (browser).
    "subject-list": page(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 200, 200, 403, 200, 200)),
    "subject-create": page(GET=(LOGIN, 200, 200, 403, 403, 403), POST=(LOGIN, 200, 200, 403, 403, 403)),
    # Break glass (permissions.can_break_glass): officers and supervisors; oversight roles already read every
    # borough and partners never see the matrix. An empty POST is refused by the form: back to the page (302).
    "break-glass": page(GET=(LOGIN, 200, 200, 403, 403, 403), POST=(LOGIN, 302, 302, 403, 403, 403)),
    "subject-detail": page(
        subject("approved"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 404, 200, 200),
        POST=(LOGIN, OWN_ONLY, OWN_ONLY, 404, 200, 200),
    ),
    "subject-edit": page(
        subject("draft"), GET=(LOGIN, EDIT, EDIT, 404, 403, 403), POST=(LOGIN, EDIT, EDIT, 404, 403, 403)
    ),
    "evidence-add": page(
        subject("approved"), GET=(LOGIN, EDIT, EDIT, 404, 403, 403), POST=(LOGIN, EDIT, EDIT, 404, 403, 403)
    ),
    "evidence-edit": page(
        evidence("draft"), GET=(LOGIN, EDIT, EDIT, 404, 403, 403), POST=(LOGIN, EDIT, EDIT, 404, 403, 403)
    ),
    "evidence-withdraw": page(
        evidence("approved"), GET=(LOGIN, EDIT, EDIT, 404, 403, 403), POST=(LOGIN, EDIT, EDIT, 404, 403, 403)
    ),
    "evidence-verify": page(
        evidence("social_media"),
        GET=(LOGIN, (403, 404), EDIT, 404, 403, 403),
        POST=(LOGIN, (403, 404), EDIT, 404, 403, 403),
    ),
    # Workflow buttons: POST only; the wrong role is refused before the form is read.
    # The forms have no required fields, so an empty POST reaches the workflow, which checks role and
    # borough first: submit and approve succeed (302); reject, review and remove need a reason (302 back
    # to the subject page, which shows the error: post/redirect/get).
    "subject-submit": page(
        subject("draft"), GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, (302, 404), (302, 404), 404, 403, 403)
    ),
    "subject-approve": page(
        subject("submitted"), GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, (403, 404), (302, 404), 404, 403, 403)
    ),
    **{
        f"subject-{step}": page(
            subject(status),
            GET=(LOGIN, 405, 405, 405, 405, 405),
            POST=(LOGIN, (403, 404), (302, 404), 404, 403, 403),
        )
        for step, status in (("reject", "submitted"), ("review", "approved"), ("remove", "approved"))
    },
    **{
        f"subject-{step}": page(
            subject("approved"),
            GET=(LOGIN, 405, 405, 405, 405, 405),
            POST=(LOGIN, (403, 404), (403, 404), 404, 403, 302),
        )
        for step in ("restrict", "lift")
    },
    # Sharing (staff pages).
    "disclosure-request": page(
        subject("approved"), GET=(LOGIN, EDIT, EDIT, 404, 403, 403), POST=(LOGIN, EDIT, EDIT, 404, 403, 403)
    ),
    "disclosure-register": page(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 200, 200, 403, 200, 200)),
    "disclosure-queue": page(GET=(LOGIN, 403, 200, 403, 403, 403), POST=(LOGIN, 403, 200, 403, 403, 403)),
    "disclosure-detail": page(
        disclosure("live"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 404, 200, 200),
        POST=(LOGIN, OWN_ONLY, OWN_ONLY, 404, 200, 200),
    ),
    **{
        f"disclosure-{decision}": page(
            disclosure(status),
            GET=(LOGIN, 405, 405, 405, 405, 405),
            # The decision redirects to the record with a message whether or not it was accepted.
            POST=(LOGIN, (403, 404), (302, 404), 404, 403, 403),
        )
        for decision, status in (("approve", "requested"), ("refuse", "requested"), ("revoke", "live"))
    },
    # The partner portal: partners only, their own agency's live disclosures only.
    "partner-home": page(GET=(LOGIN, 403, 403, 200, 403, 403), POST=(LOGIN, 403, 403, 200, 403, 403)),
    "partner-disclosure": page(
        disclosure("live"),
        GET=(LOGIN, 403, 403, (200, 404), 403, 403),
        POST=(LOGIN, 403, 403, (200, 404), 403, 403),
    ),
    # An empty POST is refused by the form: back to the disclosure page with the error summary (302).
    "partner-export": page(
        disclosure("live"),
        GET=(LOGIN, 405, 405, 405, 405, 405),
        POST=(LOGIN, 403, 403, (302, 404), 403, 403),
    ),
    # Subject access requests (s.45): the DPO only.
    "sar-list": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    "sar-create": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    "sar-detail": page(sar, scoped=False, GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    # An empty POST of a step is refused by its form: back to the request's page with the error summary (302).
    **{
        f"sar-{action}": page(
            sar, scoped=False, GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, 403, 403, 403, 403, 302)
        )
        for action in ("match", "unmatch", "identity", "complete", "refuse")
    },
    # An empty POST leaves the justification form unbound: the DPO sees the form again (200), no report.
    "sar-report": page(sar_subject, GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    # A refused JSON download goes back to the report form with the error summary (302), never raw JSON.
    "sar-report-json": page(sar_subject, GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, 403, 403, 403, 403, 302)),
    # User administration: the DPO (and the administrator role, tested in test_accounts_pages) only. An empty
    # POST of a change is refused by its form after the role check: back to the person's page (302); nothing changes.
    "people-list": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 405, 405, 405, 405, 405)),
    "person-create": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    "person-detail": page(
        account, scoped=False, GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 405, 405, 405, 405, 405)
    ),
    **{
        f"person-{action}": page(
            account, scoped=False, GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, 403, 403, 403, 403, 302)
        )
        for action in (
            "role",
            "borough-grant",
            "borough-withdraw",
            "partner",
            "partner-remove",
            "deactivate",
            "reactivate",
            "lockout-reset",
            "second-factor-reset",
        )
    },
    # The joiner's set-up link works for whoever holds it, signed in or not: it moves its token into the
    # session and redirects to the password form (Django's reset-confirm flow).
    "person-set-up": page(
        set_up_link, scoped=False, GET=(302, 302, 302, 302, 302, 302), POST=(302, 302, 302, 302, 302, 302)
    ),
    # --- REST API (token authentication) ---
    # The root lists endpoint addresses only (no data), like the public schema.
    "api:api-root": api(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 405, 405, 405, 405, 405)),
    # Boroughs: for those who work with or oversee records; a write is refused to read-only roles first.
    "api:borough-list": api(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 405, 405, 403, 403, 403)),
    "api:borough-detail": api(borough_code, GET=(LOGIN, 200, 200, 403, 200, 200), PUT=(LOGIN, 405, 405, 403, 403, 403)),
    "api:subject-list": api(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 400, 400, 403, 403, 403)),
    "api:subject-detail": api(
        subject("draft", key="uuid"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 403, 200, 200),
        PUT=(LOGIN, (400, 404), (400, 404), 403, 403, 403),
        PATCH=(LOGIN, (400, 404), (400, 404), 403, 403, 403),
        DELETE=(LOGIN, 405, 405, 403, 403, 403),
    ),
    "api:subject-submit": api(
        subject("draft", key="uuid"),
        GET=(LOGIN, 405, 405, 403, 405, 405),
        POST=(LOGIN, (200, 404), (200, 404), 403, 403, 403),
    ),
    "api:subject-approve": api(
        subject("submitted", key="uuid"),
        GET=(LOGIN, 405, 405, 403, 405, 405),
        POST=(LOGIN, (403, 404), (200, 404), 403, 403, 403),
    ),
    **{
        f"api:subject-{step}": api(
            subject(status, key="uuid"),
            GET=(LOGIN, 405, 405, 403, 405, 405),
            POST=(LOGIN, (403, 404), (400, 404), 403, 403, 403),
        )
        for step, status in (("reject", "submitted"), ("review", "approved"), ("remove", "approved"))
    },
    # Restriction (s.47): permissions.can_restrict, as on the subject page. The DPO gets past access to the
    # request body (400: no reason); others who read records are refused in their borough, 404 outside it.
    **{
        f"api:subject-{step}": api(
            subject("approved", key="uuid"),
            GET=(LOGIN, 405, 405, 403, 405, 405),
            POST=(LOGIN, (403, 404), (403, 404), 403, 403, 400),
        )
        for step in ("restrict", "lift")
    },
    "api:subject-evidence": api(
        subject("approved", key="uuid"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 403, 200, 200),
        POST=(LOGIN, (400, 404), (400, 404), 403, 403, 403),
    ),
    "api:subject-history": api(
        subject("approved", key="uuid"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 403, 200, 200),
        POST=(LOGIN, 405, 405, 403, 403, 403),
    ),
    "api:evidence-detail": api(
        evidence("draft", key="uuid", with_subject=False),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, 403, 200, 200),
        PATCH=(LOGIN, (200, 404), (200, 404), 403, 403, 403),
        DELETE=(LOGIN, 405, 405, 403, 403, 403),
    ),
    "api:evidence-withdraw": api(
        evidence("approved", key="uuid", with_subject=False),
        GET=(LOGIN, 405, 405, 403, 405, 405),
        POST=(LOGIN, (400, 404), (400, 404), 403, 403, 403),
    ),
    "api:evidence-verify": api(
        evidence("social_media", key="uuid", with_subject=False),
        GET=(LOGIN, 405, 405, 403, 405, 405),
        POST=(LOGIN, (403, 404), (400, 404), 403, 403, 403),
    ),
    # Break glass: the roles that may use it get past access to the request body (400: nothing named).
    "api:break-glass": api(GET=(LOGIN, 405, 405, 403, 403, 403), POST=(LOGIN, 400, 400, 403, 403, 403)),
    # Sharing reference data: police and oversight roles; partners use the disclosures endpoint.
    "sharing-api:partner-list": api(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 405, 405, 403, 405, 405)),
    "sharing-api:partner-detail": api(
        agency, scoped=False, GET=(LOGIN, 200, 200, 403, 200, 200), PUT=(LOGIN, 405, 405, 403, 405, 405)
    ),
    "sharing-api:agreement-list": api(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 405, 405, 403, 405, 405)),
    "sharing-api:agreement-detail": api(
        agreement, scoped=False, GET=(LOGIN, 200, 200, 403, 200, 200), PUT=(LOGIN, 405, 405, 403, 405, 405)
    ),
    "sharing-api:lawful-basis-list": api(GET=(LOGIN, 200, 200, 403, 200, 200), POST=(LOGIN, 405, 405, 403, 405, 405)),
    "sharing-api:lawful-basis-detail": api(
        lawful_basis, scoped=False, GET=(LOGIN, 200, 200, 403, 200, 200), PUT=(LOGIN, 405, 405, 403, 405, 405)
    ),
    # Disclosures: the register for police and oversight, a partner's own live disclosures for a partner token.
    "sharing-api:disclosure-list": api(GET=(LOGIN, 200, 200, 200, 200, 200), POST=(LOGIN, 400, 400, 403, 403, 403)),
    "sharing-api:disclosure-detail": api(
        disclosure("live", key="uuid"),
        GET=(LOGIN, OWN_ONLY, OWN_ONLY, OWN_ONLY, 200, 200),
        DELETE=(LOGIN, 405, 405, 403, 403, 403),
    ),
    # Deciding is a supervisor's step: other roles are refused before the disclosure is looked up.
    "sharing-api:disclosure-approve": api(
        disclosure("requested", key="uuid"),
        GET=(LOGIN, 405, 405, 405, 405, 405),
        POST=(LOGIN, 403, (200, 404), 403, 403, 403),
    ),
    **{
        f"sharing-api:disclosure-{decision}": api(
            disclosure(status, key="uuid"),
            GET=(LOGIN, 405, 405, 405, 405, 405),
            POST=(LOGIN, 403, (400, 404), 403, 403, 403),
        )
        for decision, status in (("refuse", "requested"), ("revoke", "live"))
    },
    # --- The auditor's screens and the access log API: auditors and the DPO, read-only ---
    "audit-events": page(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 200, 200)),
    # An export needs a justification: an empty POST is the form again with the error (400), no CSV.
    "audit-events-export": page(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 400, 400)),
    "audit-subject-timeline": page(
        subject("approved"), GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 200, 200)
    ),
    "audit-user": page(username, GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 200, 200)),
    "audit-unusual": page(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 200, 200)),
    # Disproportionality figures (aggregates only): supervisors, auditors and the DPO; GET only.
    "disproportionality": page(GET=(LOGIN, 403, 200, 403, 200, 200), POST=(LOGIN, 405, 405, 405, 405, 405)),
    # The public transparency page and its data exports: everyone, no sign-in, GET only; no personal data.
    "public-home": page(GET=(200, 200, 200, 200, 200, 200), POST=(405, 405, 405, 405, 405, 405)),
    "accessibility-statement": page(GET=(200, 200, 200, 200, 200, 200), POST=(405, 405, 405, 405, 405, 405)),
    **{
        name: page(
            with_published_release,
            scoped=False,
            GET=(200, 200, 200, 200, 200, 200),
            POST=(405, 405, 405, 405, 405, 405),
        )
        for name in ("public-statistics-json", "public-statistics-csv")
    },
    **{
        name: page(
            published_release,
            scoped=False,
            GET=(200, 200, 200, 200, 200, 200),
            POST=(405, 405, 405, 405, 405, 405),
        )
        for name in ("public-release-json", "public-release-csv")
    },
    # The impact assessment register: the DPO keeps it, auditors read it. An empty POST is the form with errors.
    "assessment-register": page(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 405, 405, 405, 405, 405)),
    "assessment-create": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    # Reference data: the DPO only. An empty POST is the partner agency form with its errors; publishing a draft
    # redirects back to the page.
    "reference-data": page(GET=(LOGIN, 403, 403, 403, 403, 200), POST=(LOGIN, 403, 403, 403, 403, 200)),
    "reference-data-publish-criterion": page(
        draft_criterion, scoped=False, GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, 403, 403, 403, 403, 302)
    ),
    "reference-data-publish-harm-method": page(
        draft_harm_method, scoped=False, GET=(LOGIN, 405, 405, 405, 405, 405), POST=(LOGIN, 403, 403, 403, 403, 302)
    ),
    "audit-api:event-list": api(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 403, 403)),
    "audit-api:verify": api(GET=(LOGIN, 403, 403, 403, 200, 200), POST=(LOGIN, 403, 403, 403, 403, 403)),
}


# --- The world the requests run against -------------------------------------------------------------


class World:
    """Users of every role and, built only when a URL needs them, objects in each borough.

    Objects are made through the real services (create, add evidence, submit, approve, disclose)."""

    def __init__(self, criterion):
        self.criterion = criterion
        self.officers = {
            "own_borough": make_user("officer", [HACKNEY], username="officer.hackney"),
            "other_borough": make_user("officer", [SOUTHWARK], username="officer.southwark"),
        }
        self.supervisors = {
            "own_borough": make_user("supervisor", [HACKNEY], username="supervisor.hackney"),
            "other_borough": make_user("supervisor", [SOUTHWARK], username="supervisor.southwark"),
        }
        self.own_agency = PartnerAgencyFactory(name="Synthetic Hackney Youth Service")
        self.other_agency = PartnerAgencyFactory(name="Synthetic Southwark Housing")
        self.users = {
            "anonymous": None,
            "officer": self.officers["own_borough"],
            "supervisor": self.supervisors["own_borough"],
            "partner": make_partner_user(self.own_agency, username="partner.youth"),
            "auditor": make_user("auditor", username="auditor"),
            "dpo": make_user("dpo", username="dpo"),
        }
        self._subjects = {}
        self._evidence = {}
        self._disclosures = {}
        self._frozen = False

    # Every object any cell's URL names, built once for the module (see ``shared_world``): a cell that
    # built one of its own would leave it in these dicts after its transaction was rolled back.
    STATUSES = ("draft", "submitted", "approved")
    EVIDENCE = ("draft", "approved", "social_media")  # social_media last: it adds a second item to "approved"
    DISCLOSURES = ("live", "requested")

    def build_everything(self):
        for scope in SCOPES:
            for status in self.STATUSES:
                self.subject(scope, status)
            for kind in self.EVIDENCE:
                self.evidence(scope, kind)
            self.agreement(scope)
            for status in self.DISCLOSURES:
                self.disclosure(scope, status)
        self.sar  # noqa: B018 (a cached property: built now)
        for user in self.users.values():
            if user is not None:
                Token.objects.get_or_create(user=user)
        self._frozen = True

    def _missing(self, what):
        assert not self._frozen, f"the shared world has no {what}: build it in World.build_everything"

    def reset_for_a_cell(self):
        """Forget what a previous cell left on the user objects: the permissions and borough scope kept on
        them (``matrix.permissions``), Django's permission caches, and fields such as last_login that a
        rolled-back request changed."""
        people = [*self.users.values(), *self.officers.values(), *self.supervisors.values()]
        for user in {id(user): user for user in people if user is not None}.values():
            permissions.forget_scope(user)
            for attribute in ("_govmatrix_permissions", "_perm_cache", "_user_perm_cache", "_group_perm_cache"):
                user.__dict__.pop(attribute, None)
            user.refresh_from_db()

    def subject(self, scope, status):
        key = (scope, status)
        if key not in self._subjects:
            self._missing(f"{status} subject in {scope}")
            self._subjects[key] = self._build_subject(scope, status)
        return self._subjects[key]

    def _build_subject(self, scope, status):
        from matrix import evidence_services, services, workflow

        officer, supervisor = self.officers[scope], self.supervisors[scope]
        subject = services.create_subject(
            acting_user=officer,
            borough=Borough.objects.get(code=HACKNEY if scope == "own_borough" else SOUTHWARK),
            family_name=f"Matrix{status.title()}",
            given_names="Synthetic",
            date_of_birth=date(2003, 6, 1),
            gender="male",
            ethnicity="not_stated",
            classification="suspected",
        )
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            summary="Synthetic arrest record",
            information_date=timezone.localdate(),
            source_type="police_record",
            source_reference="CAD-MATRIX-1",
            source_evaluation="1",
            intelligence_assessment="A",
            handling_code="P",
            nature="fact",
        )
        if status == "draft":
            return subject
        subject = workflow.submit_subject(acting_user=officer, subject=subject)
        if status == "submitted":
            return subject
        assert status == "approved", status
        return workflow.approve_subject(acting_user=supervisor, subject=subject)

    def evidence(self, scope, kind):
        """The qualifying item of a draft or approved subject, or an unverified social media item."""
        key = (scope, kind)
        if key not in self._evidence:
            self._missing(f"{kind} evidence in {scope}")
            if kind == "social_media":
                from matrix import evidence_services

                self._evidence[key] = evidence_services.add_evidence(
                    acting_user=self.officers[scope],
                    subject=self.subject(scope, "approved"),
                    summary="Synthetic post",
                    information_date=timezone.localdate(),
                    source_type="social_media",
                    source_reference="SM-MATRIX-1",
                    source_evaluation="2",
                    intelligence_assessment="C",
                    handling_code="P",
                    nature="assessment",
                    social_media_url="https://social.example.test/post/1",
                    social_media_platform="ExampleNet",
                    captured_on=timezone.localdate(),
                )
            else:
                self._evidence[key] = self.subject(scope, kind).evidence.get()
        return self._evidence[key]

    def agreement(self, scope):
        agency = self.own_agency if scope == "own_borough" else self.other_agency
        found = agency.agreements.first()
        if found is None:
            self._missing(f"agreement for {scope}")
            found = AgreementFactory(partner=agency)
        return found

    def disclosure(self, scope, status):
        """A disclosure of the approved subject: own borough to the partner's agency, other borough to another."""
        from sharing import services as sharing

        key = (scope, status)
        if key not in self._disclosures:
            self._missing(f"{status} disclosure in {scope}")
            requested = sharing.request_disclosure(
                acting_user=self.officers[scope],
                subject=self.subject(scope, "approved"),
                agreement=self.agreement(scope),
                lawful_basis=basis("cda-1998-s115"),
                purpose=PURPOSE,
                fields=["name", "evidence"],
            )
            if status == "live":
                requested = sharing.approve_disclosure(acting_user=self.supervisors[scope], disclosure=requested)
            self._disclosures[key] = requested
        return self._disclosures[key]

    @cached_property
    def sar(self):
        """An open subject access request matched to an approved subject in each borough."""
        from audit import sar as sar_services

        self._missing("subject access request")
        dpo = self.users["dpo"]
        request = sar_services.open_request(
            acting_user=dpo,
            requester_name="Synthetic Applicant",
            requester_contact="applicant@example.test",
            received_on=timezone.localdate() - timedelta(days=3),
        )
        for scope in SCOPES:
            sar_services.match_subject(acting_user=dpo, sar=request, subject=self.subject(scope, "approved"))
        return request


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world, built once per module (per xdist worker) inside a transaction rolled back at the module's end.

    Each cell still runs in its own transaction (pytest-django's ``db``, a savepoint inside this one) that is
    rolled back after it, so a POST that changes a record leaves the next cell the same world. This is
    Django's ``TestCase.setUpTestData`` pattern; building the world for every cell cost minutes.
    """
    from tests.factories import CriterionFactory

    # As the ``fast_password_hashing`` fixture does for each test (it is function-scoped, this is not).
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        with django_db_blocker.unblock(), fast_hashing:
            # The ``any_criterion`` fixture's criterion.
            criterion = CriterionFactory(
                code="any-classification", classifications=["suspected", "convicted", "victim", "at_risk"]
            )
            world = World(criterion)
            world.build_everything()
        cache.clear()
        yield world
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        cache.clear()


@pytest.fixture
def world(db, shared_world):
    """The shared world for one cell: its changes are rolled back with the cell's own transaction."""
    shared_world.reset_for_a_cell()
    return shared_world


@pytest.fixture(autouse=True)
def fresh_throttles():
    """Every cell starts with empty API rate-limit counters (anonymous calls share one address)."""
    cache.clear()
    yield
    cache.clear()


# --- Enumerating the resolver ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    route: str
    name: str | None
    callback: Callable = field(compare=False)

    @property
    def is_format_suffix(self) -> bool:
        return "<format>" in self.route or "drf_format_suffix" in self.route

    @property
    def key(self) -> str:
        """The URL name (with namespace); a DRF format-suffix twin is ``<name>.<format>``."""
        base = self.name or self.route
        return f"{base}.<format>" if self.is_format_suffix else base


def walk(patterns, prefix="", namespace=None):
    for item in patterns:
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from walk(item.url_patterns, prefix + str(item.pattern), inner)
        elif isinstance(item, URLPattern):
            name = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield Pattern(prefix + str(item.pattern), name, item.callback)


def all_patterns() -> list[Pattern]:
    return list(walk(get_resolver().url_patterns))


def excluded(pattern: Pattern) -> bool:
    return pattern.route.startswith(tuple(EXCLUDED_PREFIXES)) or pattern.name in EXCLUDED_NAMES


def covered_patterns() -> dict[str, Pattern]:
    patterns = {}
    for pattern in all_patterns():
        if excluded(pattern):
            continue
        assert pattern.key not in patterns, f"two URL patterns share the key {pattern.key!r}: give them distinct names"
        patterns[pattern.key] = pattern
    return patterns


def entry_for(key: str) -> Entry | None:
    """A format-suffix twin (``/api/subjects/<uuid>.json``) is the same view as its base: same cells."""
    return ACCESS.get(key.removesuffix(".<format>"))


def drf_methods(callback) -> set[str] | None:
    """The methods a DRF view answers: the router's action map, or the view's handlers; None if not DRF."""
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.upper() for method in actions} - {"HEAD", "OPTIONS"}  # HEAD answers as GET
    cls = getattr(callback, "cls", None)
    if cls is None:
        return None
    return {m.upper() for m in cls.http_method_names if hasattr(cls, m) and m not in ("options", "head")}


class TestTheTableMatchesTheResolver:
    def test_every_url_pattern_has_an_entry(self):
        missing = sorted(key for key in covered_patterns() if entry_for(key) is None)
        assert not missing, (
            f"URL patterns without an access-matrix entry: {missing}. Decide who may use them and add "
            "them to ACCESS in tests/project/test_access_matrix.py."
        )

    def test_every_entry_names_an_existing_pattern(self):
        existing = set(covered_patterns())
        stale = sorted(key for key in ACCESS if key not in existing)
        assert not stale, f"ACCESS names URL patterns that no longer exist: {stale}"

    def test_exclusions_are_only_the_admin_static_and_api_description(self):
        names = {pattern.name for pattern in all_patterns()}
        assert set(EXCLUDED_NAMES) <= names, "an excluded URL name no longer exists: drop it from EXCLUDED_NAMES"
        for pattern in all_patterns():
            if excluded(pattern):
                assert pattern.route.startswith(tuple(EXCLUDED_PREFIXES)) or pattern.name in EXCLUDED_NAMES

    def test_every_method_a_view_accepts_is_decided(self):
        undecided = []
        for key, pattern in covered_patterns().items():
            entry = entry_for(key)
            if entry is None:
                continue
            accepted = drf_methods(pattern.callback)
            # Django views cannot be asked which methods they accept: every page decides GET and POST.
            needed = accepted if accepted is not None else {"GET", "POST"}
            undecided += [f"{key} {method}" for method in sorted(needed - set(entry.methods))]
            assert entry.api == (accepted is not None), (
                f"{key}: api={entry.api} but the view is {'' if accepted else 'not '}DRF"
            )
        assert not undecided, f"methods without expected statuses: {undecided}"

    def test_every_row_names_each_role_and_object_urls_both_boroughs(self):
        for key, entry in ACCESS.items():
            for method, row in entry.methods.items():
                assert tuple(row) == ROLES, (key, method)
                for role, cell in row.items():
                    if isinstance(cell, tuple):
                        assert entry.scoped and len(cell) == 2, (
                            f"{key} {method} {role}: own/other only for borough objects"
                        )


# --- The cells ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    key: str
    method: str
    role: str
    scope: str | None
    expected: Cell

    @property
    def id(self) -> str:
        parts = [self.key.replace(".<format>", ".json"), self.method, self.role]
        return "-".join(parts + ([self.scope] if self.scope else []))


def expected_status(cell: Cell, scope: str | None):
    if isinstance(cell, tuple):
        return cell[SCOPES.index(scope)]
    return cell


def build_cases() -> list[Case]:
    cases = []
    # A DRF format-suffix twin that exists (/api/…/<uuid>.json) is a door of its own: check it too.
    twins = [key for key in covered_patterns() if key.endswith(".<format>") and entry_for(key) is not None]
    for key in [*ACCESS, *twins]:
        entry = entry_for(key)
        for method, row in entry.methods.items():
            for role, cell in row.items():
                for scope in SCOPES if entry.scoped else (None,):
                    cases.append(Case(key, method, role, scope, expected_status(cell, scope)))
    return cases


CASES = build_cases()


def url_for(case: Case, world: World) -> str:
    entry = entry_for(case.key)
    kwargs = entry.kwargs(world, case.scope or "own_borough") if entry.kwargs else {}
    name = case.key.removesuffix(".<format>")
    if case.key.endswith(".<format>"):
        kwargs["format"] = "json"
    return reverse(name, kwargs=kwargs)


def send(case: Case, world: World, url: str):
    entry = entry_for(case.key)
    user = world.users[case.role]
    method = case.method.lower()
    if entry.api:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, {}, format="json")
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url) if method == "get" else getattr(client, method)(url, {})


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_access(case: Case, world: World):
    url = url_for(case, world)
    response = send(case, world, url)
    entry = entry_for(case.key)
    if case.expected == LOGIN:
        if entry.api:
            assert response.status_code == 401, f"{case.method} {url}: {response.status_code}"
        else:
            assert response.status_code == 302, f"{case.method} {url}: {response.status_code}"
            assert response["Location"].startswith(reverse("login") + "?next="), response["Location"]
        return
    assert response.status_code == case.expected, (
        f"{case.role} {case.method} {url} ({case.scope or 'no borough'}): expected {case.expected}, "
        f"got {response.status_code}"
    )
