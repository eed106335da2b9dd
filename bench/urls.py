"""The app's URLs plus the baseline admin changelist (see bench/admin_baseline.py)."""

from django.urls import path

from bench.admin_baseline import site
from bench.scenarios import ADMIN_PATH
from config.urls import handler403, handler404
from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [path(ADMIN_PATH.lstrip("/"), site.urls), *app_urlpatterns]

__all__ = ["urlpatterns", "handler403", "handler404"]
