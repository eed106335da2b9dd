"""Everything held on one person, for a subject access report (DPA 2018 s.45).

One plain structure (dicts and lists of text, dates and numbers) is rendered both as the printable
page and as JSON, so the two cannot disagree. Reading only: ``audit.sar.generate_report`` checks the
role and the justification and logs the combination.
"""

from dataclasses import asdict
from datetime import date

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.text import capfirst

from audit.sar_information import statutory_information
from config.formats import written, written_day
from matrix import rules
from matrix.choices import Status
from matrix.history import subject_history
from matrix.models import Address, Evidence, Subject
from sharing.choices import DisclosureStatus, ShareableField

HISTORY_LIMIT = 5000
KINDS = {"+": "Created", "~": "Changed", "-": "Deleted"}
RELEASE_NOTE = (
    "Before anything is sent, the DPO checks whether any part must be withheld under DPA 2018 s.45(4) (for example "
    "to avoid prejudicing an investigation, or to protect the rights of others such as the sources of intelligence) "
    "and, if so, records the reason and tells the applicant as s.45(5) requires."
)


def _display(field, value, names: dict):
    """A value as a person reads it: choice labels, usernames, Yes/No. Dates stay dates (JSON writes them ISO)."""
    if value is None or value == "":
        return None
    if isinstance(field, models.ForeignKey):
        return names.get((field.related_model, value), f"(a {field.related_model._meta.verbose_name})")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return value


def _text(value) -> str:
    """For field-by-field changes, where old and new are shown side by side as text."""
    if value is None:
        return "—"
    if isinstance(value, date):
        return written(value)
    return str(value)


def _names(fields, rows) -> dict:
    """Labels for every foreign key value in ``rows`` (usernames, boroughs, offence types): one query per model."""
    wanted = {}
    for field in fields:
        if isinstance(field, models.ForeignKey):
            wanted.setdefault(field.related_model, set()).update(getattr(row, field.attname) for row in rows)
    names = {}
    for model, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        if model is get_user_model():
            pairs = model.objects.filter(pk__in=ids).values_list("pk", "username")
        else:
            pairs = ((pk, str(obj)) for pk, obj in model.objects.in_bulk(ids).items())
        names.update(((model, pk), label) for pk, label in pairs)
    return names


LABELS = {"uuid": "UUID"}


def _record(subject: Subject) -> list[dict]:
    """Every stored field of the record (the database key aside, which never leaves the server)."""
    fields = [f for f in Subject._meta.concrete_fields if f.name != "id"]
    names = _names(fields, [subject])
    return [
        {
            "field": f.name,
            "label": LABELS.get(f.name, capfirst(f.verbose_name)),
            "value": _display(f, getattr(subject, f.attname), names),
        }
        for f in fields
    ]


def _addresses(subject: Subject) -> list[dict]:
    return [
        {
            "line_1": a.line_1,
            "line_2": a.line_2,
            "town": a.town,
            "postcode": a.postcode,
            "valid_from": a.valid_from,
            "valid_to": a.valid_to,
        }
        for a in subject.addresses.all()
    ]


def _username(user) -> str | None:
    return user.get_username() if user else None


def _evidence(items) -> list[dict]:
    rows = []
    for item in items:
        verdict = rules.item_verdict(item)
        rows.append(
            {
                "uuid": item.uuid,
                "information_date": item.information_date,
                "summary": item.summary,
                "source_type": item.get_source_type_display(),
                "source_reference": item.source_reference,
                "grading": item.grading,
                "source_evaluation": item.get_source_evaluation_display(),
                "intelligence_assessment": item.get_intelligence_assessment_display(),
                "handling_code": item.get_handling_code_display(),
                "handling_conditions": item.handling_conditions,
                "nature": item.get_nature_display(),
                "offence": item.offence_type.label if item.offence_type else None,
                "relates_to_victimisation": item.relates_to_victimisation,
                "social_media": {
                    "platform": item.social_media_platform,
                    "url": item.social_media_url,
                    "captured_on": item.captured_on,
                    "verification": item.get_verification_display(),
                    "verified_by": _username(item.verified_by),
                    "verification_method": item.verification_method,
                }
                if item.is_social_media
                else None,
                "withdrawn": {
                    "at": item.withdrawn_at,
                    "by": _username(item.withdrawn_by),
                    "reason": item.withdrawal_reason,
                }
                if item.is_withdrawn
                else None,
                "counts": verdict.counts,
                "why_not": list(verdict.reasons),
                "caveats": list(verdict.caveats),
                "recorded_by": _username(item.created_by),
                "recorded_at": item.created_at,
            }
        )
    return rows


