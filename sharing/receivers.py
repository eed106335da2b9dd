"""Sharing's reactions to changes in matrix records; each runs inside the changing transaction."""

from django.dispatch import receiver

from matrix import signals


@receiver(signals.subject_removed, dispatch_uid="sharing.revoke_on_removal")
def revoke_on_removal(sender, subject, acting_user, reason, **kwargs):
    from sharing.services import revoke_live_disclosures_of

    revoke_live_disclosures_of(subject, acting_user=acting_user, reason=f"Subject removed from the matrix. {reason}")


@receiver(signals.subject_corrected, dispatch_uid="sharing.notice_on_correction")
def notice_on_correction(sender, subject, acting_user, changed_fields, **kwargs):
    from sharing.services import notify_subject_corrected

    notify_subject_corrected(subject, changed_fields, acting_user=acting_user)


@receiver(signals.evidence_corrected, dispatch_uid="sharing.notice_on_evidence_correction")
def notice_on_evidence_correction(sender, subject, evidence, acting_user, reason, **kwargs):
    from sharing.services import notify_evidence_corrected

    notify_evidence_corrected(subject, evidence, acting_user=acting_user)


# What people typed on a disclosure (its purpose, why it was refused or revoked): erased with the record.
DISCLOSURE_TYPED_TEXT = ("purpose", "refusal_reason", "revocation_reason")


@receiver(signals.subject_erased, dispatch_uid="sharing.notice_on_erasure")
def notice_on_erasure(sender, subject, acting_user, **kwargs):
    """Inside erase_subject's erasure window: snapshots, typed text and change reasons of the subject's
    disclosures and notices go too (the reasons by the same rule as the record's own history)."""
    from matrix.retention import ERASED, redact_history_reasons
    from sharing.models import Disclosure, DisclosureNotice
    from sharing.services import erase_snapshots, notify_subject_erased

    erase_snapshots(subject, acting_user=acting_user)
    notify_subject_erased(subject, acting_user=acting_user)
    disclosures = Disclosure.history.model.objects.filter(subject_id=subject.pk)
    for rows in (Disclosure.objects.filter(subject=subject), disclosures):
        for name in DISCLOSURE_TYPED_TEXT:
            rows.exclude(**{name: ""}).update(**{name: ERASED})
    redact_history_reasons(disclosures)
    notice_ids = DisclosureNotice.objects.filter(disclosure__subject=subject).values_list("pk", flat=True)
    redact_history_reasons(DisclosureNotice.history.model.objects.filter(id__in=list(notice_ids)))


@receiver(signals.subject_restricted, dispatch_uid="sharing.notice_on_restriction")
def notice_on_restriction(sender, subject, acting_user, reason, **kwargs):
    from sharing.services import notify_subject_restricted

    notify_subject_restricted(subject, acting_user=acting_user)
