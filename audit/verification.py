"""Walks the access log in sequence, in constant memory, and names the first entry that breaks the chain."""

from dataclasses import dataclass

from audit import chain
from audit.models import AccessEvent

CHUNK = 2000


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_sequence: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        return self.broken_sequence is None


def verify_chain() -> ChainReport:
    expected_sequence, previous_hash, checked = 1, chain.GENESIS_HASH, 0
    events = AccessEvent.objects.order_by("sequence").iterator(chunk_size=CHUNK)
    for event in events:
        if event.sequence != expected_sequence:
            return ChainReport(
                checked, expected_sequence, f"entry #{expected_sequence} is missing (next found is #{event.sequence})"
            )
        if event.previous_hash != previous_hash:
            return ChainReport(checked, event.sequence, f"entry #{event.sequence} does not follow the entry before it")
        if chain.seal(event) != event.entry_hash:
            return ChainReport(
                checked, event.sequence,
                f"entry #{event.sequence} ({event.action} by {event.actor_username or 'anonymous'} at "
                f"{event.occurred_at.isoformat()}) was altered: its content no longer matches its hash",
            )
        previous_hash, expected_sequence, checked = event.entry_hash, expected_sequence + 1, checked + 1
    return ChainReport(checked)
