from matrix.forms.base import add_service_errors
from matrix.forms.evidence import (
    EvidenceForm,
    VerifySocialMediaForm,
    WithdrawEvidenceForm,
)
from matrix.forms.subjects import SubjectEditForm, SubjectForm, SubjectListForm
from matrix.forms.workflow import (
    ACTION_FORMS,
    ApproveForm,
    LiftRestrictionForm,
    RejectForm,
    RemoveForm,
    RestrictForm,
    ReviewForm,
    SubmitForm,
)

__all__ = [
    "ACTION_FORMS",
    "ApproveForm",
    "EvidenceForm",
    "RejectForm",
    "RemoveForm",
    "RestrictForm",
    "LiftRestrictionForm",
    "ReviewForm",
    "SubjectEditForm",
    "SubjectForm",
    "SubjectListForm",
    "SubmitForm",
    "VerifySocialMediaForm",
    "WithdrawEvidenceForm",
    "add_service_errors",
]
