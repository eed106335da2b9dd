from datetime import date

import structlog
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from transparency.releases import latest_release

logger = structlog.get_logger(__name__)


def quarter_start(day: date) -> date:
    return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)


def statistics_release_due(today: date) -> bool:
    """One public release per quarter: due on the first daily run of a quarter that has none yet."""
    latest = latest_release()
    return latest is None or timezone.localdate(latest.produced_at) < quarter_start(today)


class Command(BaseCommand):
    help = (
        "The daily scheduled jobs, each run even when another fails: reviews and retention (run_reviews), "
        "the access-log chain check (verify_audit), removal of expired sessions (clearsessions) and, once a "
        "quarter, the public statistics release (publish_statistics). Exits non-zero when any job failed."
    )

    def handle(self, *args, **options):
        jobs = [("run_reviews", []), ("verify_audit", []), ("clearsessions", [])]
        if statistics_release_due(timezone.localdate()):
            jobs.append(("publish_statistics", ["--months", "12"]))
        failed = []
        for name, arguments in jobs:
            self.stdout.write(f"== {name}")
            try:
                call_command(name, *arguments, stdout=self.stdout, stderr=self.stderr)
            except Exception as error:  # noqa: BLE001 — one job's failure must not stop the others
                failed.append(name)
                # Only the type here: a database error's message quotes the values it refused. The stack goes
                # to the structured log, which withholds messages too (config/logs.py).
                self.stderr.write(f"{name} failed: {type(error).__name__} (details in the application log)")
                logger.exception("daily_job_failed", job=name)
        if failed:
            raise CommandError(f"{len(failed)} of {len(jobs)} daily jobs failed: {', '.join(failed)}")
        self.stdout.write(f"All {len(jobs)} daily jobs succeeded.")
