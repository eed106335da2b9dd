"""Subject access pages (DPA 2018 s.45), for the DPO only. Views parse and call audit.sar; it decides.

A wrong role is a 403 (logged by the 403 handler) and changes nothing. A refused step for the
request's state or the input is kept for one redirect back to the request's page (config.failed_forms),
where the error summary shows it. Reports are generated only by POSTing a
justification, so every one is logged as a combination; they are never cached.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from audit import hooks
from audit import permissions as can
from audit import sar as services
from audit import sar_forms as forms
from audit.log import with_justifications
from audit.models import AccessEvent, Action, SubjectAccessRequest
from config.failed_forms import recall, refused
from config.formats import written
from matrix.forms.base import add_service_errors
from matrix.models import Subject

SCOPE = (
    "subject access requests and the records of the people they concern, in every borough, because you are "
    "the data protection officer answering requests under DPA 2018 s.45"
)


def _get_request(request_uuid) -> SubjectAccessRequest:
    sar = (
        SubjectAccessRequest.objects.select_related("created_by", "identity_verified_by", "closed_by")
        .filter(uuid=request_uuid)
        .first()
    )
    if sar is None:
        raise Http404("No such subject access request.")
    return sar


def _visible_subject(user, subject_uuid, *, within=None) -> Subject:
    subjects = Subject.objects.visible_to(user).select_related("borough")
    if within is not None:
        subjects = subjects.filter(pk__in=within.subjects.values("pk"))
    subject = subjects.filter(uuid=subject_uuid).first()
    if subject is None:
        raise hooks.deny_missing_subject(user, subject_uuid, "Subject access: record outside the request or access")
    return subject


@login_required
def sar_list(request):
    can.require_request_handler(can.can_view_requests(request.user))
    lists = services.request_lists(request.user)
    shown = sum(len(lists[key]) for key in ("overdue", "due_soon", "open", "closed"))
    hooks.searched(request.user, detail="Subject access requests listed", results=shown)
    return render(
        request, "audit/sar_list.html", {**lists, "can_open": can.can_open_request(request.user), "scope": SCOPE}
    )


@login_required
def sar_create(request):
    can.require_request_handler(can.can_open_request(request.user), "open subject access requests")
    form = forms.RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = services.open_request(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{sar.reference} opened. The response is due by {written(sar.due_on)}.")
            return redirect("sar-detail", request_uuid=sar.uuid)
    return render(request, "audit/sar_form.html", {"form": form, "scope": SCOPE})


def detail_page(request, sar, *, failed=None, status=200):
    search = forms.SubjectSearchForm(request.GET or None)
    results = None
    if search.is_bound and search.is_valid() and sar.is_open:
        results = services.find_subjects(request.user, **search.cleaned_data)
        how = "reference" if search.cleaned_data["reference"] else "name and date of birth"
        hooks.searched(
            request.user, detail=f"Subject access: records searched by {how} for {sar.reference}", results=len(results)
        )
    services.viewed(request.user, sar)
    matched = list(sar.subjects.select_related("borough").order_by("reference"))
    shown = {
        "identity": forms.IdentityForm(),
        "complete": forms.CompleteForm(),
        "refuse": forms.RefuseForm(),
    }
    if failed is not None and failed.action in shown:
        shown[failed.action] = failed
    context = {
        "sar": sar,
        "matched": matched,
        "matched_ids": {subject.pk for subject in matched},
        "search": search,
        "results": results,
        "forms": shown,
        "failed_form": failed,
        "justification_form": forms.JustificationForm(),
        "can_change": can.can_change_request(request.user),
        "can_report": can.can_report_on_request(request.user),
        "steps": sar.history.select_related("history_user").order_by("-history_date", "-history_id")[:50],
        "reports": with_justifications(
            AccessEvent.objects.filter(action=Action.COMBINE, object_uuid=sar.uuid).order_by("-sequence")
        )[:50],
        "scope": SCOPE,
    }
    return render(request, "audit/sar_detail.html", context, status=status)


def _failed_key(sar, action: str) -> str:
    return f"subject-access:{sar.uuid}:{action}"


@login_required
def sar_detail(request, request_uuid):
    can.require_request_handler(can.can_view_requests(request.user))
    sar = _get_request(request_uuid)
    failed = None
    for action, (form_class, _) in ACTIONS.items():
        failed = recall(
            request, _failed_key(sar, action), lambda data, context, form_class=form_class: form_class(data)
        )
        if failed is not None:
            break
    return detail_page(request, sar, failed=failed)


def _match(request, sar, data):
    subject = _visible_subject(request.user, data["subject"])
    services.match_subject(acting_user=request.user, sar=sar, subject=subject)
    return f"{subject.reference} matched to this request."


def _unmatch(request, sar, data):
    subject = _visible_subject(request.user, data["subject"], within=sar)
    services.unmatch_subject(acting_user=request.user, sar=sar, subject=subject)
    return f"{subject.reference} is no longer matched to this request."


def _identity(request, sar, data):
    services.verify_identity(acting_user=request.user, sar=sar, method=data["method"])
    return "Identity verification recorded."


def _complete(request, sar, data):
    services.complete_request(acting_user=request.user, sar=sar)
    return f"{sar.reference} completed: the response has been sent."


def _refuse(request, sar, data):
    services.refuse_request(acting_user=request.user, sar=sar, reason=data["reason"])
    return f"{sar.reference} refused. Tell the applicant why, and of their right to complain to the ICO."


ACTIONS = {
    "match": (forms.MatchForm, _match),
    "unmatch": (forms.UnmatchForm, _unmatch),
    "identity": (forms.IdentityForm, _identity),
    "complete": (forms.CompleteForm, _complete),
    "refuse": (forms.RefuseForm, _refuse),
}


@login_required
@require_POST
def sar_action(request, request_uuid, action):
    can.require_request_handler(can.can_change_request(request.user), "change subject access requests")
    form_class, perform = ACTIONS[action]
    sar = _get_request(request_uuid)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            done = perform(request, sar, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("sar-detail", request_uuid=sar.uuid)
    # Post/redirect/get: the request's page shows the refusal; the address never rests on /complete/.
    return refused(request, _failed_key(sar, action), form, "sar-detail", request_uuid=sar.uuid)


def _generate(request, request_uuid, subject_uuid, output):
    """The justification form bound to the POST, and the report when it was accepted (and logged)."""
    can.require_request_handler(can.can_report_on_request(request.user), "generate subject access reports")
    sar = _get_request(request_uuid)
    subject = _visible_subject(request.user, subject_uuid, within=sar)
    form = forms.JustificationForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.generate_report(
                acting_user=request.user,
                sar=sar,
                subject=subject,
                justification=form.cleaned_data["justification"],
                output=output,
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return sar, subject, form, report


def _report_key(sar, subject) -> str:
    """Where a refused JSON download waits for the report form (config.failed_forms)."""
    return f"sar-report:{sar.uuid}:{subject.uuid}"


@login_required
def sar_report(request, request_uuid, subject_uuid):
    sar, subject, form, report = _generate(request, request_uuid, subject_uuid, "printable page")
    if request.method == "GET":
        form = recall(request, _report_key(sar, subject), lambda data, context: forms.JustificationForm(data)) or form
    if report is None:
        context = {"sar": sar, "subject": subject, "form": form, "scope": SCOPE}
        return render(request, "audit/sar_report_form.html", context, status=400 if form.errors else 200)
    scope = f"{subject.reference}, gathered for subject access request {sar.reference} (DPA 2018 s.45)"
    response = render(request, "audit/sar_report.html", {"sar": sar, "report": report, "scope": scope})
    add_never_cache_headers(response)
    return response


@login_required
@require_POST
def sar_report_json(request, request_uuid, subject_uuid):
    sar, subject, form, report = _generate(request, request_uuid, subject_uuid, "JSON")
    if report is None:
        # A browser's form post: back to the form with its error summary, never a page of raw JSON.
        return refused(
            request, _report_key(sar, subject), form, "sar-report", request_uuid=sar.uuid, subject_uuid=subject.uuid
        )
    response = JsonResponse(report, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{sar.reference}-{subject.reference}.json"'
    add_never_cache_headers(response)
    return response
