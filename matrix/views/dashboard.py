"""The home page: what needs the signed-in person's attention, by role."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.permissions import can_manage_users
from audit import hooks, sar
from audit.permissions import can_view_requests
from matrix import permissions, publishing, queries
from matrix.views.common import scope_description

PARTNER_SCOPE = "no matrix records: partner agencies see only what has been disclosed to their own agency"
ADMINISTRATOR_SCOPE = "no matrix records: your role manages users' accounts"


@login_required
def dashboard(request):
    user = request.user
    oversight = permissions.holds(user, permissions.VIEW_ALL_SUBJECTS)
    works_with_records = permissions.holds(user, permissions.VIEW_SUBJECT)
    context = {"scope": scope_description(user), "no_access": not (oversight or works_with_records)}
    if context["no_access"]:
        context["manages_users"] = can_manage_users(user)
        context["scope"] = ADMINISTRATOR_SCOPE if context["manages_users"] else PARTNER_SCOPE
    if oversight:
        context["oversight_panels"] = queries.oversight_panels(user)
    if can_view_requests(user):
        context["sar_deadlines"] = sar.request_lists(user)
    if works_with_records and permissions.holds(user, permissions.APPROVE_SUBJECT):
        context["supervisor_panels"] = queries.supervisor_panels(user)
    if works_with_records and permissions.holds(user, permissions.VERIFY_SOCIAL_MEDIA):
        context["social_media"], context["social_media_more"] = queries.social_media_awaiting_verification(user)
        context["show_social_media"] = True
    if works_with_records and permissions.holds(user, permissions.ADD_SUBJECT):
        context["officer_panels"] = queries.officer_panels(user)
        context["can_create"] = True
    if works_with_records:
        context["works_with_records"] = True
        context["can_break_glass"] = permissions.can_break_glass(user)
    can_publish = permissions.can_manage_reference_data(user)
    if can_publish or context.get("can_create"):
        # Say plainly why nothing can be submitted yet, instead of offering forms that will be refused.
        context["unpublished_rules"], context["can_publish"] = publishing.unpublished_rules(), can_publish
    hooks.searched(user, detail="Dashboard work lists", results=None)
    return render(request, "matrix/dashboard.html", context)
