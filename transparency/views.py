"""Public transparency pages (no sign-in) and the impact assessment register (DPO and auditors).

The public pages show no personal data: the rules, the published (already suppressed) statistics
release and the dates and versions of the impact assessments. Figures are read from the latest
stored release, never computed per visitor.
"""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from audit import sar_information
from matrix.forms.base import add_service_errors
from transparency import assessments, published_rules
from transparency import permissions as can
from transparency.forms import AssessmentForm
from transparency.models import StatisticsRelease
from transparency.release_display import chart_for, export_rows, release_document
from transparency.releases import latest_release, release_list
from transparency.suppression import (
    DEFAULT_THRESHOLD,
    HIDDEN_TEXT,
    WITHHELD_TEXT,
    fewer_than_text,
)

REGISTER_SCOPE = (
    "data protection and equality impact assessments (governance records, no personal data about anyone on the "
    "matrix), because your role oversees how the matrix is run"
)


@require_safe
def public_home(request):
    release = latest_release()
    earlier = [item for item in release_list() if release is None or item.pk != release.pk]
    threshold = release.threshold if release else DEFAULT_THRESHOLD
    tables = release.tables["tables"] if release else []
    return render(
        request,
        "transparency/public_home.html",
        {
            "release": release,
            "earlier_releases": earlier,
            "tables": [{**table, "chart": chart_for(table)} for table in tables],
            "fewer_than": fewer_than_text(threshold),
            "hidden_text": HIDDEN_TEXT,
            "withheld_text": WITHHELD_TEXT,
            "threshold": threshold,
            "criteria": published_rules.current_criteria(),
            "lawful_bases": published_rules.lawful_bases(),
            "harm_method": published_rules.current_harm_method(),
            "timescales": published_rules.timescales(),
            "assessments": assessments.published_versions(),
            "purposes": sar_information.PURPOSES,
            "legal_basis": sar_information.LEGAL_BASIS,
            "rights": sar_information.RIGHTS,
            "ico": sar_information.ICO,
        },
    )


@require_safe
def accessibility_statement(request):
    """The accessibility statement (Public Sector Bodies Accessibility Regulations 2018): open to everyone."""
    return render(request, "transparency/accessibility_statement.html")


def _published(release_uuid=None) -> StatisticsRelease:
    """The release asked for by its UUID, or else the latest; 404 if there is none."""
    release = latest_release() if release_uuid is None else StatisticsRelease.objects.filter(uuid=release_uuid).first()
    if release is None:
        raise Http404("No statistics have been published yet." if release_uuid is None else "No such release.")
    return release


def _file_name(release: StatisticsRelease, extension: str) -> str:
    return f"govmatrix-statistics-{timezone.localtime(release.produced_at):%Y-%m-%d}.{extension}"


@require_safe
def statistics_json(request, release_uuid=None):
    release = _published(release_uuid)
    response = JsonResponse(release_document(release), json_dumps_params={"indent": 1})
    response["Content-Disposition"] = f'inline; filename="{_file_name(release, "json")}"'
    return response


@require_safe
def statistics_csv(request, release_uuid=None):
    release = _published(release_uuid)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_file_name(release, "csv")}"'
    writer = csv.writer(response)
    for row in export_rows(release):
        writer.writerow(row)
    return response


@login_required
@require_safe
def assessment_register(request):
    can.require(can.can_view_register(request.user), "read the impact assessment register")
    return render(
        request,
        "transparency/assessment_register.html",
        {
            "assessments": assessments.register(),
            "can_record": can.can_record_assessment(request.user),
            "scope": REGISTER_SCOPE,
        },
    )


@login_required
def assessment_create(request):
    can.require(can.can_record_assessment(request.user), "record impact assessments")
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessments.record_assessment(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Recorded {assessment}.")
            return redirect("assessment-register")
    return render(request, "transparency/assessment_form.html", {"form": form, "scope": REGISTER_SCOPE})
