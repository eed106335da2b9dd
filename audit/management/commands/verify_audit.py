import time

from django.core.management.base import BaseCommand, CommandError

from audit.verification import verify_chain


class Command(BaseCommand):
    help = "Check the access log's hash chain from the first entry to the last; exit 1 naming the first broken entry."

    def handle(self, *args, **options):
        started = time.monotonic()
        report = verify_chain()
        seconds = time.monotonic() - started
        rate = report.checked / seconds if seconds else 0
        if not report.intact:
            raise CommandError(f"Access log chain BROKEN after {report.checked} good entries: {report.problem}.")
        self.stdout.write(
            self.style.SUCCESS(f"Access log chain intact: {report.checked} entries checked in {seconds:.2f}s ({rate:,.0f}/s).")
        )
