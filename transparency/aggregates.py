"""Raw counts for the published statistics, each one aggregate query (GROUP BY in the database).

Nothing here loads individual records: every function returns counts keyed by category, so the
cost is a handful of queries however many subjects there are. These counts are NOT for publication
as they stand — ``transparency.releases`` suppresses small numbers before anything is stored.

The matrix figures describe approved subjects only (status ``approved``: on the matrix); drafts,
submissions, rejected, removed and erased records are never counted there. The activity figures
(disclosures, reviews, removals) count events in the period, whatever has happened to the record
since: a disclosure that was made stays made after the subject is removed.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, DateField, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import TruncDate, TruncMonth

from matrix.choices import Status
from matrix.models import Subject, SubjectReview
from matrix.validators import latest_birth_date_at_age
from sharing.choices import DisclosureStatus
from sharing.models import Disclosure


@dataclass(frozen=True)
class Period:
    """Whole calendar months, first day of the first to last day of the last."""

    start: date
    end: date

    def months(self) -> list[date]:
        months, month = [], self.start
        while month <= self.end:
            months.append(month)
            month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        return months


# The published age bands split children in two (under 15, 15 to 17). The disproportionality page uses the
# census's bands instead (transparency.models.population.AgeBand), because its baselines come in them.
AGE_BANDS = [
    (None, 15, "Under 15"),
    (15, 18, "15 to 17"),
    (18, 25, "18 to 24"),
    (25, 35, "25 to 34"),
    (35, None, "35 and over"),
]


def _on_matrix():
    return Subject.objects.filter(status=Status.APPROVED)


def _pairs(queryset, *keys) -> Counter:
    return Counter({tuple(row[k] for k in keys): row["n"] for row in queryset.annotate(n=Count("id"))})


def _singles(queryset, key) -> Counter:
    return Counter({row[key]: row["n"] for row in queryset.annotate(n=Count("id"))})


def borough_by_classification() -> Counter:
    """(borough id, classification) → approved subjects."""
    return _pairs(_on_matrix().values("borough_id", "classification").order_by(), "borough_id", "classification")


def ethnicity_by_classification() -> Counter:
    """(self-defined ethnicity, classification) → approved subjects."""
    return _pairs(_on_matrix().values("ethnicity", "classification").order_by(), "ethnicity", "classification")


def harm_bands() -> Counter:
    """Harm band → approved perpetrators ("" where no score has been calculated yet)."""
    return _singles(_on_matrix().perpetrators().values("harm_band").order_by(), "harm_band")


def genders() -> Counter:
    return _singles(_on_matrix().values("gender").order_by(), "gender")


def age_bands(on: date) -> Counter:
    """Age band label → approved subjects, by age on the given day."""
    whens = []
    for youngest, older_than_band, label in AGE_BANDS:
        condition = Q()
        if youngest is not None:
            condition &= Q(date_of_birth__lte=latest_birth_date_at_age(on, youngest))
        if older_than_band is not None:
            condition &= Q(date_of_birth__gt=latest_birth_date_at_age(on, older_than_band))
        whens.append(When(condition, then=Value(label)))
    return _singles(_on_matrix().annotate(band=Case(*whens)).values("band").order_by(), "band")


def review_status(on: date) -> Counter:
    """Approved subjects whose review is overdue on the given day, and those not yet due."""
    counts = _on_matrix().aggregate(
        overdue=Count("id", filter=Q(review_due__lt=on)), not_yet_due=Count("id", filter=Q(review_due__gte=on))
    )
    return Counter(counts)


def _in_period(field: str, period: Period) -> Q:
    return Q(**{f"{field}__date__gte": period.start, f"{field}__date__lte": period.end})


def _month_key(value) -> date:
    """TruncMonth gives a datetime on PostgreSQL and SQLite alike; the key is its first day."""
    return value.date() if hasattr(value, "date") else value


def disclosures_by(dimension: str, period: Period) -> Counter:
    """(month, partner kind or lawful basis code) → disclosures approved in the period.

    Revoked disclosures were approved first (the data went out), so they count too.
    """
    rows = (
        Disclosure.objects.filter(
            _in_period("decided_at", period), status__in=[DisclosureStatus.APPROVED, DisclosureStatus.REVOKED]
        )
        .annotate(month=TruncMonth("decided_at"), key=F(dimension))
        .values("month", "key")
        .order_by()
        .annotate(n=Count("id"))
    )
    return Counter({(_month_key(row["month"]), row["key"]): row["n"] for row in rows})


def reviews_by_timeliness(period: Period) -> Counter:
    """(month, "on_time" | "late") → reviews recorded in the period.

    A review is on time when it was recorded on or before the review date the record carried just
    before it, read from the record's history (the review date is replaced as the review is saved).
    """
    history = Subject.history.model.objects.filter(id=OuterRef("subject_id"), history_date__lt=OuterRef("reviewed_at"))
    due_before = Subquery(history.order_by("-history_date").values("review_due")[:1], output_field=DateField())
    rows = (
        SubjectReview.objects.filter(_in_period("reviewed_at", period))
        .annotate(month=TruncMonth("reviewed_at"), due=due_before, reviewed_on=TruncDate("reviewed_at"))
        .values("month")
        .order_by()
        .annotate(done=Count("id"), on_time=Count("id", filter=Q(reviewed_on__lte=F("due"))))
    )
    counts = Counter()
    for row in rows:
        month = _month_key(row["month"])
        counts[(month, "on_time")] += row["on_time"]
        # Without a recorded review date (none before the history began) a review cannot show it was on time.
        counts[(month, "late")] += row["done"] - row["on_time"]
    return counts


def removals_by_month(period: Period) -> Counter:
    """Month → subjects removed from the matrix in the period (at review or otherwise)."""
    rows = (
        Subject.objects.filter(_in_period("removed_at", period))
        .annotate(month=TruncMonth("removed_at"))
        .values("month")
        .order_by()
        .annotate(n=Count("id"))
    )
    return Counter({_month_key(row["month"]): row["n"] for row in rows})
