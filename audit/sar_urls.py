from django.urls import path

from audit import sar_views as views

REQUEST = "<uuid:request_uuid>/"
REPORT = f"{REQUEST}subjects/<uuid:subject_uuid>/"

urlpatterns = [
    path("", views.sar_list, name="sar-list"),
    path("new/", views.sar_create, name="sar-create"),
    path(REQUEST, views.sar_detail, name="sar-detail"),
    *[
        path(f"{REQUEST}{action}/", views.sar_action, {"action": action}, name=f"sar-{action}")
        for action in views.ACTIONS
    ],
    path(f"{REPORT}report/", views.sar_report, name="sar-report"),
    path(f"{REPORT}report.json", views.sar_report_json, name="sar-report-json"),
]
