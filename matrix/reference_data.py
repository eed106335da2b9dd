"""The reviewed starting set of reference data: the one place it is written down.

A new force loads it as drafts with ``manage.py bootstrap_force`` and its data protection officer
reads, adjusts (in /admin/) and publishes each draft on the reference data page; the demo
(``seed_demo``) publishes the same set at once. Nothing here is personal data.

- Inclusion criteria state, in the words published on the public page, what makes someone eligible
  and the evidence it needs (docs/rules.md, Inclusion criteria). Perpetrators need corroborated, well-graded, recent
  evidence; victims and people at risk are listed for safeguarding only, on a police record or a
  partner's information. Social media can corroborate but never count on its own (``matrix.rules``).
- Offence weights are the severity table of the harm score (docs/rules.md, Harm score): the most serious harm
  (homicide, firearms) weighs most; a weight halves every ``half_life_days`` after the offence.
- Lawful bases for sharing are loaded by the sharing app's data migration when the database is
  created (docs/sharing.md, Lawful bases); they are named here, not repeated, so the list exists once.
"""

from decimal import Decimal
from importlib import import_module

from matrix.choices import Classification, SourceType

STARTING_CRITERIA = (
    {
        "code": "corroborated-gang-violence",
        "title": "Corroborated involvement in gang-related violence",
        "plain_text": "Reliable intelligence from at least two independent sources shows the person took part "
        "in gang-related violence in the last two years.",
        "classifications": [Classification.SUSPECTED, Classification.CONVICTED],
        "min_items": 2,
        "min_source_evaluation": "2",
        "min_intelligence_assessment": "B",
        "allowed_source_types": [
            SourceType.POLICE_RECORD,
            SourceType.CONVICTION,
            SourceType.INTELLIGENCE_REPORT,
            SourceType.PARTNER_INFORMATION,
            SourceType.SOCIAL_MEDIA,
        ],
        "lookback_days": 730,
        "requires_independent_sources": True,
    },
    {
        "code": "serious-violence-conviction",
        "title": "Conviction for serious violence",
        "plain_text": "The person was convicted of a gang-related offence of serious violence in the last three years.",
        "classifications": [Classification.CONVICTED],
        "min_items": 1,
        "min_source_evaluation": "1",
        "min_intelligence_assessment": "A",
        "allowed_source_types": [SourceType.CONVICTION],
        "lookback_days": 1095,
        "requires_independent_sources": False,
    },
    {
        "code": "victim-of-gang-violence",
        "title": "Victim of gang-related violence",
        "plain_text": "A police record or partner agency shows the person was a victim of gang-related violence "
        "in the last year, so safeguarding may be needed.",
        "classifications": [Classification.VICTIM],
        "min_items": 1,
        "min_source_evaluation": "2",
        "min_intelligence_assessment": "C",
        "allowed_source_types": [
            SourceType.POLICE_RECORD,
            SourceType.INTELLIGENCE_REPORT,
            SourceType.PARTNER_INFORMATION,
        ],
        "lookback_days": 365,
        "requires_independent_sources": False,
    },
    {
        "code": "at-risk-of-exploitation",
        "title": "At risk of gang violence or exploitation",
        "plain_text": "A police record or partner agency shows the person is at risk of gang violence or "
        "criminal exploitation now, so safeguarding may be needed.",
        "classifications": [Classification.AT_RISK],
        "min_items": 1,
        "min_source_evaluation": "2",
        "min_intelligence_assessment": "C",
        "allowed_source_types": [
            SourceType.POLICE_RECORD,
            SourceType.INTELLIGENCE_REPORT,
            SourceType.PARTNER_INFORMATION,
        ],
        "lookback_days": 365,
        "requires_independent_sources": False,
    },
)

STARTING_HARM_METHOD = {
    "half_life_days": 365,
    "amber_threshold": Decimal("15"),
    "red_threshold": Decimal("40"),
    "notes": "The govmatrix starting weights. Check them against the force's own harm index before publishing.",
}

STARTING_OFFENCE_WEIGHTS = (
    # offence type code, label, weight under the starting harm scoring method
    ("homicide", "Murder or attempted murder", Decimal("40")),
    ("firearms", "Firearms offence", Decimal("30")),
    ("gbh", "Grievous bodily harm or wounding", Decimal("25")),
    ("knife-possession", "Possession of a knife or offensive weapon", Decimal("15")),
    ("robbery", "Robbery", Decimal("15")),
    ("drug-supply", "Supply of controlled drugs", Decimal("10")),
    ("abh", "Assault occasioning actual bodily harm", Decimal("8")),
    ("public-order", "Public order offence", Decimal("3")),
)

# (code, citation, title, is_safeguarding), as the migration loaded them.
LAWFUL_BASES = import_module("sharing.migrations.0002_lawful_bases").LAWFUL_BASES
