from rest_framework.routers import DefaultRouter

from matrix.api.views import BoroughViewSet, SubjectViewSet

app_name = "api"

router = DefaultRouter()
router.register("boroughs", BoroughViewSet, basename="borough")
router.register("subjects", SubjectViewSet, basename="subject")

urlpatterns = router.urls
