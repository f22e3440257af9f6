"""Per-request memory for figures that several independent parts of one page need (home cards)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def per_request(request, key: str, compute: Callable[[], T]) -> T:
    """compute() once per request: the second card needing the same count reads it instead of querying."""
    store = request.__dict__.setdefault("_jingkai_memo", {})
    if key not in store:
        store[key] = compute()
    return store[key]
