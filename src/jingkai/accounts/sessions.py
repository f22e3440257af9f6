"""A session's two clocks, kept in the session itself and checked on every request (middleware.py):
idle (JINGKAI_SESSION_IDLE_MINUTES since the last request) and absolute (JINGKAI_SESSION_ABSOLUTE_HOURS since
the sign-in). The last-seen time is written at most once a minute, so a page's requests do not each save the
session; the idle limit is therefore kept to within a minute."""

from __future__ import annotations

import time

from django.conf import settings

STARTED = "jk_started"
SEEN = "jk_seen"
# Seconds between two writes of the last-seen time.
SEEN_GRANULARITY = 60


def now() -> float:
    return time.time()


def start(request) -> None:
    moment = int(now())
    request.session[STARTED] = moment
    request.session[SEEN] = moment


def expired(request) -> str | None:
    """ "idle" or "absolute" when the session has run out, else None (and the last-seen time is kept)."""
    session = request.session
    moment = now()
    started, seen = session.get(STARTED), session.get(SEEN)
    if started is None or seen is None:
        # A session from before these clocks: they start now.
        start(request)
        return None
    if moment - started > settings.JINGKAI_SESSION_ABSOLUTE_HOURS * 3600:
        return "absolute"
    if moment - seen > settings.JINGKAI_SESSION_IDLE_MINUTES * 60:
        return "idle"
    if moment - seen >= SEEN_GRANULARITY:
        session[SEEN] = int(moment)
    return None
