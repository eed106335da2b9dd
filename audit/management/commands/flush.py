"""`flush` empties every table. On SQLite the append-only triggers would refuse its DELETEs (PostgreSQL's
TRUNCATE is not a row change), so they are lifted for the flush and put back straight after."""

from django.core.management.commands.flush import Command as FlushCommand
from django.db import connections

from audit import triggers


class Command(FlushCommand):
    def handle(self, **options):
        connection = connections[options["database"]]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        triggers.uninstall_sqlite(connection)
        try:
            return super().handle(**options)
        finally:
            triggers.install(connection)
