"""Read-side queries shared by the enterprise, grid and home pages.

Each returns a queryset or plain values built from `visible_to(user)`, so the pages cannot show a row
the user may not see, and each page costs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
import os

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from jingkai.core import bounds, ngrams, pinyin
from jingkai.core import uscc as uscc_rules
from jingkai.core.db import InSubquery
from jingkai.core.memo import per_request
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.choices import HonourKind
from jingkai.enterprises.models import AnnualScale, Enterprise, EnterpriseNameGram, Honour


def reference_date(year: int | None) -> dt.date:
    """The day "valid" means when pages show a data year: its last day, or today if that is earlier.

    Pages show 规上 status for the latest data year; honours are judged valid on the same footing, so a
    zone whose figures end in 2023 shows the certificates held at the end of 2023.
    """
    today = timezone.localdate()
    return today if year is None else min(today, dt.date(year, 12, 31))


def latest_scale_year() -> int | None:
    """The latest year with 规上 data; pages show that year unless the user picks another."""
    return AnnualScale.objects.order_by("-year").values_list("year", flat=True).first()


def latest_scale_year_of(request) -> int | None:
    """latest_scale_year(), once per request (the home page's heading and several of its cards show it)."""
    return per_request(request, "enterprises.latest_scale_year", latest_scale_year)


def with_scale(queryset: QuerySet, year: int | None, enterprise_ref: str = "pk") -> QuerySet:
    """Annotate above_size for a year: True (规上), False (规下) or None (no figure for that year).

    enterprise_ref names the enterprise's id in the annotated rows ("pk" for enterprises).
    """
    status = (
        AnnualScale.objects.filter(enterprise=OuterRef(enterprise_ref), year=year)
        .order_by()  # one row per (enterprise, year): no ordering, so no join back to the enterprise
        .values("above_size")[:1]
    )
    return queryset.annotate(above_size=Subquery(status))


def for_list(queryset: QuerySet, year: int | None) -> QuerySet:
    """Everything a row of an enterprise table shows, in one query however many rows there are."""
    return with_scale(queryset.select_related("grid", "community", "park"), year)


def count_subquery(queryset: QuerySet, outer_field: str):
    """COUNT(*) of queryset rows whose outer_field is the outer row's pk, as an annotation (0 if none).

    Counting in a subquery keeps the outer query free of joins that would multiply its rows.
    """
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1]), 0)


def valid_honour_q(on: dt.date, prefix: str = "") -> Q:
    """Honours certified by `on` and not yet expired on that day."""
    return Q(**{f"{prefix}certified_on__lte": on}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": on})
    )


def high_tech_count(user, on: dt.date) -> int:
    """Visible enterprises holding a valid 高新技术企业 certificate on a day."""
    honours = Honour.objects.visible_to(user).filter(valid_honour_q(on), kind=HonourKind.HIGH_TECH)
    return honours.values("enterprise_id").distinct().count()


def above_size_count(user, year: int | None) -> int:
    if year is None:
        return 0
    return AnnualScale.objects.visible_to(user).filter(year=year, above_size=True).count()


def scale_years(user) -> list[int]:
    return list(
        AnnualScale.objects.visible_to(user).order_by("-year").values_list("year", flat=True).distinct()
    )


def with_enterprise_counts(queryset: QuerySet, user, year: int | None, link: str) -> QuerySet:
    """Annotate total (visible enterprises) and above (those 规上 in year) on grids or communities.

    link is the enterprise's foreign key to the annotated model: "grid" or "community".
    """
    visible = Enterprise.objects.visible_to(user)
    above = AnnualScale.objects.visible_to(user).filter(year=year, above_size=True)
    return queryset.annotate(
        total=count_subquery(visible, link),
        above=count_subquery(above, f"enterprise__{link}"),
    )


def pinyin_q(value: str, prefix: str = "") -> Q:
    """Enterprises whose name a term of ASCII letters spells in pinyin: initials ("jsjm" for 津上精密) or full
    pinyin ("jinshang"); a Q matching nothing for any other term.

    The stored keys are lowercase, so the match is a plain LIKE on them (no UPPER() of every row, no work per
    row in Python). One letter only matches the first initial: contained anywhere it would match nearly all.
    prefix: the path to the enterprise from another model, e.g. "enterprise__".
    """
    letters = pinyin.as_query(value)
    if letters is None:
        return Q(pk__in=[])
    if len(letters) == 1:
        return Q(**{f"{prefix}name_initials__startswith": letters})
    return Q(**{f"{prefix}name_initials__contains": letters}) | Q(
        **{f"{prefix}name_pinyin__contains": letters}
    )


