"""Disclosure to partner agencies (docs/sharing.md): every rule checked here, every step one transaction with history.

No disclosure without a valid agreement, an allowed lawful basis, fields the agreement permits, a
stated purpose and a second person's approval; victims only for safeguarding; nothing from an
overdue or unapproved record; revocation at once; later corrections reach the recipient as notices.
"""

from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import record
from audit.models import Action
from config.formats import written
from core.history import save_tracked
from core.text import MINIMUM_TEXT_LENGTH, NULL_CHARACTERS_MESSAGE, require_text, validate_text
from matrix.choices import SAFEGUARDING_CLASSIFICATIONS, Status
from matrix.models import Subject
from matrix.services import next_reference
from sharing import permissions
from sharing.choices import DisclosureStatus, NoticeKind, ShareableField
from sharing.models import (
    Disclosure,
    DisclosureNotice,
    InformationSharingAgreement,
    LawfulBasis,
    PartnerAgency,
)
from sharing.snapshot import build_snapshot

DEFAULT_EXPIRY_DAYS = 30
AGREEMENT_WARNING_DAYS = 30
DISCLOSURE_PREFIX = "DS"


def default_expiry(agreement: InformationSharingAgreement):
    return min(timezone.localdate() + timedelta(days=DEFAULT_EXPIRY_DAYS), agreement.valid_to)


def check_disclosure_rules(*, subject: Subject, partner, agreement, lawful_basis, purpose: str, fields, expiry):
    """Every rule a disclosure must pass, at request and again at approval. Raises field-level errors."""
    today = timezone.localdate()
    errors = {}
    if subject.status != Status.APPROVED:
        errors["subject"] = "Only subjects approved onto the matrix can be disclosed."
    elif subject.review_overdue:
        errors["subject"] = "This subject's review is overdue; review it before disclosing anything."
    elif subject.is_restricted:
        errors["subject"] = "Processing of this record is restricted (DPA 2018 s.47); nothing can be disclosed."
    if agreement.partner_id != partner.pk:
        errors["agreement"] = f"{agreement.reference} is not an agreement with {partner.name}."
    elif not agreement.is_valid_on(today):
        errors["agreement"] = (
            f"{agreement.reference} is not in force today ({written(agreement.valid_from)} to {written(agreement.valid_to)})."
        )
    if not agreement.lawful_bases.filter(pk=lawful_basis.pk).exists():
        errors["lawful_basis"] = f"{agreement.reference} does not allow sharing under {lawful_basis.citation}."
    elif not lawful_basis.active:
        errors["lawful_basis"] = f"{lawful_basis.citation} is no longer in use."
    elif subject.classification in SAFEGUARDING_CLASSIFICATIONS and not lawful_basis.is_safeguarding:
        errors["lawful_basis"] = (
            "Victims and people at risk may be disclosed only under a safeguarding basis; "
            f"{lawful_basis.citation} is not one."
        )
    fields = [] if fields is None else fields
    if not isinstance(fields, (list, tuple, set, frozenset)) or not all(isinstance(f, str) for f in fields):
        errors["fields"] = "Choose the fields to disclose from the list."
    elif not fields:
        errors["fields"] = "Choose at least one field to disclose."
    elif unknown := set(fields) - set(ShareableField.values):
        errors["fields"] = f"These are not shareable fields: {', '.join(sorted(unknown))}."
    elif outside := set(fields) - set(agreement.shareable_fields):
        labels = ", ".join(ShareableField(f).label for f in sorted(outside))
        errors["fields"] = f"{agreement.reference} does not allow sharing: {labels}."
    if not isinstance(purpose, str):
        errors["purpose"] = "Enter the purpose as text."
    elif "\x00" in purpose:
        errors["purpose"] = NULL_CHARACTERS_MESSAGE
    elif len(purpose.strip()) < MINIMUM_TEXT_LENGTH:
        errors["purpose"] = "State the specific purpose of this disclosure (at least 10 characters)."
    if expiry is not None and (isinstance(expiry, datetime) or not isinstance(expiry, date)):
        errors["expiry"] = "Enter the expiry as a date."
    elif expiry is not None and expiry <= today:
        errors["expiry"] = "The expiry date must be in the future."
    elif expiry is not None and expiry > agreement.valid_to:
        errors["expiry"] = f"A disclosure cannot outlast its agreement, which ends on {written(agreement.valid_to)}."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def request_disclosure(
    *,
    acting_user,
    subject: Subject,
    agreement: InformationSharingAgreement,
    lawful_basis: LawfulBasis,
    purpose: str,
    fields,
    expiry=None,
) -> Disclosure:
    subject = Subject.objects.select_related("borough").get(pk=subject.pk)
    permissions.require_request(acting_user, subject)
    partner = agreement.partner
    expiry = expiry or default_expiry(agreement)
    check_disclosure_rules(
        subject=subject,
        partner=partner,
        agreement=agreement,
        lawful_basis=lawful_basis,
        purpose=purpose,
        fields=fields,
        expiry=expiry,
    )
    disclosure = Disclosure(
        reference=next_reference(DISCLOSURE_PREFIX),
        subject=subject,
        partner=partner,
        agreement=agreement,
        lawful_basis=lawful_basis,
        purpose=purpose.strip(),
        fields=sorted(set(fields)),
        requested_by=acting_user,
        requested_expiry=expiry,
    )
    save_tracked(disclosure, acting_user=acting_user, reason="Disclosure requested")
    record(
        Action.ALTER,
        actor=acting_user,
        obj=disclosure,
        subject=subject,
        recipient=partner.name,
        justification=f"{lawful_basis.citation}: {disclosure.purpose}",
        detail="Disclosure requested",
    )
    return disclosure


