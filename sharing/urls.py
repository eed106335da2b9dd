from django.urls import path

from sharing import views

DISCLOSURE = "disclosures/<uuid:disclosure_uuid>/"

urlpatterns = [
    path("subjects/<uuid:subject_uuid>/disclose/", views.disclosure_request, name="disclosure-request"),
    path("disclosures/", views.disclosure_register, name="disclosure-register"),
    path("disclosures/queue/", views.disclosure_queue, name="disclosure-queue"),
    path(DISCLOSURE, views.disclosure_detail, name="disclosure-detail"),
    *[
        path(f"{DISCLOSURE}{decision}/", views.disclosure_decide, {"decision": decision}, name=f"disclosure-{decision}")
        for decision in ("approve", "refuse", "revoke")
    ],
    path("partner/", views.portal_home, name="partner-home"),
    path(f"partner/{DISCLOSURE}", views.portal_detail, name="partner-disclosure"),
    path(f"partner/{DISCLOSURE}export.csv", views.portal_export, name="partner-export"),
]
