from django.urls import path

from matrix import views
from matrix.views.break_glass import break_glass

SUBJECT = "subjects/<uuid:subject_uuid>/"
EVIDENCE = f"{SUBJECT}evidence/<uuid:evidence_uuid>/"

urlpatterns = [
    path("", views.dashboard, name="home"),
    path("subjects/", views.subject_list, name="subject-list"),
    path("subjects/new/", views.subject_create, name="subject-create"),
    path("subjects/break-glass/", break_glass, name="break-glass"),
    path(SUBJECT, views.subject_detail, name="subject-detail"),
    path(f"{SUBJECT}edit/", views.subject_edit, name="subject-edit"),
    path(f"{SUBJECT}evidence/new/", views.evidence_add, name="evidence-add"),
    path(f"{EVIDENCE}edit/", views.evidence_edit, name="evidence-edit"),
    path(f"{EVIDENCE}withdraw/", views.evidence_withdraw, name="evidence-withdraw"),
    path(f"{EVIDENCE}verify/", views.evidence_verify, name="evidence-verify"),
    *[
        path(f"{SUBJECT}{action}/", views.subject_action, {"action": action}, name=f"subject-{action}")
        for action in ("submit", "approve", "reject", "review", "remove", "restrict", "lift")
    ],
    path("governance/reference-data/", views.reference_data, name="reference-data"),
    path(
        "governance/reference-data/criteria/<slug:code>/v<int:version>/publish/",
        views.publish_criterion,
        name="reference-data-publish-criterion",
    ),
    path(
        "governance/reference-data/harm-scoring/v<int:version>/publish/",
        views.publish_harm_method,
        name="reference-data-publish-harm-method",
    ),
]
