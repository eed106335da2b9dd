"""The access log API, read-only, for the auditor and DPO roles. Every call is itself logged."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.filters import EventFilter, EventFilterBackend
from audit.api.permissions import AuditLogAccess
from audit.api.serializers import AccessEventSerializer, ChainReportSerializer
from audit.log import record
from audit.models import AccessEvent, Action
from audit.verification import verify_chain

REFUSED = OpenApiResponse(description="Only auditors and the data protection officer can read the access log.")


class EventCursorPagination(CursorPagination):
    ordering = "-sequence"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class AccessEventViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Search the access log, newest first."""

    queryset = AccessEvent.objects.all()
    serializer_class = AccessEventSerializer
    permission_classes = [AuditLogAccess]
    filterset_class = EventFilter
    filter_backends = [EventFilterBackend]
    pagination_class = EventCursorPagination

    @extend_schema(responses={200: AccessEventSerializer(many=True), 403: REFUSED})
    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        search = self.event_search
        record(
            Action.SEARCH, actor=request.user, subject=search.subject(),
            detail=f"API access log search: {search.describe()}; {len(response.data['results'])} row(s) shown"[:300],
        )
        return response


class ChainVerificationView(APIView):
    """Walk the whole access log and report whether its hash chain is intact (as ``manage.py verify_audit``)."""

    permission_classes = [AuditLogAccess]

    @extend_schema(responses={200: ChainReportSerializer, 403: REFUSED})
    def get(self, request):
        report = verify_chain()
        state = "intact" if report.intact else f"broken at #{report.broken_sequence}"
        record(Action.SEARCH, actor=request.user, detail=f"Access log chain verified through the API: {report.checked} checked, {state}")
        return Response(ChainReportSerializer(report).data)
