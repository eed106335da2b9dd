"""Versioned reference data (criteria, harm scoring methods): draft, publish, supersede — never edit in place.

A published version stays exactly as it was used, so any past decision or score can be explained
from the version it names.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Prefetch, Value
from django.urls import reverse
from django.utils import timezone

from audit.log import record
from audit.models import Action
from core.history import save_tracked
from matrix import permissions
from matrix.models import HarmScoringMethod, InclusionCriterion, OffenceWeight


@dataclass(frozen=True)
class UnpublishedRule:
    """Reference data with no current version yet, and what that stops people doing."""

    problem: str
    pronoun: str

    def explained(self) -> str:
        """The problem and who puts it right, where: for people who cannot open the reference data page."""
        return (
            f"{self.problem}; the data protection officer publishes {self.pronoun} on the reference data page "
            f"({reverse('reference-data')})."
        )


CRITERIA_UNPUBLISHED = UnpublishedRule(
    "No inclusion criteria are published yet, so records cannot be submitted", "them"
)
HARM_METHOD_UNPUBLISHED = UnpublishedRule(
    "No harm scoring method is published yet, so nobody on the matrix is given a harm score", "it"
)


def unpublished_rules() -> list[UnpublishedRule]:
    """What a force has not published yet; empty once criteria and a harm method are current.

    One query (a UNION of the two small tables' current rows), because every officer's dashboard asks.
    """

    def current(model, name):
        rows = model.objects.current().order_by()  # no ORDER BY inside a UNION (SQLite refuses it)
        return rows.annotate(kind=Value(name)).values_list("kind", flat=True)

    published = set(current(InclusionCriterion, "criteria").union(current(HarmScoringMethod, "harm_method")))
    return [
        rule
        for name, rule in (("criteria", CRITERIA_UNPUBLISHED), ("harm_method", HARM_METHOD_UNPUBLISHED))
        if name not in published
    ]


def criterion_versions():
    """Every version of every criterion, grouped by code, newest version first (one query)."""
    return InclusionCriterion.objects.select_related("published_by").order_by("code", "-version")


def harm_method_versions():
    """Every version of the harm scoring method, newest first, with its offence weights (two queries)."""
    weights = OffenceWeight.objects.select_related("offence_type").order_by("-weight", "offence_type__label")
    return HarmScoringMethod.objects.select_related("published_by").prefetch_related(Prefetch("weights", weights))


def _require_manager(obj, acting_user) -> None:
    perm = f"matrix.change_{obj._meta.model_name}"
    if not permissions.holds(acting_user, perm):
        raise PermissionDenied(
            f"Only the data protection officer's role can publish or draft {obj._meta.verbose_name_plural}."
        )


def _current_siblings(obj):
    if isinstance(obj, InclusionCriterion):
        return InclusionCriterion.objects.current().filter(code=obj.code)
    return HarmScoringMethod.objects.current()


@transaction.atomic
def publish(obj, *, acting_user):
    """Make a draft version current, superseding the version it replaces."""
    _require_manager(obj, acting_user)
    obj = type(obj).objects.select_for_update().get(pk=obj.pk)
    if not obj.is_draft:
        raise ValidationError(f"{obj} is already published; draft a new version to change it.")
    if isinstance(obj, HarmScoringMethod) and not obj.weights.exists():
        raise ValidationError("A harm scoring method needs at least one offence weight before it is published.")
    now = timezone.now()
    for previous in _current_siblings(obj).select_for_update():
        previous.is_current, previous.superseded_at = False, now
        save_tracked(previous, acting_user=acting_user, reason=f"Superseded by version {obj.version}")
    obj.is_current, obj.published_at, obj.published_by = True, now, acting_user
    obj.full_clean(validate_constraints=False)
    save_tracked(obj, acting_user=acting_user, reason="Published")
    record(Action.ALTER, actor=acting_user, obj=obj, detail=f"Published {obj}")
    return obj


@transaction.atomic
def draft_new_version(obj, *, acting_user):
    """Copy a version into a new draft (with its offence weights, for a scoring method)."""
    _require_manager(obj, acting_user)
    model = type(obj)
    siblings = model.objects.filter(code=obj.code) if isinstance(obj, InclusionCriterion) else model.objects.all()
    weights = list(obj.weights.all()) if isinstance(obj, HarmScoringMethod) else []
    draft = model.objects.get(pk=obj.pk)
    draft.pk = draft.id = None
    draft.version = (siblings.aggregate(Max("version"))["version__max"] or 0) + 1
    draft.is_current, draft.published_at, draft.superseded_at, draft.published_by = False, None, None, None
    save_tracked(draft, acting_user=acting_user, reason=f"Drafted from version {obj.version}")
    for weight in weights:
        weight.pk = weight.id = None
        weight.method = draft
        save_tracked(weight, acting_user=acting_user, reason=f"Copied from version {obj.version}")
    return draft
