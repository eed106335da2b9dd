"""Loading population baselines from CSV: the whole file is checked first, then loaded in one transaction.

The format (also in ``manage.py load_population --help`` and the README):

    area_code,dimension,group,population,source,year
    E09000012,ethnicity,black_african,12345,ONS Census 2021 TS021,2021

One figure per line. A file may hold several areas and dimensions, but each (area, dimension, year)
must come from one source and cover every group of its dimension (0 where there are none), or the
population shares would be wrong. Loading replaces the figures already held for each (area,
dimension, year) in the file and leaves every other baseline alone.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from audit.log import record
from audit.models import Action
from core.history import delete_tracked
from matrix.models import Borough
from transparency.models import PopulationBaseline
from transparency.models.population import LONDON_CODE, MAX_POPULATION, Dimension, population_groups

COLUMNS = ("area_code", "dimension", "group", "population", "source", "year")
# Groups a published table always counts. The census sex question has only female and male, so the
# other gender codes may be left out (they then have no population share and no ratio).
OPTIONAL_GROUPS = {Dimension.GENDER: {"non_binary", "other"}}
MAX_PROBLEMS = 50
SYSTEM_USERNAME = "system.load_population"  # who the access log names: a command, run by an administrator
# Loaded by seed_demo: made-up figures for London, Hackney and Southwark, labelled as such in its source column.
SYNTHETIC_SAMPLE = Path(__file__).parent / "data" / "sample_population.csv"


class PopulationFileError(Exception):
    """The file cannot be loaded; ``problems`` says why, line by line. Nothing was changed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Figure:
    line: int
    area_code: str
    dimension: str
    group: str
    population: int
    source: str
    year: int

    @property
    def key(self) -> tuple[str, str, str, int]:
        return (self.area_code, self.dimension, self.group, self.year)

    @property
    def scope(self) -> tuple[str, str, int]:
        return (self.area_code, self.dimension, self.year)


@dataclass(frozen=True)
class LoadResult:
    added: int
    changed: int
    removed: int
    unchanged: int

    def summary(self) -> str:
        return f"{self.added} added, {self.changed} changed, {self.removed} removed, {self.unchanged} unchanged"


def known_area_codes() -> set[str]:
    return {*Borough.objects.values_list("code", flat=True), LONDON_CODE}


def read_figures(lines: Iterable[str], area_codes: set[str]) -> list[Figure]:
    """Every figure in the file, or PopulationFileError listing every problem found (with line numbers)."""
    reader = csv.reader(lines)
    header = [column.strip() for column in next(reader, [])]
    header_problems = _header_problems(header)
    if header_problems:
        raise PopulationFileError(header_problems)
    problems: list[str] = []
    figures: list[Figure] = []
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            continue  # blank lines, e.g. at the end of the file
        if len(cells) != len(header):
            problems.append(f"Line {line}: expected {len(header)} values, found {len(cells)}.")
            continue
        row = dict(zip(header, (cell.strip() for cell in cells), strict=True))
        figure = _parse_row(line, row, area_codes, problems)
        if figure is not None:
            figures.append(figure)
    if not figures and not problems:
        problems.append("The file has a header but no figures.")
    problems += _consistency_problems(figures)
    if problems:
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"… and {len(problems) - MAX_PROBLEMS} more problems."]
        raise PopulationFileError(problems)
    return figures


def _header_problems(header: list[str]) -> list[str]:
    expected = ", ".join(COLUMNS)
    if not any(header):
        return [f"The file is empty. Line 1 must be the header: {expected}."]
    problems = []
    missing = [column for column in COLUMNS if column not in header]
    unknown = [column for column in header if column not in COLUMNS]
    if missing:
        problems.append(f"Line 1: the header lacks {', '.join(missing)}. Expected the columns: {expected}.")
    if unknown:
        problems.append(f"Line 1: unknown column(s) {', '.join(repr(c) for c in unknown)}. Expected: {expected}.")
    duplicated = sorted({column for column in header if header.count(column) > 1})
    if duplicated:
        problems.append(f"Line 1: column(s) named twice: {', '.join(duplicated)}.")
    return problems