def _lock(disclosure: Disclosure) -> Disclosure:
    """Lock the subject, then the disclosure, and nothing else.

    Removal locks the subject and then every disclosure of it; taking the same order here (and locking
    only these rows, not the joined agreement, partner or borough) makes concurrent decisions,
    revocations and removals queue instead of deadlocking (tests/project/test_concurrency.py).
    """
    list(Subject.objects.select_for_update().filter(pk=disclosure.subject_id).values_list("pk", flat=True))
    return (
        Disclosure.objects.select_for_update(of=("self",))
        .select_related("subject__borough", "agreement", "partner", "lawful_basis")
        .get(pk=disclosure.pk)
    )


def _require_requested(disclosure: Disclosure, action: str) -> None:
    if disclosure.status != DisclosureStatus.REQUESTED:
        raise ValidationError(
            f"{disclosure.reference} is {disclosure.get_status_display().lower()}; it cannot be {action}."
        )


def end_of_day(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max))


@transaction.atomic
def approve_disclosure(*, acting_user, disclosure: Disclosure) -> Disclosure:
    disclosure = _lock(disclosure)
    permissions.require_approve_or_refuse(acting_user, disclosure, "approve")
    _require_requested(disclosure, "approved")
    subject = Subject.objects.select_for_update().get(pk=disclosure.subject_id)
    # The world may have moved since the request (review overdue, agreement ended): check everything again.
    check_disclosure_rules(
        subject=subject,
        partner=disclosure.partner,
        agreement=disclosure.agreement,
        lawful_basis=disclosure.lawful_basis,
        purpose=disclosure.purpose,
        fields=disclosure.fields,
        expiry=min(disclosure.requested_expiry, disclosure.agreement.valid_to),
    )
    now = timezone.now()
    disclosure.snapshot = build_snapshot(subject, disclosure.fields, disclosure.agreement)
    disclosure.status, disclosure.decided_by, disclosure.decided_at = DisclosureStatus.APPROVED, acting_user, now
    disclosure.expires_at = end_of_day(min(disclosure.requested_expiry, disclosure.agreement.valid_to))
    save_tracked(disclosure, acting_user=acting_user, reason="Disclosure approved; snapshot taken")
    record(
        Action.DISCLOSE,
        actor=acting_user,
        obj=disclosure,
        subject=subject,
        recipient=disclosure.partner.name,
        justification=f"{disclosure.lawful_basis.citation}: {disclosure.purpose}",
        detail=f"Disclosed {', '.join(disclosure.fields)} until {disclosure.expires_at:%Y-%m-%d}",
    )
    return disclosure


def _require_reason(reason: str) -> str:
    return require_text(reason, "reason", "Give the reason (at least {minimum} characters); it is kept on the record.")


