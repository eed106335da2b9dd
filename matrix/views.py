"""Browser pages. Views parse the request and call the services; access comes from matrix.permissions."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from matrix import permissions, services
from matrix.api.filters import search_subjects
from matrix.forms import SubjectForm
from matrix.pagination import newest_first_page
from matrix.models import Subject

PAGE_SIZE = 25


def scope_description(user) -> str:
    """Whose data a page shows and why, in one sentence (every page says so)."""
    if permissions.holds(user, permissions.VIEW_ALL_SUBJECTS):
        return "all boroughs, read-only, because your role is audit and oversight"
    names = [borough.name for borough in permissions.boroughs_for(user)]
    if not names:
        return "no boroughs: your account has not been granted access to any borough's records"
    return f"{', '.join(names)}, the borough(s) you have been granted access to"


def get_visible_subject(user, subject_uuid) -> Subject:
    """A subject outside the user's access is a 404, never a 403 that confirms it exists."""
    return get_object_or_404(
        Subject.objects.visible_to(user).select_related("borough", "created_by"), uuid=subject_uuid
    )


@login_required
def home(request):
    query = request.GET.get("q", "")
    subjects = search_subjects(Subject.objects.visible_to(request.user).select_related("borough"), query)
    rows, next_cursor = newest_first_page(subjects, request.GET.get("after"), PAGE_SIZE)
    return render(
        request,
        "matrix/home.html",
        {
            "subjects": rows,
            "next_cursor": next_cursor,
            "query": query,
            "scope": scope_description(request.user),
            "can_create": permissions.holds(request.user, permissions.ADD_SUBJECT),
        },
    )


@login_required
def subject_detail(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    evidence = list(subject.evidence.select_related("offence_type", "verified_by").order_by("-information_date"))
    assessment = services.assess_subject(subject, evidence=evidence)
    history = subject.history.select_related("history_user").order_by("-history_date")[:50]
    return render(
        request,
        "matrix/subject_detail.html",
        {
            "subject": subject,
            "evidence_rows": [(item, assessment.verdicts[item.pk]) for item in evidence],
            "assessment": assessment,
            "addresses": subject.addresses.all(),
            "history": history,
            "scope": scope_description(request.user),
        },
    )


@login_required
def subject_create(request):
    if not permissions.holds(request.user, permissions.ADD_SUBJECT):
        raise PermissionDenied("Your role cannot record subjects.")
    form = SubjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.create_subject(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("subject-detail", subject_uuid=subject.uuid)
    return render(request, "matrix/subject_form.html", {"form": form, "scope": scope_description(request.user)})


def add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