def _parse_row(line: int, row: dict[str, str], area_codes: set[str], problems: list[str]) -> Figure | None:
    found = len(problems)
    area_code, dimension, group = row["area_code"], row["dimension"], row["group"]
    if area_code not in area_codes:
        problems.append(
            f"Line {line}: unknown area code {area_code!r}. Use a London borough's ONS code "
            f"(E09000001 to E09000033) or {LONDON_CODE} for London as a whole."
        )
    if dimension not in Dimension.values:
        problems.append(f"Line {line}: unknown dimension {dimension!r}. Use one of: {', '.join(Dimension.values)}.")
    else:
        codes = [code for code, _label in population_groups(dimension)]
        if group not in codes:
            problems.append(f"Line {line}: {group!r} is not a group of {dimension}. Use one of: {', '.join(codes)}.")
    population = _whole_number(row["population"])
    if population is None:
        problems.append(f"Line {line}: population must be a whole number, 0 or more, not {row['population']!r}.")
    elif population > MAX_POPULATION:
        problems.append(f"Line {line}: population {population:,} is more than live in any area; check the figure.")
    if not row["source"]:
        problems.append(f"Line {line}: source is empty. Name the published table, e.g. ONS Census 2021 TS021.")
    elif len(row["source"]) > 200:
        problems.append(f"Line {line}: source is longer than 200 characters.")
    year = _whole_number(row["year"])
    if year is None or not 1800 <= year <= 2200:
        problems.append(f"Line {line}: year must be the edition's year, e.g. 2021, not {row['year']!r}.")
    if len(problems) > found:
        return None
    return Figure(line, area_code, dimension, group, population, row["source"], year)


def _whole_number(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _consistency_problems(figures: list[Figure]) -> list[str]:
    problems = []
    first_of_key: dict[tuple, Figure] = {}
    first_of_scope: dict[tuple, Figure] = {}
    groups_of_scope: dict[tuple, set[str]] = {}
    for figure in figures:
        earlier = first_of_key.setdefault(figure.key, figure)
        if earlier is not figure:
            problems.append(
                f"Line {figure.line}: duplicate of line {earlier.line} "
                f"({figure.area_code}, {figure.dimension}, {figure.group}, {figure.year})."
            )
        scope_first = first_of_scope.setdefault(figure.scope, figure)
        if scope_first.source != figure.source:
            problems.append(
                f"Line {figure.line}: source {figure.source!r} differs from {scope_first.source!r} on line "
                f"{scope_first.line}; one area, dimension and year must come from one source."
            )
        groups_of_scope.setdefault(figure.scope, set()).add(figure.group)
    for (area_code, dimension, year), groups in groups_of_scope.items():
        required = {code for code, _ in population_groups(dimension)} - OPTIONAL_GROUPS.get(dimension, set())
        missing = sorted(required - groups)
        if missing:
            problems.append(
                f"{area_code} {dimension} {year}: no figure for {', '.join(missing)}. A baseline must cover every "
                "group (write 0 where there are none), or the population shares would be wrong."
            )
    return problems


def load_figures(figures: list[Figure], *, file_name: str) -> LoadResult:
    """Replace the figures held for each (area, dimension, year) in ``figures``, in one transaction."""
    reason = f"Population baseline loaded from {file_name}"[:100]
    now = timezone.now()
    scopes = {figure.scope for figure in figures}
    with transaction.atomic():
        held = {
            (row.area_code, row.dimension, row.group, row.year): row
            for row in PopulationBaseline.objects.select_for_update().filter(
                area_code__in={area for area, _, _ in scopes},
                dimension__in={dimension for _, dimension, _ in scopes},
                year__in={year for _, _, year in scopes},
            )
            if (row.area_code, row.dimension, row.year) in scopes
        }
        wanted = {figure.key: figure for figure in figures}
        added = [
            PopulationBaseline(
                area_code=figure.area_code,
                dimension=figure.dimension,
                group=figure.group,
                population=figure.population,
                source=figure.source,
                year=figure.year,
                loaded_at=now,
            )
            for key, figure in wanted.items()
            if key not in held
        ]
        changed = []
        for key, row in held.items():
            figure = wanted.get(key)
            if figure and (row.population, row.source) != (figure.population, figure.source):
                row.population, row.source, row.loaded_at = figure.population, figure.source, now
                changed.append(row)
        removed = [row for key, row in held.items() if key not in wanted]
        for row in removed:
            delete_tracked(row, acting_user=None, reason=reason)
        bulk_update_with_history(
            changed, PopulationBaseline, ["population", "source", "loaded_at"], default_change_reason=reason
        )
        bulk_create_with_history(added, PopulationBaseline, default_change_reason=reason)
        result = LoadResult(len(added), len(changed), len(removed), len(held) - len(changed) - len(removed))
        if added or changed or removed:
            sources = "; ".join(sorted({f"{figure.source}, {figure.year}" for figure in figures}))
            record(Action.ALTER, username=SYSTEM_USERNAME, detail=f"{reason} ({sources}): {result.summary()}"[:300])
    return result


def load_population_file(path: str | Path) -> LoadResult:
    """Check the whole file, then load it; PopulationFileError (nothing changed) if any line is wrong."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            figures = read_figures(file, known_area_codes())
    except UnicodeDecodeError as error:
        raise PopulationFileError([f"The file is not UTF-8 text ({error.reason} at byte {error.start})."]) from error
    except csv.Error as error:
        raise PopulationFileError([f"The file is not valid CSV: {error}."]) from error
    return load_figures(figures, file_name=path.name)
