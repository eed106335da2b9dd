"""Map domain exceptions to HTTP the same way for every endpoint."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from audit import hooks
from matrix.services import StaleVersion
from matrix.workflow import InvalidTransition


def as_drf_validation_error(exc: DjangoValidationError) -> ValidationError:
    if hasattr(exc, "error_dict"):
        return ValidationError(
            {field: [str(m) for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
        )
    return ValidationError({"non_field_errors": exc.messages})


def exception_handler(exc, context):
    if isinstance(exc, RecursionError) and "JSON" in str(exc):
        # Python's json gives up on a very deeply nested document ("[[[[...") with RecursionError, which
        # DRF's parser does not catch (it catches ValueError): a malformed body, not a server fault.
        exc = ParseError("JSON parse error - the document is nested too deeply.")
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {"detail": f"The request body is too large: at most {limit:,} bytes are accepted."},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        # Django's own refusals of a request it cannot read (too many fields, a malformed upload).
        return Response({"detail": f"Bad request: {exc}"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, StaleVersion):
        return Response(
            {
                "detail": str(exc),
                "current_version": exc.current_version,
                "your_version": exc.expected_version,
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, InvalidTransition):
        return Response({"detail": " ".join(exc.messages)}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, (DjangoPermissionDenied, PermissionDenied)):
        request = context.get("request")
        hooks.denied(getattr(request, "user", None), detail=f"API refused: {exc}"[:300])
    if isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    return drf_exception_handler(exc, context)
