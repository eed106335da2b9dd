from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "sharing"
    verbose_name = "Sharing with partner agencies"

    def ready(self):
        from sharing import receivers  # noqa: F401  (connects to matrix's record-change signals)
