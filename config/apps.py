from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Project-wide wiring: sign-in receivers, deployment checks and the log format's receivers."""

    name = "config"
    label = "govmatrix_project"
    verbose_name = "govmatrix"

    def ready(self):
        from config import checks, logs, security, twofactor  # noqa: F401  (register checks, connect receivers)
