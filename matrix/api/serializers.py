from rest_framework import serializers

from matrix.models import Borough, Subject


class BoroughSerializer(serializers.ModelSerializer):
    class Meta:
        model = Borough
        fields = ["code", "name"]


class SubjectSerializer(serializers.ModelSerializer):
    """A subject as the API shows it: UUID and reference outward, never the database key."""

    id = serializers.UUIDField(source="uuid", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:subject-detail", lookup_field="uuid")
    borough = serializers.SlugRelatedField(slug_field="code", queryset=Borough.objects.all())
    borough_name = serializers.CharField(source="borough.name", read_only=True)
    version = serializers.IntegerField(
        min_value=1,
        required=False,
        help_text="On update, the version you edited. If someone saved since, the update is refused with 409.",
    )
    change_reason = serializers.CharField(
        write_only=True, required=False, max_length=500, help_text="Why this change was made (kept in the history)."
    )

    class Meta:
        model = Subject
        fields = [
            "id",
            "url",
            "reference",
            "borough",
            "borough_name",
            "family_name",
            "given_names",
            "aliases",
            "date_of_birth",
            "gender",
            "ethnicity",
            "classification",
            "also_victim",
            "status",
            "version",
            "rejection_reason",
            "review_due",
            "harm_score",
            "harm_band",
            "harm_method_version",
            "created_at",
            "updated_at",
            "change_reason",
        ]
        read_only_fields = [
            "reference",
            "status",
            "rejection_reason",
            "review_due",
            "harm_score",
            "harm_band",
            "harm_method_version",
            "created_at",
            "updated_at",
        ]

    def validate(self, attrs):
        if self.instance is not None and "version" not in attrs:
            raise serializers.ValidationError({"version": "Send the version of the record you edited."})
        return attrs
