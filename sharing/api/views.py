from django.http import Http404
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from audit import hooks
from audit.hooks import describe_query
from audit.log import record
from audit.models import Action
from sharing import permissions, services
from sharing.api.serializers import (
    AgreementSerializer,
    DisclosureSerializer,
    LawfulBasisSerializer,
    PartnerAgencySerializer,
    PartnerDisclosureSerializer,
    ReasonSerializer,
)
from sharing.models import InformationSharingAgreement, LawfulBasis, PartnerAgency
from sharing.queries import LIST_RELATED


class PoliceOrOversight(BasePermission):
    """Reference data about sharing is for police and oversight roles; partners use the disclosures endpoint."""

    def has_permission(self, request, view):
        return permissions.can_read_register(request.user)


class PartnerAgencyViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = PartnerAgency.objects.all()
    serializer_class = PartnerAgencySerializer
    permission_classes = [PoliceOrOversight]
    lookup_field = "uuid"
    pagination_class = None


class LawfulBasisViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = LawfulBasis.objects.all()
    serializer_class = LawfulBasisSerializer
    permission_classes = [PoliceOrOversight]
    lookup_field = "code"
    pagination_class = None


class AgreementViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = InformationSharingAgreement.objects.select_related("partner").prefetch_related("lawful_bases")
    serializer_class = AgreementSerializer
    permission_classes = [PoliceOrOversight]
    lookup_field = "uuid"
    pagination_class = None


class DisclosurePagination(CursorPagination):
    ordering = "-requested_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class DisclosureAccess(BasePermission):
    """Partners read; police and oversight roles read the register; only the role that may take a step
    reaches its body (the wrong role is a 403 before validation, the wrong borough a 404)."""

    # Requesting is an officer's or supervisor's step; deciding is a supervisor's of the subject's borough.
    WRITE_PERMISSIONS = {
        "approve": permissions.APPROVE_DISCLOSURE,
        "refuse": permissions.APPROVE_DISCLOSURE,
        "revoke": permissions.APPROVE_DISCLOSURE,
    }

    def has_permission(self, request, view):
        if permissions.partner_of(request.user) is not None:
            return request.method in SAFE_METHODS
        if request.method in SAFE_METHODS:
            return permissions.can_read_register(request.user)
        return permissions.holds(request.user, self.WRITE_PERMISSIONS.get(view.action, permissions.REQUEST_DISCLOSURE))

    def has_object_permission(self, request, view, obj):
        if view.action in self.WRITE_PERMISSIONS:
            return permissions.can_decide(request.user, obj)
        return True


# A partner's token gets the partner's view of a disclosure (the snapshot), everyone else the register's.
DISCLOSURE_FOR_CALLER = PolymorphicProxySerializer(
    component_name="DisclosureForCaller",
    serializers=[DisclosureSerializer, PartnerDisclosureSerializer],
    resource_type_field_name=None,
)


@extend_schema_view(
    list=extend_schema(responses=DISCLOSURE_FOR_CALLER),
    retrieve=extend_schema(responses=DISCLOSURE_FOR_CALLER),
)
class DisclosureViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Police and oversight roles see the register; a partner's token sees only its agency's live disclosures."""

    permission_classes = [DisclosureAccess]
    pagination_class = DisclosurePagination
    lookup_field = "uuid"

    def is_partner(self) -> bool:
        return permissions.partner_of(self.request.user) is not None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return permissions.disclosures_visible_to(self.request.user)
        if self.is_partner():
            return (
                permissions.partner_disclosures(self.request.user)
                .select_related("lawful_basis", "partner", "subject__borough")
                .prefetch_related("notices")
            )
        return (
            permissions.disclosures_visible_to(self.request.user)
            .select_related(*LIST_RELATED, "revoked_by")
            .prefetch_related("notices")
        )

    def get_serializer_class(self):
        if not getattr(self, "swagger_fake_view", False) and self.is_partner():
            return PartnerDisclosureSerializer
        return DisclosureSerializer

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            hooks.denied(self.request.user, detail="API: disclosure outside the user's access")
            raise

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        partner = permissions.partner_of(request.user)
        record(
            Action.SEARCH,
            actor=request.user,
            recipient=partner.name if partner else "",
            detail=f"API disclosure list: {describe_query(request.query_params)}; {len(response.data['results'])} shown",
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        disclosure = self.get_object()
        partner = permissions.partner_of(request.user)
        record(
            Action.CONSULT,
            actor=request.user,
            obj=disclosure,
            subject=disclosure.subject,
            recipient=partner.name if partner else "",
            detail=f"Disclosure {disclosure.reference} read through the API",
        )
        return Response(self.get_serializer(disclosure).data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.request_disclosure(
            acting_user=self.request.user,
            subject=data["subject"],
            agreement=data["agreement"],
            lawful_basis=data["lawful_basis"],
            purpose=data["purpose"],
            fields=data["fields"],
            expiry=data.get("requested_expiry"),
        )

    def _respond(self, disclosure):
        return Response(DisclosureSerializer(disclosure, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=DisclosureSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, uuid=None):
        return self._respond(services.approve_disclosure(acting_user=request.user, disclosure=self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=DisclosureSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, uuid=None):
        disclosure = self.get_object()  # access first: the wrong borough is a 404 whatever the body
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        return self._respond(
            services.refuse_disclosure(
                acting_user=request.user, disclosure=disclosure, reason=reason.validated_data["reason"]
            )
        )

    @extend_schema(request=ReasonSerializer, responses=DisclosureSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, uuid=None):
        disclosure = self.get_object()  # access first: the wrong borough is a 404 whatever the body
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        return self._respond(
            services.revoke_disclosure(
                acting_user=request.user, disclosure=disclosure, reason=reason.validated_data["reason"]
            )
        )
