"""Application logs: one JSON object per line on standard output (django-structlog), for the operator.

Logs are for running the service, not a second access log (that is ``audit``), so a line never
carries personal data: the request is logged as method and path only (query strings carry search
terms such as names), no IP address or user agent is bound, staff appear only as their numeric id,
and an exception is logged as its type and stack without its message (database errors quote the
values they refused). Each line carries the request id that the access log stores for the same
request, so the two can be joined by whoever may read both.
"""

import re
import sys
import traceback

import structlog
from django.dispatch import receiver
from django_structlog import signals

SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def exception_without_message(_logger, _name, event_dict):
    exc_info = event_dict.pop("exc_info", None)
    if exc_info is True:
        exc_info = sys.exc_info()
    if exc_info and exc_info[0] is not None:
        exc_type, _value, tb = exc_info
        stack = "".join(traceback.format_list(traceback.extract_tb(tb)))
        event_dict["exception"] = f"{stack}{exc_type.__module__}.{exc_type.__qualname__} (message withheld)"
    return event_dict


def logging_config(level: str, json_lines: bool) -> dict:
    """The LOGGING setting; also configures structlog to hand its events to the standard library."""
    structlog.configure(
        processors=[*SHARED_PROCESSORS, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer = structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer(colors=False)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    exception_without_message,
                    renderer,
                ],
                "foreign_pre_chain": SHARED_PROCESSORS,
            },
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        # django-structlog's request_finished line replaces Django's own per-request warnings.
        "loggers": {"django.request": {"level": "ERROR"}, "django.server": {"level": "WARNING"}},
    }


# A set-up link's path holds a one-time secret: whoever reads it in a log could choose that person's password.
SECRET_IN_PATH = re.compile(r"^(/people/set-up/)[^?#]*")


def loggable_path(path: str) -> str:
    """The path with any one-time secret in it withheld (also used by gunicorn's access log)."""
    return SECRET_IN_PATH.sub(r"\1…/", path)


def _method_and_path(request) -> str:
    return f"{request.method} {loggable_path(request.path)}"


@receiver(signals.bind_extra_request_metadata)
def bind_audit_request_id(request, logger, log_kwargs, **kwargs):
    audit_context = getattr(request, "audit_context", None)
    if audit_context is not None:
        structlog.contextvars.bind_contextvars(request_id=str(audit_context.request_id))
    log_kwargs["request"] = _method_and_path(request)
    log_kwargs.pop("user_agent", None)


@receiver(signals.bind_extra_request_finished_metadata)
@receiver(signals.bind_extra_request_failed_metadata)
def log_path_without_query(request, logger, log_kwargs, **kwargs):
    log_kwargs["request"] = _method_and_path(request)
