"""The subject of a matrix record and where they live (docs/rules.md, The subject record)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils import timezone

from core.history import History
from matrix.choices import (
    PERPETRATOR_CLASSIFICATIONS,
    Classification,
    Ethnicity,
    Gender,
    HarmBand,
    Status,
    values,
)
from matrix.rules import describe_harm
from matrix.validators import (
    MINIMUM_PERPETRATOR_AGE,
    age_on,
    normalise_postcode,
    validate_not_future,
    validate_uk_postcode,
)


class SubjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SubjectQuerySet":
        """The only door to subjects: borough grants, live break-glass grants or the audit role.

        Built as subqueries on the permission tables so a page costs one query whatever its size.
        """
        from matrix.permissions import subject_visibility

        return subject_visibility(self, user)

    def on_matrix(self) -> "SubjectQuerySet":
        return self.filter(status=Status.APPROVED)

    def perpetrators(self) -> "SubjectQuerySet":
        return self.filter(classification__in=PERPETRATOR_CLASSIFICATIONS)


class Subject(models.Model):
    # What a person may set on a subject, in the order forms ask for it: the services refuse any other field,
    # and the forms and the API serializer are built from it. Everything else is the workflow's to set.
    EDITABLE_FIELDS = (
        "borough",
        "classification",
        "family_name",
        "given_names",
        "aliases",
        "date_of_birth",
        "gender",
        "ethnicity",
        "also_victim",
    )

    # Integer keys stay on the server; the UUID and the reference are what leave it.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    borough = models.ForeignKey("matrix.Borough", on_delete=models.PROTECT, related_name="subjects")
    family_name = models.CharField(max_length=100)
    given_names = models.CharField(max_length=150)
    aliases = models.TextField(blank=True, help_text="Other names the subject is known by, one per line.")
    # Null only on an erased tombstone (CHECK below).
    date_of_birth = models.DateField(null=True, validators=[validate_not_future])
    gender = models.CharField(max_length=12, choices=Gender.choices)
    ethnicity = models.CharField(max_length=32, choices=Ethnicity.choices, help_text="As defined by the subject.")
    classification = models.CharField(max_length=12, choices=Classification.choices)
    also_victim = models.BooleanField(
        default=False, help_text="A perpetrator who has also been a victim; needs a linked victimisation item."
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)
    rejection_reason = models.TextField(blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    review_due = models.DateField(null=True, blank=True, editable=False)
    last_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    criteria_lapsed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set when an approved subject stops meeting every criterion."
    )
    removed_at = models.DateTimeField(null=True, blank=True, editable=False)
    retention_until = models.DateField(null=True, blank=True, editable=False)
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)
    # DPA 2018 s.47: processing restricted (e.g. accuracy contested); nothing is disclosed meanwhile.
    restricted_at = models.DateTimeField(null=True, blank=True, editable=False)
    restriction_reason = models.TextField(blank=True, editable=False)
    harm_score = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True, editable=False)
    harm_band = models.CharField(max_length=5, choices=HarmBand.choices, blank=True, editable=False)
    harm_method_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    harm_calculated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    history = History(excluded_fields=["harm_calculated_at"])
    objects = SubjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [
            ("view_all_subjects", "Read every subject in every borough (audit and oversight)"),
            ("break_glass", "Obtain time-limited access to one subject of another borough"),
            ("approve_subject", "Approve or reject subjects submitted by someone else"),
            ("review_subject", "Record periodic review outcomes and approve removals"),
            ("restrict_processing", "Restrict or lift restriction of processing of a record (DPA 2018 s.47)"),
        ]
        indexes = [
            models.Index(fields=["borough", "status", "classification"], name="subject_borough_status"),
            # The list's keyset orders (pagination.NEWEST, HARM, REVIEW), each with its uuid tie-breaker.
            models.Index(fields=["-created_at", "-uuid"], name="subject_newest"),
            models.Index(fields=["-harm_score", "-uuid"], name="subject_harm_order"),
            models.Index(fields=["review_due", "uuid"], name="subject_review_order"),
            # The same orders within one borough (the list's borough filter).
            models.Index(fields=["borough", "-created_at", "-uuid"], name="subject_borough_newest"),
            models.Index(fields=["borough", "-harm_score", "-uuid"], name="subject_borough_harm"),
            models.Index(fields=["borough", "review_due", "uuid"], name="subject_borough_review"),
            # The "criteria lapsed" flag: rare rows, newest first.
            models.Index(
                fields=["-created_at", "-uuid"], condition=Q(criteria_lapsed_at__isnull=False), name="subject_lapsed"
            ),
            # Reference search is case-insensitive (iexact); name search has trigram indexes on PostgreSQL.
            models.Index(Upper("reference"), name="subject_reference_upper"),
            models.Index(fields=["retention_until"], name="subject_retention_until"),
            models.Index(fields=["family_name", "given_names"], name="subject_name"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(classification__in=values(Classification)), name="subject_classification_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=values(Status)), name="subject_status_valid"),
            models.CheckConstraint(condition=Q(gender__in=values(Gender)), name="subject_gender_valid"),
            models.CheckConstraint(condition=Q(ethnicity__in=values(Ethnicity)), name="subject_ethnicity_valid"),
            models.CheckConstraint(condition=Q(version__gte=1), name="subject_version_positive"),
            models.CheckConstraint(condition=~Q(family_name=""), name="subject_family_name_present"),
            models.CheckConstraint(condition=~Q(given_names=""), name="subject_given_names_present"),
            models.CheckConstraint(
                condition=Q(also_victim=False) | Q(classification__in=PERPETRATOR_CLASSIFICATIONS),
                name="subject_also_victim_only_for_perpetrators",
            ),
            # Victims and people at risk are never harm-scored (docs/rules.md, Harm score).
            models.CheckConstraint(
                condition=Q(classification__in=PERPETRATOR_CLASSIFICATIONS)
                | Q(harm_score__isnull=True, harm_band="", harm_method_version__isnull=True),
                name="subject_victims_never_scored",
            ),
            models.CheckConstraint(condition=Q(harm_band__in=["", *values(HarmBand)]), name="subject_harm_band_valid"),
            # A band exactly when there is a score above 0.00: never scored and 0.00 (nothing counts) have none.
            models.CheckConstraint(
                condition=Q(harm_score__gt=0, harm_band__in=values(HarmBand))
                | Q(harm_score__isnull=True, harm_band="")
                | Q(harm_score=0, harm_band=""),
                name="subject_harm_band_only_above_zero",
            ),
            models.CheckConstraint(
                condition=Q(harm_score__isnull=True) | Q(harm_score__gte=0), name="subject_harm_score_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^[A-Z]{2}-[0-9]{4}-[0-9]{6,8}$"), name="subject_reference_format"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REJECTED) | ~Q(rejection_reason=""), name="subject_rejection_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(erased_at__isnull=False), name="subject_dob_unless_erased"
            ),
            models.CheckConstraint(
                condition=Q(restricted_at__isnull=True) | ~Q(restriction_reason=""),
                name="subject_restriction_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(status=Status.REMOVED), name="subject_only_removed_are_erased"
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.APPROVED) | Q(approved_by__isnull=False, review_due__isnull=False),
                name="subject_approval_records_approver_and_review",
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.REMOVED) | Q(removed_at__isnull=False, retention_until__isnull=False),
                name="subject_removal_starts_retention_clock",
            ),
            # Four-eyes (docs/access.md, Four-eyes), also in the database: nobody approves their own submission.
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True)
                | Q(submitted_by__isnull=True)
                | ~Q(approved_by=F("submitted_by")),
                name="subject_four_eyes_approval",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_restricted(self) -> bool:
        return self.restricted_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def review_overdue(self) -> bool:
        """On the matrix past its review date: it may not be disclosed until a supervisor reviews it."""
        return self.status == Status.APPROVED and self.review_due is not None and self.review_due < timezone.localdate()

    @property
    def is_perpetrator(self) -> bool:
        return self.classification in PERPETRATOR_CLASSIFICATIONS

    @property
    def harm_description(self) -> str:
        return describe_harm(self.harm_score, self.harm_band)

    @property
    def display_name(self) -> str:
        return f"{self.family_name.upper()}, {self.given_names}"

    @property
    def alias_list(self) -> list[str]:
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    def clean(self):
        errors = {}
        if self.date_of_birth and self.classification in PERPETRATOR_CLASSIFICATIONS:
            entry_date = timezone.localdate(self.created_at) if self.created_at else timezone.localdate()
            if age_on(self.date_of_birth, entry_date) < MINIMUM_PERPETRATOR_AGE:
                errors["classification"] = (
                    f"A perpetrator classification needs the subject to be at least {MINIMUM_PERPETRATOR_AGE} "
                    "years old at entry (the age of criminal responsibility). Classify them as at risk instead."
                )
        if self.also_victim and self.classification not in PERPETRATOR_CLASSIFICATIONS:
            errors["also_victim"] = (
                "Only a perpetrator record can be marked as also a victim; victim and at-risk records already are."
            )
        if errors:
            raise ValidationError(errors)


class Address(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, related_name="addresses")
    line_1 = models.CharField(max_length=200)
    line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, default="London")
    postcode = models.CharField(max_length=8, validators=[validate_uk_postcode])
    valid_from = models.DateField(null=True, blank=True, validators=[validate_not_future])
    valid_to = models.DateField(null=True, blank=True)
    history = History()

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["-valid_from", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(line_1=""), name="address_line_1_present"),
            models.CheckConstraint(condition=~Q(postcode=""), name="address_postcode_present"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="address_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.line_1}, {self.postcode}"

    def save(self, *args, **kwargs):
        self.postcode = normalise_postcode(self.postcode)
        super().save(*args, **kwargs)
