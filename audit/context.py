"""The request an audited action belongs to, available to the services without passing it down."""

import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_current: ContextVar["RequestContext | None"] = ContextVar("govmatrix_audit_request", default=None)
_service_writes_entry: ContextVar[bool] = ContextVar("govmatrix_service_writes_entry", default=False)


@dataclass(frozen=True)
class RequestContext:
    request_id: uuid.UUID
    ip_address: str | None
    user_agent: str


def current() -> RequestContext | None:
    return _current.get()


@contextmanager
def logged_by_service():
    """Around a service that writes its own access-log entry for a change. Receivers that log the same
    kind of change made through other doors (the admin, the shell) stay quiet inside it, so the change
    is logged once, by the service, with its actor and reason."""
    token = _service_writes_entry.set(True)
    try:
        yield
    finally:
        _service_writes_entry.reset(token)


def is_logged_by_service() -> bool:
    return _service_writes_entry.get()


class RequestContextMiddleware:
    """Gives every request an id (echoed in X-Request-ID) that groups the log entries of one action."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(
            request_id=uuid.uuid4(),
            ip_address=request.META.get("REMOTE_ADDR") or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        )
        request.audit_context = context
        token = _current.set(context)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response["X-Request-ID"] = str(context.request_id)
        return response
