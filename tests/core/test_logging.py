"""A refused request is one line in the server log; a server error keeps its traceback."""

from __future__ import annotations

import io
import logging

import pytest
from django.test import Client

from jingkai.core.logging import OneLineRefusals


def console_handler() -> logging.Handler:
    handlers = [
        h for h in logging.getLogger().handlers if any(isinstance(f, OneLineRefusals) for f in h.filters)
    ]
    assert len(handlers) == 1, "settings.LOGGING's console handler carries the filter"
    return handlers[0]


@pytest.fixture
def server_log():
    handler = console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


def test_a_403_is_one_line_without_traceback(zone, server_log):
    client = Client()
    client.force_login(zone["department"])
    response = client.get("/investment/")
    assert response.status_code == 403
    rid = response["X-Request-ID"]
    lines = [line for line in server_log.getvalue().splitlines() if line]
    assert len(lines) == 1  # time, level, logger and request id first (tests/core/test_scale_out.py)
    assert lines[0].endswith(f" WARNING django.request [{rid}] Forbidden (Permission denied): /investment/")


def test_other_records_keep_their_traceback(server_log):
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("django.request").error(
            "Internal Server Error: /x/", exc_info=True, extra={"status_code": 500}
        )
    text = server_log.getvalue()
    assert "Traceback" in text and "ValueError: boom" in text
