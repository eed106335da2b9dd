from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from transparency.releases import DEFAULT_MONTHS, NothingNewToPublish, publish_release
from transparency.suppression import DEFAULT_THRESHOLD


class Command(BaseCommand):
    help = (
        "Scheduled job: count approved subjects, disclosures, reviews and removals in the database, hide small "
        "numbers, and store a new public statistics release (earlier releases are kept unchanged)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=DEFAULT_MONTHS,
            help=f"Whole calendar months of activity the first release covers, ending last month (default "
            f"{DEFAULT_MONTHS}); later releases cover the months since the previous one, so none is counted twice.",
        )
        parser.add_argument(
            "--threshold",
            type=int,
            default=DEFAULT_THRESHOLD,
            help=f"Counts from 1 to this number minus one are hidden (default and lowest {DEFAULT_THRESHOLD}).",
        )

    def handle(self, *args, months: int, threshold: int, **options):
        if months < 1:
            raise CommandError("--months must be 1 or more.")
        if threshold < DEFAULT_THRESHOLD:
            raise CommandError(f"--threshold must be {DEFAULT_THRESHOLD} or more: smaller counts are always hidden.")
        try:
            release = publish_release(months=months, threshold=threshold)
        except NothingNewToPublish as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Published statistics release {release.uuid} produced {timezone.localtime(release.produced_at):%Y-%m-%d %H:%M}, "
            f"covering {release.period_start} to {release.period_end}, {len(release.tables['tables'])} tables."
        )
