from rest_framework import serializers

from audit import chain
from audit.log import justification_as_read
from audit.models import AccessEvent, ChainCheck


class AccessEventSerializer(serializers.ModelSerializer):
    """One log entry. The actor's database id stays on the server; the username identifies them."""

    justification = serializers.SerializerMethodField(
        help_text="Why, as stated: the text typed, or a note of when it was erased with the subject's record."
    )

    def get_justification(self, event) -> str:
        return justification_as_read(event)

    class Meta:
        model = AccessEvent
        # What each entry's hash seals (audit.chain), so a reader can check it, less the actor's database id.
        fields = [name for name in chain.CHAINED_FIELDS if name != "actor_id"] + ["entry_hash"]
        read_only_fields = fields


class ChainCheckSerializer(serializers.ModelSerializer):
    """One check of the hash chain: the entries it read and what it found."""

    intact = serializers.BooleanField(
        read_only=True, help_text="True when every entry it read followed the one before it and matched its hash."
    )

    class Meta:
        model = ChainCheck
        fields = [
            "scope",
            "started_at",
            "finished_at",
            "requested_by",
            "first_sequence",
            "checked",
            "through_sequence",
            "reached_end",
            "intact",
            "broken_sequence",
            "problem",
        ]
        read_only_fields = fields


class ChainVerificationSerializer(serializers.Serializer):
    intact = serializers.BooleanField(
        help_text="True when neither this check nor the latest full check found a problem."
    )
    this_check = ChainCheckSerializer(
        help_text="The check made for this request: the entries added since the last "
        "good check, up to a limit (see reached_end)."
    )
    last_full_check = ChainCheckSerializer(
        allow_null=True, help_text="The latest check of the whole log (the nightly job), or null if none has been run."
    )
