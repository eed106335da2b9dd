"""Partner agencies, the agreements that govern sharing with them, and each justified disclosure (docs/sharing.md)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.history import History
from matrix.choices import values
from sharing.choices import DisclosureStatus, NoticeKind, PartnerKind


class PartnerAgency(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices)
    history = History()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "partner agencies"
        constraints = [models.CheckConstraint(condition=Q(kind__in=values(PartnerKind)), name="partner_kind_valid")]

    def __str__(self) -> str:
        return self.name


class PartnerMembership(models.Model):
    """Ties a partner-role user to exactly one agency: they see only that agency's disclosures."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_membership")
    partner = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="members")
    history = History()

    def __str__(self) -> str:
        return f"{self.user} at {self.partner}"


class LawfulBasis(models.Model):
    code = models.SlugField(max_length=60, unique=True)
    title = models.CharField(max_length=200)
    citation = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_safeguarding = models.BooleanField(
        default=False, help_text="Victims and people at risk may be disclosed only under a safeguarding basis."
    )
    active = models.BooleanField(default=True)
    history = History()

    class Meta:
        ordering = ["citation"]
        verbose_name_plural = "lawful bases"

    def __str__(self) -> str:
        return f"{self.citation} — {self.title}"


class InformationSharingAgreement(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partner = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="agreements")
    reference = models.CharField(max_length=40, unique=True)
    purposes = models.TextField()
    lawful_bases = models.ManyToManyField(LawfulBasis, related_name="agreements")
    shareable_fields = models.JSONField(help_text="Chosen from the fixed list of shareable fields.")
    allows_conditioned_items = models.BooleanField(
        default=False, help_text="Whether evidence with handling code C may be shared, carrying its conditions."
    )
    valid_from = models.DateField()
    valid_to = models.DateField()
    review_date = models.DateField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(default=timezone.now)
    history = History(m2m_fields=[lawful_bases])

    class Meta:
        ordering = ["partner__name", "-valid_to"]
        indexes = [models.Index(fields=["partner", "valid_to"], name="agreement_partner_valid_to")]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__gte=F("valid_from")), name="agreement_dates_ordered"),
            models.CheckConstraint(condition=~Q(purposes=""), name="agreement_purposes_present"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.partner})"

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day <= self.valid_to


class DisclosureQuerySet(models.QuerySet):
    def live(self, at=None):
        """Approved, not revoked and not yet expired: the only disclosures a partner can see."""
        return self.filter(status=DisclosureStatus.APPROVED, expires_at__gt=at or timezone.now())


class Disclosure(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    subject = models.ForeignKey("matrix.Subject", on_delete=models.PROTECT, related_name="disclosures")
    partner = models.ForeignKey(PartnerAgency, on_delete=models.PROTECT, related_name="disclosures")
    agreement = models.ForeignKey(InformationSharingAgreement, on_delete=models.PROTECT, related_name="disclosures")
    lawful_basis = models.ForeignKey(LawfulBasis, on_delete=models.PROTECT, related_name="disclosures")
    purpose = models.TextField()
    fields = models.JSONField()
    status = models.CharField(max_length=10, choices=DisclosureStatus.choices, default=DisclosureStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    requested_expiry = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    snapshot = models.JSONField(null=True, blank=True, help_text="Exactly what the partner sees, fixed at approval.")
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    history = History()
    objects = DisclosureQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        permissions = [
            ("approve_disclosure", "Approve, refuse or revoke disclosures requested by someone else"),
            ("view_all_disclosures", "Read every disclosure (audit and oversight)"),
            ("use_partner_portal", "See live disclosures made to one's own agency"),
        ]
        indexes = [
            models.Index(fields=["partner", "status", "expires_at"], name="disclosure_partner_live"),
            models.Index(fields=["status", "-requested_at"], name="disclosure_status_requested"),
            models.Index(fields=["-requested_at", "-uuid"], name="disclosure_newest"),
            models.Index(fields=["subject", "status"], name="disclosure_subject_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=values(DisclosureStatus)), name="disclosure_status_valid"),
            models.CheckConstraint(condition=~Q(purpose=""), name="disclosure_purpose_present"),
            # Four-eyes in the database: nobody approves their own request.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")), name="disclosure_four_eyes"
            ),
            models.CheckConstraint(
                condition=~Q(status=DisclosureStatus.APPROVED)
                | Q(decided_by__isnull=False, expires_at__isnull=False, snapshot__isnull=False),
                name="disclosure_approval_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=DisclosureStatus.REVOKED)
                | (Q(revoked_by__isnull=False, revoked_at__isnull=False) & ~Q(revocation_reason="")),
                name="disclosure_revocation_is_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status=DisclosureStatus.REFUSED) | ~Q(refusal_reason=""),
                name="disclosure_refusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def is_live(self, at=None) -> bool:
        return self.status == DisclosureStatus.APPROVED and self.expires_at > (at or timezone.now())


class DisclosureNotice(models.Model):
    """Tells a recipient that what they were sent has since changed (DPA 2018 s.38(5), s.48)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    history = History()

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=Q(kind__in=values(NoticeKind)), name="notice_kind_valid")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:40]}"
