"""Error answers: JSON under /api/ for every error, whoever raises it (a view, DRF, a middleware or Django's
request parsing), and the usual pages elsewhere."""

from django.http import JsonResponse
from django.views import defaults

from audit import hooks

API_PREFIX = "/api/"
# An unread request body is drained before answering, so the client reads the answer instead of a reset
# connection; beyond this many bytes the connection is dropped (nginx refuses such bodies first).
DRAIN_LIMIT = 16 * 1024 * 1024


def is_api(request) -> bool:
    return request.path.startswith(API_PREFIX)


def page_not_found(request, exception=None):
    """handler404. A path under /api/ that matches no endpoint (e.g. a malformed UUID) gets JSON, not HTML."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request, exception=None):
    """handler403. Every refusal is logged (docs/access-log.md, What is logged: denied), then answered."""
    hooks.denied(getattr(request, "user", None), detail=f"Page refused: {request.path[:120]}: {exception or ''}"[:300])
    if is_api(request):
        return JsonResponse(
            {"detail": str(exception or "You do not have permission to perform this action.")}, status=403
        )
    return defaults.permission_denied(request, exception)


def bad_request(request, exception=None):
    """handler400: a request Django refused before any view (a disallowed host, a malformed or oversized body)."""
    if is_api(request):
        return JsonResponse({"detail": "Bad request: the request could not be read."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500. The detail is in the server's log under the request id; the answer says so."""
    if is_api(request):
        return JsonResponse(
            {"detail": "Server error: the request was not completed. It is in the server's log."}, status=500
        )
    return defaults.server_error(request)


def drain_unread_body(request) -> None:
    """Read and discard what the client sent and nobody read (e.g. a body refused as too large).

    A server that answers and closes while request bytes are still unread makes the kernel reset the
    connection, and the client never sees the answer.
    """
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return
    stream = getattr(request, "_stream", None)
    if stream is None or not 0 < declared <= DRAIN_LIMIT:
        return
    while stream.read(64 * 1024):
        pass


class DrainUnreadBodyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        drain_unread_body(request)
        return response


class NulInPathMiddleware:
    """A path containing a NUL character names nothing: 404 before any view looks it up.

    PostgreSQL refuses NUL in text, so a lookup such as /api/boroughs/%00/ or /audit/users/a%00/ would
    otherwise end in a database error (500). Forms and serializer text fields already refuse NUL.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return page_not_found(request)
        return self.get_response(request)
