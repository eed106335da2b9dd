"""Reading the access log for the auditor's screens and API: searching, paging, one user's activity and the
"unusual activity" aggregates. Every list here is one query whatever the size of the log."""

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncHour
from django.utils import timezone

from audit.log import BREAK_GLASS, with_justifications
from audit.models import AccessEvent, Action
from matrix.models import BoroughGroupGrant, BoroughUserGrant, Subject, SubjectAccessGrant
from matrix.permissions import ACCESS_BOROUGH

PAGE_SIZE = 50
REFERENCE_PATTERN = re.compile(r"[A-Z]{2}-[0-9]{4}-[0-9]{6,8}")
FILTER_ORDER = ("actor", "subject", "action", "borough", "outcome", "date_from", "date_to")


def _account_id(username: str) -> int | None:
    return get_user_model().objects.filter(username=username).values_list("pk", flat=True).first()


def actor_condition(username: str, account_id: int | None) -> Q:
    """Entries by the account (through its id, indexed), and sign-in attempts made in its name (no account id)."""
    by_name = Q(actor_id__isnull=True, actor_username=username)
    return by_name if account_id is None else Q(actor_id=account_id) | by_name


def _start_of(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass(frozen=True)
class EventSearch:
    """Validated filters (form or API), with the named account resolved once."""

    criteria: dict
    account_id: int | None = None

    @classmethod
    def of(cls, criteria: dict) -> "EventSearch":
        criteria = {name: value for name, value in criteria.items() if name in FILTER_ORDER and value not in ("", None)}
        actor = criteria.get("actor")
        return cls(criteria, _account_id(actor) if actor else None)

    def events(self):
        events, c = AccessEvent.objects.all(), self.criteria
        if "actor" in c:
            events = events.filter(actor_condition(c["actor"], self.account_id))
        if "subject" in c:
            events = events.filter(subject_reference=c["subject"].strip().upper())
        for name in ("action", "outcome"):
            if name in c:
                events = events.filter(**{name: c[name]})
        if "borough" in c:
            events = events.filter(borough_code=c["borough"].strip().upper())
        if "date_from" in c:
            events = events.filter(occurred_at__gte=_start_of(c["date_from"]))
        if "date_to" in c:
            events = events.filter(occurred_at__lt=_start_of(c["date_to"] + timedelta(days=1)))
        return with_justifications(events.order_by("-sequence"))

    def describe(self) -> str:
        """The filters for the log entry that records this search: identifiers and choices, never free text."""
        parts = []
        for name in FILTER_ORDER:
            if name not in self.criteria:
                continue
            value = str(self.criteria[name])
            if name == "actor" and self.account_id is None:
                value = "(a name matching no account)"
            elif name == "subject" and not REFERENCE_PATTERN.fullmatch(value.strip().upper()):
                value = "(text)"
            parts.append(f"{name}={value[:40]}")
        return ", ".join(parts) or "no filters"

    def subject(self) -> Subject | None:
        """The subject searched for, so the search appears on that subject's timeline."""
        reference = str(self.criteria.get("subject", "")).strip().upper()
        if not REFERENCE_PATTERN.fullmatch(reference):
            return None
        return Subject.objects.select_related("borough").filter(reference=reference).first()


def events_page(events, before: str | None, size: int = PAGE_SIZE) -> tuple[list[AccessEvent], int | None]:
    """Newest first, entries older than sequence ``before``: (rows, the ``before`` of the next page or None).

    Keyset paging on the unique sequence: each page is one index range scan, however deep. A cursor that
    is not a positive whole number is ignored and the list restarts.
    """
    position = int(before) if before and before.isdigit() and 0 < len(before) < 20 else None
    if position:
        events = events.filter(sequence__lt=position)
    rows = list(with_justifications(events.order_by("-sequence"))[: size + 1])
    return rows[:size], rows[size - 1].sequence if len(rows) > size else None


@dataclass(frozen=True)
class UserProfile:
    """A person's current access: roles, borough grants (and how), live break-glass grants, partner agency."""

    username: str
    account: object | None
    roles: list[str] = field(default_factory=list)
    boroughs: list[tuple[str, str]] = field(default_factory=list)
    break_glass: list[SubjectAccessGrant] = field(default_factory=list)
    partner: str = ""


def user_profile(username: str) -> UserProfile:
    account = get_user_model().objects.select_related("partner_membership__partner").filter(username=username).first()
    if account is None:
        return UserProfile(username, None)
    direct = BoroughUserGrant.objects.filter(user=account, permission__codename=ACCESS_BOROUGH).select_related(
        "content_object"
    )
    via_group = BoroughGroupGrant.objects.filter(
        group__user=account, permission__codename=ACCESS_BOROUGH
    ).select_related("content_object", "group")
    boroughs = [(grant.content_object.name, "granted directly") for grant in direct] + [
        (grant.content_object.name, f"through the {grant.group.name} group") for grant in via_group
    ]
    membership = getattr(account, "partner_membership", None)  # a missing one-to-one raises AttributeError
    return UserProfile(
        username,
        account,
        roles=list(account.groups.order_by("name").values_list("name", flat=True)),
        boroughs=sorted(boroughs),
        break_glass=list(
            SubjectAccessGrant.objects.filter(user=account, expires_at__gt=timezone.now())
            .select_related("content_object")
            .order_by("expires_at")
        ),
        partner=membership.partner.name if membership else "",
    )


def user_events(username: str, account_id: int | None):
    return with_justifications(AccessEvent.objects.filter(actor_condition(username, account_id)).order_by("-sequence"))


# Break glass: the grant itself, and each view made through one (hooks.consulted puts the plain marker
# ``log.BREAK_GLASS`` first in its justification column, before the typed text or the reference to it).
BREAK_GLASS_GRANT = Q(object_type="subjectaccessgrant")
BREAK_GLASS_VIEW = Q(action=Action.CONSULT, justification__startswith=BREAK_GLASS.rstrip(": ")) & ~BREAK_GLASS_GRANT


@dataclass(frozen=True)
class UnusualActivity:
    since: datetime
    threshold: int
    heavy_viewers: list[dict]
    break_glass: list[dict]
    grants: list[AccessEvent]
    denied: list[dict]


def unusual_activity(*, days: int = 7, limit: int = 100, now=None) -> UnusualActivity:
    """Four aggregate queries over the last ``days``: nothing is looped over in Python but the rows shown."""
    since = (now or timezone.now()) - timedelta(days=days)
    threshold = settings.GOVMATRIX_UNUSUAL_VIEWS_PER_HOUR
    recent = AccessEvent.objects.filter(occurred_at__gte=since)
    heavy = (
        recent.filter(action=Action.CONSULT, subject_uuid__isnull=False)
        .annotate(hour=TruncHour("occurred_at"))
        .values("actor_username", "hour")
        .annotate(subjects=Count("subject_uuid", distinct=True), views=Count("pk"))
        .filter(subjects__gt=threshold)
        .order_by("-subjects", "-hour", "actor_username")
    )
    break_glass = (
        recent.filter(BREAK_GLASS_GRANT | BREAK_GLASS_VIEW)
        .values("actor_username")
        .annotate(
            grants=Count("pk", filter=BREAK_GLASS_GRANT),
            views=Count("pk", filter=BREAK_GLASS_VIEW),
            subjects=Count("subject_uuid", distinct=True),
            last=Max("occurred_at"),
        )
        .order_by("-last", "actor_username")
    )
    denied = (
        recent.filter(action=Action.DENIED)
        .values("actor_username")
        .annotate(
            attempts=Count("pk"),
            on_records=Count("pk", filter=Q(subject_uuid__isnull=False)),
            subjects=Count("subject_uuid", distinct=True),
            last=Max("occurred_at"),
        )
        .order_by("-attempts", "actor_username")
    )
    return UnusualActivity(
        since=since,
        threshold=threshold,
        heavy_viewers=list(heavy[:limit]),
        break_glass=list(break_glass[:limit]),
        grants=list(with_justifications(recent.filter(BREAK_GLASS_GRANT).order_by("-sequence"))[:limit]),
        denied=list(denied[:limit]),
    )
