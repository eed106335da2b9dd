from django.urls import path

from accounts import views

PERSON = "<int:user_id>/"

urlpatterns = [
    path("", views.people_list, name="people-list"),
    path("new/", views.person_create, name="person-create"),
    path("set-up/<uidb64>/<token>/", views.SetUpView.as_view(), name="person-set-up"),
    path(PERSON, views.person_detail, name="person-detail"),
    *[
        path(f"{PERSON}{action}/", views.person_action, {"action": action}, name=f"person-{action}")
        for action in views.ACTIONS
    ],
]
