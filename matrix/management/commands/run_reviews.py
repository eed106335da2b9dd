from django.core.management.base import BaseCommand, CommandError

from matrix.retention import run_reviews


class Command(BaseCommand):
    help = (
        "Scheduled job (safe to repeat): re-apply criteria and harm rules to approved subjects, flag lapsed "
        "criteria and zero scores, count due and overdue reviews, and erase removed subjects past retention."
    )

    def handle(self, *args, **options):
        report = run_reviews()
        for line in report.lines():
            self.stdout.write(line)
        if report.failed:
            raise CommandError(
                f"{len(report.failed)} approved subject(s) could not be re-checked; every other change is saved. "
                "The errors are in the application log."
            )
