"""Log filters of the console handler (settings.LOGGING).

A refused request (403) is an everyday event, not a fault: Django's request logger attaches the
PermissionDenied traceback to its "Forbidden" warning, which filled the server log with tracebacks.
`OneLineRefusals` keeps the warning (method, path and status) and drops the traceback, so each refusal is
one line; every other record, a 500's traceback included, passes unchanged.
"""

from __future__ import annotations

import logging

REFUSED = {403}


class OneLineRefusals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.request" and getattr(record, "status_code", None) in REFUSED:
            record.exc_info = None
            record.exc_text = None
        return True
