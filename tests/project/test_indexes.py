"""Every filter and sort of the hot lists is served by an index (issue 7; docs/engineering.md, Page cost),
checked with EXPLAIN.

The test database is small, so PostgreSQL would rightly choose sequential scans; the plans are taken
with sequential scans (and, for sorts, explicit sorts) priced out of reach, so the planner falls back
to one only when no index can do the job. A list that cannot be answered without reading a whole big
table, or without sorting all its matching rows, fails here long before it is slow in production.
"""

import re
from datetime import date
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import RequestFactory
from rest_framework.request import Request

from audit.queries import EventSearch
from core import pagination
from matrix import queries
from matrix.api.filters import SubjectFilter
from matrix.api.views import SubjectCursorPagination
from matrix.models import Borough, Subject
from sharing import queries as sharing_queries
from tests.conftest import HACKNEY, SOUTHWARK
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BIG_TABLES = (
    "matrix_subject",
    "matrix_evidence",
    "matrix_historicalsubject",
    "matrix_historicalevidence",
    "audit_accessevent",
    "sharing_disclosure",
)

# Filters whose matches may be a handful among millions: they need an index of their own.
SELECTIVE_SUBJECT_FILTERS = [
    {"flag": "lapsed"},
    {"flag": "zero_harm"},
    {"flag": "unverified_social_media"},
    {"owner": "mine"},
    {"q": "Testperson"},
    {"q": "GM-2026-000123"},
]
SUBJECT_FILTERS = [
    {},
    {"classification": "convicted"},
    {"status": "approved"},
    {"harm_band": "red"},
    {"review_due_before": date(2030, 1, 1)},
    {"overdue": True},
    *SELECTIVE_SUBJECT_FILTERS,
]
EVENT_FILTERS = [
    {},
    {"actor": "supervisor.hackney"},
    {"actor": "nobody-of-that-name"},
    {"subject": "GM-2026-000123"},
    {"action": "consult"},
    {"borough": HACKNEY},
    {"outcome": "failure"},
    {"date_from": date(2026, 1, 1), "date_to": date(2026, 2, 1)},
]


@pytest.fixture(autouse=True)
def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("plans are PostgreSQL's (SQLite is only the zero-set-up default)")


PLANNER_SWITCHES = ("enable_seqscan", "enable_sort", "enable_indexscan")


