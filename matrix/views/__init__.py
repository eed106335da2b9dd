"""Browser pages. Views parse the request and call the services; access comes from matrix.permissions."""

from matrix.views.common import PAGE_SIZE, get_visible_subject, scope_description
from matrix.views.dashboard import dashboard
from matrix.views.evidence import evidence_add, evidence_edit, evidence_verify, evidence_withdraw
from matrix.views.reference_data import publish_criterion, publish_harm_method, reference_data
from matrix.views.subjects import subject_create, subject_detail, subject_edit, subject_list
from matrix.views.workflow import subject_action

__all__ = [
    "PAGE_SIZE",
    "dashboard",
    "evidence_add",
    "evidence_edit",
    "evidence_verify",
    "evidence_withdraw",
    "get_visible_subject",
    "publish_criterion",
    "publish_harm_method",
    "reference_data",
    "scope_description",
    "subject_action",
    "subject_create",
    "subject_detail",
    "subject_edit",
    "subject_list",
]
