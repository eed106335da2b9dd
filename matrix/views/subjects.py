"""The subject list, the subject page, and the draft and edit forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from audit import hooks
from audit.permissions import can_read_log
from config import failed_forms
from core.pagination import page_links
from matrix import evidence_services, forms, permissions, publishing, queries, services, workflow
from matrix.choices import Status
from matrix.history import subject_history
from matrix.views.common import PAGE_SIZE, get_visible_subject, scope_description


@login_required
def subject_list(request):
    user = request.user
    if not (
        permissions.holds(user, permissions.VIEW_SUBJECT) or permissions.holds(user, permissions.VIEW_ALL_SUBJECTS)
    ):
        # Partners never see the matrix, not even an empty list of it (the menu hides it; the page checks).
        raise PermissionDenied("Your role does not work with matrix records.")
    form = forms.SubjectListForm(request.GET or None, user=request.user)
    criteria = form.criteria() if form.is_bound else {}
    rows, next_cursor = queries.subject_list_page(request.user, criteria, request.GET.get("after"), PAGE_SIZE)
    sort = queries.SORTS.get(criteria.get("sort") or "newest")
    hooks.searched(request.user, detail=f"Subject list: {queries.describe_filters(criteria)}", results=len(rows))
    return render(
        request,
        "matrix/subject_list.html",
        {
            "form": form,
            "subjects": rows,
            "next_cursor": next_cursor,
            **page_links(request, "after", next_cursor),
            "sort_label": sort.label,
            "overdue_count": queries.matching_count(request.user, criteria) if criteria.get("overdue") else None,
            "scope": scope_description(request.user),
            "can_create": permissions.holds(request.user, permissions.ADD_SUBJECT),
        },
    )


def action_forms(subject, actions: permissions.SubjectActions, failed=None) -> dict:
    """The workflow forms this person may use on this record now (the services check again on POST)."""
    shown = {}
    if actions.edit and workflow.step_open("submit", subject):
        shown["submit"] = forms.SubmitForm(subject=subject)
    if not actions.own:
        if actions.approve and workflow.step_open("approve", subject):
            shown["approve"] = forms.ApproveForm(subject=subject)
            shown["reject"] = forms.RejectForm(subject=subject)
        if actions.review and workflow.step_open("review", subject):
            shown["review"] = forms.ReviewForm(subject=subject)
            shown["remove"] = forms.RemoveForm(subject=subject)
    lift = subject.is_restricted
    if actions.restrict and workflow.restriction_refusal(subject, lift=lift) is None:
        shown["lift" if lift else "restrict"] = (forms.LiftRestrictionForm if lift else forms.RestrictForm)(
            subject=subject
        )
    if failed is not None and failed.action in shown:
        shown[failed.action] = failed
    return shown


def evidence_rows(user, subject, evidence, assessment, actions):
    for item in evidence:
        verify_refusal = evidence_services.verify_refusal(user, subject, item)
        yield {
            "item": item,
            "verdict": assessment.verdicts[item.pk],
            "can_edit": actions.edit and evidence_services.edit_refusal(subject, item) is None,
            "can_withdraw": actions.edit and evidence_services.withdraw_refusal(subject, item) is None,
            "can_verify": actions.verify and verify_refusal is None,
            "verify_own": actions.verify and verify_refusal == evidence_services.VERIFIED_BY_SOMEONE_ELSE,
        }


def subject_page(request, subject, *, failed=None, keep_failed_form=True):
    """Render the subject page; ``failed`` is a bound action form whose errors are shown.

    With ``keep_failed_form=False`` only the error summary shows the errors, and the action forms
    carry the current version (after a stale-version refusal the person reviews the record as it is now).
    """
    evidence = list(
        subject.evidence.select_related("offence_type", "verified_by", "withdrawn_by", "created_by").order_by(
            "-information_date", "pk"
        )
    )
    assessment = services.assess_subject(subject, evidence=evidence)
    actions = permissions.SubjectActions(request.user, subject)
    context = {
        "subject": subject,
        "evidence_rows": list(evidence_rows(request.user, subject, evidence, assessment, actions)),
        "assessment": assessment,
        "addresses": subject.addresses.all(),
        # Reverse relation from sharing: read here without importing sharing into matrix.
        "disclosures": subject.disclosures.select_related("partner").order_by("-requested_at"),
        "history": subject_history(subject, limit=50),
        "reviews": subject.reviews.select_related("reviewed_by"),
        "actions": actions,
        "action_forms": action_forms(subject, actions, failed if keep_failed_form else None),
        "failed_form": failed,
        "can_edit": actions.edit and subject.status != Status.REMOVED,
        "can_audit": can_read_log(request.user),
        "scope": scope_description(request.user),
    }
    hooks.consulted(request.user, subject, works_in_borough=actions.works_in_borough)
    return render(request, "matrix/subject_detail.html", context)


def failed_action_page(subject) -> str:
    """The key under which a refused workflow step waits for the subject page (config.failed_forms)."""
    return f"subject-action:{subject.uuid}"


@login_required
def subject_detail(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    kept = {}

    def rebuild(data, context):
        kept.update(context)
        return forms.ACTION_FORMS[context["action"]](data, subject=subject)

    failed = failed_forms.recall(request, failed_action_page(subject), rebuild)
    return subject_page(request, subject, failed=failed, keep_failed_form=kept.get("keep_form", True))


@login_required
def subject_create(request):
    if not permissions.holds(request.user, permissions.ADD_SUBJECT):
        raise PermissionDenied("Your role cannot record subjects.")
    form = forms.SubjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.create_subject(acting_user=request.user, **form.cleaned_data)
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"Draft {subject.reference} saved. Add evidence, then submit it for approval.")
            return redirect("subject-detail", subject_uuid=subject.uuid)
    return render(
        request,
        "matrix/subject_form.html",
        {
            "form": form,
            "scope": scope_description(request.user),
            "unpublished_rules": publishing.unpublished_rules(),
        },
    )


@login_required
def subject_edit(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    if not permissions.can_edit_subject(request.user, subject):
        raise PermissionDenied("You can only edit subjects of boroughs you work in.")
    # The form works on its own copy, so a refused edit leaves nothing half-applied in memory.
    form = forms.SubjectEditForm(
        request.POST or None, instance=get_visible_subject(request.user, subject_uuid), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            subject = services.update_subject(
                acting_user=request.user,
                subject=subject,
                expected_version=form.cleaned_data["version"],
                changes=form.changes(),
                reason=form.cleaned_data["reason"].strip() or "Edited",
            )
        except services.StaleVersion as stale:
            form.add_error(None, str(stale))
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, f"{subject.reference} saved (version {subject.version}).")
            return redirect("subject-detail", subject_uuid=subject.uuid)
    return render(
        request,
        "matrix/subject_form.html",
        {"form": form, "subject": subject, "editing": True, "scope": scope_description(request.user)},
    )
