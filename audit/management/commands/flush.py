"""`flush` empties every table, the access log and the history included, so the append-only triggers
must let it: on SQLite they are lifted for the flush and put back straight after; on PostgreSQL the
session is allowed to TRUNCATE for the length of the flush. Tests use it (transactional tests end with
a flush); in production mode it is refused, because it would destroy the access log."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "flush is refused in production mode: it would empty the access log and the history, "
                "which must be kept (DPA 2018 s.62). Restore a backup into a new database instead."
            )
        connection = connections[options["database"]]
        if connection.vendor == "postgresql":
            with triggers.flush_window(connection):
                return super().handle(**options)
        triggers.uninstall_sqlite(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
