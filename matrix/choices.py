"""Code tables of docs/rules.md (Classification, Evidence, Grading (3x5x2)). These values are stored in the
database and CHECK-constrained there."""

from django.db import models


class Classification(models.TextChoices):
    """DPA 2018 s.38(3) categories of data subject."""

    SUSPECTED = "suspected", "Suspected of an offence"
    CONVICTED = "convicted", "Convicted of an offence"
    VICTIM = "victim", "Victim of an offence"
    AT_RISK = "at_risk", "At risk of gang violence or exploitation"


PERPETRATOR_CLASSIFICATIONS = frozenset({Classification.SUSPECTED, Classification.CONVICTED})
SAFEGUARDING_CLASSIFICATIONS = frozenset({Classification.VICTIM, Classification.AT_RISK})


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved (on the matrix)"
    REJECTED = "rejected", "Rejected"
    REMOVED = "removed", "Removed"


class Gender(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    NON_BINARY = "non_binary", "Non-binary"
    OTHER = "other", "Other"
    NOT_STATED = "not_stated", "Not stated"


class Ethnicity(models.TextChoices):
    """Self-defined ethnicity, ONS 2021 census categories (England and Wales)."""

    ASIAN_BANGLADESHI = "asian_bangladeshi", "Asian: Bangladeshi"
    ASIAN_CHINESE = "asian_chinese", "Asian: Chinese"
    ASIAN_INDIAN = "asian_indian", "Asian: Indian"
    ASIAN_PAKISTANI = "asian_pakistani", "Asian: Pakistani"
    ASIAN_OTHER = "asian_other", "Asian: any other Asian background"
    BLACK_AFRICAN = "black_african", "Black: African"
    BLACK_CARIBBEAN = "black_caribbean", "Black: Caribbean"
    BLACK_OTHER = "black_other", "Black: any other Black, Black British or Caribbean background"
    MIXED_WHITE_ASIAN = "mixed_white_asian", "Mixed: White and Asian"
    MIXED_WHITE_BLACK_AFRICAN = "mixed_white_black_african", "Mixed: White and Black African"
    MIXED_WHITE_BLACK_CARIBBEAN = "mixed_white_black_caribbean", "Mixed: White and Black Caribbean"
    MIXED_OTHER = "mixed_other", "Mixed: any other Mixed or multiple ethnic background"
    WHITE_BRITISH = "white_british", "White: English, Welsh, Scottish, Northern Irish or British"
    WHITE_IRISH = "white_irish", "White: Irish"
    WHITE_GYPSY_TRAVELLER = "white_gypsy_traveller", "White: Gypsy or Irish Traveller"
    WHITE_ROMA = "white_roma", "White: Roma"
    WHITE_OTHER = "white_other", "White: any other White background"
    OTHER_ARAB = "other_arab", "Other ethnic group: Arab"
    OTHER_ANY = "other_any", "Other ethnic group: any other ethnic group"
    NOT_STATED = "not_stated", "Not stated"


# The ONS 2021 high-level ethnic groups; every detailed code above but "not stated" starts with its group's.
BROAD_ETHNIC_GROUPS = [
    ("asian", "Asian, Asian British or Asian Welsh"),
    ("black", "Black, Black British, Black Welsh, Caribbean or African"),
    ("mixed", "Mixed or multiple ethnic groups"),
    ("white", "White"),
    ("other", "Other ethnic group"),
]


def broad_ethnic_group(code: str) -> str:
    """The high-level group of a detailed code: its prefix (``black_caribbean`` → ``black``)."""
    return code.split("_", 1)[0]


class SourceType(models.TextChoices):
    POLICE_RECORD = "police_record", "Police record"
    CONVICTION = "conviction", "Conviction"
    INTELLIGENCE_REPORT = "intelligence_report", "Intelligence report"
    PARTNER_INFORMATION = "partner_information", "Partner information"
    SOCIAL_MEDIA = "social_media", "Social media"
    OPEN_SOURCE = "open_source", "Open source"


class SourceEvaluation(models.TextChoices):
    """3x5x2 grading, first part. Lower is better: "1" is the strongest."""

    RELIABLE = "1", "1 — reliable"
    UNTESTED = "2", "2 — untested"
    NOT_RELIABLE = "3", "3 — not reliable"


class IntelligenceAssessment(models.TextChoices):
    """3x5x2 grading, second part. Earlier letters are stronger; E never counts."""

    KNOWN_DIRECTLY = "A", "A — known directly to the source"
    INDIRECT_CORROBORATED = "B", "B — known indirectly but corroborated"
    INDIRECT = "C", "C — known indirectly"
    NOT_KNOWN = "D", "D — not known"
    SUSPECTED_FALSE = "E", "E — suspected to be false or malicious"


class HandlingCode(models.TextChoices):
    PERMITTED = "P", "P — lawful sharing permitted"
    CONDITIONS = "C", "C — lawful sharing permitted subject to conditions"


class Nature(models.TextChoices):
    """DPA 2018 s.38(2): facts are kept apart from personal assessments."""

    FACT = "fact", "Fact"
    ASSESSMENT = "assessment", "Assessment"


class Verification(models.TextChoices):
    NOT_REQUIRED = "not_required", "Not required (not social media)"
    UNVERIFIED = "unverified", "Unverified"
    VERIFIED = "verified", "Verified"


class HarmBand(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"


def values(choices) -> list[str]:
    return [value for value, _label in choices.choices]
