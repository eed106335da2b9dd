from rest_framework.routers import DefaultRouter

from sharing.api.views import AgreementViewSet, DisclosureViewSet, LawfulBasisViewSet, PartnerAgencyViewSet

app_name = "sharing-api"

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.include_format_suffixes = False  # one address per resource, as in matrix.api.urls
router.register("partners", PartnerAgencyViewSet, basename="partner")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("lawful-bases", LawfulBasisViewSet, basename="lawful-basis")
router.register("disclosures", DisclosureViewSet, basename="disclosure")

urlpatterns = router.urls
