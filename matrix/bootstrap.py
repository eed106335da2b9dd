"""A new force's first run: the starting reference data as drafts, and the first administrator.

Each step is one transaction that writes history (who and why) and the access log, and reports what
it did in plain words. Loading never publishes and never touches a published version: publishing is
the data protection officer's decision (``matrix.publishing.publish``). Running a step again creates
nothing that is already there.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model, password_validation
from django.db import transaction

from audit.log import record
from audit.models import Action
from core.history import save_tracked
from matrix.models import HarmScoringMethod, InclusionCriterion, OffenceType, OffenceWeight
from matrix.reference_data import (
    LAWFUL_BASES,
    STARTING_CRITERIA,
    STARTING_HARM_METHOD,
    STARTING_OFFENCE_WEIGHTS,
)
from sharing.models import LawfulBasis

DRAFTED_REASON = "Drafted from the starting reference data"
# The account that signs bootstrap_force's changes (``matrix.retention.system_user``); it cannot sign in.
SYSTEM_USERNAME = "system.bootstrap_force"
ADMINISTRATOR_ROLE = "administrator"
FIRST_ADMINISTRATOR_REASON = "First administrator created by bootstrap_force"


@dataclass
class StepReport:
    """What one step did: lines to print, how many rows it created, and the drafts awaiting publication."""

    heading: str
    lines: list[str] = field(default_factory=list)
    created: int = 0
    awaiting_publication: list = field(default_factory=list)


def _log_created(obj, acting_user, what: str) -> None:
    record(Action.COLLECT, actor=acting_user, obj=obj, detail=f"{what} ({DRAFTED_REASON.lower()})")


@transaction.atomic
def draft_starting_criteria(*, acting_user) -> StepReport:
    """Draft version 1 of each starting criterion whose code the force does not have yet."""
    report = StepReport("Inclusion criteria")
    existing = {}
    for criterion in InclusionCriterion.objects.filter(code__in=[spec["code"] for spec in STARTING_CRITERIA]):
        existing.setdefault(criterion.code, []).append(criterion)
    for spec in STARTING_CRITERIA:
        versions = existing.get(spec["code"], [])
        published = max((c for c in versions if not c.is_draft), key=lambda c: c.version, default=None)
        if published is not None:
            report.lines.append(
                f"Skipped {spec['code']}: version {published.version} is published, so it is left exactly as it is."
            )
        elif versions:
            draft = max(versions, key=lambda c: c.version)
            report.awaiting_publication.append(draft)
            report.lines.append(f"Already drafted: {draft.code} v{draft.version}, awaiting publication.")
        else:
            draft = InclusionCriterion(version=1, **spec)
            draft.full_clean(validate_constraints=False)
            save_tracked(draft, acting_user=acting_user, reason=DRAFTED_REASON)
            _log_created(draft, acting_user, f"Drafted inclusion criterion {draft.code} v1")
            report.created += 1
            report.awaiting_publication.append(draft)
            report.lines.append(f"Drafted {draft.code} v1: {draft.title}.")
    return report


def _ensure_offence_types(acting_user, report: StepReport) -> dict[str, OffenceType]:
    """The starting offence types, created where missing; an existing type keeps its label."""
    types = {
        offence.code: offence
        for offence in OffenceType.objects.filter(code__in=[code for code, _label, _weight in STARTING_OFFENCE_WEIGHTS])
    }
    already = len(types)
    for code, label, _weight in STARTING_OFFENCE_WEIGHTS:
        if code in types:
            continue
        offence = OffenceType(code=code, label=label)
        offence.full_clean()
        save_tracked(offence, acting_user=acting_user, reason=DRAFTED_REASON)
        _log_created(offence, acting_user, f"Added offence type {code}")
        types[code] = offence
    added = len(types) - already
    report.created += added
    report.lines.append(f"Offence types: {added} added, {already} already present.")
    return types


@transaction.atomic
def draft_starting_harm_method(*, acting_user) -> StepReport:
    """The starting offence types, and version 1 of the harm scoring method with their weights if the force has none."""
    report = StepReport("Harm scoring method")
    types = _ensure_offence_types(acting_user, report)
    published = HarmScoringMethod.objects.filter(published_at__isnull=False).order_by("-version").first()
    if published is not None:
        report.lines.append(f"Skipped: {published} is published, so it and its weights are left exactly as they are.")
        return report
    latest = HarmScoringMethod.objects.order_by("-version").first()
    if latest is not None:
        report.awaiting_publication.append(latest)
        report.lines.append(f"Already drafted: {latest}, awaiting publication.")
        return report
    method = HarmScoringMethod(version=1, **STARTING_HARM_METHOD)
    method.full_clean(validate_constraints=False)
    save_tracked(method, acting_user=acting_user, reason=DRAFTED_REASON)
    for code, _label, weight in STARTING_OFFENCE_WEIGHTS:
        save_tracked(
            OffenceWeight(method=method, offence_type=types[code], weight=weight),
            acting_user=acting_user,
            reason=DRAFTED_REASON,
        )
    weights = len(STARTING_OFFENCE_WEIGHTS)
    _log_created(method, acting_user, f"Drafted harm scoring method v1 with {weights} offence weights")
    report.created += 1 + weights
    report.awaiting_publication.append(method)
    report.lines.append(
        f"Drafted {method}: amber from {method.amber_threshold}, red from {method.red_threshold}, weights halve every "
        f"{method.half_life_days} days, {weights} offence weights."
    )
    return report


def lawful_bases_report() -> StepReport:
    """The lawful bases are loaded by a migration when the database is created; this only checks they are there."""
    report = StepReport("Lawful bases for sharing")
    codes = [code for code, *_rest in LAWFUL_BASES]
    present = set(LawfulBasis.objects.filter(code__in=codes).values_list("code", flat=True))
    report.lines.append(
        f"{len(present)} of the {len(codes)} lawful bases in the specification are present (loaded when the database "
        "was created; the data protection officer edits them in /admin/)."
    )
    missing = [code for code in codes if code not in present]
    if missing:
        report.lines.append(f"Missing: {', '.join(missing)}. Add them again in /admin/ before recording agreements.")
    return report


def administrator_exists() -> bool:
    return get_user_model().objects.filter(is_active=True, groups__name=ADMINISTRATOR_ROLE).exists()


def check_administrator_username(username: str) -> str:
    """The rules every new account's username follows (accounts.services); the operator may not pick a system name."""
    from accounts import services as accounts_services

    username = (username or "").strip()
    accounts_services.check_username(username)
    return username


