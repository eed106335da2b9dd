"""The pages the benchmark measures, who requests them, and what discovery finds for them to request.

``discover`` looks around a dataset once, untimed (cursors of the first pages of each list, a pool of
Hackney subjects, whether the baseline admin is served, whether paired lists show the same rows);
``build_scenarios`` turns that into operations. An operation takes ``sessions`` (username → signed-in
``Session`` of the calling client thread) and a ``random.Random`` and returns the replies it timed.
The same functions run in the test suite against Django's test client, so a changed URL breaks a test.
"""

import html
import queue
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode

from bench.client import path_of

PASSWORD = "govmatrix-demo-2026"  # matrix/demo.py: the demo accounts' published password
OFFICER, SUPERVISOR, AUDITOR, DPO = "officer.hackney", "supervisor.hackney", "auditor", "dpo"
HACKNEY = "E09000012"
ADMIN_PATH = "/bench-admin/"  # where bench/urls.py serves the baseline admin (bench/admin_baseline.py)

# The list people work from: approved perpetrators by harm score (the sort keeps perpetrators with a score).
LIST_QUERY = {"status": "approved", "sort": "harm"}
API_QUERY = {"status": "approved", "page_size": "25"}
# The admin changelist showing the same rows in the same order (sidebar filters plus what the sort implies).
ADMIN_QUERY = {
    "borough__code__exact": HACKNEY,
    "status__exact": "approved",
    "classification__in": "suspected,convicted",
    "harm_score__isnull": "False",
}
AUDIT_SEARCHES = [
    {"actor": SUPERVISOR, "action": "consult"},
    {"action": "search"},
    {"borough": HACKNEY, "action": "alter"},
    {"actor": OFFICER},
]

SCALE_NAME_PREFIX = "Scaletest-"  # bench/scale.py names scale-test subjects Scaletest-<reference number>
SUBJECT_LINK = re.compile(r'href="/subjects/([0-9a-f-]{36})/">([A-Z]+-\d{4}-\d+)</a>')
NEXT_LINK = re.compile(r'<a href="\?([^"]*)">Next page</a>')
ADMIN_REFERENCE = re.compile(r'class="field-reference"[^>]*>(?:<a [^>]*>)?([A-Z]+-\d{4}-\d+)')


def with_query(path: str, query: dict) -> str:
    return f"{path}?{urlencode(query)}" if query else path


@dataclass
class Plan:
    """What discovery found on one dataset."""

    list_cursors: list = field(default_factory=lambda: [None])  # None is the first page
    ungated_cursors: list = field(default_factory=lambda: [None])
    api_pages: list = field(default_factory=list)  # paths of the first pages of the API list
    api_ungated_pages: list = field(default_factory=list)
    admin_served: bool = False
    subjects: list = field(default_factory=list)  # (UUID, family name) of approved Hackney subjects
    drafts: queue.Queue = field(default_factory=queue.Queue)  # for submit-then-approve
    checks: dict = field(default_factory=dict)  # name -> True when paired pages show the same rows
    notes: list = field(default_factory=list)


# Discovery ---------------------------------------------------------------------------------------------


def expect_ok(reply, what: str):
    if reply.status != 200:
        raise RuntimeError(f"discovery: {what} answered HTTP {reply.status}")
    return reply


def walk_list(session, query: dict, pages: int):
    """(cursors of the first ``pages`` pages, references on the first page) of the browser subject list."""
    cursors, first_rows = [None], None
    while True:
        reply = expect_ok(session.get(list_path(query, cursors[-1])), f"subject list as {session.username}")
        if first_rows is None:
            first_rows = [reference for _uuid, reference in SUBJECT_LINK.findall(reply.body)]
        link = NEXT_LINK.search(reply.body)
        if len(cursors) >= pages or not link:
            return cursors, first_rows
        cursors.append(parse_qs(html.unescape(link.group(1)))["after"][0])


def list_path(query: dict, cursor) -> str:
    return with_query("/subjects/", {**query, "after": cursor} if cursor else query)


def walk_api(session, query: dict, pages: int):
    """(paths of the first ``pages`` pages of the API subject list, ids on the first page)."""
    paths, first_ids = [with_query("/api/subjects/", query)], None
    while True:
        data = expect_ok(session.get(paths[-1]), f"API subject list as {session.username}").json()
        if first_ids is None:
            first_ids = [row["id"] for row in data["results"]]
        if len(paths) >= pages or not data.get("next"):
            return paths, first_ids
        paths.append(path_of(data["next"]))


