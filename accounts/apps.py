from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "User administration"

    def ready(self):
        from accounts import receivers  # noqa: F401  (log account changes made through the admin, the shell, any code)
