from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matrix import erasure_ledger
from matrix.retention import export_missing_erasures, replay_erasures


class Command(BaseCommand):
    help = (
        "After restoring a backup: erase again every subject the erasure ledger lists that the database holds "
        "unerased (safe to repeat; each erasure is logged). Exits 1 if the ledger lists subjects the database "
        "lacks although they were created before the backup. --export-missing instead adds to the ledger the "
        "erasures the database holds and the ledger lacks, and erases nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ledger",
            type=Path,
            help="the ledger to read (default: GOVMATRIX_ERASURE_LEDGER)",
        )
        parser.add_argument(
            "--export-missing",
            action="store_true",
            help="rebuild the ledger from the database's erased records instead of replaying it",
        )

    def handle(self, *args, ledger=None, export_missing=False, **options):
        path = ledger or erasure_ledger.configured_path()
        try:
            if export_missing:
                self._export(path)
            else:
                self._replay(path)
        except erasure_ledger.LedgerError as exc:
            raise CommandError(str(exc)) from exc

    def _export(self, path: Path) -> None:
        added = export_missing_erasures(path)
        self.stdout.write(
            f"Erasures added to the ledger {path}: {len(added)}" + (f" ({', '.join(added)})" if added else "")
        )

    def _replay(self, path: Path) -> None:
        self.stdout.write(f"Erasure ledger: {path}")
        report = replay_erasures(path)
        for line in report.lines():
            self.stdout.write(line)
        if report.missing_from_ledger:
            self.stdout.write(
                self.style.WARNING(
                    "Some erasures in the database are not in the ledger: run `replay_erasures --export-missing` "
                    "so that a later restore replays them too."
                )
            )
        if report.unaccounted:
            raise CommandError(
                f"The ledger lists {len(report.unaccounted)} subject(s) this database does not hold although they "
                "were created before its newest access-log entry: the ledger is not this database's, or the "
                "backup restored is incomplete. Every erasure the database could take has been replayed; check "
                "which ledger and which backup were used before opening the service."
            )
        self.stdout.write(
            self.style.SUCCESS("No subject the ledger lists as erased holds personal data in this database.")
        )
