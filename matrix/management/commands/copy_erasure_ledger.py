from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from matrix import erasure_ledger


class Command(BaseCommand):
    help = (
        "Copy the erasure ledger (GOVMATRIX_ERASURE_LEDGER), checked line by line, to DESTINATION on storage apart "
        "from the database: written to a temporary file, synced, then renamed, so a copy is never half written."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", type=Path)

    def handle(self, *args, destination: Path, **options):
        source = erasure_ledger.configured_path()
        try:
            count = erasure_ledger.copy(source, destination)
        except erasure_ledger.LedgerError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Could not write {destination}: {exc.strerror}.") from exc
        self.stdout.write(f"Copied the erasure ledger ({count} entries) from {source} to {destination}.")
