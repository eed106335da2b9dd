from django.db import models


class PartnerKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    JOB_CENTRE = "job_centre", "Job centre"
    YOUTH_OFFENDING = "youth_offending", "Youth offending team"
    HEALTH = "health", "Health"
    PROBATION = "probation", "Probation"


class ShareableField(models.TextChoices):
    """The fixed list of things an agreement can allow to be shared; nothing else ever leaves."""

    NAME = "name", "Name"
    ALIASES = "aliases", "Aliases"
    DATE_OF_BIRTH = "date_of_birth", "Date of birth"
    GENDER = "gender", "Gender"
    ETHNICITY = "ethnicity", "Ethnicity (self-defined)"
    ADDRESS = "address", "Current address"
    CLASSIFICATION = "classification", "Classification (s.38(3) category)"
    HARM_BAND = "harm_band", "Harm band (an assessment)"
    EVIDENCE = "evidence", "Evidence items with their gradings"


class DisclosureStatus(models.TextChoices):
    REQUESTED = "requested", "Awaiting approval"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    REVOKED = "revoked", "Revoked"


class NoticeKind(models.TextChoices):
    CORRECTION = "correction", "Corrected"
    ERASURE = "erasure", "Erased"
    RESTRICTION = "restriction", "Restricted"
    REMOVAL = "removal", "Removed from the matrix"
