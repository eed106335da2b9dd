from django.urls import path
from rest_framework.routers import DefaultRouter

from matrix.api.views import BoroughViewSet, BreakGlassView, EvidenceViewSet, SubjectViewSet

app_name = "api"

router = DefaultRouter()
# No "/subjects/<uuid>.json" twins: one address per resource (the actions took no format argument, so
# every twin of a custom action answered 500). JSON is the default; "?format=" still works.
router.include_format_suffixes = False
router.register("boroughs", BoroughViewSet, basename="borough")
router.register("subjects", SubjectViewSet, basename="subject")
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = [
    *router.urls,
    path("break-glass/", BreakGlassView.as_view(), name="break-glass"),
]
