"""Population baselines from CSV: a good file loads in one go, a bad one changes nothing and says why."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from audit.models import AccessEvent, Action
from matrix.choices import Ethnicity
from transparency.models import PopulationBaseline
from transparency.population_loader import SYNTHETIC_SAMPLE, PopulationFileError, load_population_file

pytestmark = pytest.mark.django_db

HEADER = "area_code,dimension,group,population,source,year"
SOURCE = "Synthetic test table"
HACKNEY, SOUTHWARK, LONDON = "E09000012", "E09000028", "E12000007"
AGE_GROUPS = ["under_18", "18_to_24", "25_to_34", "35_and_over"]
ETHNIC_GROUPS = [code for code in Ethnicity.values if code != "not_stated"]


def lines(area=HACKNEY, dimension="age_band", groups=AGE_GROUPS, population=1000, source=SOURCE, year=2021):
    return [f"{area},{dimension},{group},{population},{source},{year}" for group in groups]


def write(tmp_path, *rows, header=HEADER, name="population.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def figures():
    return sorted(
        PopulationBaseline.objects.values_list("area_code", "dimension", "group", "population", "source", "year")
    )


def test_a_good_file_loads_every_figure_in_one_go(tmp_path):
    path = write(tmp_path, *lines(), *lines(area=LONDON, dimension="gender", groups=["female", "male"], population=5))
    result = load_population_file(path)
    assert (result.added, result.changed, result.removed) == (6, 0, 0)
    assert len(figures()) == 6
    hackney_under_18 = PopulationBaseline.objects.get(area_code=HACKNEY, group="under_18")
    assert (hackney_under_18.population, hackney_under_18.source, hackney_under_18.year) == (1000, SOURCE, 2021)
    history = hackney_under_18.history.get()
    assert (history.history_type, history.history_change_reason) == (
        "+",
        "Population baseline loaded from population.csv",
    )
    event = AccessEvent.objects.get(action=Action.ALTER)
    assert "population.csv" in event.detail and "6 added" in event.detail
    assert event.actor_username == "system.load_population"


def test_byte_order_mark_blank_lines_and_spaces_are_tolerated(tmp_path):
    path = tmp_path / "excel.csv"
    rows = [" area_code , dimension,group,population,source,year", *[f" {row} " for row in lines()], "", ""]
    path.write_text("\ufeff" + "\r\n".join(rows), encoding="utf-8")
    assert load_population_file(path).added == 4


def test_the_shipped_sample_is_labelled_synthetic_and_loads(tmp_path):
    result = load_population_file(SYNTHETIC_SAMPLE)
    assert result.added == PopulationBaseline.objects.count() > 0
    assert set(PopulationBaseline.objects.values_list("source", flat=True)) == {
        "SYNTHETIC SAMPLE — not census figures (govmatrix demo)"
    }
    assert set(PopulationBaseline.objects.values_list("area_code", flat=True)) == {LONDON, HACKNEY, SOUTHWARK}


# Each bad file: the message it must give (with its line number) and nothing loaded or replaced.
BAD_FILES = {
    "empty": ([], "", "The file is empty. Line 1 must be the header"),
    "missing column": ([], "area_code,dimension,group,population,year", "Line 1: the header lacks source"),
    "unknown column": ([], HEADER + ",notes", "Line 1: unknown column(s) 'notes'"),
    "header only": ([], HEADER, "The file has a header but no figures."),
    "unknown area": (lines(area="E09000099"), HEADER, "Line 2: unknown area code 'E09000099'"),
    "area outside London": (lines(area="E08000001"), HEADER, "Line 2: unknown area code 'E08000001'"),
    "unknown dimension": (lines(dimension="religion"), HEADER, "Line 2: unknown dimension 'religion'"),
    "unknown group": (
        [*lines()[:3], f"{HACKNEY},age_band,over_65,10,{SOURCE},2021", lines()[3]],
        HEADER,
        "Line 5: 'over_65' is not a group of age_band",
    ),
    "not stated has no population": (
        [*lines(dimension="gender", groups=["female", "male", "not_stated"])],
        HEADER,
        "Line 4: 'not_stated' is not a group of gender",
    ),
    "negative population": (
        [*lines()[:2], f"{HACKNEY},age_band,25_to_34,-3,{SOURCE},2021", lines()[3]],
        HEADER,
        "Line 4: population must be a whole number, 0 or more, not '-3'",
    ),
    "fractional population": (
        [*lines()[:3], f"{HACKNEY},age_band,35_and_over,12.5,{SOURCE},2021"],
        HEADER,
        "Line 5: population must be a whole number, 0 or more, not '12.5'",
    ),
    "text population": (
        [f"{HACKNEY},age_band,under_18,lots,{SOURCE},2021", *lines()[1:]],
        HEADER,
        "Line 2: population must be a whole number, 0 or more, not 'lots'",
    ),
    "implausible population": (
        [f"{HACKNEY},age_band,under_18,12345678901,{SOURCE},2021", *lines()[1:]],
        HEADER,
        "Line 2: population 12,345,678,901 is more than live in any area",
    ),
    "no source": (lines(source=""), HEADER, "Line 2: source is empty"),
    "bad year": (lines(year="twenty"), HEADER, "Line 2: year must be the edition's year"),
    "short line": ([*lines(), f"{HACKNEY},age_band"], HEADER, "Line 6: expected 6 values, found 2."),
    "duplicate": ([*lines(), lines()[1]], HEADER, "Line 6: duplicate of line 3 (E09000012, age_band, 18_to_24, 2021)."),
    "incomplete group set": (lines()[:3], HEADER, "E09000012 age_band 2021: no figure for 35_and_over."),
    "two sources for one baseline": (
        [*lines()[:3], f"{HACKNEY},age_band,35_and_over,10,Another table,2021"],
        HEADER,
        "Line 5: source 'Another table' differs from 'Synthetic test table' on line 2",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_changes_nothing_and_says_which_line_is_wrong(tmp_path, case):
    load_population_file(write(tmp_path, *lines(population=777), name="earlier.csv"))
    before, events_before = figures(), AccessEvent.objects.count()
    rows, header, message = BAD_FILES[case]
    with pytest.raises(PopulationFileError) as refused:
        load_population_file(write(tmp_path, *rows, header=header))
    assert any(message in problem for problem in refused.value.problems), refused.value.problems
    assert figures() == before
    assert AccessEvent.objects.count() == events_before


def test_every_problem_is_reported_at_once(tmp_path):
    path = write(tmp_path, f"E09000099,age_band,old,-1,{SOURCE},2021", f"{HACKNEY},colour,red,5,,1")
    with pytest.raises(PopulationFileError) as refused:
        load_population_file(path)
    text = str(refused.value)
    for fragment in (
        "Line 2: unknown area code",
        "Line 2: 'old' is not a group",
        "Line 2: population",
        "Line 3: unknown dimension 'colour'",
        "Line 3: source is empty",
        "Line 3: year",
    ):
        assert fragment in text


def test_loading_the_same_edition_again_replaces_its_figures_and_nothing_else(tmp_path):
    load_population_file(write(tmp_path, *lines(population=100), *lines(area=SOUTHWARK, population=200)))
    load_population_file(write(tmp_path, *lines(population=100, year=2011), name="older.csv"))
    corrected = [
        f"{HACKNEY},age_band,{group},{150 if group == 'under_18' else 100},{SOURCE},2021" for group in AGE_GROUPS
    ]

    result = load_population_file(write(tmp_path, *corrected, name="corrected.csv"))

    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 1, 0, 3)
    current = dict(PopulationBaseline.objects.current(HACKNEY, "age_band").values_list("group", "population"))
    assert current == {"under_18": 150, "18_to_24": 100, "25_to_34": 100, "35_and_over": 100}
    assert set(PopulationBaseline.objects.filter(area_code=SOUTHWARK).values_list("population", flat=True)) == {200}
    assert PopulationBaseline.objects.filter(area_code=HACKNEY, year=2011).count() == 4
    changed = PopulationBaseline.objects.get(area_code=HACKNEY, group="under_18", year=2021).history.first()
    assert (changed.history_type, changed.population) == ("~", 150)


def test_a_group_left_out_of_a_reload_is_removed_with_history(tmp_path):
    both = lines(dimension="gender", groups=["female", "male", "non_binary"], population=10)
    load_population_file(write(tmp_path, *both))
    result = load_population_file(write(tmp_path, *both[:2], name="census-sex.csv"))
    assert result.removed == 1
    assert not PopulationBaseline.objects.filter(group="non_binary").exists()
    removal = PopulationBaseline.history.get(group="non_binary", history_type="-")
    assert removal.history_change_reason == "Population baseline loaded from census-sex.csv"


def test_reloading_an_identical_file_writes_nothing(tmp_path):
    path = write(tmp_path, *lines())
    load_population_file(path)
    events, history = AccessEvent.objects.count(), PopulationBaseline.history.count()
    result = load_population_file(path)
    assert (result.added, result.changed, result.removed, result.unchanged) == (0, 0, 0, 4)
    assert (AccessEvent.objects.count(), PopulationBaseline.history.count()) == (events, history)


def test_the_current_baseline_is_the_latest_year_loaded(tmp_path):
    load_population_file(write(tmp_path, *lines(population=5, year=2021)))
    load_population_file(write(tmp_path, *lines(population=7, year=2011), name="older.csv"))
    assert set(PopulationBaseline.objects.current(HACKNEY, "age_band").values_list("population", flat=True)) == {5}
    assert not PopulationBaseline.objects.current(LONDON, "age_band").exists()


def test_every_ethnic_group_of_the_matrix_except_not_stated_is_a_population_group(tmp_path):
    load_population_file(write(tmp_path, *lines(dimension="ethnicity", groups=ETHNIC_GROUPS)))
    assert PopulationBaseline.objects.count() == 19


@pytest.mark.parametrize(
    "fields",
    [
        {"group": "not_stated", "dimension": "ethnicity"},
        {"group": "female", "dimension": "age_band"},
        {"area_code": "E08000001"},
        {"source": ""},
        {"year": 21},
        {"population": 100_000_001},
    ],
)
def test_the_database_refuses_figures_the_loader_would_refuse(fields):
    row = {
        "area_code": HACKNEY,
        "dimension": "gender",
        "group": "female",
        "population": 1,
        "source": SOURCE,
        "year": 2021,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationBaseline.objects.create(**(row | fields))


def test_one_figure_per_area_dimension_group_and_year():
    row = {
        "area_code": HACKNEY,
        "dimension": "gender",
        "group": "female",
        "population": 1,
        "source": SOURCE,
        "year": 2021,
    }
    PopulationBaseline.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        PopulationBaseline.objects.create(**row)


def test_command_reports_what_it_loaded(tmp_path):
    out = io.StringIO()
    call_command("load_population", str(write(tmp_path, *lines())), stdout=out)
    assert "4 added, 0 changed, 0 removed, 0 unchanged" in out.getvalue()


def test_command_refuses_a_bad_file_with_every_problem(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("load_population", str(write(tmp_path, *lines(area="E09000099"))))
    message = str(refused.value)
    assert "nothing was changed" in message
    assert "Line 2: unknown area code 'E09000099'" in message and "Line 5:" in message
    assert not PopulationBaseline.objects.exists()


def test_command_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        call_command("load_population", str(tmp_path / "absent.csv"))


def test_command_refuses_a_file_that_is_not_text(tmp_path):
    path = tmp_path / "spreadsheet.csv"
    path.write_bytes(b"\xff\xfe\x00\x00binary")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("load_population", str(path))


def test_command_help_documents_the_format_and_the_real_source():
    from transparency.management.commands.load_population import HELP

    for fragment in (
        "area_code",
        "dimension",
        "group",
        "population",
        "source",
        "year",
        "E12000007",
        "TS021",
        "TS007A",
        "TS008",
        "SYNTHETIC SAMPLE",
    ):
        assert fragment in HELP


def test_seed_demo_loads_the_synthetic_sample_and_stays_idempotent():
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    loaded = figures()
    call_command("seed_demo", stdout=second)
    assert "Synthetic sample population baseline (not census figures): 75 added" in first.getvalue()
    assert "0 added, 0 changed, 0 removed, 75 unchanged" in second.getvalue()
    assert figures() == loaded and len(loaded) == 75