def _item_history(model, subject: Subject, describe) -> list[dict]:
    """Field-by-field changes of a subject's evidence items or addresses, oldest version first per row."""
    fields = [f for f in model._meta.concrete_fields if f.name not in ("id", "subject")]
    rows = list(
        model.history.filter(subject_id=subject.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    names = _names(fields, rows)
    entries, previous = [], {}
    for row in rows:
        older, previous[row.id] = previous.get(row.id), row
        changes = (
            []
            if older is None
            else [
                {
                    "field": f.name,
                    "label": capfirst(f.verbose_name),
                    "old": _text(_display(f, getattr(older, f.attname), names)),
                    "new": _text(_display(f, getattr(row, f.attname), names)),
                }
                for f in fields
                if getattr(older, f.attname) != getattr(row, f.attname)
            ]
        )
        entries.append(
            {
                "when": row.history_date,
                "who": _username(row.history_user) or "System",
                "record": describe(row),
                "kind": KINDS.get(row.history_type, row.history_type),
                "reason": row.history_change_reason or "",
                "changes": changes,
            }
        )
    return entries


def _history(subject: Subject) -> list[dict]:
    entries = [
        {"record": f"Subject record (version {entry.version})", **asdict(entry)}
        for entry in subject_history(subject, limit=HISTORY_LIMIT)
    ]
    for entry in entries:
        entry.pop("version")
    entries += _item_history(Evidence, subject, lambda row: f"Evidence item of {_text(row.information_date)}")
    entries += _item_history(Address, subject, lambda row: f"Address ({row.postcode})")
    return sorted(entries, key=lambda entry: entry["when"], reverse=True)


def _reviews(subject: Subject) -> list[dict]:
    return [
        {
            "reviewed_at": r.reviewed_at,
            "outcome": r.get_outcome_display(),
            "justification": r.justification,
            "reviewed_by": _username(r.reviewed_by),
            "next_review_due": r.next_review_due,
        }
        for r in subject.reviews.select_related("reviewed_by").order_by("reviewed_at")
    ]


FIELD_LABELS = dict(ShareableField.choices)
DISCLOSED = (DisclosureStatus.APPROVED, DisclosureStatus.REVOKED)


def _disclosures(subject: Subject) -> list[dict]:
    disclosures = (
        subject.disclosures.select_related("partner", "lawful_basis", "agreement")
        .prefetch_related("notices")
        .order_by("requested_at", "pk")
    )
    return [
        {
            "reference": d.reference,
            "recipient": d.partner.name,
            "recipient_kind": d.partner.get_kind_display(),
            "agreement": d.agreement.reference,
            "lawful_basis": f"{d.lawful_basis.citation} — {d.lawful_basis.title}",
            "purpose": d.purpose,
            "fields": [str(label) for value, label in FIELD_LABELS.items() if value in d.fields],
            "status": d.get_status_display(),
            "disclosed": d.status in DISCLOSED and d.decided_at is not None,
            "requested_at": d.requested_at,
            "disclosed_at": d.decided_at if d.status in DISCLOSED else None,
            "expires_at": d.expires_at if d.status in DISCLOSED else None,
            "revoked": d.status == DisclosureStatus.REVOKED,
            "revoked_at": d.revoked_at,
            "revocation_reason": d.revocation_reason,
            "refusal_reason": d.refusal_reason,
            "what_was_sent": d.snapshot,
            "notices": [
                {"kind": n.get_kind_display(), "message": n.message, "sent_at": n.created_at}
                for n in sorted(d.notices.all(), key=lambda n: n.created_at)
            ],
        }
        for d in disclosures
    ]


def _erasure(subject: Subject) -> dict | None:
    if not subject.is_erased:
        return None
    return {
        "erased_at": subject.erased_at,
        "statement": (
            f"The personal data in this record was erased on {written_day(subject.erased_at)} at "
            "the end of its retention period (DPA 2018 s.39). What remains is a pseudonymous tombstone (the reference, "
            "borough, classification and the dates of each step) and the register of disclosures below."
        ),
    }


def build_report(sar, subject: Subject) -> dict:
    """The whole report for one person matched to ``sar``. Erased records give their tombstone and disclosures."""
    subject = Subject.objects.select_related("borough").get(pk=subject.pk)
    erased = subject.is_erased
    evidence = (
        []
        if erased
        else list(
            subject.evidence.select_related("offence_type", "verified_by", "withdrawn_by", "created_by").order_by(
                "-information_date", "pk"
            )
        )
    )
    disclosures = _disclosures(subject)
    addresses = [] if erased else _addresses(subject)
    reviews = [] if erased else _reviews(subject)
    return {
        "report": {
            "request": sar.reference,
            "received_on": sar.received_on,
            "due_on": sar.due_on,
            "generated_at": timezone.now(),
            "generated_by": None,
            "release_note": RELEASE_NOTE,
        },
        "subject": {
            "reference": subject.reference,
            "uuid": subject.uuid,
            "borough": subject.borough.name,
            "on_matrix": subject.status == Status.APPROVED,
            "status": subject.get_status_display(),
            "classification": subject.get_classification_display(),
            "erased": erased,
        },
        "erasure": _erasure(subject),
        "record": _record(subject),
        "addresses": addresses,
        "evidence": _evidence(evidence),
        "history": [] if erased else _history(subject),
        "reviews": reviews,
        "disclosures": disclosures,
        "information": statutory_information(
            subject, evidence=evidence, addresses=addresses, reviews=reviews, disclosures=disclosures
        ),
    }
