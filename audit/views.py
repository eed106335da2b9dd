from django.views import defaults

from audit import hooks


def permission_denied(request, exception=None):
    """Every refused page is logged (SPEC §6: access denied), then shown the usual 403 page."""
    hooks.denied(getattr(request, "user", None), detail=f"Page refused: {request.path[:120]}: {exception or ''}"[:300])
    return defaults.permission_denied(request, exception)
