from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from audit import hooks
from audit.hooks import describe_query
from matrix import evidence_services, queries, services, workflow
from matrix.api.filters import SubjectFilter
from matrix.api.permissions import BreakGlassAccess, RecordWorkAccess, RestrictionAccess, SubjectAccess
from matrix.api.serializers import (
    ApproveSerializer,
    BoroughSerializer,
    BreakGlassGrantSerializer,
    BreakGlassSerializer,
    EvidenceSerializer,
    HistoryEntrySerializer,
    LiftRestrictionSerializer,
    RejectSerializer,
    RemoveSerializer,
    RestrictSerializer,
    ReviewResultSerializer,
    ReviewSerializer,
    SubjectSerializer,
    VerifyEvidenceSerializer,
    WithdrawEvidenceSerializer,
    WorkflowStepSerializer,
)
from matrix.history import subject_history
from matrix.models import Borough, Evidence, Subject

NOT_FOUND = OpenApiResponse(description="No such record among those you can access.")
REFUSED = OpenApiResponse(description="Your role may not do this here (e.g. your own submission, or the wrong role).")
INVALID = OpenApiResponse(description="Invalid input, or the rules refuse it; messages per field.")
CONFLICT = OpenApiResponse(description="Stale version, or the record is not in a state where this step applies.")
STEP_ERRORS = {400: INVALID, 403: REFUSED, 404: NOT_FOUND, 409: CONFLICT}
EVIDENCE_ERRORS = {400: INVALID, 403: REFUSED, 404: NOT_FOUND}
# Workflow steps, nested evidence and history: services decide roles and four-eyes; no list filters apply.
RECORD_WORK = {"permission_classes": [RecordWorkAccess], "filter_backends": []}


class EvidenceCursorPagination(CursorPagination):
    """A subject's evidence, most recently recorded first."""

    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class SubjectCursorPagination(EvidenceCursorPagination):
    """In the order of the list's ``sort`` (the page's keyset orders): newest, harm or review date."""

    def get_ordering(self, request, queryset, view):
        return queries.sort_of(request.query_params).order.ordering


def serialize_evidence(subject, items: list, context: dict, *, many: bool = False) -> dict | list:
    """Evidence with whether each item counts, from one assessment of the whole page (not one per row)."""
    verdicts = services.assess_subject(subject, evidence=items).verdicts
    return EvidenceSerializer(items if many else items[0], many=many, context={**context, "verdicts": verdicts}).data


class BoroughViewSet(viewsets.ReadOnlyModelViewSet):
    """The 33 London boroughs (reference data)."""

    queryset = Borough.objects.all()
    serializer_class = BoroughSerializer
    # For those who work with or oversee matrix records; partners use the disclosures endpoint only.
    permission_classes = [RecordWorkAccess]
    lookup_field = "code"
    pagination_class = None


STALE = OpenApiResponse(description="Stale version: someone saved the record since you read it. Nothing changed.")


RESTRICTION_WORK = {"permission_classes": [RestrictionAccess], "filter_backends": []}


