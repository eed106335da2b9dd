"""One subject's story for the auditor, in time order: every version (who changed which field from what to
what), every view and search, every disclosure and notice, reviews, break glass, refusals and erasure.

Six queries whatever the subject's size: history and its usernames, the access log, disclosures, notices and
reviews. Log entries that only restate a history version or a disclosure step are left out here (the record
itself is shown, with more detail); the access log search lists them all.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q

from audit.log import BREAK_GLASS, justification_as_read, with_justifications
from audit.models import AccessEvent, Action
from config.formats import written, written_day
from matrix.history import subject_history
from matrix.models import Subject
from sharing.choices import DisclosureStatus, ShareableField
from sharing.models import Disclosure, DisclosureNotice

HISTORY_LIMIT = 200
EVENT_LIMIT = 500
RECORDED_ELSEWHERE = Q(object_type="subject", action__in=[Action.COLLECT, Action.ALTER]) | Q(
    object_type__in=["disclosure", "disclosurenotice"], action__in=[Action.ALTER, Action.DISCLOSE]
)
EVENT_KINDS = {
    Action.CONSULT: ("Viewed", "view"),
    Action.SEARCH: ("Searched", "search"),
    Action.DENIED: ("Access refused", "denied"),
    Action.ERASE: ("Personal data erased", "erasure"),
    Action.COLLECT: ("Information added", "change"),
    Action.ALTER: ("Information changed", "change"),
}
FIELD_LABELS = dict(ShareableField.choices)


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str
    category: str  # change, view, search, disclosure, review, break-glass, erasure, denied or other
    who: str
    summary: str = ""
    changes: tuple = ()
    recipient: str = ""
    justification: str = ""
    sequence: int | None = None  # the access log entry it comes from, if any


@dataclass(frozen=True)
class Timeline:
    entries: list[TimelineEntry]
    truncated: bool


def _history_entries(subject: Subject):
    versions = subject_history(subject, limit=HISTORY_LIMIT + 1)
    entries = [
        TimelineEntry(
            when=version.when,
            kind=f"Record {version.kind.lower()}",
            category="change",
            who=version.who,
            summary=f"{version.reason}{f' (version {version.version})' if version.version else ''}",
            changes=tuple(version.changes),
            sequence=version.log_sequence,
        )
        for version in versions[:HISTORY_LIMIT]
    ]
    return entries, len(versions) > HISTORY_LIMIT


def _event_kind(event: AccessEvent) -> tuple[str, str]:
    if event.object_type == "subjectaccessgrant":
        return "Break-glass access granted", "break-glass"
    if event.action == Action.CONSULT and event.justification.startswith(BREAK_GLASS.rstrip(": ")):  # the plain marker
        return "Viewed through break glass", "break-glass"
    return EVENT_KINDS.get(event.action, (event.get_action_display(), "other"))


def _event_entries(subject: Subject):
    events = list(
        with_justifications(
            AccessEvent.objects.filter(subject_uuid=subject.uuid).exclude(RECORDED_ELSEWHERE).order_by("-sequence")
        )[: EVENT_LIMIT + 1]
    )
    entries = []
    for event in events[:EVENT_LIMIT]:
        kind, category = _event_kind(event)
        entries.append(
            TimelineEntry(
                when=event.occurred_at,
                kind=kind,
                category=category,
                who=event.actor_username or "System",
                summary=event.detail,
                recipient=event.recipient,
                justification=justification_as_read(event),
                sequence=event.sequence,
            )
        )
    return entries, len(events) > EVENT_LIMIT


def _name(user) -> str:
    return user.get_username() if user else "System"


def _disclosure_entries(disclosure: Disclosure):
    partner, basis = disclosure.partner.name, disclosure.lawful_basis
    fields = ", ".join(str(FIELD_LABELS.get(name, name)) for name in disclosure.fields)
    yield TimelineEntry(
        when=disclosure.requested_at,
        kind=f"Disclosure {disclosure.reference} requested",
        category="disclosure",
        who=_name(disclosure.requested_by),
        recipient=partner,
        justification=disclosure.purpose,
        summary=f"To {partner} under {basis.citation} ({basis.title}). Fields: {fields}.",
    )
    if disclosure.decided_at and disclosure.status == DisclosureStatus.REFUSED:
        yield TimelineEntry(
            when=disclosure.decided_at,
            kind=f"Disclosure {disclosure.reference} refused",
            category="disclosure",
            who=_name(disclosure.decided_by),
            recipient=partner,
            justification=disclosure.refusal_reason,
        )
    elif disclosure.decided_at:
        until = f" until {written_day(disclosure.expires_at)}" if disclosure.expires_at else ""
        yield TimelineEntry(
            when=disclosure.decided_at,
            kind=f"Disclosure {disclosure.reference} approved",
            category="disclosure",
            who=_name(disclosure.decided_by),
            recipient=partner,
            summary=f"Disclosed to {partner} under {basis.citation}: {fields}{until}.",
        )
    if disclosure.revoked_at:
        yield TimelineEntry(
            when=disclosure.revoked_at,
            kind=f"Disclosure {disclosure.reference} revoked",
            category="disclosure",
            who=_name(disclosure.revoked_by),
            recipient=partner,
            justification=disclosure.revocation_reason,
        )


def _sharing_entries(subject: Subject) -> list[TimelineEntry]:
    disclosures = Disclosure.objects.filter(subject=subject).select_related(
        "partner", "lawful_basis", "requested_by", "decided_by", "revoked_by"
    )
    entries = [entry for disclosure in disclosures for entry in _disclosure_entries(disclosure)]
    notices = DisclosureNotice.objects.filter(disclosure__subject=subject).select_related("disclosure__partner")
    entries += [
        TimelineEntry(
            when=notice.created_at,
            kind="Recipient notified",
            category="disclosure",
            who="System",
            recipient=notice.disclosure.partner.name,
            summary=f"{notice.get_kind_display()} after disclosure {notice.disclosure.reference}: {notice.message}",
        )
        for notice in notices
    ]
    return entries


def _review_entries(subject: Subject) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            when=review.reviewed_at,
            kind="Reviewed",
            category="review",
            who=_name(review.reviewed_by),
            summary=review.get_outcome_display()
            + (f"; next review due {written(review.next_review_due)}" if review.next_review_due else ""),
            justification=review.justification,
        )
        for review in subject.reviews.select_related("reviewed_by")
    ]


def subject_timeline(subject: Subject) -> Timeline:
    """Oldest first. ``truncated`` when the subject has more versions or log entries than one page shows."""
    history, more_history = _history_entries(subject)
    events, more_events = _event_entries(subject)
    entries = history + events + _sharing_entries(subject) + _review_entries(subject)
    entries.sort(key=lambda entry: entry.when)
    return Timeline(entries, more_history or more_events)