def plan(queryset, *, ordered: bool = False, selective: bool = False) -> str:
    """The plan with whole-table scans priced out; with ``ordered``, sorts too (the order must come from an
    index); with ``selective``, ordered index walks too, so a filter is answered by an index on its own
    columns (a bitmap scan) or not at all, however rare its matches are."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"SET LOCAL enable_sort = {'off' if ordered else 'on'}")
        cursor.execute(f"SET LOCAL enable_indexscan = {'off' if selective else 'on'}")
    try:
        return queryset.explain()
    finally:
        with connection.cursor() as cursor:
            for switch in PLANNER_SWITCHES:
                cursor.execute(f"RESET {switch}")


def assert_no_full_scan(text: str) -> None:
    scanned = [table for table in BIG_TABLES if f"Seq Scan on {table}" in text]
    assert not scanned, f"whole-table scan of {scanned}:\n{text}"


DISABLED = 1e10  # PostgreSQL's price for a plan step it was told not to use


def assert_not_forced(text: str) -> None:
    """No sort, and no read of a big table, that the planner took only because nothing allowed would do."""
    for line in text.splitlines():
        node = re.search(r"(Sort|Scan[^(]* on (\w+)).*?cost=(\d+\.\d+)\.\.", line)
        if node and (node[2] is None or node[2] in BIG_TABLES) and float(node[3]) >= DISABLED:
            raise AssertionError(f"no index serves this; the planner had to use: {line.strip()}\n{text}")


@pytest.fixture
def readers(db):
    return {
        "supervisor": make_user("supervisor", [HACKNEY], username="supervisor.hackney"),
        "auditor": make_user("auditor", username="auditor"),
    }


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
@pytest.mark.parametrize("criteria", SUBJECT_FILTERS, ids=lambda c: ",".join(map(str, c)) or "unfiltered")
@pytest.mark.parametrize("reader", ["supervisor", "auditor"])
def test_every_subject_list_filter_and_sort_uses_an_index(readers, reader, criteria, sort):
    rows, order = queries.subject_list(readers[reader], {**criteria, "sort": sort})
    assert_no_full_scan(plan(pagination.keyset_slice(rows, order, None, 50)))


@pytest.mark.parametrize("criteria", SELECTIVE_SUBJECT_FILTERS, ids=lambda c: ",".join(map(str, c.values())))
def test_selective_subject_filters_have_their_own_index(readers, criteria):
    rows, order = queries.subject_list(readers["auditor"], criteria)
    assert_not_forced(plan(pagination.keyset_slice(rows, order, None, 50), selective=True))


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
def test_a_deep_page_starts_from_an_index_range(readers, sort):
    """A cursor becomes an index range, not a filter applied while walking past every earlier row."""
    rows, order = queries.subject_list(readers["auditor"], {"sort": sort})
    value = {"newest": "2026-01-01T00:00:00+00:00", "harm": "10.00", "review": "2026-01-01"}[sort]
    cursor = pagination.base64.urlsafe_b64encode(
        f"{order.name}|{value}|00000000-0000-4000-8000-000000000000".encode()
    ).decode()
    text = plan(pagination.keyset_slice(rows, order, cursor, 50), ordered=True)
    assert_not_forced(text)
    assert "Index Cond" in text and order.field in text.split("Index Cond", 1)[1].splitlines()[0], text


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
@pytest.mark.parametrize("borough", [None, SOUTHWARK], ids=["all boroughs", "one borough"])
def test_list_orders_are_read_from_an_index_not_sorted(readers, sort, borough):
    criteria = {"sort": sort, "borough": Borough.objects.get(code=borough) if borough else None}
    rows, order = queries.subject_list(readers["auditor"], criteria)
    assert_not_forced(plan(pagination.keyset_slice(rows, order, None, 50), ordered=True))


@pytest.mark.parametrize("sort", sorted(queries.SORTS))
def test_a_gated_list_walks_its_boroughs_own_index(readers, sort):
    """Gating is a condition the planner can use: a supervisor's whole list is read in order from the index of
    their borough, as the same list filtered to that borough is, not by walking every borough's rows."""
    rows, order = queries.subject_list(readers["supervisor"], {"sort": sort})
    text = plan(pagination.keyset_slice(rows, order, None, 50), ordered=True)
    assert_not_forced(text)
    assert f"subject_borough_{sort}" in text, text


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "approved"},
        {"status": "approved", "borough": HACKNEY},
        {"classification": "suspected", "harm_band": "red"},
        {"sort": "harm"},
        {"sort": "review", "status": "approved"},
    ],
    ids=lambda params: ",".join(params) or "unfiltered",
)
@pytest.mark.parametrize("reader", ["supervisor", "auditor"])
def test_the_api_subject_list_is_read_in_order_from_an_index(readers, reader, params):
    """The API's filters add conditions only (no DISTINCT, which would sort every match) and its cursor order,
    the sort's, comes from an index."""
    request = Request(RequestFactory().get("/api/subjects/", params))
    request.user = readers[reader]
    query = QueryDict(urlencode(params))
    filtered = SubjectFilter(query, queryset=Subject.objects.visible_to(readers[reader]), request=request).qs
    ordering = SubjectCursorPagination().get_ordering(request, filtered, None)
    assert_not_forced(plan(filtered.order_by(*ordering)[:51], ordered=True))


@pytest.mark.parametrize("criteria", EVENT_FILTERS, ids=lambda c: ",".join(map(str, c)) or "unfiltered")
def test_every_access_log_filter_uses_an_index(readers, criteria):
    events = EventSearch.of(criteria).events()
    assert_not_forced(plan(events[:51], selective=bool(criteria)))


@pytest.mark.parametrize("criteria", [{}, {"status": "live"}, {"status": "requested"}, {"borough": HACKNEY}])
@pytest.mark.parametrize("reader", ["supervisor", "auditor"])
def test_disclosure_register_uses_indexes(readers, reader, criteria):
    rows = sharing_queries.register(readers[reader], criteria)
    assert_no_full_scan(plan(pagination.keyset_slice(rows, sharing_queries.REQUESTED_NEWEST, None, 50)))


def test_a_subjects_page_reads_its_evidence_history_and_log_through_indexes(make_subject):
    from audit.models import AccessEvent
    from matrix.models import Evidence

    subject = make_subject("approved")
    for queryset in (
        Evidence.objects.filter(subject=subject).order_by("-information_date", "pk"),
        subject.history.order_by("-history_date", "-history_id")[:101],
        Evidence.history.filter(subject_id=subject.pk),
        AccessEvent.objects.filter(subject_uuid=subject.uuid).order_by("-sequence")[:201],
    ):
        assert_no_full_scan(plan(queryset))
