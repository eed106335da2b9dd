from django.urls import path

from audit import views

urlpatterns = [
    path("events/", views.event_list, name="audit-events"),
    path("events/export.csv", views.event_export, name="audit-events-export"),
    path("subjects/<uuid:subject_uuid>/", views.subject_timeline_page, name="audit-subject-timeline"),
    # Any name: the log also keeps failed sign-ins under whatever was typed.
    path("users/<path:username>/", views.user_activity, name="audit-user"),
    path("unusual/", views.unusual_activity, name="audit-unusual"),
]
