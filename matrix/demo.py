"""Obviously synthetic demonstration data: users for each role, reference rules and sample subjects.

Nothing here resembles a real person: family names are words like "Testperson" and given names are
phonetic-alphabet words, so nobody can mistake demo data for intelligence.
"""

import itertools
import random
from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from core.history import save_tracked
from matrix import bootstrap, evidence_services, publishing, services, workflow
from matrix.choices import (
    PERPETRATOR_CLASSIFICATIONS,
    Classification,
    Ethnicity,
    Gender,
    SourceType,
    Status,
)
from matrix.models import Borough, OffenceType, Subject

DEMO_PASSWORD = "govmatrix-demo-2026"
HACKNEY, SOUTHWARK = "E09000012", "E09000028"
DEMO_USERS = [
    # username, role, borough codes, is_staff
    ("officer.hackney", "officer", [HACKNEY], False),
    ("supervisor.hackney", "supervisor", [HACKNEY], False),
    ("officer.southwark", "officer", [SOUTHWARK], False),
    ("supervisor.southwark", "supervisor", [SOUTHWARK], False),
    ("partner.council", "partner", [], False),
    ("auditor", "auditor", [], False),
    ("dpo", "dpo", [], True),
]
FAMILY_NAMES = ["Testperson", "Placeholder", "Specimen", "Examplar", "Fictional", "Synthetica", "Dummyrecord"]
GIVEN_NAMES = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliet"]


def ensure_users(stdout=None) -> dict:
    users = {}
    for username, role, boroughs, is_staff in DEMO_USERS:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": is_staff})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=role))
        for code in boroughs:
            assign_perm("matrix.access_borough", user, Borough.objects.get(code=code))
        users[username] = user
    return users


def ensure_reference_rules(acting_user) -> None:
    """Load the starting reference data and publish it at once, as the DPO would, where the force has not
    published its own (a published version is never touched)."""
    for step in (bootstrap.draft_starting_criteria, bootstrap.draft_starting_harm_method):
        for draft in step(acting_user=acting_user).awaiting_publication:
            publishing.publish(draft, acting_user=acting_user)


def _evidence_specs(classification: str, qualifying: bool, rng: random.Random, offences: list) -> list[dict]:
    today = timezone.localdate()
    base = {
        "nature": "fact",
        "handling_code": "P",
        "source_evaluation": "1",
        "intelligence_assessment": "A",
    }
    if classification in PERPETRATOR_CLASSIFICATIONS:
        specs = [
            {
                **base,
                "summary": "Synthetic: arrested at a disorder between two named groups.",
                "source_type": SourceType.POLICE_RECORD,
                "source_reference": f"DEMO-CAD-{rng.randint(1000, 9999)}",
                "information_date": today - timedelta(days=rng.randint(20, 300)),
                "offence_type": rng.choice(offences),
            },
            {
                **base,
                "summary": "Synthetic: partner reports association with a violent group.",
                "source_type": SourceType.PARTNER_INFORMATION,
                "source_reference": "DEMO-YOT-REFERRAL",
                "source_evaluation": "2",
                "intelligence_assessment": "B",
                "nature": "assessment",
                "handling_code": "C",
                "handling_conditions": "Not to be shared with education providers.",
                "information_date": today - timedelta(days=rng.randint(30, 400)),
            },
        ]
        if not qualifying:
            specs = specs[:1]
        specs.append(
            {
                **base,
                "summary": "Synthetic: video appearing to show the subject with a weapon.",
                "source_type": SourceType.SOCIAL_MEDIA,
                "source_reference": "DEMO-OSINT",
                "source_evaluation": "2",
                "intelligence_assessment": "C",
                "nature": "assessment",
                "social_media_url": "https://video.example.invalid/demo",
                "social_media_platform": "Example Video",
                "captured_on": today - timedelta(days=rng.randint(5, 60)),
                "information_date": today - timedelta(days=rng.randint(5, 60)),
            }
        )
        return specs
    if not qualifying:
        return []
    return [
        {
            **base,
            "summary": "Synthetic: reported as the victim of a stabbing linked to a group dispute.",
            "source_type": SourceType.POLICE_RECORD,
            "source_reference": f"DEMO-CRIS-{rng.randint(1000, 9999)}",
            "relates_to_victimisation": True,
            "information_date": today - timedelta(days=rng.randint(10, 200)),
        },
    ]


DEMO_STATUSES = [Status.APPROVED, Status.APPROVED, Status.SUBMITTED, Status.DRAFT, Status.REJECTED, Status.REMOVED]


def _walk_demo_workflow(subject: Subject, status: str, officer, supervisor) -> None:
    """Take a demo record through the real workflow to the state it should show."""
    if status == Status.DRAFT:
        return
    subject = workflow.submit_subject(acting_user=officer, subject=subject)
    if status == Status.SUBMITTED:
        return
    if status == Status.REJECTED:
        workflow.reject_subject(
            acting_user=supervisor, subject=subject, reason="Demo: the second source is not independent of the first."
        )
        return
    subject = workflow.approve_subject(acting_user=supervisor, subject=subject)
    if status == Status.REMOVED:
        workflow.remove_subject(acting_user=supervisor, subject=subject, reason="Demo: no longer meets the threshold.")
    elif subject.pk % 3 == 0:
        # Some demo reviews fall due in the past so the dashboard shows overdue work.
        subject.review_due = timezone.localdate() - timedelta(days=subject.pk % 20 + 1)
        save_tracked(subject, acting_user=supervisor, reason="Demo: review date moved into the past")


@transaction.atomic
def create_demo_subjects(users: dict, per_borough: int = 30, seed: int = 2026) -> int:
    rng = random.Random(seed)
    offences = list(OffenceType.objects.all())
    classifications = itertools.cycle(list(Classification))
    statuses = itertools.cycle(DEMO_STATUSES)
    created = 0
    for borough_code, area in ((HACKNEY, "hackney"), (SOUTHWARK, "southwark")):
        officer, supervisor = users[f"officer.{area}"], users[f"supervisor.{area}"]
        borough = Borough.objects.get(code=borough_code)
        for number in range(per_borough):
            classification = next(classifications)
            status = next(statuses)
            age = rng.randint(14, 24) if classification in PERPETRATOR_CLASSIFICATIONS else rng.randint(11, 24)
            subject = services.create_subject(
                acting_user=officer,
                borough=borough,
                family_name=f"{rng.choice(FAMILY_NAMES)}-{area.title()}-{number + 1:02d}",
                given_names=rng.choice(GIVEN_NAMES),
                aliases="\n".join(rng.sample(["Demo-Alias", "Sample-Nick", "Example-Tag"], k=rng.randint(0, 2))),
                date_of_birth=date.today().replace(month=1, day=1) - timedelta(days=365 * age + rng.randint(0, 300)),
                gender=rng.choice([Gender.MALE, Gender.FEMALE, Gender.MALE, Gender.NOT_STATED]),
                ethnicity=rng.choice(list(Ethnicity)),
                classification=classification,
                reason="Demo data",
            )
            qualifying = status != Status.DRAFT or number % 2 == 0
            for spec in _evidence_specs(classification, qualifying, rng, offences):
                evidence_services.add_evidence(acting_user=officer, subject=subject, reason="Demo evidence", **spec)
            _walk_demo_workflow(subject, status, officer, supervisor)
            created += 1
    return created
