from rest_framework.routers import DefaultRouter

from matrix.api.views import BoroughViewSet, EvidenceViewSet, SubjectViewSet

app_name = "api"

router = DefaultRouter()
router.register("boroughs", BoroughViewSet, basename="borough")
router.register("subjects", SubjectViewSet, basename="subject")
router.register("evidence", EvidenceViewSet, basename="evidence")

urlpatterns = router.urls
