"""The access log API, read-only, for the auditor and DPO roles. Every call is itself logged."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from audit.api.filters import EventFilter, EventFilterBackend
from audit.api.permissions import AuditLogAccess
from audit.api.serializers import AccessEventSerializer, ChainVerificationSerializer
from audit.log import record
from audit.models import AccessEvent, Action
from audit.verification import check_on_request, latest_full_check, log_is_intact

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
            Action.SEARCH,
            actor=request.user,
            subject=search.subject(),
            detail=f"API access log search: {search.describe()}; {len(response.data['results'])} row(s) shown"[:300],
        )
        return response


class ChainVerificationView(APIView):
    """Check the access log's hash chain from the last good check to the newest entry (up to a limit per
    request), and report it with the latest check of the whole log (``manage.py verify_audit``, nightly)."""

    permission_classes = [AuditLogAccess]

    @extend_schema(responses={200: ChainVerificationSerializer, 403: REFUSED})
    def get(self, request):
        this_check = check_on_request(acting_user=request.user, limit=settings.GOVMATRIX_CHAIN_CHECK_REQUEST_LIMIT)
        full = latest_full_check()
        intact = log_is_intact(this_check, full)
        return Response(
            ChainVerificationSerializer({"intact": intact, "this_check": this_check, "last_full_check": full}).data
        )
