"""Turning a stored release into what people read: charts, the JSON document and CSV rows.

Everything here reads the suppressed tables as stored; nothing recomputes a figure.
"""

from django.utils.safestring import SafeString

from transparency.charts import bar_chart
from transparency.models import StatisticsRelease
from transparency.suppression import HIDDEN_TEXT, WITHHELD_TEXT, fewer_than_text

CSV_HEADER = ["produced_at", "period_start", "period_end", "table", "row", "column", "count", "shown_as"]


def suppression_rule(threshold: int) -> str:
    return (
        f"Counts from 1 to {threshold - 1} are shown as '{fewer_than_text(threshold)}'; true zeros are shown as 0. "
        f"Where a small count could be worked out from the others and the totals, further counts are shown as "
        f"'{HIDDEN_TEXT}'. Where even that would not protect them, a table's counts are all '{WITHHELD_TEXT}'."
    )


def chart_for(table: dict) -> SafeString:
    """A bar per row, of the row's total (the last column); hidden totals print their text without a bar."""
    rows = [(row["label"], row["cells"][-1]["value"], row["cells"][-1]["text"]) for row in table["rows"]]
    return bar_chart(
        title=table["title"],
        description=(
            f"{table['description']} One bar per {table['row_heading'].lower()}, showing the total; "
            "hidden numbers have no bar. The table gives every figure."
        ),
        rows=rows,
        unit=table["unit"],
    )


def release_document(release: StatisticsRelease) -> dict:
    return {
        "produced_at": release.produced_at.isoformat(),
        "period": {"start": release.period_start.isoformat(), "end": release.period_end.isoformat()},
        "snapshot_on": release.tables["snapshot_on"],
        "suppression": {"threshold": release.threshold, "rule": suppression_rule(release.threshold)},
        "tables": release.tables["tables"],
    }


def export_rows(release: StatisticsRelease):
    yield CSV_HEADER
    stamp = (release.produced_at.isoformat(), release.period_start.isoformat(), release.period_end.isoformat())
    for table in release.tables["tables"]:
        for row in [*table["rows"], table["total"]]:
            for column, cell in zip(table["columns"], row["cells"]):
                value = "" if cell["value"] is None else cell["value"]
                yield [*stamp, table["key"], row["label"], column, value, cell["text"]]