def subject_pool(session, pages: int) -> list[tuple[str, str]]:
    """(UUID, family name) of approved subjects the supervisor can see (Hackney), up to 200 per page."""
    uuids, path = [], with_query("/api/subjects/", {"status": "approved", "page_size": "200"})
    for _ in range(pages):
        data = expect_ok(session.get(path), "API subject list (pool)").json()
        uuids.extend((row["id"], row["family_name"]) for row in data["results"])
        if not data.get("next"):
            break
        path = path_of(data["next"])
    return uuids


def admin_path(page: int) -> str:
    return with_query(f"{ADMIN_PATH}matrix/subject/", {**ADMIN_QUERY, "p": str(page)})


def discover(sessions, pages: int, pool_pages: int) -> Plan:
    plan = Plan()
    plan.list_cursors, gated_rows = walk_list(sessions(SUPERVISOR), LIST_QUERY, pages)
    plan.ungated_cursors, ungated_rows = walk_list(sessions(AUDITOR), {**LIST_QUERY, "borough": HACKNEY}, pages)
    plan.checks["subject list: gated and ungated pages show the same rows"] = gated_rows == ungated_rows
    if gated_rows != ungated_rows:
        plan.notes.append(
            f"The auditor's subject list with borough={HACKNEY} shows other rows than the supervisor's (does the "
            "list offer a borough filter?), so its gating ratio is not comparable; the API pair's is."
        )
    plan.api_pages, gated_ids = walk_api(sessions(SUPERVISOR), API_QUERY, pages)
    plan.api_ungated_pages, ungated_ids = walk_api(sessions(AUDITOR), {**API_QUERY, "borough": HACKNEY}, pages)
    plan.checks["API list: gated and ungated pages show the same rows"] = gated_ids == ungated_ids
    admin = sessions(DPO).get(admin_path(1))
    plan.admin_served = admin.status == 200
    if plan.admin_served:
        plan.checks["admin changelist shows the same rows as the subject list"] = (
            ADMIN_REFERENCE.findall(admin.body) == gated_rows
        )
    else:
        plan.notes.append(
            f"No baseline admin changelist (HTTP {admin.status}): start the server with "
            "DJANGO_SETTINGS_MODULE=bench.settings to compare with it."
        )
    plan.notes.append(
        f"Pages requested: list {len(plan.list_cursors)}, ungated list {len(plan.ungated_cursors)}, "
        f"API {len(plan.api_pages)}, ungated API {len(plan.api_ungated_pages)} (at most {pages} each)."
    )
    plan.subjects = subject_pool(sessions(SUPERVISOR), pool_pages)
    if not plan.subjects:
        raise RuntimeError("discovery: no approved Hackney subjects to open; is the dataset seeded?")
    return plan


# Drafts for the write scenario ------------------------------------------------------------------------

# Two independent, well-graded, recent items: enough for the demo criterion "corroborated involvement".
QUALIFYING_EVIDENCE = [
    {
        "summary": "Synthetic benchmark record: arrested at a disorder.",
        "source_type": "police_record",
        "source_reference": "BENCH-CAD",
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "handling_code": "P",
        "nature": "fact",
        "offence_type": "gbh",
    },
    {
        "summary": "Synthetic benchmark record: partner reports association with a violent group.",
        "source_type": "partner_information",
        "source_reference": "BENCH-YOT",
        "source_evaluation": "2",
        "intelligence_assessment": "B",
        "handling_code": "P",
        "nature": "assessment",
    },
]


def create_draft(session, name: str) -> str:
    """A Hackney draft with qualifying evidence, made through the API as the officer; returns its UUID."""
    reply = session.post_json(
        "/api/subjects/",
        {
            "borough": HACKNEY,
            "family_name": name,
            "given_names": "Alpha",
            "date_of_birth": "2000-01-01",
            "gender": "not_stated",
            "ethnicity": "not_stated",
            "classification": "suspected",
            "change_reason": "Benchmark draft",
        },
    )
    if reply.status != 201:
        raise RuntimeError(f"creating a benchmark draft answered HTTP {reply.status}: {reply.body[:300]}")
    uuid = reply.json()["id"]
    information_date = (date.today() - timedelta(days=30)).isoformat()
    for item in QUALIFYING_EVIDENCE:
        evidence = {
            **item,
            "source_reference": f"{item['source_reference']}-{name}",
            "information_date": information_date,
        }
        added = session.post_json(f"/api/subjects/{uuid}/evidence/", evidence)
        if added.status != 201:
            raise RuntimeError(f"adding benchmark evidence answered HTTP {added.status}: {added.body[:300]}")
    return uuid