@transaction.atomic
def refuse_disclosure(*, acting_user, disclosure: Disclosure, reason: str) -> Disclosure:
    disclosure = _lock(disclosure)
    permissions.require_approve_or_refuse(acting_user, disclosure, "refuse")
    _require_requested(disclosure, "refused")
    disclosure.refusal_reason = _require_reason(reason)
    disclosure.status, disclosure.decided_by, disclosure.decided_at = (
        DisclosureStatus.REFUSED,
        acting_user,
        timezone.now(),
    )
    save_tracked(disclosure, acting_user=acting_user, reason=f"Disclosure refused: {disclosure.refusal_reason}")
    record(
        Action.ALTER,
        actor=acting_user,
        obj=disclosure,
        subject=disclosure.subject,
        recipient=disclosure.partner.name,
        justification=disclosure.refusal_reason,
        detail="Disclosure refused",
    )
    return disclosure


def _revoke(disclosure: Disclosure, *, acting_user, reason: str) -> Disclosure:
    disclosure.status, disclosure.revoked_by, disclosure.revoked_at = (
        DisclosureStatus.REVOKED,
        acting_user,
        timezone.now(),
    )
    disclosure.revocation_reason = reason
    save_tracked(disclosure, acting_user=acting_user, reason=f"Disclosure revoked: {reason}")
    record(
        Action.ALTER,
        actor=acting_user,
        obj=disclosure,
        subject=disclosure.subject,
        recipient=disclosure.partner.name,
        justification=reason,
        detail="Disclosure revoked",
    )
    return disclosure


@transaction.atomic
def revoke_disclosure(*, acting_user, disclosure: Disclosure, reason: str) -> Disclosure:
    """Takes effect at once: the partner portal only ever shows live disclosures."""
    disclosure = _lock(disclosure)
    permissions.require_decide(acting_user, disclosure, "revoke")
    if disclosure.status != DisclosureStatus.APPROVED:
        raise ValidationError(
            f"{disclosure.reference} is {disclosure.get_status_display().lower()}; only approved disclosures can be revoked."
        )
    return _revoke(disclosure, acting_user=acting_user, reason=_require_reason(reason))


def revoke_live_disclosures_of(subject: Subject, *, acting_user, reason: str) -> int:
    """On removal every live disclosure ends, and pending requests are refused."""
    count = 0
    for disclosure in Disclosure.objects.select_for_update().filter(subject=subject, status=DisclosureStatus.APPROVED):
        _revoke(disclosure, acting_user=acting_user, reason=reason)
        count += 1
    for disclosure in Disclosure.objects.select_for_update().filter(subject=subject, status=DisclosureStatus.REQUESTED):
        disclosure.status, disclosure.decided_by, disclosure.decided_at = DisclosureStatus.REFUSED, None, timezone.now()
        disclosure.refusal_reason = reason
        save_tracked(disclosure, acting_user=acting_user, reason=f"Request closed: {reason}")
    return count


def _notify(disclosures, kind: str, message: str, *, acting_user) -> int:
    """A notice to each recipient, signed in the history and the log by the person whose change caused it."""
    count = 0
    for disclosure in disclosures:
        notice = DisclosureNotice(disclosure=disclosure, kind=kind, message=message)
        save_tracked(notice, acting_user=acting_user, reason="Recipient notified of a later change (DPA 2018 s.38(5))")
        record(
            Action.ALTER,
            actor=acting_user,
            obj=notice,
            subject=disclosure.subject,
            recipient=disclosure.partner.name,
            detail=f"Recipient notified: {notice.get_kind_display().lower()} after disclosure {disclosure.reference}",
        )
        count += 1
    return count


SUBJECT_FIELDS_BY_SHAREABLE = {
    ShareableField.NAME: {"family_name", "given_names"},
    ShareableField.ALIASES: {"aliases"},
    ShareableField.DATE_OF_BIRTH: {"date_of_birth"},
    ShareableField.GENDER: {"gender"},
    ShareableField.ETHNICITY: {"ethnicity"},
    ShareableField.CLASSIFICATION: {"classification", "also_victim"},
}


