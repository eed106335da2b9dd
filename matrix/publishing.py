"""Versioned reference data (criteria, harm scoring methods): draft, publish, supersede — never edit in place.

A published version stays exactly as it was used, so any past decision or score can be explained
from the version it names.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from matrix import permissions
from audit.log import record
from audit.models import Action
from matrix.models import HarmScoringMethod, InclusionCriterion
from matrix.services import save_tracked


def _require_manager(obj, acting_user) -> None:
    perm = f"matrix.change_{obj._meta.model_name}"
    if not permissions.holds(acting_user, perm):
        raise PermissionDenied(f"Only the data protection officer's role can publish or draft {obj._meta.verbose_name_plural}.")


def _current_siblings(obj):
    if isinstance(obj, InclusionCriterion):
        return InclusionCriterion.objects.filter(code=obj.code, is_current=True)
    return HarmScoringMethod.objects.filter(is_current=True)


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
