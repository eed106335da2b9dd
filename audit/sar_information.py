"""The information DPA 2018 s.45(2) says an applicant must be given alongside their data.

(a) purposes and legal basis, (b) categories of data, (c) recipients, (d) retention, (e) the rights
to rectification, erasure and restriction, (f) the right to complain to the Information
Commissioner with the Commissioner's contact details, (g) the origin of the data.
"""

from collections import Counter

from django.conf import settings

from config.formats import written_day
from matrix.choices import SourceType, Status

PURPOSES = [
    "Preventing, investigating and detecting crime linked to gangs, and protecting people from gang violence: "
    "the law enforcement purposes of DPA 2018 Part 3, s.31.",
    "Safeguarding victims of crime and people at risk of gang violence or exploitation.",
    "Sharing information with partner agencies where an information sharing agreement and a lawful basis allow it, "
    "each time for the purpose recorded with that disclosure (listed in this report).",
]
LEGAL_BASIS = [
    "Data Protection Act 2018, Part 3 (law enforcement processing by a competent authority), for the law "
    "enforcement purposes in s.31.",
    "s.35(2)(b): the processing is necessary for the performance of a task carried out for those purposes by a "
    "competent authority.",
    "s.35(5) and Schedule 8: sensitive processing (your ethnic origin) is carried out only where strictly necessary "
    "for those purposes, under a Schedule 8 condition and an appropriate policy document.",
]
RIGHTS = [
    {
        "section": "s.45",
        "right": "Access",
        "text": "To be told whether data about you is processed, and to receive it: this report.",
    },
    {
        "section": "s.46",
        "right": "Rectification",
        "text": "To have inaccurate personal data corrected and incomplete data completed.",
    },
    {
        "section": "s.47",
        "right": "Erasure or restriction",
        "text": "To have data erased where processing breaks the data protection principles or the law requires it, or "
        "its processing restricted (for example while you contest its accuracy).",
    },
    {
        "section": "s.51",
        "right": "Checking a restriction",
        "text": "Where any of these rights is restricted, to ask the Information Commissioner to check that the "
        "restriction is lawful.",
    },
    {
        "section": "s.165 and s.167",
        "right": "Complaint and court",
        "text": "To complain to the Information Commissioner, and to apply to a court for an order that we comply.",
    },
]
ICO = {
    "name": "Information Commissioner's Office",
    "address": ["Wycliffe House", "Water Lane", "Wilmslow", "Cheshire", "SK9 5AF"],
    "website": "https://ico.org.uk",
    "telephone": "0303 123 1113",
}
ORIGINS = {
    SourceType.POLICE_RECORD: "Police records, for example of arrests and incidents.",
    SourceType.CONVICTION: "Court records of convictions.",
    SourceType.INTELLIGENCE_REPORT: "Police intelligence reports.",
    SourceType.PARTNER_INFORMATION: "Information given to the police by partner agencies.",
    SourceType.SOCIAL_MEDIA: "Social media material. It counts only once verified, and never on its own.",
    SourceType.OPEN_SOURCE: "Publicly available (open) sources.",
}


def _categories(subject, evidence, addresses, reviews, disclosures) -> list[str]:
    if subject.is_erased:
        return [
            f"None identifying you any more: your personal data was erased on {written_day(subject.erased_at)}. A pseudonymous "
            "tombstone remains (reference, borough, classification and dates).",
            *(["Records of disclosures made before the erasure."] if disclosures else []),
        ]
    categories = [
        "Identity: names, any aliases, date of birth and gender.",
        "Ethnic origin as you defined it (sensitive processing, DPA 2018 s.35(8)(a)).",
        f"The category of data subject you are recorded as (s.38(3)): {subject.get_classification_display()}.",
    ]
    if addresses:
        categories.append("Addresses.")
    if evidence:
        categories.append(
            f"Intelligence about you: {len(evidence)} item(s), each graded for reliability and marked as a fact or a "
            "personal assessment (s.38(2))."
        )
    if subject.harm_score is not None:
        categories.append("A harm score and band: an assessment computed from offence-related items (s.38(2)).")
    if reviews:
        categories.append("Decisions of the periodic reviews of your record.")
    if disclosures:
        categories.append("Records of disclosures about you to partner agencies.")
    return categories


def _recipients(disclosures) -> list[str]:
    made = sorted({(d["recipient"], d["recipient_kind"]) for d in disclosures if d["disclosed"]})
    if not made:
        return ["No one outside the police: nothing about you has been disclosed to a partner agency."]
    return [f"{name} ({kind})" for name, kind in made]


def _retention(subject) -> list[str]:
    lines = [
        f"While a person is on the matrix their record is reviewed at least every {settings.GOVMATRIX_REVIEW_PERIOD_DAYS} "
        "days; a record that no longer meets the published inclusion criteria is removed.",
        f"After removal the personal data is kept for {settings.GOVMATRIX_RETENTION_DAYS} days and then erased, "
        "leaving only a pseudonymous tombstone.",
    ]
    if subject.is_erased:
        lines.append(f"Your personal data was erased on {written_day(subject.erased_at)}.")
    elif subject.status == Status.REMOVED:
        lines.append(
            f"Your record was removed on {written_day(subject.removed_at)}; its personal data will be erased after "
            f"{written_day(subject.retention_until)}."
        )
    elif subject.status == Status.APPROVED:
        lines.append(f"Your record is on the matrix; its next review is due by {written_day(subject.review_due)}.")
    else:
        lines.append(f"Your record is not on the matrix (its status is: {subject.get_status_display().lower()}).")
    return lines


def _origin(subject) -> list[dict]:
    counts = Counter(subject.evidence.values_list("source_type", flat=True))
    return [
        {"source": SourceType(source).label, "items": counts[source], "description": ORIGINS[source]}
        for source in SourceType.values
        if counts[source]
    ]


def statutory_information(subject, *, evidence, addresses, reviews, disclosures) -> dict:
    bases = sorted({d["lawful_basis"] for d in disclosures if d["disclosed"]})
    return {
        "purposes": list(PURPOSES),
        "legal_basis": LEGAL_BASIS + [f"Disclosed to a partner agency under: {basis}." for basis in bases],
        "categories": _categories(subject, evidence, addresses, reviews, disclosures),
        "recipients": _recipients(disclosures),
        "retention": _retention(subject),
        "rights": [dict(right) for right in RIGHTS],
        "complaint": {
            **ICO,
            "address": list(ICO["address"]),
            "text": "You can complain to the Information Commissioner about how your data is handled (s.165).",
        },
        "origin": _origin(subject),
    }
