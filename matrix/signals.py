"""Record changes other apps must react to (sharing puts notices on disclosures, revokes them on removal).

Sent inside the changing transaction, so a receiver's failure undoes the change too.
"""

from django.dispatch import Signal

# kwargs: subject, acting_user, reason
subject_removed = Signal()
# kwargs: subject, acting_user, changed_fields (set of Subject field names)
subject_corrected = Signal()
# kwargs: subject, evidence, acting_user, reason
evidence_corrected = Signal()
# kwargs: subject, acting_user
subject_erased = Signal()
# kwargs: subject, acting_user, reason
subject_restricted = Signal()
