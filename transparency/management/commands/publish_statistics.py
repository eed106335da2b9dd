from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from transparency.releases import DEFAULT_MONTHS, publish_release
from transparency.suppression import DEFAULT_THRESHOLD


class Command(BaseCommand):
    help = (
        "Scheduled job: count approved subjects, disclosures, reviews and removals in the database, hide small "
        "numbers, and store a new public statistics release (earlier releases are kept unchanged)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=DEFAULT_MONTHS,
            help=f"Whole calendar months of activity covered, ending last month (default {DEFAULT_MONTHS}).",
        )
        parser.add_argument(
            "--threshold", type=int, default=DEFAULT_THRESHOLD,
            help=f"Counts from 1 to this number minus one are hidden (default {DEFAULT_THRESHOLD}).",
        )

    def handle(self, *args, months: int, threshold: int, **options):
        if months < 1:
            raise CommandError("--months must be 1 or more.")
        if threshold < 2:
            raise CommandError("--threshold must be 2 or more.")
        release = publish_release(months=months, threshold=threshold)
        self.stdout.write(
            f"Published statistics release {release.uuid} produced {timezone.localtime(release.produced_at):%Y-%m-%d %H:%M}, "
            f"covering {release.period_start} to {release.period_end}, {len(release.tables['tables'])} tables."
        )
