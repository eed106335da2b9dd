import time

from django.core.management.base import BaseCommand, CommandError

from audit.models import CheckScope
from audit.verification import check_chain, latest_full_check, log_is_intact
from config.formats import written

SYSTEM_USERNAME = "system.verify_audit"


class Command(BaseCommand):
    help = (
        "Check the access log's hash chain and keep the result; exit 1 naming the first broken entry. By default "
        "the whole log, from the first entry (the nightly job); --since-last reads only the entries after the "
        "newest one an earlier check found good."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--since-last", action="store_true", help="start from the last good check, not the first entry"
        )
        parser.add_argument("--limit", type=int, help="check at most this many entries (run again to continue)")

    def handle(self, *args, since_last=False, limit=None, **options):
        if limit is not None and limit < 1:
            raise CommandError("--limit must be at least 1.")
        scope = CheckScope.SINCE_LAST if since_last else CheckScope.FULL
        started = time.monotonic()
        check = check_chain(scope=scope, requested_by=SYSTEM_USERNAME, limit=limit)
        seconds = time.monotonic() - started
        rate = check.checked / seconds if seconds else 0
        if not check.intact:
            raise CommandError(f"Access log chain BROKEN after {check.checked} good entries: {check.problem}.")
        full = latest_full_check()
        if not log_is_intact(check, full):
            when = f"{written(full.finished_at)}"
            raise CommandError(
                f"The entries checked are intact, but the latest check of the whole log ({when}) found the chain "
                f"BROKEN: {full.problem}."
            )
        where = "" if scope == CheckScope.FULL else f" from entry #{check.first_sequence}"
        rest = (
            ""
            if check.reached_end
            else f"; stopped at the limit after entry #{check.through_sequence}, run again to continue"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Access log chain intact{where}: {check.checked} entries checked in {seconds:.2f}s ({rate:,.0f}/s){rest}."
            )
        )
