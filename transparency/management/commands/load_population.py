from argparse import RawDescriptionHelpFormatter

from django.core.management.base import BaseCommand, CommandError

from transparency.population_loader import PopulationFileError, load_population_file

HELP = """Load resident population baselines (for disproportionality monitoring) from a CSV file.

The whole file is checked first; if any line is wrong nothing is changed and every problem is
listed with its line number. Otherwise it is loaded in one transaction, replacing the figures held
for each (area, dimension, year) in the file; other baselines are left alone.

Columns (header line required, UTF-8, one figure per line):
  area_code   a London borough's ONS GSS code (E09000001 City of London ... E09000033 Westminster)
              or E12000007 for London as a whole
  dimension   ethnicity | age_band | gender
  group       ethnicity: the codes of matrix.choices.Ethnicity except not_stated (asian_bangladeshi,
              ..., other_any); age_band: under_18, 18_to_24, 25_to_34, 35_and_over;
              gender: female, male (non_binary and other may be given if a source counts them)
  population  usual residents, a whole number (0 allowed)
  source      the published table, e.g. "ONS Census 2021 TS021 (ethnic group)"
  year        the edition's year, e.g. 2021; the latest year loaded is the one used

Every group of a dimension must be present for each area and year (write 0 where there are none).

Example:
  area_code,dimension,group,population,source,year
  E09000012,ethnicity,black_african,12345,ONS Census 2021 TS021,2021

Real source: ONS Census 2021 by local authority (from Nomis or the ONS "create a custom dataset"
tool), for each borough and for London (E12000007): TS021 ethnic group (its 19 categories map one to
one to the Ethnicity codes); age from TS007A, age by five-year bands, except that 15-19 must be split
at 18 using TS007, age by single year (or build every band from TS007); and TS008 sex (female,
male). transparency/data/sample_population.csv is a SYNTHETIC SAMPLE for the demo, not census figures."""


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Keep the column table laid out as written.
        return super().create_parser(prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs)

    def add_arguments(self, parser):
        parser.add_argument("csv_file", help="Path of the CSV file to load.")

    def handle(self, *args, csv_file: str, **options):
        try:
            result = load_population_file(csv_file)
        except FileNotFoundError as error:
            raise CommandError(f"No such file: {csv_file}") from error
        except OSError as error:
            raise CommandError(f"Cannot read {csv_file}: {error.strerror}") from error
        except PopulationFileError as error:
            problems = "\n".join(error.problems)
            raise CommandError(f"{csv_file} was not loaded; nothing was changed:\n{problems}") from error
        self.stdout.write(self.style.SUCCESS(f"Population baseline loaded from {csv_file}: {result.summary()}."))