def check_administrator_email(email: str) -> str:
    from accounts import services as accounts_services

    email = (email or "").strip()
    accounts_services.check_email(email)
    return email


def check_administrator_password(password: str, *, username: str, email: str) -> None:
    """Django's password validators, with the new account's name and email to compare against."""
    candidate = get_user_model()(**{get_user_model().USERNAME_FIELD: username, "email": email})
    password_validation.validate_password(password, user=candidate)


@transaction.atomic
def create_first_administrator(*, username: str, email: str, password: str, acting_user):
    """The first person who can create the others' accounts. Everything is checked again before anything is written."""
    # Imported on use: loading the starting set (which seed_demo also does) must not need the accounts app.
    from accounts import services as accounts_services

    username = check_administrator_username(username)
    email = check_administrator_email(email)
    check_administrator_password(password, username=username, email=email)
    # The operator typed the password at the server, so the one-time setup link is not needed and is not
    # printed into any log. Both steps are accounts.services': each writes a version and one log entry.
    user, _setup_link = accounts_services.create_user(
        username=username, email=email, role=ADMINISTRATOR_ROLE, acting_user=None, reason=FIRST_ADMINISTRATOR_REASON
    )
    accounts_services.set_initial_password(
        user=user, password=password, acting_user=acting_user, reason=FIRST_ADMINISTRATOR_REASON
    )
    return user
