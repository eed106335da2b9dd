"""Probes for the proxy, the orchestrator and the monitoring system.

- ``/healthz`` (liveness): the process answers. It touches nothing else, so a slow database never
  gets a healthy worker restarted.
- ``/readyz`` (readiness): the database answers, every migration is applied and, in production
  mode, the collected static files are in place. 503 with the reasons otherwise.
- ``/metrics``: Prometheus metrics, only for callers on the machine or its private network that did
  not come through the reverse proxy (see ``config.metrics``).

``ProbeMiddleware`` answers these before host validation and the HTTPS redirect: probes arrive over
plain HTTP, addressed to an IP rather than the public host name. It also refuses to serve pages in
production mode while the static manifest is missing, because every page would otherwise fail
with a 500 while the probes said all was well.
"""

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.cache import never_cache

from config import metrics

STATIC_NOT_COLLECTED = "static files have not been collected: run `manage.py collectstatic --noinput`"


def static_manifest_problem() -> str | None:
    """Why the hashed static files cannot be served, or None when they can (or need not be)."""
    if not settings.PRODUCTION:
        return None
    if not (settings.STATIC_ROOT / "staticfiles.json").is_file():
        return STATIC_NOT_COLLECTED
    return None


def readiness_problems() -> dict[str, str]:
    problems = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        problems["database"] = "unreachable"
    else:
        if pending:
            problems["migrations"] = f"{len(pending)} pending: run `manage.py migrate`"
    static = static_manifest_problem()
    if static:
        problems["static"] = static
    return problems


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request):
    problems = readiness_problems()
    if problems:
        return JsonResponse({"status": "unavailable", **problems}, status=503)
    return JsonResponse({"status": "ok"})


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics.export}


class ProbeMiddleware:
    """Outermost middleware: answers the probes, and holds pages back until static files exist."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.static_ready = False  # once collected, the manifest stays; only its absence is re-checked

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is not None:
            if request.method not in ("GET", "HEAD"):
                return HttpResponseNotAllowed(["GET", "HEAD"])
            return probe(request)
        if not self.static_ready:
            problem = static_manifest_problem()
            if problem:
                return HttpResponse(
                    f"govmatrix is not ready to serve pages: {problem}.\n",
                    status=503,
                    content_type="text/plain; charset=utf-8",
                    headers={"Retry-After": "30"},
                )
            self.static_ready = True
        return self.get_response(request)
