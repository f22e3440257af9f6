"""Per-request memory for figures that several independent parts of one page need (home cards, the profile)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")


def per_request(request, key: str, compute: Callable[[], T]) -> T:
    """compute() once per request: the second card needing the same count reads it instead of querying."""
    store = request.__dict__.setdefault("_jingkai_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]


# --- One page's memory, for predicates and lookups that have no request at hand ------------------------
#
# A permission predicate (`can_see_enterprise(user, id)`) or the working calendar is called by several panels of
# one page, each without the request. Inside `page_memo()` (the enterprise profile wraps its rendering in it)
# `memoised(key, compute)` computes once; outside it (services, commands, tests calling a predicate) it always
# computes, so nothing is remembered across a change made by the caller.

_page: ContextVar[dict | None] = ContextVar("jingkai_page_memo", default=None)


@contextmanager
def page_memo():
    token = _page.set({})
    try:
        yield
    finally:
        _page.reset(token)


def memoised(key, compute: Callable[[], T]) -> T:
    store = _page.get()
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def remember(key, value) -> None:
    """Tell the page's memory a value known already (the profile: the enterprise it fetched is visible)."""
    store = _page.get()
    if store is not None:
        store[key] = value


def remembered(key, default=None):
    store = _page.get()
    return default if store is None else store.get(key, default)
