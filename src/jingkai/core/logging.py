"""Log filters of the console handler (settings.LOGGING).

A refused request (403) is an everyday event, not a fault: Django's request logger attaches the
PermissionDenied traceback to its "Forbidden" warning, which filled the server log with tracebacks.
`OneLineRefusals` keeps the warning (method, path and status) and drops the traceback, so each refusal is
one line; every other record, a 500's traceback included, passes unchanged.

`RequestIdFilter` adds the id of the request being served to every record, and the two formatters write
`time level logger [request id] message` (text, the default) or one JSON object per line
(JINGKAI_LOG_FORMAT=json).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging

REFUSED = {403}


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", None) in REFUSED:
            record.exc_info = None
            record.exc_text = None
        return True


# --- request ids and line formats (issue 13: several servers, one truth) -------------------------------------
# Every line names the request it belongs to, so the lines of one request can be found across servers (a load
# balancer that sets X-Request-ID passes its id through; core.middleware.RequestIdMiddleware sets it here).

NO_REQUEST = "-"
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("jingkai_request_id", default=NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Adds `record.request_id`: the id of the request being served, or "-" outside a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id.get()
        return True


def _iso_time(record: logging.LogRecord) -> str:
    """ISO 8601 with milliseconds and the server's UTC offset (2026-12-04T18:05:12.123+08:00)."""
    moment = dt.datetime.fromtimestamp(record.created).astimezone()
    return moment.isoformat(timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """`time level logger [request id] message`, then the traceback if any, as Python prints it."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatTime(self, record, datefmt=None):  # noqa: N802 - logging's name
        return _iso_time(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return super().format(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line (JINGKAI_LOG_FORMAT=json): time, level, logger, request_id, message, and
    status_code / exception when the record has them. A traceback is one string (its newlines escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": _iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id.get(),
            "message": record.getMessage(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            line["status_code"] = status
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)
