"""Producing a statistics release: count (transparency.aggregates), suppress, store — nothing else.

``publish_release`` is what the scheduled ``publish_statistics`` command calls. It stores only the
suppressed tables, so an unprotected count never reaches the database, the page or the export.
Every table lists all its categories, with zeros, so the shape of a release does not depend on the data.
"""

from contextlib import contextmanager
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from audit.log import record
from audit.models import Action
from config.formats import written
from matrix.choices import (
    BROAD_ETHNIC_GROUPS,
    PERPETRATOR_CLASSIFICATIONS,
    Classification,
    Ethnicity,
    Gender,
    HarmBand,
    broad_ethnic_group,
)
from matrix.models import Borough
from sharing.choices import PartnerKind
from sharing.models import LawfulBasis
from transparency import aggregates
from transparency.aggregates import Period
from transparency.models import StatisticsRelease
from transparency.suppression import (
    DEFAULT_THRESHOLD,
    LinkedTables,
    OneWay,
    TwoWay,
    suppress_one_way,
    suppress_two_way,
)

SYSTEM_USERNAME = "system.publish_statistics"
DEFAULT_MONTHS = 3  # a quarter: the first release's span (later ones start where the previous ended)
NOT_SCORED = "Not yet scored"
ON_TIME, LATE = "on_time", "late"
PEOPLE = "people"  # what a table counts, named under its chart


def whole_months_before(day: date, months: int) -> Period:
    """The ``months`` whole calendar months that end before the month containing ``day``."""
    end = day.replace(day=1) - timedelta(days=1)
    start = end.replace(day=1)
    for _ in range(months - 1):
        start = (start - timedelta(days=1)).replace(day=1)
    return Period(start, end)


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


def _one_way_table(key, title, description, row_heading, value_heading, labels, result: OneWay, unit=PEOPLE) -> dict:
    return {
        "key": key,
        "title": title,
        "description": description,
        "row_heading": row_heading,
        "unit": unit,
        "columns": [value_heading],
        "rows": [{"label": label, "cells": [cell.as_json()]} for label, cell in zip(labels, result.cells)],
        "total": {"label": "Total", "cells": [result.total.as_json()]},
    }


def _two_way_table(
    key, title, description, row_heading, row_labels, column_labels, result: TwoWay, unit=PEOPLE
) -> dict:
    return {
        "key": key,
        "title": title,
        "description": description,
        "row_heading": row_heading,
        "unit": unit,
        "columns": [*column_labels, "Total"],
        "rows": [
            {"label": label, "cells": [*(cell.as_json() for cell in row), total.as_json()]}
            for label, row, total in zip(row_labels, result.cells, result.row_totals)
        ],
        "total": {
            "label": "Total",
            "cells": [*(c.as_json() for c in result.column_totals), result.grand_total.as_json()],
        },
    }


