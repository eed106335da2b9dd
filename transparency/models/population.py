"""Resident population baselines: what the matrix is compared with to see over-representation
(docs/purpose.md, Equality monitoring).

Reference data, not personal data: one row is the number of residents of one area in one group
(e.g. Hackney, ethnicity, Black: Caribbean) according to one edition of a published source. Loaded
from CSV by ``manage.py load_population`` (``transparency/population_loader.py``).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.history import History
from matrix.choices import Ethnicity, Gender, values

LONDON_CODE = "E12000007"  # ONS GSS code of the London region: the London-wide baseline
AREA_CODE_PATTERN = r"^(E09[0-9]{6}|E12000007)$"
# More people than live in any area (London has about nine million): a larger figure is a mistake.
MAX_POPULATION = 100_000_000


class Dimension(models.TextChoices):
    ETHNICITY = "ethnicity", "Ethnic group"
    AGE_BAND = "age_band", "Age band"
    GENDER = "gender", "Gender"


class AgeBand(models.TextChoices):
    """The census's age bands, which population baselines come in; ``AGE_BAND_FLOORS`` gives each band's
    youngest age. (The public statistics split the under-18s further: transparency.aggregates.AGE_BANDS.)"""

    UNDER_18 = "under_18", "Under 18"
    AGE_18_TO_24 = "18_to_24", "18 to 24"
    AGE_25_TO_34 = "25_to_34", "25 to 34"
    AGE_35_AND_OVER = "35_and_over", "35 and over"
    UNKNOWN = "unknown", "Not known (no date of birth)"


AGE_BAND_FLOORS = [
    (AgeBand.AGE_35_AND_OVER, 35),
    (AgeBand.AGE_25_TO_34, 25),
    (AgeBand.AGE_18_TO_24, 18),
    (AgeBand.UNDER_18, 0),
]

# A census counts every resident in some group, so "not stated" and "not known" have no population:
# people recorded that way on the matrix are reported separately and left out of the shares.
NOT_KNOWN_GROUPS = {
    Dimension.ETHNICITY: Ethnicity.NOT_STATED,
    Dimension.AGE_BAND: AgeBand.UNKNOWN,
    Dimension.GENDER: Gender.NOT_STATED,
}
DIMENSION_GROUPS = {Dimension.ETHNICITY: Ethnicity, Dimension.AGE_BAND: AgeBand, Dimension.GENDER: Gender}


def population_groups(dimension: str) -> list[tuple[str, str]]:
    """The (code, label) pairs a baseline may carry for ``dimension``, in display order."""
    not_known = NOT_KNOWN_GROUPS[dimension]
    return [(code, label) for code, label in DIMENSION_GROUPS[dimension].choices if code != not_known]


def _group_belongs_to_dimension() -> Q:
    condition = Q()
    for dimension in Dimension:
        condition |= Q(dimension=dimension, group__in=[code for code, _ in population_groups(dimension)])
    return condition


class PopulationBaselineQuerySet(models.QuerySet):
    def current(self, area_code: str, dimension: str) -> "PopulationBaselineQuerySet":
        """The figures of the latest year loaded for one area and dimension (one query).

        Unique (area, dimension, group, year) makes "latest year" name exactly one set of figures.
        """
        latest = (
            PopulationBaseline.objects.filter(area_code=area_code, dimension=dimension)
            .order_by("-year")
            .values("year")[:1]
        )
        return self.filter(area_code=area_code, dimension=dimension, year=models.Subquery(latest))


class PopulationBaseline(models.Model):
    area_code = models.CharField(
        "ONS GSS area code", max_length=9, help_text="A London borough (E09…) or London as a whole (E12000007)."
    )
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    group = models.CharField(
        max_length=32, help_text="A code of matrix.choices.Ethnicity or Gender, or an age band of AgeBand."
    )
    population = models.PositiveIntegerField(help_text="Usual residents of the area in this group.")
    source = models.CharField(max_length=200, help_text="The published table, e.g. ONS Census 2021 TS021.")
    year = models.PositiveSmallIntegerField(help_text="The edition: census or mid-year estimate year.")
    loaded_at = models.DateTimeField(default=timezone.now, editable=False)
    history = History()
    objects = PopulationBaselineQuerySet.as_manager()

    class Meta:
        ordering = ["area_code", "dimension", "group", "-year"]
        permissions = [
            ("view_disproportionality", "See the matrix compared with the resident population (oversight)"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["area_code", "dimension", "group", "year"], name="population_one_figure_per_edition"
            ),
            models.CheckConstraint(condition=Q(area_code__regex=AREA_CODE_PATTERN), name="population_area_code_valid"),
            models.CheckConstraint(condition=Q(dimension__in=values(Dimension)), name="population_dimension_valid"),
            models.CheckConstraint(condition=_group_belongs_to_dimension(), name="population_group_valid"),
            models.CheckConstraint(
                condition=Q(population__gte=0, population__lte=MAX_POPULATION), name="population_plausible"
            ),
            models.CheckConstraint(condition=~Q(source=""), name="population_source_named"),
            models.CheckConstraint(condition=Q(year__gte=1800, year__lte=2200), name="population_year_plausible"),
        ]
        indexes = [models.Index(fields=["area_code", "dimension", "-year"], name="population_current")]

    def __str__(self) -> str:
        return f"{self.area_code} {self.dimension} {self.group}: {self.population} ({self.source}, {self.year})"
