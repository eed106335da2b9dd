"""Not-found answers: JSON under /api/ (like every other API error), the usual page elsewhere."""

from django.http import JsonResponse
from django.views import defaults


def page_not_found(request, exception=None):
    """handler404. A path under /api/ that matches no endpoint (e.g. a malformed UUID) gets JSON, not HTML."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


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