def _matrix_tables(on: date, threshold: int) -> list[dict]:
    """The snapshot of who is on the matrix. Every table counts the same people, so they share their totals and
    are protected together (see ``LinkedTables``)."""
    classes = Classification.choices
    class_labels = [label for _value, label in classes]
    boroughs = list(Borough.objects.order_by("name").values_list("id", "name"))
    by_borough = aggregates.borough_by_classification()
    groups = [*BROAD_ETHNIC_GROUPS, (Ethnicity.NOT_STATED.value, Ethnicity.NOT_STATED.label)]
    by_ethnicity = {(group, c): 0 for group, _label in groups for c, _label in classes}
    for (ethnicity, classification), n in aggregates.ethnicity_by_classification().items():
        group = ethnicity if ethnicity == Ethnicity.NOT_STATED else broad_ethnic_group(ethnicity)
        by_ethnicity[(group, classification)] += n
    ages = aggregates.age_bands(on)
    age_labels = [label for _low, _high, label in aggregates.AGE_BANDS]
    genders = aggregates.genders()
    bands = aggregates.harm_bands()
    reviews = aggregates.review_status(on)

    linked = LinkedTables()
    borough = linked.two_way([[by_borough[(borough_id, c)] for c, _label in classes] for borough_id, _name in boroughs])
    everyone = {"total": borough.grand_total}
    ethnicity = linked.two_way(
        [[by_ethnicity[(group, c)] for c, _label in classes] for group, _label in groups],
        column_totals=borough.column_totals,
        grand_total=borough.grand_total,
    )
    age = linked.one_way([ages[label] for label in age_labels], **everyone)
    gender = linked.one_way([genders[v] for v, _l in Gender.choices], **everyone)
    harm = linked.one_way([*(bands[v] for v, _l in HarmBand.choices), bands[""]])
    perpetrator_columns = [i for i, (value, _label) in enumerate(classes) if value in PERPETRATOR_CLASSIFICATIONS]
    linked.sum_of([borough.column_totals[i] for i in perpetrator_columns], harm.total)
    review = linked.one_way([reviews["not_yet_due"], reviews["overdue"]], **everyone)
    cells = linked.protect(threshold)

    snapshot = f"People on the matrix (approved records only) on {written(on)}"
    return [
        _two_way_table(
            "on_matrix_by_borough",
            "On the matrix, by borough and category",
            f"{snapshot}, by the borough holding the record and the DPA 2018 s.38(3) category.",
            "Borough",
            [name for _id, name in boroughs],
            class_labels,
            borough.read(cells),
        ),
        _two_way_table(
            "on_matrix_by_ethnicity",
            "On the matrix, by ethnic group and category",
            f"{snapshot}, by self-defined ethnicity (ONS 2021 high-level groups) and category.",
            "Ethnic group",
            [label for _group, label in groups],
            class_labels,
            ethnicity.read(cells),
        ),
        _one_way_table(
            "on_matrix_by_age",
            "On the matrix, by age",
            f"{snapshot}, by age on that day.",
            "Age",
            "People",
            age_labels,
            age.read(cells),
        ),
        _one_way_table(
            "on_matrix_by_gender",
            "On the matrix, by gender",
            f"{snapshot}, by gender.",
            "Gender",
            "People",
            [label for _v, label in Gender.choices],
            gender.read(cells),
        ),
        _one_way_table(
            "perpetrators_by_harm_band",
            "Harm bands of people suspected or convicted",
            f"{snapshot}, suspected or convicted only (victims and people at risk are never scored), by harm band.",
            "Harm band",
            "People",
            [*(label for _v, label in HarmBand.choices), NOT_SCORED],
            harm.read(cells),
        ),
        _one_way_table(
            "reviews_due",
            "Reviews due",
            f"{snapshot}, by whether their periodic review is overdue.",
            "Review",
            "People",
            ["Not yet due", "Overdue"],
            review.read(cells),
        ),
    ]


def _activity_tables(period: Period, threshold: int) -> list[dict]:
    """What happened in the period. Both disclosure tables count the same disclosures month by month, so they
    share their monthly totals and are protected together."""
    months = period.months()
    month_labels = [month_label(m) for m in months]
    span = f"{written(period.start)} to {written(period.end)}"
    bases = list(LawfulBasis.objects.order_by("citation").values_list("code", "citation"))
    by_kind = aggregates.disclosures_by("partner__kind", period)
    by_basis = aggregates.disclosures_by("lawful_basis__code", period)
    reviews = aggregates.reviews_by_timeliness(period)
    removals = aggregates.removals_by_month(period)

    disclosures = LinkedTables()
    kinds = disclosures.two_way([[by_kind[(m, kind)] for kind, _label in PartnerKind.choices] for m in months])
    basis = disclosures.two_way(
        [[by_basis[(m, code)] for code, _citation in bases] for m in months],
        row_totals=kinds.row_totals,
        grand_total=kinds.grand_total,
    )
    disclosure_cells = disclosures.protect(threshold)
    return [
        _two_way_table(
            "disclosures_by_partner_kind",
            "Disclosures to partner agencies, by kind of agency",
            f"Disclosures approved from {span}, by month and kind of partner agency.",
            "Month",
            month_labels,
            [label for _v, label in PartnerKind.choices],
            kinds.read(disclosure_cells),
            unit="disclosures",
        ),
        _two_way_table(
            "disclosures_by_lawful_basis",
            "Disclosures to partner agencies, by lawful basis",
            f"Disclosures approved from {span}, by month and the lawful basis they were made under.",
            "Month",
            month_labels,
            [citation for _code, citation in bases],
            basis.read(disclosure_cells),
            unit="disclosures",
        ),
        _two_way_table(
            "reviews_by_month",
            "Reviews recorded, on time and late",
            f"Periodic reviews recorded from {span}, by month and whether they were recorded by the review date.",
            "Month",
            month_labels,
            ["On time", "Late"],
            suppress_two_way([[reviews[(m, ON_TIME)], reviews[(m, LATE)]] for m in months], threshold),
            unit="reviews",
        ),
        _one_way_table(
            "removals_by_month",
            "Removals from the matrix",
            f"People removed from the matrix from {span}, by month.",
            "Month",
            "People removed",
            month_labels,
            suppress_one_way([removals[m] for m in months], threshold),
        ),
    ]


