"""The client's address as the audit log and the lock-out see it.

Without a proxy in front, REMOTE_ADDR is the client. Behind proxies, settings.JINGKAI_TRUSTED_PROXY_COUNT
says how many of them append to X-Forwarded-For (read through django-ipware).
"""

from __future__ import annotations


def client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") or None
    return address
