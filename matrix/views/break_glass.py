"""Break glass: time-limited, justified, logged read access to one record outside one's boroughs.

The page parses the request and calls ``services.find_break_glass_subject`` and ``services.grant_break_glass``,
as the API does; the role check is ``permissions.require_break_glass``. A refused request is kept for one redirect
back to the page (config.failed_forms), so a reload never posts it again.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render

from config import failed_forms
from config.formats import written
from matrix import permissions, services
from matrix.forms.base import add_service_errors
from matrix.forms.break_glass import BreakGlassForm
from matrix.views.common import scope_description

FAILED_PAGE = "break-glass"


@login_required
def break_glass(request):
    user = request.user
    permissions.require_break_glass(user)
    if request.method != "POST":
        form = failed_forms.recall(request, FAILED_PAGE, lambda data, context: BreakGlassForm(data))
        return render(
            request,
            "matrix/break_glass.html",
            {
                "form": form or BreakGlassForm(),
                "max_hours": settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS,
                "scope": scope_description(user),
            },
        )
    form = BreakGlassForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            subject = services.find_break_glass_subject(acting_user=user, reference=data["reference"])
            grant = services.grant_break_glass(
                acting_user=user, subject=subject, justification=data["justification"], hours=data["hours"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                f"You can read {subject.reference} until {written(grant.expires_at)}, when your access ends. "
                "You cannot change it, and every view is recorded with your reason.",
            )
            return redirect("subject-detail", subject_uuid=subject.uuid)
    return failed_forms.refused(request, FAILED_PAGE, form, "break-glass")
