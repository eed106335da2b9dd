"""Prometheus metrics (django-prometheus), for the force's monitoring system only.

Metrics name no person, but they show how the service is used, so they are not public: the caller
must connect from an address in GOVMATRIX_METRICS_NETWORKS (loopback only by default)
and must not have come through the reverse proxy (which adds X-Forwarded-For, and denies /metrics
itself — see deploy/nginx/govmatrix.conf).
"""

import ipaddress
from functools import cache

from django.conf import settings
from django.http import HttpResponseForbidden
from django_prometheus.exports import ExportToDjangoView


@cache
def allowed_networks() -> tuple:
    return tuple(ipaddress.ip_network(network, strict=False) for network in settings.GOVMATRIX_METRICS_NETWORKS)


def caller_may_read_metrics(request) -> bool:
    if "HTTP_X_FORWARDED_FOR" in request.META:
        return False
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in allowed_networks())


def export(request):
    if not caller_may_read_metrics(request):
        return HttpResponseForbidden("Metrics are served only to the monitoring network.\n", content_type="text/plain")
    return ExportToDjangoView(request)