@extend_schema_view(
    update=extend_schema(responses={200: SubjectSerializer, 409: STALE}),
    partial_update=extend_schema(responses={200: SubjectSerializer, 409: STALE}),
)
class SubjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Subjects of the boroughs you work in. Outside your access a subject does not exist (404)."""

    serializer_class = SubjectSerializer
    permission_classes = [SubjectAccess]
    filterset_class = SubjectFilter
    pagination_class = SubjectCursorPagination
    lookup_field = "uuid"

    def get_queryset(self):
        return Subject.objects.visible_to(self.request.user).select_related("borough")

    def get_object(self):
        try:
            return super().get_object()
        except Http404 as missing:
            raise hooks.deny_missing_subject(
                self.request.user, self.kwargs.get("uuid"), "API: subject outside the user's access"
            ) from missing

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        hooks.searched(
            request.user,
            detail=f"API subject list: {describe_query(request.query_params)}",
            results=len(response.data.get("results", [])) if isinstance(response.data, dict) else None,
        )
        return response

    def retrieve(self, request, *args, **kwargs):
        subject = self.get_object()
        hooks.consulted(request.user, subject, detail="Subject record read through the API")
        return Response(self.get_serializer(subject).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("version", None)
        reason = data.pop("change_reason", "") or "Created as a draft"
        serializer.instance = services.create_subject(acting_user=self.request.user, reason=reason, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        expected_version = data.pop("version")
        reason = data.pop("change_reason", "") or "Edited"
        serializer.instance = services.update_subject(
            acting_user=self.request.user,
            subject=serializer.instance,
            expected_version=expected_version,
            changes=data,
            reason=reason,
        )

    # Workflow steps: look the subject up through the gated queryset, parse, call the workflow, show the result.

    def _parse(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _subject(self, subject) -> Response:
        return Response(SubjectSerializer(subject, context=self.get_serializer_context()).data)

    def _step_with_reason(self, serializer_class, step) -> Response:
        """A step that takes a reason and the version edited (reject, remove, restrict, lift)."""
        subject = self.get_object()
        data = self._parse(serializer_class)
        return self._subject(
            step(
                acting_user=self.request.user,
                subject=subject,
                reason=data["reason"],
                expected_version=data.get("version"),
            )
        )

    @extend_schema(request=WorkflowStepSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RECORD_WORK)
    def submit(self, request, uuid=None):
        """Submit a draft for approval; refused (400, with each criterion's reasons) unless a criterion is met."""
        subject = self.get_object()
        data = self._parse(WorkflowStepSerializer)
        return self._subject(
            workflow.submit_subject(acting_user=request.user, subject=subject, expected_version=data.get("version"))
        )

    @extend_schema(request=ApproveSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RECORD_WORK)
    def approve(self, request, uuid=None):
        """Approve a submitted subject (a supervisor of its borough, never on their own submission)."""
        subject = self.get_object()
        data = self._parse(ApproveSerializer)
        return self._subject(
            workflow.approve_subject(
                acting_user=request.user,
                subject=subject,
                reason=data.get("reason", ""),
                expected_version=data.get("version"),
            )
        )

    @extend_schema(request=RejectSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RECORD_WORK)
    def reject(self, request, uuid=None):
        """Reject a submitted subject with a reason for the officer; it returns to them as rejected."""
        return self._step_with_reason(RejectSerializer, workflow.reject_subject)

    @extend_schema(request=ReviewSerializer, responses={200: ReviewResultSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RECORD_WORK)
    def review(self, request, uuid=None):
        """Record a periodic review of an approved subject: retain (with justification) or remove."""
        subject = self.get_object()
        data = self._parse(ReviewSerializer)
        review = workflow.review_subject(
            acting_user=request.user,
            subject=subject,
            outcome=data["outcome"],
            justification=data["justification"],
            expected_version=data.get("version"),
        )
        result = {"subject": review.subject, "review": review}
        return Response(ReviewResultSerializer(result, context=self.get_serializer_context()).data)

    @extend_schema(request=RemoveSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RECORD_WORK)
    def remove(self, request, uuid=None):
        """Remove an approved subject from the matrix; starts the retention clock."""
        return self._step_with_reason(RemoveSerializer, workflow.remove_subject)

    @extend_schema(request=RestrictSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RESTRICTION_WORK)
    def restrict(self, request, uuid=None):
        """Restrict processing (DPA 2018 s.47; the data protection officer): the record is kept but nothing from
        it can be disclosed until the restriction is lifted, and recipients of live disclosures are told."""
        return self._step_with_reason(RestrictSerializer, workflow.restrict_processing)

    @extend_schema(request=LiftRestrictionSerializer, responses={200: SubjectSerializer, **STEP_ERRORS})
    @action(detail=True, methods=["post"], **RESTRICTION_WORK)
    def lift(self, request, uuid=None):
        """Lift a restriction of processing (the data protection officer), with the reason."""
        return self._step_with_reason(LiftRestrictionSerializer, workflow.lift_restriction)

    @extend_schema(
        methods=["GET"],
        summary="The subject's evidence (most recently recorded first), each item saying whether it counts and why not",
        responses={200: EvidenceSerializer(many=True), 403: REFUSED, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["POST"],
        summary="Add an evidence item to the subject",
        request=EvidenceSerializer,
        responses={201: EvidenceSerializer, **EVIDENCE_ERRORS},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=EvidenceCursorPagination, **RECORD_WORK)
    def evidence(self, request, uuid=None):
        subject = self.get_object()
        context = self.get_serializer_context()
        if request.method == "POST":
            serializer = EvidenceSerializer(data=request.data, context=context)
            serializer.is_valid(raise_exception=True)
            fields = dict(serializer.validated_data)
            reason = fields.pop("change_reason", "") or "Evidence added"
            item = evidence_services.add_evidence(acting_user=request.user, subject=subject, reason=reason, **fields)
            return Response(serialize_evidence(subject, [item], context), status=status.HTTP_201_CREATED)
        items = subject.evidence.select_related("offence_type", "verified_by", "withdrawn_by", "created_by")
        page = self.paginate_queryset(items)
        hooks.consulted(request.user, subject, detail="Evidence list read through the API")
        return self.get_paginated_response(serialize_evidence(subject, page, context, many=True))

    @extend_schema(
        summary="Who changed what, when and why (newest first, up to 100 entries)",
        responses={200: HistoryEntrySerializer(many=True), 403: REFUSED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], pagination_class=None, **RECORD_WORK)
    def history(self, request, uuid=None):
        subject = self.get_object()
        hooks.consulted(request.user, subject, detail="History read through the API")
        return Response(HistoryEntrySerializer(subject_history(subject), many=True).data)


class EvidenceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """One evidence item. Items of subjects outside your access do not exist (404)."""

    serializer_class = EvidenceSerializer
    permission_classes = [RecordWorkAccess]
    filter_backends = []
    pagination_class = None
    lookup_field = "uuid"

    def get_queryset(self):
        visible = Subject.objects.visible_to(self.request.user)
        return Evidence.objects.filter(subject__in=visible).select_related(
            "subject", "offence_type", "verified_by", "withdrawn_by", "created_by"
        )

    def _item(self, item, status_code=status.HTTP_200_OK) -> Response:
        return Response(serialize_evidence(item.subject, [item], self.get_serializer_context()), status=status_code)

    @extend_schema(responses={200: EvidenceSerializer, 403: REFUSED, 404: NOT_FOUND})
    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            hooks.denied(self.request.user, detail="API: evidence item outside the user's access")
            raise

    def retrieve(self, request, uuid=None):
        item = self.get_object()
        hooks.consulted(request.user, item.subject, obj=item, detail="Evidence item read through the API")
        return self._item(item)

    @extend_schema(responses={200: EvidenceSerializer, **EVIDENCE_ERRORS})
    def partial_update(self, request, uuid=None):
        """Correct an item while its subject is a draft or rejected; afterwards, withdraw it and add a new one."""
        item = self.get_object()
        serializer = self.get_serializer(item, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        reason = changes.pop("change_reason", "") or "Evidence corrected"
        return self._item(
            evidence_services.edit_evidence(acting_user=request.user, evidence=item, changes=changes, reason=reason)
        )

    @extend_schema(request=WithdrawEvidenceSerializer, responses={200: EvidenceSerializer, **EVIDENCE_ERRORS})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, uuid=None):
        """Withdraw an item with a reason; an approved subject left meeting no criterion is flagged at once."""
        item = self.get_object()
        serializer = WithdrawEvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._item(
            evidence_services.withdraw_evidence(
                acting_user=request.user, evidence=item, reason=serializer.validated_data["reason"]
            )
        )

    @extend_schema(request=VerifyEvidenceSerializer, responses={200: EvidenceSerializer, **EVIDENCE_ERRORS})
    @action(detail=True, methods=["post"])
    def verify(self, request, uuid=None):
        """Mark a social media item verified, recording the method (a supervisor of the subject's borough)."""
        item = self.get_object()
        serializer = VerifyEvidenceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._item(
            evidence_services.verify_social_media(
                acting_user=request.user, evidence=item, method=serializer.validated_data["method"]
            )
        )


class BreakGlassView(APIView):
    """Time-limited, justified, logged read access to one subject outside your boroughs (as the browser's
    "Emergency access" page): the same lookup and the same service, so both refuse the same requests alike."""

    permission_classes = [BreakGlassAccess]

    @extend_schema(
        request=BreakGlassSerializer,
        responses={
            201: BreakGlassGrantSerializer,
            400: OpenApiResponse(
                description="Invalid input, a reference that names no record, a justification under 20 characters, "
                "hours out of range, or a subject of a borough you already work in; messages per field."
            ),
            403: OpenApiResponse(description="Your role cannot use break-glass access."),
        },
    )
    def post(self, request):
        """Open one subject of another borough for reading, for 1 to GOVMATRIX_BREAK_GLASS_MAX_HOURS hours.

        The justification is kept with the grant and carried by every logged view of the subject while it lasts.
        A renewed request for the same subject replaces the grant's justification and end.
        """
        serializer = BreakGlassSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subject = services.find_break_glass_subject(acting_user=request.user, reference=data["reference"])
        grant = services.grant_break_glass(
            acting_user=request.user, subject=subject, justification=data["justification"], hours=data["hours"]
        )
        grant.content_object = subject
        data = BreakGlassGrantSerializer(grant, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED)
