"""Read-side queries for the browser pages (and the API's search): lists, filters, sorts, dashboard panels.

Every queryset starts from ``Subject.objects.visible_to(user)``, selects the related rows a page
shows, and is bounded: a dashboard panel fetches one row more than it shows, to know whether to
offer "see all", so no page counts the whole table.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils import timezone

from core import pagination
from matrix import permissions
from matrix.choices import PERPETRATOR_CLASSIFICATIONS, SourceType, Status, Verification
from matrix.models import Evidence, Subject

PANEL_SIZE = 20
REVIEW_SOON_DAYS = 14


def search_subjects(queryset, text: str):
    """Name, alias or reference search shared by the browser list and the API."""
    text = (text or "").strip()
    if not text:
        return queryset
    return queryset.filter(
        Q(reference__iexact=text)
        | Q(family_name__icontains=text)
        | Q(given_names__icontains=text)
        | Q(aliases__icontains=text)
    )


def visible_subjects(user):
    return Subject.objects.visible_to(user).select_related("borough")


def workable_subjects(user):
    """Subjects of the user's own boroughs (not break-glass ones): where their work queues are."""
    return visible_subjects(user).filter(borough__in=permissions.boroughs_for(user))


def own_records(user) -> Q:
    """Four-eyes: records the user created or submitted (see permissions.is_own_record)."""
    return Q(created_by=user) | Q(submitted_by=user)


def unverified_social_media():
    return Evidence.objects.filter(
        source_type=SourceType.SOCIAL_MEDIA, verification=Verification.UNVERIFIED, withdrawn_at__isnull=True
    )


# The subject list: filters and sorts -----------------------------------------------------------------

FLAGS = {
    "lapsed": ("Criteria lapsed", lambda qs: qs.filter(status=Status.APPROVED, criteria_lapsed_at__isnull=False)),
    "zero_harm": (
        "Perpetrators with a zero harm score",
        lambda qs: qs.filter(status=Status.APPROVED, classification__in=PERPETRATOR_CLASSIFICATIONS, harm_score=0),
    ),
    "unverified_social_media": (
        "Social media awaiting verification",
        lambda qs: qs.filter(Exists(unverified_social_media().filter(subject=OuterRef("pk")))),
    ),
}


HARM = pagination.KeysetOrder("harm", "harm_score", True, pagination.finite_decimal)
REVIEW = pagination.KeysetOrder("review", "review_due", False, date.fromisoformat, pagination.isoformat)


@dataclass(frozen=True)
class SortOption:
    label: str
    order: pagination.KeysetOrder
    restrict: object  # queryset -> queryset: rows that belong in this view at all


SORTS = {
    "newest": SortOption("Newest first", pagination.NEWEST, lambda qs: qs),
    # The offender view: perpetrators with a score only. Victims and people at risk never appear in it.
    "harm": SortOption(
        "Harm score, highest first (perpetrators only; removed records excluded)",
        HARM,
        lambda qs: qs.filter(classification__in=PERPETRATOR_CLASSIFICATIONS, harm_score__isnull=False).exclude(
            status=Status.REMOVED
        ),
    ),
    "review": SortOption(
        "Review date, soonest first (approved only)",
        REVIEW,
        lambda qs: qs.filter(status=Status.APPROVED, review_due__isnull=False),
    ),
}


OWNERS = {"mine": "Me (created or submitted)", "others": "Someone else"}


def _one_or_more(value) -> list:
    """A filter's choices: one from the page's lists, any number from the API."""
    return list(value) if isinstance(value, (list, tuple)) else [value]


