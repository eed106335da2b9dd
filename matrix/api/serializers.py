from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from matrix.api.fields import CodeRelatedField
from matrix.choices import HarmBand
from matrix.models import Borough, Evidence, OffenceType, ReviewOutcome, Subject, SubjectAccessGrant, SubjectReview
from matrix.services import BREAK_GLASS_MINIMUM_JUSTIFICATION

VERSION_HELP = (
    "The version of the record you acted on. If someone saved it since, nothing happens and the answer is 409."
)


class BoroughSerializer(serializers.ModelSerializer):
    class Meta:
        model = Borough
        fields = ["code", "name"]


class SubjectSerializer(serializers.ModelSerializer):
    """A subject as the API shows it: UUID and reference outward, never the database key."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:subject-detail", lookup_field="uuid")
    borough = CodeRelatedField(slug_field="code", queryset=Borough.objects.all())
    borough_name = serializers.CharField(source="borough.name", read_only=True)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="On update, the version you edited. If someone saved since, the update is refused with 409.",
    )
    change_reason = serializers.CharField(
        write_only=True, required=False, max_length=500, help_text="Why this change was made (kept in the history)."
    )
    harm_band = serializers.ChoiceField(
        choices=HarmBand.choices,
        allow_blank=True,
        read_only=True,
        help_text="Empty when there is no band: never scored (victims, people at risk, no evidence yet) or a score "
        "of 0.00 (no qualifying offence counts).",
    )

    class Meta:
        model = Subject
        fields = [
            "id",
            "url",
            "reference",
            "borough_name",
            *Subject.EDITABLE_FIELDS,
            "status",
            "version",
            "rejection_reason",
            "review_due",
            "criteria_lapsed_at",
            "harm_score",
            "harm_band",
            "harm_method_version",
            "restricted_at",
            "restriction_reason",
            "created_at",
            "updated_at",
            "change_reason",
        ]
        read_only_fields = [
            "reference",
            "status",
            "rejection_reason",
            "review_due",
            "criteria_lapsed_at",
            "harm_score",
            "harm_band",
            "harm_method_version",
            "restricted_at",
            "restriction_reason",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "restricted_at": {"help_text": "When processing was restricted (DPA 2018 s.47); empty when it is not."},
            "restriction_reason": {"help_text": "Why processing is restricted; empty when it is not."},
        }

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": "Send the version of the record you edited."})
        return attrs


# Workflow steps. Each only parses input; the rules (roles, four-eyes, transitions, minimum reasons)
# live in matrix.workflow so the browser and the API cannot disagree.


class WorkflowStepSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, required=False, help_text=VERSION_HELP)


class ApproveSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text="Optional note kept in the history."
    )


class RejectSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is rejected; shown to the officer and kept.")


class RemoveSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the subject leaves the matrix; kept in the history.")


class RestrictSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text="Why processing is restricted (e.g. the subject contests the record's accuracy); kept on the record. "
        "Recipients of live disclosures are told.",
    )


class LiftRestrictionSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the restriction is lifted; kept in the history.")


class ReviewSerializer(WorkflowStepSerializer):
    outcome = serializers.ChoiceField(choices=ReviewOutcome.choices)
    justification = serializers.CharField(max_length=2000, help_text="Why this outcome; kept on the review record.")


class SubjectReviewSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SubjectReview
        fields = ["id", "outcome", "justification", "reviewed_by", "reviewed_at", "next_review_due"]
        read_only_fields = fields


class ReviewResultSerializer(serializers.Serializer):
    subject = SubjectSerializer(read_only=True)
    review = SubjectReviewSerializer(read_only=True)


# Break glass: the request only parses; services.find_break_glass_subject finds the record and
# services.grant_break_glass decides the role, the justification and the hours, as for the page.


class BreakGlassSerializer(serializers.Serializer):
    reference = serializers.CharField(
        max_length=100, help_text="The record's reference as it is written on the record, e.g. GM-2026-000123."
    )
    justification = serializers.CharField(
        max_length=2000,
        help_text=f"Why you need this record (at least {BREAK_GLASS_MINIMUM_JUSTIFICATION} characters). Kept in the "
        "access log with every view of it.",
    )
    hours = serializers.IntegerField(
        help_text=f"How long access lasts: 1 to {settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS} hours "
        "(GOVMATRIX_BREAK_GLASS_MAX_HOURS)."
    )


class BreakGlassGrantSerializer(serializers.ModelSerializer):
    """A break-glass grant: read-only access to one subject until expires_at."""

    subject = serializers.UUIDField(source="content_object.uuid", read_only=True)
    subject_url = serializers.HyperlinkedRelatedField(
        source="content_object", view_name="api:subject-detail", lookup_field="uuid", read_only=True
    )
    subject_reference = serializers.CharField(source="content_object.reference", read_only=True)
    granted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, help_text="Who asked for it: break glass is granted to oneself."
    )

    class Meta:
        model = SubjectAccessGrant
        fields = [
            "subject",
            "subject_url",
            "subject_reference",
            "justification",
            "granted_by",
            "granted_at",
            "expires_at",
        ]
        read_only_fields = fields


# Evidence


class EvidenceSerializer(serializers.ModelSerializer):
    """An intelligence item with its grading and whether it counts.

    Whether it counts comes from ``services.assess_subject(...).verdicts``, computed once per page by the
    view and passed in the context as ``verdicts`` (keyed by the item's database key, which never leaves).
    """

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence-detail", lookup_field="uuid")
    subject = serializers.SlugRelatedField(slug_field="uuid", read_only=True)
    subject_reference = serializers.CharField(source="subject.reference", read_only=True)
    grading = serializers.CharField(
        read_only=True, help_text="3x5x2 grading: source, intelligence, handling (e.g. 1AP)."
    )
    offence_type = CodeRelatedField(
        slug_field="code",
        queryset=OffenceType.objects.all(),
        required=False,
        allow_null=True,
        help_text="Offence type code (slug), used for the harm score.",
    )
    offence_type_label = serializers.CharField(source="offence_type.label", read_only=True, allow_null=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    withdrawn = serializers.BooleanField(source="is_withdrawn", read_only=True)
    withdrawn_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    counts = serializers.SerializerMethodField(help_text="Whether this item can count toward criteria and harm.")
    not_counting_reasons = serializers.SerializerMethodField(help_text="Why it does not count (empty when it does).")
    caveats = serializers.SerializerMethodField(help_text="Limits on how it counts, e.g. never on its own.")
    change_reason = serializers.CharField(
        write_only=True, required=False, max_length=500, help_text="Why this change was made (kept in the history)."
    )

    class Meta:
        model = Evidence
        fields = [
            "id",
            "url",
            "subject",
            "subject_reference",
            "summary",
            "information_date",
            "source_type",
            "source_reference",
            "source_evaluation",
            "intelligence_assessment",
            "handling_code",
            "handling_conditions",
            "grading",
            "nature",
            "offence_type",
            "offence_type_label",
            "relates_to_victimisation",
            "social_media_url",
            "social_media_platform",
            "captured_on",
            "verification",
            "verified_by",
            "verified_at",
            "verification_method",
            "withdrawn",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
            "counts",
            "not_counting_reasons",
            "caveats",
            "created_by",
            "created_at",
            "change_reason",
        ]
        read_only_fields = [
            "verification",
            "verified_at",
            "verification_method",
            "withdrawn_at",
            "withdrawal_reason",
            "created_at",
        ]

    def _verdict(self, item):
        return self.context["verdicts"][item.pk]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_counts(self, item):
        return self._verdict(item).counts

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_not_counting_reasons(self, item):
        return list(self._verdict(item).reasons)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_caveats(self, item):
        return list(self._verdict(item).caveats)


class WithdrawEvidenceSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the item is withdrawn; it stays on the record.")


class VerifyEvidenceSerializer(serializers.Serializer):
    method = serializers.CharField(max_length=2000, help_text="How the social media material was verified.")


# History (matrix.history.subject_history)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    when = serializers.DateTimeField()
    who = serializers.CharField(help_text="Username of the person who made the change, or System.")
    kind = serializers.CharField(help_text="Created, Changed or Deleted.")
    reason = serializers.CharField(help_text="The change reason recorded with this version.")
    version = serializers.IntegerField(allow_null=True)
    changes = FieldChangeSerializer(many=True)
