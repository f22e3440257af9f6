"""Duplicate suggestions at intake: open demands of the same enterprise or category with similar text.

Chinese has no spaces, so the text is compared as sets of character bigrams (plus Latin/digit words),
scored by Jaccard similarity; no dictionary to load, and robust to the word-segmentation ambiguities of
short complaints. Candidates: at most CANDIDATES recent open demands (one query).
"""

from __future__ import annotations

import re

from django.db.models import Q

from jingkai.demands.models import OPEN_STATES, DemandState

CANDIDATES = 500
THRESHOLD = 0.15
_HAN = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[A-Za-z0-9]+")
# Words that appear in almost every demand and say nothing about its subject.
_STOP = {"希望", "能否", "请求", "协调", "帮助", "解决", "问题", "公司", "企业", "我们", "目前", "需要"}


def tokens(text: str) -> set[str]:
    text = text or ""
    grams: set[str] = set()
    for run in _HAN.findall(text):
        if len(run) == 1:
            grams.add(run)
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.update(w.lower() for w in _WORD.findall(text))
    return grams - _STOP


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similar_demands(
    queryset, *, text: str, enterprise_id=None, category_id=None, limit: int = 5, exclude=None
):
    """[(demand, score)] best first, among the open demands of `queryset` (already scoped to the user)."""
    wanted = tokens(text)
    if len(wanted) < 2 or not (enterprise_id or category_id):
        return []
    scope = Q()
    if enterprise_id:
        scope |= Q(enterprise_id=enterprise_id)
    if category_id:
        scope |= Q(category_id=category_id)
    candidates = (
        queryset.filter(scope, state__in=[*OPEN_STATES, DemandState.REPLIED])
        .select_related("enterprise", "category__parent")
        .order_by("-submitted_at")[:CANDIDATES]
    )
    scored = []
    for demand in candidates:
        if exclude and demand.pk == exclude:
            continue
        score = jaccard(wanted, tokens(f"{demand.title} {demand.description}"))
        if demand.enterprise_id == enterprise_id:
            score += 0.05  # the same enterprise asking again is the likeliest duplicate
        if score >= THRESHOLD:
            scored.append((demand, round(min(score, 1.0), 3)))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]
