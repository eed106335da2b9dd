"""Factories for sharing tests. Agency names are obviously synthetic."""

from datetime import timedelta

import factory
from django.utils import timezone

from sharing.choices import ShareableField
from sharing.models import InformationSharingAgreement, LawfulBasis, PartnerAgency, PartnerMembership
from tests.factories import UserFactory, make_user

ALL_FIELDS = [choice.value for choice in ShareableField]


class PartnerAgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartnerAgency

    name = factory.Sequence(lambda n: f"Synthetic Borough Council {n}")
    kind = "local_authority"


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationSharingAgreement
        skip_postgeneration_save = True

    partner = factory.SubFactory(PartnerAgencyFactory)
    reference = factory.Sequence(lambda n: f"ISA-TEST-{n:03d}")
    purposes = "Synthetic: reducing serious youth violence through joint safeguarding."
    shareable_fields = factory.LazyFunction(lambda: list(ALL_FIELDS))
    allows_conditioned_items = False
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=60))
    valid_to = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=300))
    review_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))
    approved_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def bases(obj, create, extracted, **kwargs):
        codes = extracted if extracted is not None else ["cda-1998-s115", "dpa-2018-sch8-para4"]
        obj.lawful_bases.set(LawfulBasis.objects.filter(code__in=codes))


def make_partner_user(partner, **kwargs):
    user = make_user("partner", **kwargs)
    PartnerMembership.objects.create(user=user, partner=partner)
    return user


def basis(code: str) -> LawfulBasis:
    return LawfulBasis.objects.get(code=code)


def live_disclosure(
    *, officer, supervisor, subject, fields=("name",), purpose="Synthetic: diversion plan agreed at panel"
):
    """A disclosure of ``subject`` requested by ``officer`` and approved by ``supervisor``, through the services."""
    from sharing import services

    disclosure = services.request_disclosure(
        acting_user=officer,
        subject=subject,
        agreement=AgreementFactory(),
        lawful_basis=basis("cda-1998-s115"),
        purpose=purpose,
        fields=list(fields),
    )
    return services.approve_disclosure(acting_user=supervisor, disclosure=disclosure)