class NothingNewToPublish(ValueError):
    """Every whole month up to last month is already in a release."""


def next_period(today: date, months: int = DEFAULT_MONTHS) -> Period | None:
    """The activity a release made ``today`` covers: the whole months since the latest release's period ended,
    up to the end of last month (``months`` of them for the first release); None when there are none.

    Periods never overlap: were a month counted in two releases, with different counts beside it, a count
    hidden in one could be published in the other, or worked out from it.
    """
    wanted = whole_months_before(today, months)
    previous = latest_release()
    if previous is None:
        return wanted
    start = previous.period_end + timedelta(days=1)
    return Period(start, wanted.end) if start <= wanted.end else None


@contextmanager
def _one_snapshot():
    """Every count of a release from the same state of the database, so that totals shared between tables
    agree. PostgreSQL's default isolation gives each query its own snapshot; this transaction (read only:
    nothing is written in it) asks for one snapshot for all of them. Inside an outer transaction (tests) the
    level cannot be changed, and nothing else is writing."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def publish_release(*, months: int = DEFAULT_MONTHS, threshold: int = DEFAULT_THRESHOLD, now=None) -> StatisticsRelease:
    """Count, suppress and store a new release; earlier releases stay exactly as published.

    Raises ValueError for a threshold below the published rule's and NothingNewToPublish when every whole
    month is already in a release.
    """
    if months < 1:
        raise ValueError("A release covers at least one month.")
    if threshold < DEFAULT_THRESHOLD:
        raise ValueError(f"Counts below {DEFAULT_THRESHOLD} are always hidden; the threshold cannot be lower.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    period = next_period(today, months)
    if period is None:
        raise NothingNewToPublish(
            f"Every whole month up to {whole_months_before(today, 1).end:%d %B %Y} is already in a release; "
            "the next one can be made next month."
        )
    with _one_snapshot():
        tables = _matrix_tables(today, threshold) + _activity_tables(period, threshold)
    # The release and its log entry are written in their own transaction: the log's append must see the
    # newest entry, which a snapshot taken before it would not.
    with transaction.atomic():
        release = StatisticsRelease.objects.create(
            produced_at=now,
            period_start=period.start,
            period_end=period.end,
            threshold=threshold,
            tables={"snapshot_on": today.isoformat(), "tables": tables},
        )
        record(
            Action.EXPORT,
            obj=release,
            username=SYSTEM_USERNAME,
            detail=f"Published aggregate statistics (suppressed below {threshold}) for {period.start} to {period.end}",
        )
    return release


def release_list():
    """Every release, newest first, without its tables (dates and periods, for a list of downloads)."""
    return StatisticsRelease.objects.defer("tables").order_by("-produced_at", "-id")


def latest_release() -> StatisticsRelease | None:
    return StatisticsRelease.objects.order_by("-produced_at", "-id").first()
