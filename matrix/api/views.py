from rest_framework import mixins, viewsets
from rest_framework.pagination import CursorPagination

from matrix import services
from matrix.api.filters import SubjectFilter
from matrix.api.permissions import SubjectAccess
from matrix.api.serializers import BoroughSerializer, SubjectSerializer
from matrix.models import Borough, Subject


class SubjectCursorPagination(CursorPagination):
    ordering = "-created_at"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class BoroughViewSet(viewsets.ReadOnlyModelViewSet):
    """The 33 London boroughs (reference data)."""

    queryset = Borough.objects.all()
    serializer_class = BoroughSerializer
    lookup_field = "code"
    pagination_class = None


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
