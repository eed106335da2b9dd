"""Factories for tests. Every name is obviously synthetic."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from guardian.shortcuts import assign_perm

from matrix.choices import Classification, SourceType
from matrix.models import (
    Borough,
    Evidence,
    HarmScoringMethod,
    InclusionCriterion,
    OffenceType,
    OffenceWeight,
    Subject,
)

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"testuser{n}")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def make_user(role: str | None = None, boroughs=(), **kwargs):
    """A user in ``role`` (a group name) with access granted to each borough code in ``boroughs``."""
    user = UserFactory(**kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for code in boroughs:
        assign_perm("matrix.access_borough", user, Borough.objects.get(code=code))
    return user


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    borough = factory.LazyFunction(lambda: Borough.objects.get(code="E09000012"))
    reference = factory.Sequence(lambda n: f"GM-2026-{900000 + n:06d}")
    family_name = factory.Sequence(lambda n: f"Testsubject{n}")
    given_names = "Fictional Person"
    date_of_birth = date(2004, 5, 17)
    gender = "not_stated"
    ethnicity = "not_stated"
    classification = Classification.SUSPECTED
    created_by = factory.SubFactory(UserFactory)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    subject = factory.SubFactory(SubjectFactory)
    summary = "Synthetic test intelligence"
    information_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    source_type = SourceType.POLICE_RECORD
    source_reference = factory.Sequence(lambda n: f"TEST-SOURCE-{n}")
    source_evaluation = "1"
    intelligence_assessment = "A"
    handling_code = "P"
    nature = "fact"
    created_by = factory.SelfAttribute("subject.created_by")


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InclusionCriterion

    code = factory.Sequence(lambda n: f"criterion-{n}")
    version = 1
    title = "Test criterion"
    plain_text = "Synthetic criterion for tests."
    classifications = factory.LazyFunction(lambda: [Classification.SUSPECTED, Classification.CONVICTED])
    min_items = 1
    min_source_evaluation = "2"
    min_intelligence_assessment = "C"
    allowed_source_types = factory.LazyFunction(lambda: [choice.value for choice in SourceType])
    lookback_days = 365
    requires_independent_sources = False
    is_current = True
    published_at = factory.LazyFunction(timezone.now)


class OffenceTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceType
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"offence-{n}")
    label = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class HarmMethodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HarmScoringMethod

    version = factory.Sequence(lambda n: n + 1)
    half_life_days = 365
    amber_threshold = Decimal("10.00")
    red_threshold = Decimal("30.00")
    is_current = True
    published_at = factory.LazyFunction(timezone.now)


class OffenceWeightFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OffenceWeight

    method = factory.SubFactory(HarmMethodFactory)
    offence_type = factory.SubFactory(OffenceTypeFactory)
    weight = Decimal("10.00")


class SocialMediaEvidenceFactory(EvidenceFactory):
    """A social media item with its capture details; unverified unless ``verified=True``."""

    class Params:
        verified = factory.Trait(
            verification="verified",
            verified_by=factory.SelfAttribute("subject.created_by"),
            verified_at=factory.LazyFunction(timezone.now),
            verification_method="Matched to the subject's known account by a supervisor.",
        )

    source_type = SourceType.SOCIAL_MEDIA
    social_media_url = factory.Sequence(lambda n: f"https://social.example.test/post/{n}")
    social_media_platform = "ExampleNet"
    captured_on = factory.SelfAttribute("information_date")
    verification = "unverified"


# Unsaved instances for the pure rules in matrix/rules.py: no database needed.

RULES_TODAY = date(2026, 3, 15)


def build_evidence(**overrides) -> Evidence:
    """An unsaved evidence item that counts by default (police record, graded 1A, 30 days before RULES_TODAY)."""
    fields = {
        "summary": "Synthetic test intelligence",
        "information_date": RULES_TODAY - timedelta(days=30),
        "source_type": SourceType.POLICE_RECORD,
        "source_reference": "TEST-REF-1",
        "source_evaluation": "1",
        "intelligence_assessment": "A",
        "handling_code": "P",
        "nature": "fact",
        "verification": "not_required",
    }
    if overrides.get("source_type") == SourceType.SOCIAL_MEDIA:
        fields.update(
            social_media_url="https://social.example.test/post/1",
            social_media_platform="ExampleNet",
            captured_on=overrides.get("information_date", fields["information_date"]),
            verification="unverified",
        )
    fields.update(overrides)
    return Evidence(**fields)


def build_criterion(**overrides) -> InclusionCriterion:
    """An unsaved published criterion for perpetrators: 1 item, graded 2/C or better, any source, 365 days."""
    fields = {
        "code": "test-criterion",
        "version": 1,
        "title": "Test criterion",
        "plain_text": "Synthetic criterion for tests.",
        "classifications": [Classification.SUSPECTED, Classification.CONVICTED],
        "min_items": 1,
        "min_source_evaluation": "2",
        "min_intelligence_assessment": "C",
        "allowed_source_types": [choice.value for choice in SourceType],
        "lookback_days": 365,
        "requires_independent_sources": False,
    }
    fields.update(overrides)
    return InclusionCriterion(**fields)


def build_method(**overrides) -> HarmScoringMethod:
    """An unsaved harm scoring method v3: half-life 365 days, amber from 10.00, red from 30.00."""
    fields = {
        "version": 3,
        "half_life_days": 365,
        "amber_threshold": Decimal("10.00"),
        "red_threshold": Decimal("30.00"),
    }
    fields.update(overrides)
    return HarmScoringMethod(**fields)