def filter_subjects(queryset, criteria: dict, *, user, today=None):
    """Apply the list filters in ``criteria`` (the page's SubjectListForm or the API's SubjectFilter, cleaned);
    empty values are ignored. The one place the subject list's filters are decided, for the page and the API."""
    today = today or timezone.localdate()
    if criteria.get("borough"):
        queryset = queryset.filter(borough=criteria["borough"])
    if criteria.get("classification"):
        queryset = queryset.filter(classification__in=_one_or_more(criteria["classification"]))
    if criteria.get("status"):
        queryset = queryset.filter(status__in=_one_or_more(criteria["status"]))
    if criteria.get("harm_band"):
        queryset = queryset.filter(
            harm_band__in=_one_or_more(criteria["harm_band"]), classification__in=PERPETRATOR_CLASSIFICATIONS
        )
    if criteria.get("review_due_before"):
        queryset = queryset.filter(status=Status.APPROVED, review_due__lte=criteria["review_due_before"])
    if criteria.get("overdue"):
        queryset = queryset.filter(status=Status.APPROVED, review_due__lt=today)
    if criteria.get("flag") in FLAGS:
        queryset = FLAGS[criteria["flag"]][1](queryset)
    if criteria.get("owner") == "mine":
        queryset = queryset.filter(own_records(user))
    elif criteria.get("owner") == "others":
        queryset = queryset.exclude(own_records(user))
    return search_subjects(queryset, criteria.get("q", ""))


def describe_filters(criteria: dict) -> str:
    """The filters in force, for the access log: names and choices only, never the search text itself."""
    parts = [
        f"{name}={value}"
        for name, value in sorted(criteria.items())
        if value not in (None, "", False) and name not in ("q",)
    ]
    if criteria.get("q"):
        parts.append("text search")
    return ", ".join(parts) or "no filters"


def sort_of(criteria: dict) -> SortOption:
    return SORTS.get(criteria.get("sort") or "newest", SORTS["newest"])


def subject_list(user, criteria: dict, queryset=None):
    """The subject list's rows (unordered) and the keyset order they are paged in: filtered, then narrowed to
    the rows the sort's view holds (the harm view: perpetrators with a score only). Page and API alike."""
    sort = sort_of(criteria)
    rows = visible_subjects(user) if queryset is None else queryset
    return sort.restrict(filter_subjects(rows, criteria, user=user)), sort.order


def matching_count(user, criteria: dict) -> int:
    """How many subjects the list's filters match, across all its pages."""
    return filter_subjects(visible_subjects(user), criteria, user=user).count()


def subject_list_page(user, criteria: dict, cursor: str | None, size: int):
    """One page of the subject list: (rows, next_cursor). One query, whatever the page size or table size."""
    return pagination.keyset_page(*subject_list(user, criteria), cursor, size)


# Dashboard panels ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """A bounded dashboard list with a link to the full, filtered subject list."""

    key: str
    title: str
    rows: list
    has_more: bool
    see_all: str  # query string for the subject list, e.g. "status=draft&owner=mine"
    empty: str
    note: str = ""
    total: int | None = None  # how many in all, for panels that say so


def panel(key, title, queryset, *, see_all, empty, note="", size=PANEL_SIZE, counted=False) -> Panel:
    """``counted`` panels also say how many there are in all, counted by the database in the same query."""
    if counted:
        queryset = with_total(queryset)
    rows = list(queryset[: size + 1])
    total = (rows[0].total_rows if rows else 0) if counted else None
    return Panel(key, title, rows[:size], len(rows) > size, see_all, empty, note, total)


def with_total(queryset):
    """Each row also carries ``total_rows``, how many rows the whole query has: one query, not two."""
    return queryset.annotate(total_rows=Window(Count("pk")))


def officer_panels(user) -> list[Panel]:
    mine = workable_subjects(user).filter(own_records(user))
    return [
        panel(
            "drafts",
            "My drafts",
            mine.filter(status=Status.DRAFT).order_by("-updated_at", "-uuid"),
            see_all="status=draft&owner=mine",
            empty="You have no drafts.",
        ),
        panel(
            "rejected",
            "My rejected entries",
            mine.filter(status=Status.REJECTED).order_by("-updated_at", "-uuid"),
            see_all="status=rejected&owner=mine",
            empty="None of your entries has been rejected.",
            note="A supervisor sent these back with a reason. Address it, then submit the record again.",
        ),
        panel(
            "recent",
            "Recently added in my boroughs",
            workable_subjects(user).order_by("-created_at", "-uuid"),
            see_all="",
            empty="No subjects are recorded in your boroughs yet.",
            size=10,
        ),
    ]


