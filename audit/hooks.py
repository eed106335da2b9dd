"""The small, explicit set of places where reading is logged: subject views, lists and searches,
disclosure and partner views, exports and denials. Writes are logged by the services themselves."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from audit.log import BREAK_GLASS, record
from audit.models import Action, Outcome
from matrix import permissions
from matrix.models import Subject, SubjectAccessGrant


def _break_glass_justification(user, subject, works_in_borough: bool | None) -> str | None:
    """A view through break glass carries the justification given for it (docs/access-log.md, What an entry holds); None when not through one."""
    if works_in_borough is None:
        works_in_borough = permissions.works_in_borough(user, subject.borough)
    if permissions.holds(user, permissions.VIEW_ALL_SUBJECTS) or works_in_borough:
        return None
    grant = SubjectAccessGrant.objects.filter(user=user, content_object=subject).only("justification").first()
    return grant.justification if grant else None


def consulted(
    user, subject: Subject, *, obj=None, detail: str = "Subject record viewed", works_in_borough: bool | None = None
) -> None:
    """``works_in_borough`` saves a query when the caller already knows it.

    A view through break glass is marked by the plain ``BREAK_GLASS`` marker before its justification (which,
    being typed about the subject, is kept beside the chain and erased with the record); queries find it by that.
    """
    justification = _break_glass_justification(user, subject, works_in_borough)
    record(
        Action.CONSULT,
        actor=user,
        obj=obj or subject,
        subject=subject,
        detail=detail,
        justification=justification or "",
        marker=BREAK_GLASS if justification is not None else "",
    )


def searched(user, *, detail: str, results: int | None) -> None:
    """Lists and searches: which filters were used and how many rows came back, never the search text."""
    shown = f"; {results} row(s) shown" if results is not None else ""
    record(Action.SEARCH, actor=user, detail=f"{detail}{shown}")


def describe_query(params) -> str:
    """API query parameters for the log: names and choices, never free text (it may be a name)."""
    parts = [
        f"{key}={'(text)' if key == 'q' else value}"
        for key, value in sorted(params.items())
        if key not in ("cursor", "page_size", "format") and value
    ]
    return ", ".join(parts) or "no filters"


def denied(user, *, detail: str, subject: Subject | None = None) -> None:
    record(Action.DENIED, actor=user, subject=subject, outcome=Outcome.REFUSED, detail=detail)


def deny_missing_subject(user, subject_uuid, detail: str) -> Http404:
    """Log a request for a subject the user cannot see (if it exists at all) and give back the 404 to raise."""
    try:
        subject = Subject.objects.select_related("borough").filter(uuid=subject_uuid).first()
    except ValidationError:  # not even a UUID (an API path): there is nothing it could name
        subject = None
    denied(user, subject=subject, detail=detail if subject else f"{detail} (no such record)")
    return Http404("No such record.")


def denied_for(user, error: PermissionDenied, *, subject=None) -> None:
    denied(user, subject=subject, detail=str(error)[:300] or "Permission denied")
