"""The data protection officer's reference data page: publish the drafted rules, register partner agencies.

Views parse the request and call ``matrix.publishing`` and ``sharing.services``, which decide; the
page is refused (a logged 403) to everyone without the DPO's reference data permissions.
"""

from django import forms as django_forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from config.form_messages import SpecificMessages
from matrix import permissions, publishing
from matrix.forms.base import add_service_errors
from matrix.models import HarmScoringMethod, InclusionCriterion
from sharing import permissions as sharing_permissions
from sharing import services as sharing_services
from sharing.forms import PartnerAgencyForm
from sharing.models import LawfulBasis, PartnerAgency

REFERENCE_DATA_SCOPE = (
    "the rules the matrix applies and the partner agencies it shares with (reference data, no personal data about "
    "anyone), because your role drafts, publishes and registers them"
)


class PublishForm(SpecificMessages, django_forms.Form):
    """The Publish button: no fields; it carries the publishing step's refusal to the error summary."""


def _require_manager(user) -> None:
    if not permissions.can_manage_reference_data(user):
        raise PermissionDenied("Only the data protection officer's role manages reference data.")


def _page(request, *, partner_form=None, failed_publish=None):
    can_register = sharing_permissions.can_register_partner(request.user)
    return render(
        request,
        "matrix/reference_data.html",
        {
            "criteria": publishing.criterion_versions(),
            "harm_methods": publishing.harm_method_versions(),
            "unpublished_rules": publishing.unpublished_rules(),
            "lawful_basis_count": LawfulBasis.objects.filter(active=True).count(),
            "partners": PartnerAgency.objects.all(),
            "can_register_partner": can_register,
            "partner_form": partner_form or (PartnerAgencyForm() if can_register else None),
            "failed_publish": failed_publish,
            "scope": REFERENCE_DATA_SCOPE,
        },
    )


@login_required
def reference_data(request):
    _require_manager(request.user)
    if request.method != "POST":
        return _page(request)
    sharing_permissions.require_register_partner(request.user)
    form = PartnerAgencyForm(request.POST)
    if form.is_valid():
        try:
            agency = sharing_services.register_partner_agency(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Registered {agency.name}. Record its information-sharing agreement before sharing anything."
            )
            return redirect("reference-data")
    return _page(request, partner_form=form)


def _publish(request, version):
    try:
        published = publishing.publish(version, acting_user=request.user)
    except ValidationError as error:
        failed = PublishForm(data={})
        failed.is_valid()
        add_service_errors(failed, error)
        return _page(request, failed_publish=failed)
    messages.success(request, f"Published {published}. It is now the current version and applies from now on.")
    return redirect("reference-data")


@login_required
@require_POST
def publish_criterion(request, code, version):
    _require_manager(request.user)
    return _publish(request, get_object_or_404(InclusionCriterion, code=code, version=version))


@login_required
@require_POST
def publish_harm_method(request, version):
    _require_manager(request.user)
    return _publish(request, get_object_or_404(HarmScoringMethod, version=version))