def supervisor_panels(user, today=None) -> list[Panel]:
    today = today or timezone.localdate()
    soon = today + timedelta(days=REVIEW_SOON_DAYS)
    subjects = workable_subjects(user)
    approved = subjects.filter(status=Status.APPROVED)
    return [
        panel(
            "awaiting_approval",
            "Awaiting my approval",
            subjects.filter(status=Status.SUBMITTED)
            .exclude(own_records(user))
            .select_related("submitted_by")
            .order_by("submitted_at", "uuid"),
            see_all="status=submitted&owner=others",
            empty="Nothing is waiting for your approval.",
            note="Records you created or submitted are not listed: another supervisor must decide them.",
        ),
        panel(
            "reviews_overdue",
            "Reviews overdue",
            approved.filter(review_due__lt=today).order_by("review_due", "uuid"),
            see_all="overdue=on&sort=review",
            empty="No reviews are overdue.",
            note="Overdue records may not be disclosed until they are reviewed.",
            counted=True,
        ),
        panel(
            "reviews_due",
            f"Reviews due in the next {REVIEW_SOON_DAYS} days",
            approved.filter(review_due__gte=today, review_due__lte=soon).order_by("review_due", "uuid"),
            see_all=f"review_due_before={soon.isoformat()}&sort=review",
            empty=f"No reviews fall due in the next {REVIEW_SOON_DAYS} days.",
        ),
        panel(
            "lapsed",
            "Approved records whose criteria lapsed",
            FLAGS["lapsed"][1](subjects).order_by("criteria_lapsed_at", "uuid"),
            see_all="flag=lapsed",
            empty="Every approved record still meets an inclusion criterion.",
            note="Evidence aged out or was withdrawn: review these now.",
        ),
        panel(
            "zero_harm",
            "Approved perpetrators with a zero harm score",
            FLAGS["zero_harm"][1](subjects).order_by("review_due", "uuid"),
            see_all="flag=zero_harm",
            empty="No approved perpetrator has a zero harm score.",
            note="Nothing currently scores against these people: consider them for removal.",
        ),
    ]


def social_media_awaiting_verification(user, size=PANEL_SIZE):
    """Unverified social-media items on the user's boroughs' subjects, recorded by someone else: (rows, has_more)."""
    items = (
        unverified_social_media()
        .filter(subject__in=workable_subjects(user).exclude(status=Status.REMOVED).values("pk"))
        .exclude(created_by=user)
        .select_related("subject", "subject__borough")
        .order_by("created_at", "uuid")
    )
    rows = list(items[: size + 1])
    return rows[:size], len(rows) > size


def oversight_panels(user, today=None) -> list[Panel]:
    today = today or timezone.localdate()
    subjects = visible_subjects(user)
    return [
        panel(
            "recently_changed",
            "Recently changed records",
            subjects.order_by("-updated_at", "-uuid"),
            see_all="",
            empty="No records are held.",
            size=10,
        ),
        panel(
            "reviews_overdue",
            "Reviews overdue, all boroughs",
            subjects.filter(status=Status.APPROVED, review_due__lt=today).order_by("review_due", "uuid"),
            see_all="overdue=on&sort=review",
            empty="No reviews are overdue.",
            size=10,
            counted=True,
        ),
        panel(
            "lapsed",
            "Approved records whose criteria lapsed, all boroughs",
            FLAGS["lapsed"][1](subjects).order_by("criteria_lapsed_at", "uuid"),
            see_all="flag=lapsed",
            empty="Every approved record still meets an inclusion criterion.",
            size=10,
        ),
    ]