def notify_subject_corrected(subject: Subject, changed_fields, *, acting_user) -> int:
    """A correction reaches every recipient whose snapshot included a corrected field."""
    notified = 0
    for disclosure in subject.disclosures.filter(status=DisclosureStatus.APPROVED):
        affected = [
            ShareableField(shareable).label
            for shareable, subject_fields in SUBJECT_FIELDS_BY_SHAREABLE.items()
            if shareable in disclosure.fields and subject_fields & set(changed_fields)
        ]
        if affected:
            notified += _notify(
                [disclosure],
                NoticeKind.CORRECTION,
                f"Since this was disclosed, the following was corrected: {', '.join(affected)}. "
                "Do not rely on the disclosed value; ask the disclosing borough for the current record.",
                acting_user=acting_user,
            )
    return notified


def notify_evidence_corrected(subject: Subject, evidence, *, acting_user) -> int:
    disclosed_in = [
        disclosure
        for disclosure in subject.disclosures.filter(status=DisclosureStatus.APPROVED)
        if any(
            item["id"] == str(evidence.uuid)
            for item in (disclosure.snapshot or {}).get("fields", {}).get("evidence", {}).get("items", [])
        )
    ]
    return _notify(
        disclosed_in,
        NoticeKind.CORRECTION,
        f"An evidence item dated {written(evidence.information_date)} that was disclosed has since been "
        f"{'withdrawn' if evidence.is_withdrawn else 'corrected'}. Do not rely on it.",
        acting_user=acting_user,
    )


def notify_subject_restricted(subject: Subject, *, acting_user) -> int:
    return _notify(
        subject.disclosures.filter(status=DisclosureStatus.APPROVED),
        NoticeKind.RESTRICTION,
        "Processing of the police record behind this disclosure has been restricted (DPA 2018 s.47), for "
        "example because its accuracy is contested. Do not use or pass on what you were sent until told otherwise.",
        acting_user=acting_user,
    )


def erase_snapshots(subject: Subject, *, acting_user) -> int:
    """What was sent is personal data too: at erasure each snapshot, and its history, keeps only the reference.

    Runs inside erase_subject's transaction and erasure window (history rows may be rewritten only there).
    """
    tombstone = {
        "subject_reference": subject.reference,
        "erased": True,
        "fields": {},
        "labels": {},
    }
    disclosures = list(subject.disclosures.exclude(snapshot=None))
    for disclosure in disclosures:
        disclosure.snapshot = tombstone
        save_tracked(disclosure, acting_user=acting_user, reason="Snapshot erased with the record")
    Disclosure.history.model.objects.filter(id__in=[d.pk for d in disclosures]).exclude(snapshot=None).update(
        snapshot=tombstone
    )
    return len(disclosures)


def notify_subject_erased(subject: Subject, *, acting_user) -> int:
    return _notify(
        subject.disclosures.filter(status__in=[DisclosureStatus.APPROVED, DisclosureStatus.REVOKED]),
        NoticeKind.ERASURE,
        "The police record behind this disclosure has been erased at the end of its retention period. "
        "Erase any copy you hold unless you have your own lawful reason to keep it.",
        acting_user=acting_user,
    )


def agreements_ending_soon(today=None):
    """Agreements that end within 30 days: flagged so they are reviewed, extended or ended on purpose."""
    today = today or timezone.localdate()
    return InformationSharingAgreement.objects.filter(
        valid_to__gte=today, valid_to__lte=today + timedelta(days=AGREEMENT_WARNING_DAYS)
    ).select_related("partner")


@transaction.atomic
def register_partner_agency(*, acting_user, name: str, kind: str) -> PartnerAgency:
    """A new partner agency; its information-sharing agreement is recorded separately before anything is shared."""
    permissions.require_register_partner(acting_user)
    agency = PartnerAgency(name=validate_text(name, "name").strip(), kind=kind)
    agency.full_clean(validate_unique=False, validate_constraints=False)
    taken = f"{agency.name} is already registered as a partner agency."
    if PartnerAgency.objects.filter(name__iexact=agency.name).exists():
        raise ValidationError({"name": taken})
    try:
        with transaction.atomic():
            save_tracked(agency, acting_user=acting_user, reason="Registered as a partner agency")
    except IntegrityError as error:  # the same name registered a moment ago by someone else
        raise ValidationError({"name": taken}) from error
    record(
        Action.COLLECT,
        actor=acting_user,
        obj=agency,
        detail=f"Registered partner agency {agency.name} ({agency.get_kind_display().lower()})",
    )
    return agency
