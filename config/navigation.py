"""The main menu: each person sees only the places their role can use (the pages check again)."""

from django.urls import NoReverseMatch, reverse

from matrix.permissions import holds

MENU = [
    # label, url name, any of these permissions
    ("Dashboard", "home", None),
    ("Subjects", "subject-list", ("matrix.view_subject", "matrix.view_all_subjects")),
    ("Disclosures", "disclosure-register", ("sharing.view_disclosure", "sharing.view_all_disclosures")),
    ("Approvals", "disclosure-queue", ("sharing.approve_disclosure",)),
    ("Disclosures to my agency", "partner-home", ("sharing.use_partner_portal",)),
    ("Access log", "audit-events", ("audit.view_audit_log",)),
    ("Subject access", "sar-list", ("audit.view_subjectaccessrequest",)),
    ("Impact assessments", "assessment-register", ("transparency.view_impactassessment",)),
    ("Reference data", "reference-data", ("matrix.change_inclusioncriterion",)),
    ("Disproportionality", "disproportionality", ("transparency.view_disproportionality",)),
    ("Users", "people-list", ("accounts.manage_users",)),
]


def main_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"main_menu": []}
    items = []
    for label, url_name, perms in MENU:
        if perms is not None and not any(holds(user, perm) for perm in perms):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url, "current": request.path == url})
    return {"main_menu": items}
