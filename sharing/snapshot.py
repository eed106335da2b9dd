"""What a partner receives: the chosen fields of one subject, fixed at approval, with gradings (s.38(4)-(5))."""

from django.utils import timezone

from matrix import rules
from matrix.choices import HandlingCode
from sharing.choices import ShareableField

FIELD_ORDER = [choice.value for choice in ShareableField]


def _current_address(subject):
    addresses = [a for a in subject.addresses.all() if a.valid_to is None]
    if not addresses:
        return None
    address = addresses[0]
    return ", ".join(part for part in (address.line_1, address.line_2, address.town, address.postcode) if part)


def _evidence(subject, agreement) -> dict:
    """Only items that count (verified, not withdrawn, not graded E); C items only if the agreement accepts them."""
    shared, withheld = [], 0
    for item in subject.evidence.select_related("offence_type").order_by("-information_date", "pk"):
        if not rules.item_verdict(item).counts:
            continue
        if item.handling_code == HandlingCode.CONDITIONS and not agreement.allows_conditioned_items:
            withheld += 1
            continue
        shared.append(
            {
                "id": str(item.uuid),
                "information_date": item.information_date.isoformat(),
                "summary": item.summary,
                "source_type": item.get_source_type_display(),
                "grading": item.grading,
                "source_evaluation": item.get_source_evaluation_display(),
                "intelligence_assessment": item.get_intelligence_assessment_display(),
                "handling_code": item.handling_code,
                "handling_conditions": item.handling_conditions
                if item.handling_code == HandlingCode.CONDITIONS
                else "",
                "nature": item.get_nature_display(),
                "offence": item.offence_type.label if item.offence_type else "",
            }
        )
    return {"items": shared, "withheld_under_conditions": withheld}


def _value(subject, field: str, agreement):
    match field:
        case ShareableField.NAME:
            return {"family_name": subject.family_name, "given_names": subject.given_names}
        case ShareableField.ALIASES:
            return subject.alias_list
        case ShareableField.DATE_OF_BIRTH:
            return subject.date_of_birth.isoformat() if subject.date_of_birth else None
        case ShareableField.GENDER:
            return subject.get_gender_display()
        case ShareableField.ETHNICITY:
            return subject.get_ethnicity_display()
        case ShareableField.ADDRESS:
            return _current_address(subject)
        case ShareableField.CLASSIFICATION:
            return {
                "code": subject.classification,
                "label": subject.get_classification_display(),
                "also_victim": subject.also_victim,
            }
        case ShareableField.HARM_BAND:
            if not subject.is_perpetrator:
                return {"band": None, "note": "Victims and people at risk are never harm-scored."}
            return {
                "band": subject.get_harm_band_display() or None,
                "method_version": subject.harm_method_version,
                "note": "An assessment, not a fact (DPA 2018 s.38(2)).",
            }
        case ShareableField.EVIDENCE:
            return _evidence(subject, agreement)
    raise ValueError(f"Unknown shareable field {field!r}")


def build_snapshot(subject, fields, agreement) -> dict:
    ordered = [field for field in FIELD_ORDER if field in set(fields)]
    return {
        "subject_reference": subject.reference,
        "taken_at": timezone.now().isoformat(),
        "fields": {field: _value(subject, field, agreement) for field in ordered},
        "labels": {field: ShareableField(field).label for field in ordered},
    }


def snapshot_rows(snapshot: dict, show_date=str) -> list[tuple[str, str]]:
    """The non-evidence fields of a snapshot as (label, text) rows, for pages and exports alike.

    Dates are kept in the snapshot as ISO 8601 text; ``show_date`` writes one for the reader (pages pass
    the service's human format, files keep ISO 8601)."""
    rows = []
    for field, value in snapshot["fields"].items():
        if field == ShareableField.EVIDENCE:
            continue
        label = snapshot["labels"][field]
        if field == ShareableField.NAME:
            text = f"{value['family_name']}, {value['given_names']}"
        elif field == ShareableField.ALIASES:
            text = ", ".join(value) or "None recorded"
        elif field == ShareableField.CLASSIFICATION:
            text = value["label"] + (" (also a victim)" if value["also_victim"] else "")
        elif field == ShareableField.HARM_BAND:
            text = f"{value['band'] or 'Not scored'}. {value['note']}"
        elif field == ShareableField.DATE_OF_BIRTH and value:
            text = show_date(value)
        else:
            text = value if value else "Not recorded"
        rows.append((label, str(text)))
    return rows
