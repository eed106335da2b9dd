from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """Project-wide wiring: sign-in receivers for session limits and two-factor state."""

    name = "config"
    label = "govmatrix_project"
    verbose_name = "govmatrix"

    def ready(self):
        from config import security, twofactor  # noqa: F401  (connect their sign-in receivers)
