from rest_framework import serializers

from audit.models import AccessEvent


class AccessEventSerializer(serializers.ModelSerializer):
    """One log entry. The actor's database id stays on the server; the username identifies them."""

    class Meta:
        model = AccessEvent
        fields = [
            "sequence", "occurred_at", "actor_username", "action", "object_type", "object_uuid", "subject_uuid",
            "subject_reference", "borough_code", "justification", "recipient", "outcome", "detail", "request_id",
            "ip_address", "user_agent", "previous_hash", "entry_hash",
        ]
        read_only_fields = fields


class ChainReportSerializer(serializers.Serializer):
    intact = serializers.BooleanField(help_text="True when every entry follows the one before it and matches its hash.")
    checked = serializers.IntegerField(help_text="Entries verified before the first problem (or all of them).")
    broken_sequence = serializers.IntegerField(allow_null=True, help_text="The first broken entry, if any.")
    problem = serializers.CharField(allow_blank=True, help_text="What is wrong with that entry.")
