"""The client's address as the audit log and the lock-out see it.

Without a proxy in front (settings.JINGKAI_TRUSTED_PROXY_COUNT = 0, the default), REMOTE_ADDR is the client and
X-Forwarded-For is ignored: any client may write that header. Behind N reverse proxies that each append the
address they received the request from (nginx `proxy_add_x_forwarded_for`), the last N entries of
X-Forwarded-For are theirs and the N-th from the right is the client; entries to its left were sent by the
client and are never believed. django-ipware reads the chain: it expects each proxy's own address in it, so
the nearest proxy's (REMOTE_ADDR, which it does not write) is added at the end and ipware takes the address
just left of the N proxies. A request that carries fewer entries than that did not come through the proxies: its
REMOTE_ADDR is the client.

django-axes reads the same function (settings.AXES_CLIENT_IP_CALLABLE), so the lock-out log and the audit log
name the same address.
"""

from __future__ import annotations

from types import SimpleNamespace

from django.conf import settings
from ipware import get_client_ip


def client_ip(request) -> str | None:
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = getattr(settings, "JINGKAI_TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").strip()
    if not forwarded or not remote:
        return remote
    chain = SimpleNamespace(META={"HTTP_X_FORWARDED_FOR": f"{forwarded}, {remote}", "REMOTE_ADDR": remote})
    address, _routable = get_client_ip(
        chain,
        proxy_order="left-most",
        proxy_count=proxies,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or remote
