from django.apps import AppConfig
from django.db.models.signals import post_migrate


def sync_roles(sender, using="default", apps=None, **kwargs):
    """After migrate (and the flush tests end with), each role holds exactly its permissions."""
    from django.apps import apps as global_apps

    from accounts import roles

    roles.sync_roles(apps or global_apps, using)


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "User administration"

    def ready(self):
        post_migrate.connect(sync_roles, sender=self, dispatch_uid="accounts.sync_roles")
        from accounts import receivers  # noqa: F401  (log account changes made through the admin, the shell, any code)
