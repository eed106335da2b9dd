from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_triggers(sender, using="default", **kwargs):
    from django.db import connections

    from audit import triggers

    triggers.install(connections[using])


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Access log (DPA 2018 s.62)"

    def ready(self):
        post_migrate.connect(install_triggers, sender=self, dispatch_uid="audit.install_triggers")
        from audit import receivers  # noqa: F401  (sign-in events)
