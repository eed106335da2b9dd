from django.urls import path
from rest_framework.routers import SimpleRouter

from audit.api.views import AccessEventViewSet, ChainVerificationView

app_name = "audit-api"

router = SimpleRouter(trailing_slash=True)
router.register("audit/events", AccessEventViewSet, basename="event")

urlpatterns = [
    *router.urls,
    path("audit/verify/", ChainVerificationView.as_view(), name="verify"),
]
