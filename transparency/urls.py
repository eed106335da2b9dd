from django.urls import path

from transparency import views, views_disproportionality

urlpatterns = [
    path("public/", views.public_home, name="public-home"),
    path("accessibility/", views.accessibility_statement, name="accessibility-statement"),
    path("public/statistics.json", views.statistics_json, name="public-statistics-json"),
    path("public/statistics.csv", views.statistics_csv, name="public-statistics-csv"),
    path("public/statistics/<uuid:release_uuid>.json", views.statistics_json, name="public-release-json"),
    path("public/statistics/<uuid:release_uuid>.csv", views.statistics_csv, name="public-release-csv"),
    path("governance/assessments/", views.assessment_register, name="assessment-register"),
    path("governance/assessments/new/", views.assessment_create, name="assessment-create"),
    path("oversight/disproportionality/", views_disproportionality.disproportionality, name="disproportionality"),
]
