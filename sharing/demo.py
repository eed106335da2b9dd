"""Demonstration partner agencies, agreements and disclosures (obviously synthetic)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from matrix.choices import SAFEGUARDING_CLASSIFICATIONS, Status
from matrix.models import Subject
from sharing import services
from sharing.choices import ShareableField
from sharing.models import InformationSharingAgreement, LawfulBasis, PartnerAgency, PartnerMembership

DEMO_AGENCIES = [
    # name, kind, agreement reference, lawful basis codes, fields, allows conditioned items
    (
        "Synthetic Hackney Council Community Safety",
        "local_authority",
        "ISA-DEMO-HACKNEY-01",
        ["cda-1998-s115", "dpa-2018-sch8-para4", "pcsc-2022-s16"],
        [
            ShareableField.NAME,
            ShareableField.DATE_OF_BIRTH,
            ShareableField.CLASSIFICATION,
            ShareableField.HARM_BAND,
            ShareableField.EVIDENCE,
        ],
        False,
    ),
    (
        "Synthetic Southwark Youth Offending Team",
        "youth_offending",
        "ISA-DEMO-SOUTHWARK-YOT",
        ["ca-2004-s11", "dpa-2018-sch8-para4"],
        [
            ShareableField.NAME,
            ShareableField.ALIASES,
            ShareableField.DATE_OF_BIRTH,
            ShareableField.ADDRESS,
            ShareableField.CLASSIFICATION,
            ShareableField.EVIDENCE,
        ],
        True,
    ),
]


def ensure_agencies(users: dict, dpo) -> list[InformationSharingAgreement]:
    agreements = []
    today = timezone.localdate()
    for name, kind, reference, basis_codes, fields, conditioned in DEMO_AGENCIES:
        partner, _ = PartnerAgency.objects.get_or_create(name=name, defaults={"kind": kind})
        agreement = InformationSharingAgreement.objects.filter(reference=reference).first()
        if agreement is None:
            agreement = InformationSharingAgreement.objects.create(
                partner=partner,
                reference=reference,
                purposes="Demo: preventing serious youth violence and safeguarding young people at risk.",
                shareable_fields=list(fields),
                allows_conditioned_items=conditioned,
                valid_from=today - timedelta(days=90),
                valid_to=today + timedelta(days=275),
                review_date=today + timedelta(days=180),
                approved_by=dpo,
            )
            agreement.lawful_bases.set(LawfulBasis.objects.filter(code__in=basis_codes))
        agreements.append(agreement)
    council = agreements[0].partner
    PartnerMembership.objects.get_or_create(user=users["partner.council"], defaults={"partner": council})
    return agreements


@transaction.atomic
def create_demo_disclosures(users: dict, agreement: InformationSharingAgreement) -> int:
    """One live, one awaiting approval and one revoked disclosure of Hackney subjects to the council."""
    officer, supervisor = users["officer.hackney"], users["supervisor.hackney"]
    today = timezone.localdate()
    candidates = [
        subject
        for subject in Subject.objects.filter(borough__code="E09000012", status=Status.APPROVED).order_by("pk")
        if not (subject.review_due and subject.review_due < today)
    ]
    plans = ["live", "requested", "revoked"]
    made = 0
    for subject, plan in zip(candidates, plans):
        code = "dpa-2018-sch8-para4" if subject.classification in SAFEGUARDING_CLASSIFICATIONS else "cda-1998-s115"
        disclosure = services.request_disclosure(
            acting_user=officer,
            subject=subject,
            agreement=agreement,
            lawful_basis=LawfulBasis.objects.get(code=code),
            purpose="Demo: joint safeguarding and diversion plan agreed at the multi-agency panel.",
            fields=[ShareableField.NAME, ShareableField.CLASSIFICATION, ShareableField.EVIDENCE],
        )
        made += 1
        if plan == "requested":
            continue
        disclosure = services.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
        if plan == "revoked":
            services.revoke_disclosure(
                acting_user=supervisor, disclosure=disclosure, reason="Demo: the panel closed the case."
            )
    return made
