from django.urls import path

from matrix import views

urlpatterns = [
    path("", views.home, name="home"),
    path("subjects/new/", views.subject_create, name="subject-create"),
    path("subjects/<uuid:subject_uuid>/", views.subject_detail, name="subject-detail"),
]