def name_search_q(value: str) -> Q:
    """Enterprises whose name, short name or (for a term with cased letters) English name contains the term:
    Latin letters in any case, everything else as written. The plain LIKE of every name (NAME_LIKE_ONLY below
    forces it, for the benchmark), narrowed by the name bigrams (EnterpriseNameGram, core/ngrams.py) for a term
    of two or more characters, so that the database reads the rows holding the term's rarest bigram instead of
    every name (one more query for a term of three or more characters: the bigrams' counts). The narrowing only
    drops rows that cannot contain the term: the results are the same.
    """
    if value.lower() != value.upper():
        # Chinese has no letter case: a term without cased letters matches with a plain LIKE, sparing
        # PostgreSQL an UPPER() of every name, and is not looked for in the English name.
        like = Q(name__icontains=value) | Q(short_name__icontains=value) | Q(english_name__icontains=value)
    else:
        like = Q(name__contains=value) | Q(short_name__contains=value)
    grams = ngrams.term_bigrams(value)
    if NAME_LIKE_ONLY or not grams or pinyin.as_query(value) is not None:
        # A term of Latin letters only is also looked for in the pinyin keys (pinyin_q), by a LIKE of every
        # key: narrowing the names would not spare that scan.
        return like
    limit = narrow_at_most()
    if len(grams) > 1 or limit < NARROW_AT_MOST:
        # The rarest bigram narrows most: one query counts them in the index (a term with a bigram no name
        # holds is in no name, and its count of 0 makes it the one). On PostgreSQL a two-character term is
        # counted too: its rows are narrowed only when few (see narrow_at_most).
        counts = dict(
            EnterpriseNameGram.objects.filter(gram__in=grams)
            .values("gram")
            .annotate(n=Count("pk"))
            .values_list("gram", "n")
        )
        grams = [min(grams, key=lambda gram: counts.get(gram, 0))]
        if counts.get(grams[0], 0) > limit:
            return like  # in nearly every name (有限公司): one pass over the names beats as many lookups
    narrowed = InSubquery("pk", EnterpriseNameGram.objects.filter(gram=grams[0]).values("enterprise_id"))
    return like & Q(narrowed)


# A term whose rarest bigram more names hold than this is looked for by the plain LIKE: looking each of them up
# costs more than reading every name once (at 100,000 enterprises 7,675 lookups still took less than one pass).
NARROW_AT_MOST = 20_000
# On PostgreSQL the plain search walks the name-sort index and stops at the page's 50 rows, while the narrowed one
# fetches and sorts every matching row: measured at 100,741 enterprises (benchmarks/pages.py), narrowing a
# two-character term held by 1,075–7,675 names was slower (p95 176 ms against 89 ms), so there it narrows only a
# term whose rarest bigram is rarer than this.
NARROW_AT_MOST_POSTGRESQL = 1_000


def narrow_at_most() -> int:
    from django.db import connection

    return NARROW_AT_MOST_POSTGRESQL if connection.vendor == "postgresql" else NARROW_AT_MOST


# True reads every name with the plain LIKE (benchmarks/pages.py measures both ways in one run).
NAME_LIKE_ONLY = os.environ.get("JINGKAI_NAME_SEARCH") == "like"


# --- Naming an enterprise: by id or by credit code ----------------------------------------------------

LOOKUP_CHUNK = (
    500  # codes per IN (...) query: one query for any file up to this many rows, and safe on SQLite
)


def id_or_uscc(ident, *, via: str = "") -> dict | None:
    """The lookup an "id or credit code" names: {"uscc": code} for 18 characters after normalising (any case,
    spacing or full-width form; a code may be all digits), {"pk": n} for a shorter number, None otherwise.

    via: the path from another model to its enterprise, e.g. "enterprise" for a campaign target.
    """
    code = uscc_rules.normalize(str(ident))
    prefix = f"{via}__" if via else ""
    if len(code) == 18:
        return {f"{prefix}uscc": code}
    if len(code) < 18 and (pk := bounds.as_id(code)) is not None:
        return {f"{prefix}pk": pk}
    return None


def find_by_id_or_uscc(user, ident, queryset=None) -> Enterprise:
    """The enterprise an id or a credit code names, if the user may see it; Http404 otherwise (also for an
    ident that is neither)."""
    lookup = id_or_uscc(ident)
    if lookup is None:
        raise Http404
    return get_visible_or_404(Enterprise.objects.all() if queryset is None else queryset, user, **lookup)


def by_uscc(codes, queryset=None) -> dict[str, Enterprise]:
    """The enterprises of queryset (default: all) named by any of the codes, keyed by their normalised code.

    Codes are normalised as core.uscc does; a constant number of queries (one per LOOKUP_CHUNK codes).
    """
    wanted = sorted({uscc_rules.normalize(str(code)) for code in codes if code})
    queryset = Enterprise.objects.all() if queryset is None else queryset
    found: dict[str, Enterprise] = {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        found.update((e.uscc, e) for e in queryset.filter(uscc__in=wanted[start : start + LOOKUP_CHUNK]))
    return found
