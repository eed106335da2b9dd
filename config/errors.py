"""A path under /api/ that matches no endpoint (e.g. a malformed UUID) is answered in JSON like any other
API error, not with the HTML page meant for browsers."""

from django.http import JsonResponse
from django.views import defaults


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
