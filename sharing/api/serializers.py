from rest_framework import serializers

from matrix.api.fields import CodeRelatedField
from matrix.models import Subject
from sharing.choices import ShareableField
from sharing.models import Disclosure, DisclosureNotice, InformationSharingAgreement, LawfulBasis, PartnerAgency


class PartnerAgencySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)

    class Meta:
        model = PartnerAgency
        fields = ["id", "name", "kind"]


class LawfulBasisSerializer(serializers.ModelSerializer):
    class Meta:
        model = LawfulBasis
        fields = ["code", "citation", "title", "description", "is_safeguarding", "active"]


class AgreementSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    partner = PartnerAgencySerializer(read_only=True)
    lawful_bases = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    shareable_fields = serializers.ListField(child=serializers.ChoiceField(choices=ShareableField.choices))

    class Meta:
        model = InformationSharingAgreement
        fields = [
            "id",
            "reference",
            "partner",
            "purposes",
            "lawful_bases",
            "shareable_fields",
            "allows_conditioned_items",
            "valid_from",
            "valid_to",
            "review_date",
        ]


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = DisclosureNotice
        fields = ["kind", "message", "created_at"]


class PartnerDisclosureSerializer(serializers.ModelSerializer):
    """What a partner's system receives: the snapshot, the basis, the conditions and notices; never the live record."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    lawful_basis = serializers.CharField(source="lawful_basis.citation", read_only=True)
    recipient = serializers.CharField(source="partner.name", read_only=True)
    notices = NoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "reference",
            "recipient",
            "lawful_basis",
            "purpose",
            "decided_at",
            "expires_at",
            "snapshot",
            "notices",
        ]


class DisclosureSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    subject = serializers.SlugRelatedField(slug_field="uuid", queryset=Subject.objects.none())
    subject_reference = serializers.CharField(source="subject.reference", read_only=True)
    agreement = serializers.SlugRelatedField(slug_field="uuid", queryset=InformationSharingAgreement.objects.all())
    partner = serializers.CharField(source="partner.name", read_only=True)
    lawful_basis = CodeRelatedField(slug_field="code", queryset=LawfulBasis.objects.all())
    fields = serializers.ListField(child=serializers.ChoiceField(choices=ShareableField.choices), allow_empty=False)
    expiry = serializers.DateField(source="requested_expiry", required=False, help_text="Defaults to 30 days.")
    requested_by = serializers.CharField(source="requested_by.username", read_only=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)
    revoked_by = serializers.CharField(source="revoked_by.username", read_only=True, default=None, allow_null=True)
    notices = NoticeSerializer(many=True, read_only=True)

    class Meta:
        model = Disclosure
        fields = [
            "id",
            "reference",
            "subject",
            "subject_reference",
            "agreement",
            "partner",
            "lawful_basis",
            "purpose",
            "fields",
            "expiry",
            "status",
            "requested_by",
            "requested_at",
            "decided_by",
            "decided_at",
            "refusal_reason",
            "expires_at",
            "revoked_by",
            "revoked_at",
            "revocation_reason",
            "snapshot",
            "notices",
        ]
        read_only_fields = [
            "reference",
            "status",
            "requested_at",
            "decided_at",
            "refusal_reason",
            "expires_at",
            "revoked_at",
            "revocation_reason",
            "snapshot",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            # A subject outside the requester's access is "not found", exactly as elsewhere.
            self.fields["subject"].queryset = Subject.objects.visible_to(request.user)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