# Scenarios ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    users: tuple  # who it signs in as
    operation: object  # (sessions, rng) -> list of replies
    expect: frozenset = frozenset({200})


def _get(username: str, paths):
    """An operation fetching one of ``paths`` (a list, or rng -> path) as ``username``."""

    def operation(sessions, rng):
        path = paths(rng) if callable(paths) else rng.choice(paths)
        return [sessions(username).get(path)]

    return operation


def submit_then_approve(drafts: queue.Queue):
    def operation(sessions, rng):
        uuid = drafts.get_nowait()  # queue.Empty (too few drafts prepared) is counted as an error
        submitted = sessions(OFFICER).post_json(f"/api/subjects/{uuid}/submit/", {})
        if submitted.status != 200:
            return [submitted]
        return [submitted, sessions(SUPERVISOR).post_json(f"/api/subjects/{uuid}/approve/", {})]

    return operation


def distinctive(family_name: str) -> str:
    """What someone would type for this name. Every scale-test family name starts "Scaletest-", a prefix no
    real surnames share: its trigrams are in every row, so a search for the whole synthetic name measures the
    generator's naming rather than a search for a person (see README, Performance)."""
    return family_name.removeprefix(SCALE_NAME_PREFIX)


def build_scenarios(plan: Plan) -> list[Scenario]:
    """Reads first, the write last (it adds history and access-log rows)."""
    list_paths = [list_path(LIST_QUERY, cursor) for cursor in plan.list_cursors]
    ungated = {**LIST_QUERY, "borough": HACKNEY}
    scenarios = [
        Scenario(
            "list",
            "Subject list, gated (supervisor: Hackney, approved, by harm)",
            (SUPERVISOR,),
            _get(SUPERVISOR, list_paths),
        ),
        Scenario(
            "list_ungated",
            "Same list ungated (auditor, borough=Hackney)",
            (AUDITOR,),
            _get(AUDITOR, [list_path(ungated, cursor) for cursor in plan.ungated_cursors]),
        ),
    ]
    if plan.admin_served:
        pages = [admin_path(page) for page in range(1, len(plan.list_cursors) + 1)]
        scenarios.append(Scenario("admin", "Django admin changelist, same rows (dpo)", (DPO,), _get(DPO, pages)))
    scenarios += [
        Scenario("api_list", "API subject list, gated (supervisor)", (SUPERVISOR,), _get(SUPERVISOR, plan.api_pages)),
        Scenario(
            "api_list_ungated",
            "API subject list ungated (auditor, borough=Hackney)",
            (AUDITOR,),
            _get(AUDITOR, plan.api_ungated_pages),
        ),
        Scenario(
            "subject",
            "Subject page with evidence and history",
            (SUPERVISOR,),
            _get(SUPERVISOR, lambda rng: f"/subjects/{rng.choice(plan.subjects)[0]}/"),
        ),
        Scenario(
            "search",
            "Name search (q=the distinctive part of a random subject's family name)",
            (SUPERVISOR,),
            _get(SUPERVISOR, lambda rng: with_query("/subjects/", {"q": distinctive(rng.choice(plan.subjects)[1])})),
        ),
        Scenario("register", "Disclosure register (supervisor)", (SUPERVISOR,), _get(SUPERVISOR, ["/disclosures/"])),
        Scenario(
            "timeline",
            "Auditor's subject timeline",
            (AUDITOR,),
            _get(AUDITOR, lambda rng: f"/audit/subjects/{rng.choice(plan.subjects)[0]}/"),
        ),
        Scenario(
            "audit_search",
            "Access-log search (auditor, filtered)",
            (AUDITOR,),
            _get(AUDITOR, [with_query("/audit/events/", query) for query in AUDIT_SEARCHES]),
        ),
        Scenario(
            "write",
            "Submit then approve (officer, then supervisor; one operation)",
            (OFFICER, SUPERVISOR),
            submit_then_approve(plan.drafts),
        ),
    ]
    return scenarios
